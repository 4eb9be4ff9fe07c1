// Alertmanager's matcher syntax (`name="value"`, `!=`, `=~`, `!~`), read the way Alertmanager's
// classic parser (pkg/labels/parse.go) reads it, so a matcher copied from an Alertmanager route means
// the same here. Regular expressions use RE2 semantics through re2js: a user's regex runs in linear
// time, where JavaScript's RegExp would backtrack exponentially on a label value such as 10,000 `a`s.
import { RE2JS } from 're2js';

export type MatchType = '=' | '!=' | '=~' | '!~';

export interface Matcher {
  readonly name: string;
  readonly type: MatchType;
  /** The value after unquoting and unescaping; for `=~`/`!~` the regex as the user wrote it. */
  readonly value: string;
  /** A missing label counts as the empty string, as in Alertmanager. */
  matches(labels: Readonly<Record<string, string>>): boolean;
}

export class MatcherParseError extends Error {
  /** 0-based position (UTF-16 units) in the text given to the parser where the problem starts. */
  readonly position: number;
  constructor(message: string, position: number) {
    super(message);
    this.name = 'MatcherParseError';
    this.position = position;
  }
}

// Name, operator, value, with whitespace around each. `=~` before `=` so `a=~b` is a regex match.
// Whitespace is Go's `\s` (ASCII only), not JavaScript's, which also takes a no-break space.
const MATCHER_PATTERN = /^([ \t\n\f\r]*)([a-zA-Z_:][a-zA-Z0-9_:]*)([ \t\n\f\r]*)(=~|=|!=|!~)([ \t\n\f\r]*)([\s\S]*?)[ \t\n\f\r]*$/;

/**
 * One matcher, e.g. `severity="critical"`, `team!=db`, `instance=~"web-.*"`. `offset` is where `text`
 * starts in a longer input, so positions in errors point into that input.
 */
export function parseMatcher(text: string, offset = 0): Matcher {
  const match = MATCHER_PATTERN.exec(text);
  if (!match) {
    throw new MatcherParseError(
      `bad matcher format at position ${offset}: ${JSON.stringify(text)} (expected name="value" with =, !=, =~ or !~; ` +
        'a label name is letters, digits, _ and :, not starting with a digit)',
      offset,
    );
  }
  const [, lead = '', name = '', gap1 = '', type = '=', gap2 = '', rawValue = ''] = match;
  const valueStart = offset + lead.length + name.length + gap1.length + type.length + gap2.length;
  if (rawValue === '') {
    throw new MatcherParseError(
      `matcher value is not present at position ${valueStart}: ${JSON.stringify(text)} (write "" for an empty value)`,
      valueStart,
    );
  }
  const value = unescapeValue(rawValue, valueStart);
  return makeMatcher(name, type as MatchType, value, valueStart);
}

/**
 * Alertmanager's OpenMetrics-style escapes: `\"`, `\n`, `\\`; a `\` before anything else, or at the
 * end, is a literal backslash. A value may be wrapped in double quotes; an unescaped `"` anywhere else
 * is an error.
 */
function unescapeValue(raw: string, rawStart: number): string {
  const quoted = raw.startsWith('"');
  const body = quoted ? raw.slice(1) : raw;
  const bodyStart = rawStart + (quoted ? 1 : 0);
  let closed = !quoted;
  let value = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c === '\\' && i < body.length - 1) {
      const next = body[i + 1] as string;
      i++;
      if (next === 'n') value += '\n';
      else if (next === '"' || next === '\\') value += next;
      else value += `\\${next}`;
    } else if (c === '"') {
      if (!quoted || i < body.length - 1) {
        throw new MatcherParseError(
          `matcher value contains an unescaped double quote at position ${bodyStart + i}: ${raw} (write \\")`,
          bodyStart + i,
        );
      }
      closed = true;
    } else {
      value += c;
    }
  }
  if (!closed) {
    throw new MatcherParseError(`matcher value has no closing double quote at position ${rawStart}: ${raw}`, rawStart);
  }
  return value;
}

function makeMatcher(name: string, type: MatchType, value: string, valueStart: number): Matcher {
  if (type === '=' || type === '!=') {
    const equal = type === '=';
    return { name, type, value, matches: (labels) => ((labels[name] ?? '') === value) === equal };
  }
  let regex: RE2JS;
  try {
    // Anchored like Alertmanager's NewMatcher: the whole label value must match.
    regex = RE2JS.compile(`^(?:${value})$`);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new MatcherParseError(`invalid regular expression at position ${valueStart}: ${reason}`, valueStart);
  }
  const wanted = type === '=~';
  return { name, type, value, matches: (labels) => regex.test(labels[name] ?? '') === wanted };
}

/**
 * A comma-separated list, as Alertmanager's ParseMatchers reads it: optional `{` `}` around it, commas
 * inside double quotes do not separate, a trailing comma is allowed.
 */
export function parseMatchers(text: string): Matcher[] {
  let start = 0;
  let end = text.length;
  if (text.startsWith('{')) start = 1;
  if (end > start && text.endsWith('}')) end--;
  const pieces: { text: string; offset: number }[] = [];
  let insideQuotes = false;
  let escaped = false;
  let pieceStart = start;
  for (let i = start; i < end; i++) {
    const c = text[i];
    if (c === ',' && !insideQuotes) {
      pieces.push({ text: text.slice(pieceStart, i), offset: pieceStart });
      pieceStart = i + 1;
      continue;
    }
    if (c === '"') {
      if (!escaped) insideQuotes = !insideQuotes;
      escaped = false;
    } else if (c === '\\') {
      escaped = !escaped;
    } else {
      escaped = false;
    }
  }
  const last = text.slice(pieceStart, end);
  if (last.trim() !== '') pieces.push({ text: last, offset: pieceStart });
  return pieces.map((piece) => parseMatcher(piece.text, piece.offset));
}

/** True when every matcher matches (an empty list matches everything, as an Alertmanager route does). */
export function matchesAll(matchers: readonly Matcher[], labels: Readonly<Record<string, string>>): boolean {
  return matchers.every((matcher) => matcher.matches(labels));
}
