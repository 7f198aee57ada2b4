import { describe, expect, it } from 'vitest';
import { createLecture, decide } from '../../shared/lecture/decider.js';
import { parseCommand, type Command } from '../../shared/protocol/commands.js';

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
    [{ type: 'setWeight', tensor: 'W', index: [0, 0], value: 1e300 }, 'value'],
    [{ type: 'reset', preset: 'imagenet' }, 'preset must be one of notebook, random'],
    [{ type: 'reset', seed: -1 }, 'seed: must be at least 0'],
    [{ type: 'selectSample', index: 10000 }, 'index: must be at most 9999'],
    [{ type: 'setWeight', tensor: 'W V', index: [0, 0], value: 1 }, 'tensor must be a tensor name'],
    [{ type: 'setWeight', tensor: 'W', index: [0, 0, 0], value: 1 }, 'index needs 1 or 2 numbers'],
    [{ type: 'setNetwork', network: { hidden: [] } }, 'at least 1 hidden layer'],
    [{ type: 'setNetwork', network: { hidden: [{ units: 20, activation: 'tanh' }] } }, 'hidden layer 1 has 20 neurons; at most 16'],
    [{ type: 'setNetwork', network: { hidden: [{ units: 2, activation: 'swish' }] } }, 'activation must be one of sigmoid, tanh, relu, linear'],
    [{ type: 'setNetwork', network: { inputs: 2, hidden: [{ units: 2, activation: 'tanh' }] } }, 'inputs follow the dataset'],
    [{ type: 'setNetwork', network: { hidden: [{ units: 2, activation: 'tanh' }], output: { activation: 'linear' }, loss: 'crossEntropy' } }, 'cross-entropy needs a sigmoid output'],
    [{ type: 'setDataset', dataset: { kind: 'points', set: 'moons' } }, 'set must be one of circle, xor, gaussians, spiral'],
    [{ type: 'setDataset', dataset: { kind: 'csv', text: 'a,b\n1,x\n' } }, 'a CSV is not sent inline: upload the file'],
    [{ type: 'setDataset', dataset: { kind: 'csv', digest: 'ABC' } }, 'digest must be the SHA-256 of the CSV text'],
  ])('refuses %j with a message that says why', (input, message) => {
    const result = parseCommand(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain(message);
  });
});

describe('a parsed command', () => {
  it('reads a weight of −0 as 0, as its recording (JSON) will read it back', () => {
    const parsed = parseCommand({ type: 'setWeight', tensor: 'W', index: [0, 0], value: -0 });
    expect(parsed.ok && parsed.value.type === 'setWeight' && Object.is(parsed.value.value, 0)).toBe(true);
  });
  it.each([
    [{ type: 'setNetwork', network: { hidden: [{ units: 8, activation: 'tanh' }], biases: true, batch: 'full' }, seed: 3 }],
    [{ type: 'setDataset', dataset: { kind: 'points', set: 'spiral' } }],
    [{ type: 'setDataset', dataset: { kind: 'csv', digest: 'c'.repeat(64) } }],
    [{ type: 'ask', tensor: 'Z1', index: [0] }],
    [{ type: 'setWeight', tensor: 'b2', index: [1], value: 0.5 }],
  ])('parses again to itself, so a client can check a command and send what it checked: %j', (input) => {
    const once = parseCommand(input);
    expect(once.ok).toBe(true);
    const twice = parseCommand(JSON.parse(JSON.stringify((once as { value: unknown }).value)));
    expect(twice).toEqual(once);
  });
});

describe('decide checks a well-formed command against the lecture\'s network and data', () => {
  const lecture = createLecture({ lectureId: 'ABCDEF', title: 't', preset: 'notebook', seed: 0, learningRate: 1 });
  const ctx = { now: 0, newSeed: () => 1 };
  it.each([
    [{ type: 'selectSample', index: 8 }, 'row 8 is outside the data (rows 0 to 7)'],
    [{ type: 'setWeight', tensor: 'W', index: [3, 0], value: 1 }, 'outside W, whose shape is [3, 4]'],
    [{ type: 'setWeight', tensor: 'V', index: [0, 1], value: 1 }, 'outside V, whose shape is [4, 1]'],
    [{ type: 'setWeight', tensor: 'X', index: [0, 0], value: 1 }, 'X is not a weight of this network; its weights are W, V'],
    [{ type: 'setWeight', tensor: 'W1', index: [0, 0], value: 1 }, 'W1 is not a weight of this network'],
    [{ type: 'setWeight', tensor: 'W', index: [0], value: 1 }, 'index for W needs 2 numbers'],
    [{ type: 'ask', tensor: 'Q', index: [0] }, 'this network has no tensor Q'],
    [{ type: 'ask', tensor: 'W', index: [0] }, 'needs 2 numbers'],
    [{ type: 'setNetwork', network: { hidden: [{ units: 3, activation: 'sigmoid' }] }, preset: 'notebook' }, "the notebook's weights fit only a 3-4-1 network"],
    [{ type: 'setNetwork', network: { hidden: [{ units: 4, activation: 'sigmoid' }], output: { units: 2 } } }, 'the data has 1 targets; the network has 2 outputs'],
  ])('refuses %j with a message that says why', (input, message) => {
    const parsed = parseCommand(input);
    expect(parsed.ok).toBe(true);
    const result = decide(lecture, (parsed as { value: Command }).value, ctx);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain(message);
  });
});

