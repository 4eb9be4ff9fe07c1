// Quiet hours: a daily window of local wall-clock time in an IANA time zone during which messages go
// out silently (disable_notification), unless an `except` matcher matches the alert. The zone's rules
// come from the runtime's Intl data, so daylight saving needs no table of our own: on the night the
// clocks spring forward the skipped hour never happens, on the night they fall back the repeated hour
// counts twice, exactly as a person in that zone lives it.
import { matchesAll, MatcherParseError, parseMatchers, type Matcher } from './matchers.js';

export interface QuietHoursSpec {
  timeZone: string;
  /** "HH:MM", 24-hour local time; inclusive. */
  from: string;
  /** "HH:MM", 24-hour local time; exclusive. "24:00" is the end of the day. */
  to: string;
  /** Alertmanager matcher lists; an alert matching any one entry is never silenced. */
  except?: readonly string[];
}

export class QuietHoursError extends Error {
  /** The field that is wrong, e.g. `timeZone`, `from`, `except[1]`. */
  readonly field: string;
  constructor(field: string, message: string) {
    super(`quietHours.${field}: ${message}`);
    this.name = 'QuietHoursError';
    this.field = field;
  }
}

export interface QuietHours {
  /** Whether `at` falls inside the window in the zone's local time. */
  inWindow(at: Date): boolean;
  /** Whether a message about an alert with these labels goes out silently at `at`. */
  silent(labels: Readonly<Record<string, string>>, at: Date): boolean;
}

const MINUTES_PER_DAY = 24 * 60;

/**
 * Checks the spec and returns the window. A window whose `from` equals its `to` is refused: it could
 * mean "never" or "all day", and a silent guess either way surprises someone at night. All day is
 * written `00:00`–`24:00`.
 */
export function compileQuietHours(spec: QuietHoursSpec): QuietHours {
  const clock = localClock(spec.timeZone);
  const from = parseTimeOfDay(spec.from, 'from', false);
  const to = parseTimeOfDay(spec.to, 'to', true);
  if (from === to) {
    throw new QuietHoursError('to', `equals from (${spec.from}): the window would be empty; for all day write from: "00:00", to: "24:00"`);
  }
  const except: Matcher[][] = (spec.except ?? []).map((text, index) => {
    try {
      return parseMatchers(text);
    } catch (error) {
      if (error instanceof MatcherParseError) throw new QuietHoursError(`except[${index}]`, error.message);
      throw error;
    }
  });
  const inWindow = (at: Date): boolean => {
    const minute = clock(at);
    // A window that spans midnight (22:00–07:00) is the two pieces either side of it.
    return from < to ? minute >= from && minute < to : minute >= from || minute < to;
  };
  return {
    inWindow,
    silent: (labels, at) => inWindow(at) && !except.some((matchers) => matchesAll(matchers, labels)),
  };
}

/** "HH:MM" → minutes since local midnight. */
function parseTimeOfDay(text: string, field: 'from' | 'to', allowEndOfDay: boolean): number {
  const match = /^([01][0-9]|2[0-3]):([0-5][0-9])$/.exec(text);
  if (match) return Number(match[1]) * 60 + Number(match[2]);
  if (allowEndOfDay && text === '24:00') return MINUTES_PER_DAY;
  const allowed = allowEndOfDay ? '00:00 to 24:00' : '00:00 to 23:59';
  throw new QuietHoursError(field, `${JSON.stringify(text)} is not a time of day (write "HH:MM", 24-hour, ${allowed})`);
}

/** A function from an instant to minutes since local midnight in `timeZone`; unknown zones are refused. */
function localClock(timeZone: string): (at: Date) => number {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  } catch {
    throw new QuietHoursError('timeZone', `unknown time zone ${JSON.stringify(timeZone)} (use an IANA name such as Europe/Berlin or UTC)`);
  }
  return (at) => {
    let hour = 0;
    let minute = 0;
    for (const part of format.formatToParts(at)) {
      if (part.type === 'hour') hour = Number(part.value);
      if (part.type === 'minute') minute = Number(part.value);
    }
    return hour * 60 + minute;
  };
}
