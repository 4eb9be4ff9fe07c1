import { loadYaml } from '@kubernetes/client-node';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChannelStatus } from '../../../src/api/types.js';
import { ELLIPSIS, fitStatusToCrd, STATUS_STRING_LIMITS, truncateText } from '../../../src/kube/statusLimits.js';

const CRDS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../crds');

type Schema = { type?: string; maxLength?: number; properties?: Record<string, Schema>; items?: Schema };

/** Every string under `status` that has a maxLength, by path (`[]` for array items). */
function limitsIn(schema: Schema, prefix = ''): Record<string, number> {
  const out: Record<string, number> = {};
  if (schema.type === 'string' && schema.maxLength !== undefined) out[prefix] = schema.maxLength;
  for (const [name, sub] of Object.entries(schema.properties ?? {})) Object.assign(out, limitsIn(sub, prefix ? `${prefix}.${name}` : name));
  if (schema.items) Object.assign(out, limitsIn(schema.items, `${prefix}[]`));
  return out;
}

describe('STATUS_STRING_LIMITS', () => {
  test('is exactly the maxLength of every status string in crds/ (every version)', () => {
    const files = readdirSync(CRDS).filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const crd = loadYaml<{ spec: { versions: { schema: { openAPIV3Schema: Schema } }[] } }>(readFileSync(path.join(CRDS, file), 'utf8'));
      for (const version of crd.spec.versions) {
        const status = version.schema.openAPIV3Schema.properties!.status!;
        // The channel's status has them all; a ClusterTelegramBot's the same conditions, no delivery.
        if (file === 'telegram.notify.dev_telegramchannels.yaml') expect(limitsIn(status)).toEqual(STATUS_STRING_LIMITS);
        else {
          const { 'delivery.lastError': _delivery, ...conditionLimits } = STATUS_STRING_LIMITS;
          expect(limitsIn(status)).toEqual(conditionLimits);
        }
      }
    }
  });
});

describe('truncateText', () => {
  test('leaves text within the limit alone', () => {
    expect(truncateText('abc', 3)).toBe('abc');
  });

  test('cuts to exactly the limit, ending in an ellipsis', () => {
    const out = truncateText('x'.repeat(5000), 4096);
    expect(out).toHaveLength(4096);
    expect(out.endsWith(ELLIPSIS)).toBe(true);
  });

  test('never leaves half of a surrogate pair', () => {
    const out = truncateText('😀'.repeat(10), 6);
    expect(out.length).toBeLessThanOrEqual(6);
    expect(out.isWellFormed()).toBe(true);
    expect(out).toBe(`😀😀${ELLIPSIS}`);
  });

  test('without an ellipsis, when the field has a pattern that forbids one', () => {
    expect(truncateText('abcdef', 4, '')).toBe('abcd');
  });
});

describe('fitStatusToCrd', () => {
  const condition = { type: 'Ready', status: 'False' as const, observedGeneration: 1, lastTransitionTime: '2026-01-01T00:00:00Z' };

  test('cuts every limited string and keeps everything else', () => {
    const status: ChannelStatus = {
      observedGeneration: 3,
      conditions: [{ ...condition, reason: 'R'.repeat(2000), message: 'm'.repeat(40_000) }],
      delivery: { sent: 7, lastError: `InvalidMarkup: ${'<'.repeat(10_000)}`, lastAlertDigest: 'sha256:x' },
    };
    const out = fitStatusToCrd(status);
    expect(out.conditions![0]!.reason).toHaveLength(1024);
    expect(out.conditions![0]!.reason).toMatch(/^R+$/);
    expect(out.conditions![0]!.message).toHaveLength(32768);
    expect(out.delivery!.lastError).toHaveLength(4096);
    expect(out.delivery!.lastError!.startsWith('InvalidMarkup: <<<')).toBe(true);
    expect(out.delivery!.sent).toBe(7);
    expect(out.delivery!.lastAlertDigest).toBe('sha256:x');
    expect(out.observedGeneration).toBe(3);
    // The input is not changed: the caller's copy still says what really happened.
    expect(status.delivery!.lastError!.length).toBeGreaterThan(4096);
  });

  test('a status within the limits comes back equal', () => {
    const status: ChannelStatus = {
      conditions: [{ ...condition, reason: 'Verified', message: 'ok' }],
      delivery: { lastError: 'Rejected: no' },
    };
    expect(fitStatusToCrd(status)).toEqual(status);
  });
});
