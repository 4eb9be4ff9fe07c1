// The opt-in label, read from a Secret's metadata: kept until the watched resourceVersion changes
// (or, unwatched, for a few seconds), bounded in entries, and a read failure is a retry, not a "no".
import { MISSING_SECRET_TTL_MS, SecretUnavailable } from '../../../src/credentials/secrets.js';
import { CredentialsOptIn, MAX_OPT_IN_ENTRIES } from '../../../src/interaction/credentialsOptIn.js';

const LABEL = 'telegram.notify.dev/silence-credentials';

test('labelled "true" only; read again when the watch shows a new version (a label added takes effect at once)', async () => {
  const secrets: Record<string, { resourceVersion: string; labels: Record<string, string> }> = {
    'team/db': { resourceVersion: '1', labels: {} },
  };
  const gets: string[] = [];
  const optIn = new CredentialsOptIn(
    async (ns, name) => {
      gets.push(`${ns}/${name}`);
      return secrets[`${ns}/${name}`];
    },
    { watchedVersion: (ns, name) => secrets[`${ns}/${name}`]?.resourceVersion },
  );
  expect(await optIn.check('team', 'db')).toEqual({ state: 'notLabelled' });
  expect(await optIn.check('team', 'db')).toEqual({ state: 'notLabelled' });
  expect(gets).toEqual(['team/db']);
  secrets['team/db'] = { resourceVersion: '2', labels: { [LABEL]: 'yes' } };
  expect(await optIn.check('team', 'db')).toEqual({ state: 'notLabelled' }); // only "true" counts
  secrets['team/db'] = { resourceVersion: '3', labels: { [LABEL]: 'true' } };
  expect(await optIn.check('team', 'db')).toEqual({ state: 'labelled' });
  expect(await optIn.check('team', 'gone')).toEqual({ state: 'missing', message: 'Secret team/gone not found' });
  expect(gets).toEqual(['team/db', 'team/db', 'team/db', 'team/gone']);
});

test('without a watch, kept for maxAgeMs (fake clock)', async () => {
  let now = 0;
  let gets = 0;
  const optIn = new CredentialsOptIn(
    async () => {
      gets++;
      return { resourceVersion: '1', labels: { [LABEL]: 'true' } };
    },
    { maxAgeMs: 5_000 },
    () => now,
  );
  await optIn.check('team', 'db');
  now = 4_999;
  await optIn.check('team', 'db');
  expect(gets).toBe(1);
  now = 5_000;
  expect(await optIn.check('team', 'db')).toEqual({ state: 'labelled' });
  expect(gets).toBe(2);
});

test('forbidden is a verdict; any other failure throws SecretUnavailable (a retry, never a silent "not labelled")', async () => {
  const failing = (code: number) =>
    new CredentialsOptIn(async () => Promise.reject(Object.assign(new Error(`HTTP ${code}`), { code })), { maxAgeMs: 5_000 });
  expect(await failing(403).check('team', 'db')).toEqual({
    state: 'missing',
    message: 'Secret team/db cannot be read by the operator (forbidden)',
  });
  await expect(failing(500).check('team', 'db')).rejects.toBeInstanceOf(SecretUnavailable);
});

test(`at most ${MAX_OPT_IN_ENTRIES} Secrets are kept: filling it past that drops the oldest`, async () => {
  let gets = 0;
  const optIn = new CredentialsOptIn(
    async () => {
      gets++;
      return { resourceVersion: '1', labels: {} };
    },
    { watchedVersion: () => '1' },
  );
  for (let i = 0; i <= MAX_OPT_IN_ENTRIES; i++) await optIn.check('team', `s${i}`);
  expect(gets).toBe(MAX_OPT_IN_ENTRIES + 1);
  await optIn.check('team', `s${MAX_OPT_IN_ENTRIES}`); // the newest is kept
  expect(gets).toBe(MAX_OPT_IN_ENTRIES + 1);
  await optIn.check('team', 's0'); // the oldest was dropped
  expect(gets).toBe(MAX_OPT_IN_ENTRIES + 2);
});

test('a missing Secret is remembered for a few seconds (or until the watch sees it), and concurrent checks share one GET', async () => {
  let now = 0;
  const gets: string[] = [];
  let watched: string | undefined = undefined;
  let exists = false;
  let release: () => void = () => {};
  const optIn = new CredentialsOptIn(
    async (ns, name) => {
      gets.push(`${ns}/${name}`);
      await new Promise<void>((r) => (release = r));
      return exists ? { resourceVersion: '1', labels: { [LABEL]: 'true' } } : undefined;
    },
    { watchedVersion: () => watched },
    () => now,
  );
  const both = Promise.all([optIn.check('team', 'am'), optIn.check('team', 'am')]);
  await new Promise((r) => setImmediate(r));
  release();
  expect(await both).toEqual([
    { state: 'missing', message: 'Secret team/am not found' },
    { state: 'missing', message: 'Secret team/am not found' },
  ]);
  expect(gets).toHaveLength(1);
  expect(await optIn.check('team', 'am')).toEqual({ state: 'missing', message: 'Secret team/am not found' });
  expect(gets).toHaveLength(1);
  now += MISSING_SECRET_TTL_MS;
  const again = optIn.check('team', 'am');
  await new Promise((r) => setImmediate(r));
  release();
  await again;
  expect(gets).toHaveLength(2);
  // Created: the watch sees it, and the "missing" is not used even within the few seconds.
  exists = true;
  watched = '1';
  const created = optIn.check('team', 'am');
  await new Promise((r) => setImmediate(r));
  release();
  expect(await created).toEqual({ state: 'labelled' });
});
