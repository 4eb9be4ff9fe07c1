import { matchesAll, MatcherParseError, parseMatcher, parseMatchers } from '../../../src/routing/matchers.js';

/** A matcher as the cases write it: label name, operator, value. */
const m = (name: string, type: string, value: string) => ({ name, type, value });
const plain = (text: string) => parseMatchers(text).map(({ name, type, value }) => ({ name, type, value }));

describe('parseMatchers: the examples of Alertmanager pkg/labels/parse_test.go', () => {
  it.each([
    ['{foo="bar"}', [m('foo', '=', 'bar')]],
    ['{foo=~"bar.*"}', [m('foo', '=~', 'bar.*')]],
    ['{foo!="bar"}', [m('foo', '!=', 'bar')]],
    ['{foo!~"bar.*"}', [m('foo', '!~', 'bar.*')]],
    ['{foo="bar", baz!="quux"}', [m('foo', '=', 'bar'), m('baz', '!=', 'quux')]],
    ['{foo="bar",baz!~".*quux", derp="wat"}', [m('foo', '=', 'bar'), m('baz', '!~', '.*quux'), m('derp', '=', 'wat')]],
    ['{foo="bar", instance=~"some-api.*"}', [m('foo', '=', 'bar'), m('instance', '=~', 'some-api.*')]],
    ['{foo=""}', [m('foo', '=', '')]],
    ['{foo="bar,quux", job="job1"}', [m('foo', '=', 'bar,quux'), m('job', '=', 'job1')]],
    ['{foo = "bar", dings != "bums", }', [m('foo', '=', 'bar'), m('dings', '!=', 'bums')]],
    ['foo=bar,dings!=bums', [m('foo', '=', 'bar'), m('dings', '!=', 'bums')]],
    ['{quote="She said: \\"Hi, ladies! That\'s gender-neutral…\\""}', [m('quote', '=', 'She said: "Hi, ladies! That\'s gender-neutral…"')]],
    ['statuscode=~"5.."', [m('statuscode', '=~', '5..')]],
    ['tricky=~~~', [m('tricky', '=~', '~~')]],
    ['trickier==\\\\=\\=\\"', [m('trickier', '=', '=\\=\\="')]],
    ['contains_quote != "\\"" , contains_comma !~ "foo,bar" , ', [m('contains_quote', '!=', '"'), m('contains_comma', '!~', 'foo,bar')]],
  ])('%s', (input, expected) => {
    expect(plain(input)).toEqual(expected);
  });

  it.each([
    ['job=', 'matcher value is not present', 4],
    ['job="value', 'no closing double quote', 4],
    ['job=value"', 'unescaped double quote', 9],
    ['trickier==\\\\=\\=\\""', 'unescaped double quote', 17],
    ['contains_unescaped_quote = foo"bar', 'unescaped double quote', 30],
    ['{invalid-name = "valid label"}', 'bad matcher format', 1],
    ['{foo=~"invalid[regexp"}', 'invalid regular expression', 6],
    ['"foo=\\"bar"', 'bad matcher format', 0],
    ['"{foo=\\"bar\\"}"', 'bad matcher format', 0],
    ['a="1", 9b="2"', 'bad matcher format', 6],
    ['\u00a0foo="bar"', 'bad matcher format', 0],
  ])('%s is refused with the position', (input, message, position) => {
    let caught: unknown;
    try {
      parseMatchers(input);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MatcherParseError);
    expect((caught as MatcherParseError).message).toContain(message);
    expect((caught as MatcherParseError).message).toContain(`position ${position}`);
    expect((caught as MatcherParseError).position).toBe(position);
  });
});

describe('matching', () => {
  it('= and != treat a missing label as the empty string', () => {
    expect(parseMatcher('team!="db"').matches({})).toBe(true);
    expect(parseMatcher('team!="db"').matches({ team: 'db' })).toBe(false);
    expect(parseMatcher('team=""').matches({})).toBe(true);
    expect(parseMatcher('team=""').matches({ team: 'web' })).toBe(false);
  });

  it('regexes are anchored at both ends, as in Alertmanager', () => {
    const warning = parseMatcher('severity=~"warning|info"');
    expect(warning.matches({ severity: 'warning' })).toBe(true);
    expect(warning.matches({ severity: 'info' })).toBe(true);
    expect(warning.matches({ severity: 'warnings' })).toBe(false);
    expect(warning.matches({ severity: 'not-info' })).toBe(false);
    expect(parseMatcher('severity!~"warning|info"').matches({ severity: 'critical' })).toBe(true);
    expect(parseMatcher('x=~""').matches({})).toBe(true);
  });

  it('uses RE2 syntax: a backreference, which RE2 does not have, is a parse error', () => {
    expect(() => parseMatcher('x=~"(a)\\\\1"')).toThrow(MatcherParseError);
  });

  it('a catastrophic regex for a backtracking engine, (a+)+$ against 10,000 a and a b, completes', () => {
    const matcher = parseMatcher('x=~"(a+)+$"');
    expect(matcher.matches({ x: 'a'.repeat(10_000) + 'b' })).toBe(false);
    expect(matcher.matches({ x: 'a'.repeat(10_000) })).toBe(true);
  });

  it('several matchers are ANDed; an empty list matches everything', () => {
    const matchers = parseMatchers('severity=~"warning|info", team!="db"');
    expect(matchesAll(matchers, { severity: 'warning', team: 'web' })).toBe(true);
    expect(matchesAll(matchers, { severity: 'warning', team: 'db' })).toBe(false);
    expect(matchesAll([], { anything: 'x' })).toBe(true);
  });

  it("a no-break space after an unquoted value is part of it: Go's \\s is ASCII only", () => {
    expect(parseMatcher('foo = bar\u00a0').value).toBe('bar\u00a0');
  });

  it('unescapes \\n and keeps a spurious backslash literal', () => {
    expect(parseMatcher('x="a\\nb"').value).toBe('a\nb');
    expect(parseMatcher('x="a\\db"').value).toBe('a\\db');
    expect(parseMatcher('x=~"\\\\d+"').matches({ x: '123' })).toBe(true);
  });
});
