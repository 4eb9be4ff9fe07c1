import { compileQuietHours, QuietHoursError } from '../../../src/routing/quietHours.js';

const at = (iso: string) => new Date(iso);

describe('quiet hours window', () => {
  it('a window within one day: from inclusive, to exclusive', () => {
    const quiet = compileQuietHours({ timeZone: 'UTC', from: '12:00', to: '13:30' });
    expect(quiet.inWindow(at('2026-06-01T11:59:00Z'))).toBe(false);
    expect(quiet.inWindow(at('2026-06-01T12:00:00Z'))).toBe(true);
    expect(quiet.inWindow(at('2026-06-01T13:29:59Z'))).toBe(true);
    expect(quiet.inWindow(at('2026-06-01T13:30:00Z'))).toBe(false);
  });

  it('a window across midnight, in the zone local time (Berlin is UTC+2 in summer)', () => {
    const quiet = compileQuietHours({ timeZone: 'Europe/Berlin', from: '22:00', to: '07:00' });
    expect(quiet.inWindow(at('2026-06-01T19:59:00Z'))).toBe(false); // 21:59 local
    expect(quiet.inWindow(at('2026-06-01T20:00:00Z'))).toBe(true); // 22:00 local
    expect(quiet.inWindow(at('2026-06-01T22:30:00Z'))).toBe(true); // 00:30 local
    expect(quiet.inWindow(at('2026-06-02T04:59:00Z'))).toBe(true); // 06:59 local
    expect(quiet.inWindow(at('2026-06-02T05:00:00Z'))).toBe(false); // 07:00 local
  });

  it('00:00 to 24:00 is all day', () => {
    const quiet = compileQuietHours({ timeZone: 'Asia/Tokyo', from: '00:00', to: '24:00' });
    for (const hour of ['00', '06', '12', '18', '23']) expect(quiet.inWindow(at(`2026-06-01T${hour}:59:00Z`))).toBe(true);
  });

  it('Europe/Berlin spring forward (2026-03-29, 02:00 → 03:00): the skipped hour never happens', () => {
    const skipped = compileQuietHours({ timeZone: 'Europe/Berlin', from: '02:00', to: '03:00' });
    // 00:59:59Z is 01:59:59 CET; one second later it is 03:00:00 CEST.
    expect(skipped.inWindow(at('2026-03-29T00:59:59Z'))).toBe(false);
    expect(skipped.inWindow(at('2026-03-29T01:00:00Z'))).toBe(false);
    const night = compileQuietHours({ timeZone: 'Europe/Berlin', from: '22:00', to: '03:30' });
    expect(night.inWindow(at('2026-03-29T01:15:00Z'))).toBe(true); // 03:15 CEST
    expect(night.inWindow(at('2026-03-29T01:30:00Z'))).toBe(false); // 03:30 CEST: the window closed after 4h30 of real time
  });

  it('Europe/Berlin fall back (2026-10-25, 03:00 → 02:00): the repeated hour is inside twice', () => {
    const repeated = compileQuietHours({ timeZone: 'Europe/Berlin', from: '02:00', to: '03:00' });
    expect(repeated.inWindow(at('2026-10-24T23:59:59Z'))).toBe(false); // 01:59:59 CEST
    expect(repeated.inWindow(at('2026-10-25T00:00:00Z'))).toBe(true); // 02:00 CEST, the first time
    expect(repeated.inWindow(at('2026-10-25T00:59:59Z'))).toBe(true); // 02:59:59 CEST
    expect(repeated.inWindow(at('2026-10-25T01:00:00Z'))).toBe(true); // 02:00 CET, the second time
    expect(repeated.inWindow(at('2026-10-25T01:59:59Z'))).toBe(true); // 02:59:59 CET
    expect(repeated.inWindow(at('2026-10-25T02:00:00Z'))).toBe(false); // 03:00 CET
  });
});

describe('silent', () => {
  const quiet = compileQuietHours({
    timeZone: 'Europe/Berlin',
    from: '22:00',
    to: '07:00',
    except: ['severity="critical"', 'team="db", env=~"prod.*"'],
  });
  const night = at('2026-01-10T23:00:00Z'); // 00:00 CET
  const day = at('2026-01-10T11:00:00Z');

  it('inside the window, silent unless an except entry matches (each entry is its own AND list)', () => {
    expect(quiet.silent({ severity: 'warning' }, night)).toBe(true);
    expect(quiet.silent({ severity: 'critical' }, night)).toBe(false);
    expect(quiet.silent({ team: 'db', env: 'production' }, night)).toBe(false);
    expect(quiet.silent({ team: 'db', env: 'staging' }, night)).toBe(true);
  });

  it('outside the window, never silent', () => {
    expect(quiet.silent({ severity: 'warning' }, day)).toBe(false);
  });
});

describe('bad input', () => {
  const refused = (spec: Parameters<typeof compileQuietHours>[0]): QuietHoursError => {
    try {
      compileQuietHours(spec);
    } catch (error) {
      if (error instanceof QuietHoursError) return error;
      throw error;
    }
    throw new Error('accepted');
  };

  it('an unknown time zone is a clear error naming the field', () => {
    const error = refused({ timeZone: 'Europe/Atlantis', from: '22:00', to: '07:00' });
    expect(error.field).toBe('timeZone');
    expect(error.message).toBe('quietHours.timeZone: unknown time zone "Europe/Atlantis" (use an IANA name such as Europe/Berlin or UTC)');
    expect(refused({ timeZone: '', from: '22:00', to: '07:00' }).field).toBe('timeZone');
  });

  it.each([
    ['from', '7:00'],
    ['from', '24:00'],
    ['from', '12:60'],
    ['to', '25:00'],
    ['to', '10pm'],
  ])('%s: %s is not a time of day', (field, value) => {
    const spec = { timeZone: 'UTC', from: '01:00', to: '02:00', [field]: value };
    const error = refused(spec);
    expect(error.field).toBe(field);
    expect(error.message).toContain(`"${value}" is not a time of day`);
  });

  it('from equal to to is refused rather than guessed as never or always', () => {
    const error = refused({ timeZone: 'UTC', from: '22:00', to: '22:00' });
    expect(error.field).toBe('to');
    expect(error.message).toContain('for all day write from: "00:00", to: "24:00"');
  });

  it('an except matcher that does not parse names its index and position', () => {
    const error = refused({ timeZone: 'UTC', from: '22:00', to: '07:00', except: ['severity="critical"', 'team=~"(db"'] });
    expect(error.field).toBe('except[1]');
    expect(error.message).toContain('invalid regular expression at position 6');
  });
});
