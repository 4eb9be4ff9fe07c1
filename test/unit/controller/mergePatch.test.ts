import { createMergePatch, deepEqual } from '../../../src/kube/mergePatch.js';

/** RFC 7386 apply, to check that a patch really turns `from` into `to`. */
function apply(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = typeof target === 'object' && target !== null && !Array.isArray(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = apply(out[k], v);
  }
  return out;
}

describe('createMergePatch', () => {
  test('equal objects: empty patch', () => {
    expect(createMergePatch({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 })).toEqual({});
  });

  test('changed scalars only', () => {
    expect(createMergePatch({ a: 1, b: 2 }, { a: 1, b: 3 })).toEqual({ b: 3 });
  });

  test('removed keys become null; undefined counts as removed', () => {
    expect(createMergePatch({ a: 1, b: 2, c: 3 }, { a: 1, c: undefined })).toEqual({ b: null, c: null });
  });

  test('nested objects are patched recursively, untouched branches left out', () => {
    const from = { status: { observedGeneration: 1, bot: { id: 1, username: 'a' }, chat: { id: '-1' } } };
    const to = { status: { observedGeneration: 2, bot: { id: 1, username: 'a' }, chat: { id: '-1', title: 'Ops' } } };
    expect(createMergePatch(from, to)).toEqual({ status: { observedGeneration: 2, chat: { title: 'Ops' } } });
  });

  test('arrays are replaced whole (the complete conditions list is sent)', () => {
    const from = {
      conditions: [
        { type: 'Ready', status: 'False' },
        { type: 'Stalled', status: 'True' },
      ],
    };
    const to = { conditions: [{ type: 'Ready', status: 'True' }] };
    expect(createMergePatch(from, to)).toEqual({ conditions: [{ type: 'Ready', status: 'True' }] });
  });

  test('an object replacing a scalar (and the reverse) is sent whole', () => {
    expect(createMergePatch({ a: 1 }, { a: { b: 2 } })).toEqual({ a: { b: 2 } });
    expect(createMergePatch({ a: { b: 2 } }, { a: 'x' })).toEqual({ a: 'x' });
  });

  test('a new key is added; an explicit null in `to` removes', () => {
    expect(createMergePatch({}, { a: { b: 1 } })).toEqual({ a: { b: 1 } });
    expect(createMergePatch({ a: 1 }, { a: null })).toEqual({ a: null });
  });

  test('key order does not make a difference', () => {
    expect(createMergePatch({ a: { x: 1, y: 2 } }, { a: { y: 2, x: 1 } })).toEqual({});
  });

  test('non-objects at the top: the target itself (undefined → null)', () => {
    expect(createMergePatch(1, 2)).toBe(2);
    expect(createMergePatch({ a: 1 }, [1])).toEqual([1]);
    expect(createMergePatch({ a: 1 }, undefined)).toBeNull();
  });

  test.each([
    [
      { a: 1, b: { c: 2, d: [1, { e: 3 }] }, f: 'x' },
      { a: 2, b: { d: [] }, g: { h: null } },
    ],
    [{ status: { conditions: [], delivery: { sent: 1 } } }, { status: { delivery: { sent: 2, lastError: 'x' } } }],
  ])('applying the patch gives the target (%#)', (from, to) => {
    const patched = apply(from, createMergePatch(from, to));
    // A null value in `to` is a removal in merge-patch semantics.
    expect(deepEqual(patched, JSON.parse(JSON.stringify(to, (_k, v: unknown) => (v === null ? undefined : v))))).toBe(true);
  });
});

describe('deepEqual', () => {
  test('ignores key order and undefined members', () => {
    expect(deepEqual({ a: 1, b: { c: 2 } }, { b: { c: 2 }, a: 1 })).toBe(true);
    expect(deepEqual({ a: 1, b: undefined }, { a: 1 })).toBe(true);
  });
  test('arrays are ordered', () => {
    expect(deepEqual([1, 2], [2, 1])).toBe(false);
  });
  test('different values', () => {
    expect(deepEqual({ a: 1 }, { a: '1' })).toBe(false);
    expect(deepEqual(null, {})).toBe(false);
  });
});
