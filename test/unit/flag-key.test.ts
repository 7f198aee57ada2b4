import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { flagKey, parseFlagKey } from '../../shared/protocol/flag-key.js';
import type { FlagTarget } from '../../shared/protocol/collab.js';

const name = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,23}$/);
const target: fc.Arbitrary<FlagTarget> = fc.oneof(
  name.map((stage) => ({ type: 'stage' as const, stage })),
  fc.record({
    type: fc.constant('element' as const),
    tensor: name,
    index: fc.array(fc.integer({ min: 0, max: 100_000 }), { minLength: 1, maxLength: 2 }),
  }),
);

describe('flag keys', () => {
  it('read back the target they were made from', () => {
    expect(parseFlagKey('stage:B_act')).toEqual({ type: 'stage', stage: 'B_act' });
    expect(parseFlagKey('W[1,3]')).toEqual({ type: 'element', tensor: 'W', index: [1, 3] });
    expect(parseFlagKey('dL_dZ1[0]')).toEqual({ type: 'element', tensor: 'dL_dZ1', index: [0] });
    fc.assert(
      fc.property(target, (t) => {
        expect(parseFlagKey(flagKey(t))).toEqual(t);
      }),
    );
  });

  it('refuse anything flagKey does not make, as a flag request would', () => {
    for (const key of ['', 'stage:', 'stage:1B', 'W', 'W[]', 'W[1,2,3]', 'W[01]', 'W[-1]', 'W[1.5]', 'W[1, 2]', 'W[100001]', '__proto__[0]', 'a b[0]', 'W[1]x']) {
      expect(parseFlagKey(key), key).toBeNull();
    }
  });

  it('give every string either null or a key that is exactly it', () => {
    fc.assert(fc.property(fc.string(), (key) => {
      const t = parseFlagKey(key);
      return t === null || flagKey(t) === key;
    }));
  });
});
