// Runs the Argo CD health check (deploy/argocd/health.lua) with a real Lua interpreter
// on every case of deploy/argocd/health_test.yaml, the way Argo CD does: the sample object is the
// global-ish `obj` and the script's return value is the health. Argo CD embeds gopher-lua (Lua 5.1);
// the script sticks to what 5.1 and 5.4 share, and runs here under Debian's lua5.4.
import { loadYaml } from '@kubernetes/client-node';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ARGOCD_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../deploy/argocd');
const SCRIPT_PATH = path.join(ARGOCD_DIR, 'health.lua');
const CM_KEY = 'resource.customizations.health.telegram.notify.dev_TelegramChannel';
const BOT_SCRIPT_PATH = SCRIPT_PATH; // one script serves both kinds
const BOT_CM_KEY = 'resource.customizations.health.telegram.notify.dev_ClusterTelegramBot';
const LUA = process.env.LUA ?? 'lua5.4';

interface HealthTest {
  healthStatus: { status: string; message?: string };
  inputPath: string;
}

/** Plain JSON data (the client-node loader turns some well-known fields into Dates). */
function plain<T>(v: unknown): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

function luaString(s: string): string {
  let out = '"';
  for (const byte of Buffer.from(s, 'utf8')) {
    const ch = String.fromCharCode(byte);
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (byte >= 0x20 && byte < 0x7f) out += ch;
    else out += `\\${byte.toString().padStart(3, '0')}`;
  }
  return out + '"';
}

/** A JSON value as a Lua table literal: arrays become sequences (so ipairs works), null becomes absent. */
function toLua(v: unknown): string {
  if (v === null || v === undefined) return 'nil';
  if (typeof v === 'string') return luaString(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`cannot express ${v} in Lua`);
    return Number.isInteger(v) ? v.toFixed(0) : String(v);
  }
  if (Array.isArray(v)) return `{${v.map(toLua).join(', ')}}`;
  if (typeof v === 'object') {
    const fields = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== null && x !== undefined)
      .map(([k, x]) => `[${luaString(k)}] = ${toLua(x)}`);
    return `{${fields.join(', ')}}`;
  }
  throw new Error(`cannot express a ${typeof v} in Lua`);
}

/** Runs the check on one object; returns what Argo CD would read from the returned table. */
function runHealth(script: string, obj: unknown): { status: string; message: string } {
  const program = [
    `local obj = ${toLua(obj)}`,
    // The check's top-level `return` becomes the return of this function.
    'local function check(obj)',
    script,
    'end',
    'local hs = check(obj)',
    'assert(type(hs) == "table", "the health check must return a table")',
    'io.write(tostring(hs.status), "\\0", hs.message == nil and "" or tostring(hs.message))',
  ].join('\n');
  const out = execFileSync(LUA, ['-'], { input: program, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
  const [status, message] = out.split('\0');
  return { status: status!, message: message ?? '' };
}

const luaAvailable = spawnSync(LUA, ['-v'], { stdio: 'ignore' }).status === 0;
if (!luaAvailable) {
  // A missing interpreter must fail loudly, not skip: the check would otherwise ship untested.
  throw new Error(`${LUA} not found: install it (Debian: apt-get install -y lua5.4) or set LUA to a Lua 5.x interpreter`);
}

const script = readFileSync(SCRIPT_PATH, 'utf8');
const suite = plain<{ tests: HealthTest[] }>(loadYaml(readFileSync(path.join(ARGOCD_DIR, 'health_test.yaml'), 'utf8')));
const load = (p: string) => plain<Record<string, any>>(loadYaml(readFileSync(path.join(ARGOCD_DIR, p), 'utf8')));

describe('Argo CD health check for TelegramChannel', () => {
  it('health_test.yaml covers every state the check can report', () => {
    const inputs = suite.tests.map((t) => t.inputPath).sort();
    expect(inputs).toEqual(
      [
        'testdata/generation-lag.yaml',
        'testdata/no-status.yaml',
        'testdata/ready-false.yaml',
        'testdata/ready-true.yaml',
        'testdata/ready-unknown.yaml',
        'testdata/status-defaulted.yaml',
        'testdata/suspended.yaml',
      ].sort(),
    );
    expect(new Set(suite.tests.map((t) => t.healthStatus.status))).toEqual(new Set(['Healthy', 'Degraded', 'Progressing', 'Suspended']));
  });

  it.each(suite.tests.map((t) => [t.inputPath, t] as const))('%s', (_name, t) => {
    const obj = load(t.inputPath);
    expect(obj.kind).toBe('TelegramChannel');
    expect(obj.apiVersion).toBe('telegram.notify.dev/v1alpha1');
    const hs = runHealth(script, obj);
    expect(hs.status).toBe(t.healthStatus.status);
    expect(hs.message).toBe(t.healthStatus.message ?? '');
  });

  // The named cases of the contract, independent of health_test.yaml's wording.
  it('Ready True is Healthy with the Ready message', () => {
    expect(runHealth(script, load('testdata/ready-true.yaml'))).toEqual({
      status: 'Healthy',
      message: 'bot @ops_alerts_bot can post to supergroup "Ops"',
    });
  });

  it('Ready False is Degraded with "<reason>: <message>"', () => {
    const obj = load('testdata/ready-false.yaml');
    const ready = obj.status.conditions.find((c: { type: string }) => c.type === 'Ready');
    expect(runHealth(script, obj)).toEqual({ status: 'Degraded', message: `${ready.reason}: ${ready.message}` });
  });

  it('Ready Unknown (transient) is Progressing', () => {
    expect(runHealth(script, load('testdata/ready-unknown.yaml')).status).toBe('Progressing');
  });

  it('a generation the operator has not observed yet is Progressing even when the stale Ready is True', () => {
    const obj = load('testdata/generation-lag.yaml');
    expect(obj.status.observedGeneration).toBeLessThan(obj.metadata.generation);
    expect(runHealth(script, obj)).toEqual({ status: 'Progressing', message: 'Waiting for the operator to verify generation 4' });
  });

  it('a stale Ready condition (its own observedGeneration behind) is Progressing', () => {
    const obj = load('testdata/ready-false.yaml');
    obj.metadata.generation = 3;
    obj.status.observedGeneration = 3; // status written, but Ready still describes generation 2
    expect(runHealth(script, obj).status).toBe('Progressing');
  });

  it('no status, or only the CRD-defaulted status, is Progressing', () => {
    expect(runHealth(script, load('testdata/no-status.yaml')).status).toBe('Progressing');
    expect(runHealth(script, load('testdata/status-defaulted.yaml')).status).toBe('Progressing');
    const noConditions = load('testdata/ready-true.yaml');
    noConditions.status.conditions = [];
    expect(runHealth(script, noConditions).status).toBe('Progressing');
  });

  it('spec.suspend wins over everything else', () => {
    expect(runHealth(script, load('testdata/suspended.yaml')).status).toBe('Suspended');
    const degradedButSuspended = load('testdata/ready-false.yaml');
    degradedButSuspended.spec.suspend = true;
    expect(runHealth(script, degradedButSuspended).status).toBe('Suspended');
    const laggingAndSuspended = load('testdata/no-status.yaml');
    laggingAndSuspended.spec.suspend = true;
    expect(runHealth(script, laggingAndSuspended).status).toBe('Suspended');
  });

  it('tolerates objects without metadata.generation or with a missing reason/message', () => {
    const obj = load('testdata/ready-false.yaml');
    delete obj.metadata.generation;
    delete obj.status.conditions[0].message;
    expect(runHealth(script, obj)).toEqual({ status: 'Degraded', message: 'ChatIdMissingMinusSign: ' });
  });

  it('toLua escapes strings so values cannot break out of the literal', () => {
    const tricky = 'quote " backslash \\ newline \n ]] end) os.exit(3) -- ünïcode';
    const out = execFileSync(LUA, ['-'], { input: `io.write((${toLua({ s: tricky })}).s)`, encoding: 'utf8' });
    expect(out).toBe(tricky);
  });

  it('argocd-cm-patch.yaml carries the script byte for byte under the right key', () => {
    const cm = plain<{ kind: string; metadata: { name: string }; data: Record<string, string> }>(
      loadYaml(readFileSync(path.join(ARGOCD_DIR, 'argocd-cm-patch.yaml'), 'utf8')),
    );
    expect(cm.kind).toBe('ConfigMap');
    expect(cm.metadata.name).toBe('argocd-cm');
    expect(Object.keys(cm.data)).toEqual([CM_KEY, BOT_CM_KEY]);
    expect(Buffer.from(cm.data[CM_KEY]!, 'utf8').equals(readFileSync(SCRIPT_PATH))).toBe(true);
    expect(Buffer.from(cm.data[BOT_CM_KEY]!, 'utf8').equals(readFileSync(BOT_SCRIPT_PATH))).toBe(true);
  });
});

describe('Argo CD health check for ClusterTelegramBot', () => {
  const botScript = readFileSync(BOT_SCRIPT_PATH, 'utf8');
  const botSuite = plain<{ tests: HealthTest[] }>(
    loadYaml(readFileSync(path.join(ARGOCD_DIR, 'clustertelegrambot-health_test.yaml'), 'utf8')),
  );

  it('its test cases cover Healthy, Degraded and Progressing', () => {
    expect(new Set(botSuite.tests.map((t) => t.healthStatus.status))).toEqual(new Set(['Healthy', 'Degraded', 'Progressing']));
  });

  it.each(botSuite.tests.map((t) => [t.inputPath, t] as const))('%s', (_name, t) => {
    const obj = load(t.inputPath);
    expect(obj.kind).toBe('ClusterTelegramBot');
    expect(runHealth(botScript, obj)).toEqual({ status: t.healthStatus.status, message: t.healthStatus.message ?? '' });
  });

  it('a stale Ready (its observedGeneration behind) or no Ready at all is Progressing', () => {
    const stale = load('testdata/clustertelegrambot/ready-false.yaml');
    stale.metadata.generation = 3;
    stale.status.observedGeneration = 3;
    expect(runHealth(botScript, stale).status).toBe('Progressing');
    const noReady = load('testdata/clustertelegrambot/ready-true.yaml');
    noReady.status.conditions = noReady.status.conditions.filter((c: { type: string }) => c.type !== 'Ready');
    expect(runHealth(botScript, noReady)).toEqual({ status: 'Progressing', message: "Waiting for the operator to verify the bot's token" });
  });
});
