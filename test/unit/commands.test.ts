import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../shared/index.js';

describe('parseCommand', () => {
  it.each([
    [{ type: 'step' }],
    [{ type: 'train', epochs: 100000 }],
    [{ type: 'reset' }],
    [{ type: 'reset', preset: 'random', seed: 4294967295 }],
    [{ type: 'setWeight', tensor: 'V', index: [3, 0], value: -2 }],
    [{ type: 'selectSample', index: 7 }],
    [{ type: 'setLearningRate', value: 0.01 }],
  ])('accepts %j', (input) => {
    expect(parseCommand(input)).toEqual({ ok: true, value: input });
  });

  it.each([
    [null, 'a command must be a JSON object'],
    [[1, 2], 'a command must be a JSON object'],
    ['step', 'a command must be a JSON object'],
    [{}, 'unknown command type undefined'],
    [{ type: 'explode' }, 'unknown command type "explode"'],
    [{ type: 'toString' }, 'unknown command type "toString"'],
    [{ type: '__proto__' }, 'unknown command type'],
    [{ type: 'step', extra: 1 }, 'unknown field "extra"'],
    [{ type: 'train' }, 'epochs'],
    [{ type: 'train', epochs: 0 }, 'epochs: must be at least 1'],
    [{ type: 'train', epochs: 100001 }, 'epochs: must be at most 100000'],
    [{ type: 'train', epochs: 1.5 }, 'epochs: must be a whole number'],
    [{ type: 'train', epochs: '10' }, 'epochs: must be a number'],
    [{ type: 'setLearningRate', value: NaN }, 'value'],
    [{ type: 'setLearningRate', value: Infinity }, 'value'],
    [{ type: 'setLearningRate', value: 0 }, 'must be greater than 0'],
    [{ type: 'selectSample', index: 8 }, 'index: must be at most 7'],
    [{ type: 'setWeight', tensor: 'W', index: [3, 0], value: 1 }, 'outside W, which is 3×4'],
    [{ type: 'setWeight', tensor: 'V', index: [0, 1], value: 1 }, 'outside V, which is 4×1'],
    [{ type: 'setWeight', tensor: 'X', index: [0, 0], value: 1 }, 'tensor must be "W" or "V"'],
    [{ type: 'setWeight', tensor: 'W', index: [0], value: 1 }, 'index'],
    [{ type: 'setWeight', tensor: 'W', index: [0, 0], value: 1e300 }, 'value'],
    [{ type: 'reset', preset: 'imagenet' }, 'preset must be one of notebook, random'],
    [{ type: 'reset', seed: -1 }, 'seed: must be at least 0'],
  ])('refuses %j with a message that says why', (input, message) => {
    const result = parseCommand(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain(message);
  });
});
