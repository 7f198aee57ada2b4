/** The shared append-only loss series: states that share it see their own prefix, whatever is appended after them. */
import { describe, expect, it } from 'vitest';
import { LossLog } from '../../shared/index.js';

describe('LossLog', () => {
  it('appends in place for the newest state and copies for an older one, each keeping its own numbers', () => {
    const a = LossLog.of([1, 2]);
    const b = a.append([3]);
    const c = b.append(Array.from({ length: 100 }, (_, i) => i)); // grows the shared buffer
    const branch = a.append([9, 9]); // appended to an older state: its own copy
    expect(a.toArray()).toEqual([1, 2]);
    expect(b.toArray()).toEqual([1, 2, 3]);
    expect(c.length).toBe(103);
    expect(c.at(-1)).toBe(99);
    expect(branch.toArray()).toEqual([1, 2, 9, 9]);
    expect(c.slice(0, 4)).toEqual([1, 2, 3, 0]);
    expect(b.append([]).toArray()).toEqual([1, 2, 3]);
    expect(JSON.stringify(b)).toBe('[1,2,3]');
  });

  it('compares number by number in matchers', () => {
    expect(LossLog.of([1, 2])).toEqual(LossLog.of([1, 2]));
    expect(LossLog.of([1, 2])).not.toEqual(LossLog.of([1, 3]));
    expect(LossLog.of([1])).not.toEqual(LossLog.of([1, 1]));
  });
});
