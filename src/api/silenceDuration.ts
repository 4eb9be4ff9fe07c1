// Silence durations as spec.<source>.silence.durations gives them: "30m", "1h", "24h", "7d",
// "1h30m". Days are allowed here (unlike verifyInterval) because a week-long silence is common and
// Alertmanager's own UI offers it; the label on the button is the text as written.
export const SILENCE_DURATION_PATTERN = /^([0-9]{1,6}(s|m|h|d))+$/;
export const MIN_SILENCE_MS = 60_000;
export const MAX_SILENCE_MS = 30 * 24 * 3_600_000;
export const DEFAULT_SILENCE_DURATIONS = ['1h', '24h'];

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds, or undefined when the text is not a duration in s, m, h or d. */
export function parseSilenceDuration(text: string): number | undefined {
  if (!SILENCE_DURATION_PATTERN.test(text)) return undefined;
  let total = 0;
  for (const m of text.matchAll(/([0-9]+)(s|m|h|d)/g)) total += Number(m[1]) * UNIT_MS[m[2]!]!;
  return total;
}

/** Why a duration is not acceptable as a silence duration, or undefined when it is. */
export function silenceDurationProblem(text: string): string | undefined {
  const ms = parseSilenceDuration(text);
  if (ms === undefined) return `"${text.slice(0, 20)}" is not a duration such as 30m, 1h, 24h or 7d`;
  if (ms < MIN_SILENCE_MS || ms > MAX_SILENCE_MS) return `${text} is outside 1m..30d`;
  return undefined;
}
