/** The decider with networks and datasets beyond the notebook: test loss, sliced training, replay. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { provideCsvText } from '../../shared/datasets/csv-texts.js';
import { mlpLayout } from '../../shared/engine/mlp/layout.js';
import { mlpParams } from '../../shared/engine/mlp/network.js';
import { evaluateMlp } from '../../shared/engine/mlp/train.js';
import { createLecture, decide, evolve, type LectureEvent, type LectureState } from '../../shared/lecture/decider.js';
import { packedData } from '../../shared/lecture/setup.js';
import { frameBetween, toSnapshot } from '../../shared/lecture/views.js';
import { parseCommand, type Command } from '../../shared/protocol/commands.js';
import { applyFrame } from '../../shared/protocol/snapshot.js';
import { LectureTrainer } from '../../shared/lecture/trainer.js';

/** An uploaded table travels by digest; its text is provided as the server provides it. */
const TABLE = 'p,q\n1,0\n0,1\n1,1\n';
const TABLE_DIGEST = createHash('sha256').update(TABLE).digest('hex');
provideCsvText(TABLE_DIGEST, TABLE);

const ctx = { now: 0, newSeed: () => 42 };

function apply(state: LectureState, input: unknown): { state: LectureState; event: LectureEvent } {
  const parsed = parseCommand(input);
  if (!parsed.ok) throw new Error(parsed.error);
  const d = decide(state, parsed.value as Command, ctx);
  if (!d.ok) throw new Error(d.error);
  return { state: evolve(state, d.event), event: d.event };
}

function runAll(inputs: unknown[]): { state: LectureState; events: LectureEvent[] } {
  let state = createLecture({ lectureId: 'ABCDEF', title: 't', preset: 'notebook', seed: 0, learningRate: 0.5 });
  const events: LectureEvent[] = [];
  for (const input of inputs) {
    const r = apply(state, input);
    state = r.state;
    events.push(r.event);
  }
  return { state, events };
}

const XOR_POINTS = { type: 'setDataset', dataset: { kind: 'points', set: 'xor', count: 8, trainFraction: 0.5, seed: 2 } };

describe('a lecture on a dataset with held-out rows', () => {
  it('records the test loss of the weights each stepped epoch ended with', () => {
    const { state } = runAll([XOR_POINTS, { type: 'setNetwork', network: { hidden: [{ units: 3, activation: 'relu' }], biases: true } }]);
    let s = state;
    const layoutStages = mlpLayout(s.network.config).stages.length;
    const rows = s.network.data.count;
    expect(rows).toBe(4);
    let params: ReturnType<typeof mlpParams> | null = null;
    for (let i = 0; i < rows * layoutStages; i++) {
      s = apply(s, { type: 'step' }).state;
      if (s.network.stage === 'update' && s.network.sampleIndex === rows - 1) params = mlpParams(s.network);
    }
    expect(s.network.lossHistory).toHaveLength(0);
    expect(s.testLoss).toHaveLength(0);
    s = apply(s, { type: 'step' }).state; // the next pass begins: the epoch closes
    expect(s.network.lossHistory).toHaveLength(1);
    const test = packedData(s.dataset).test!;
    expect(s.testLoss.toArray()).toEqual([evaluateMlp(s.network.config, params!, test).loss]);
  });

  it('trains in slices to exactly the numbers of one evolve, test losses included', () => {
    for (const batch of [1, 3, 'full'] as const) {
      const { state } = runAll([
        { type: 'setDataset', dataset: { kind: 'points', set: 'spiral', count: 60, noise: 0.1, trainFraction: 0.5, seed: 4 } },
        { type: 'setNetwork', network: { hidden: [{ units: 5, activation: 'tanh' }, { units: 4, activation: 'relu' }], biases: true, loss: 'crossEntropy', batch } },
      ]);
      const d = decide(state, { type: 'train', epochs: 23 }, ctx);
      if (!d.ok) throw new Error(d.error);
      const whole = evolve(state, d.event);
      const sliced = new LectureTrainer(state);
      for (const n of [1, 5, 2, 15]) sliced.runEpochs(n);
      const computed = evolve(state, { ...d.event, trained: sliced.result() });
      expect(toSnapshot(computed)).toEqual(toSnapshot(whole));
      // As the server slices it: by rows, a slice never crossing the end of an epoch.
      const byRows = new LectureTrainer(state);
      for (let size = 1; byRows.epochsRun < 23; size = (size * 7) % 40 + 1) byRows.runRows(size);
      expect(toSnapshot(evolve(state, { ...d.event, trained: byRows.result() }))).toEqual(toSnapshot(whole));
      expect(whole.testLoss).toHaveLength(23);
      expect(whole.network.lossHistory).toHaveLength(23);
    }
  });

  it('without held-out rows keeps an empty test series', () => {
    const { state } = runAll([{ type: 'train', epochs: 5 }]);
    expect(state.testLoss.toArray()).toEqual([]);
    expect(toSnapshot(state).testLossHistory).toEqual([]);
  });
});

describe('changing the network and the data', () => {
  it('records the whole network, preset and seed a change used, so a replay never guesses', () => {
    const { events } = runAll([XOR_POINTS, { type: 'setNetwork', network: { hidden: [{ units: 4, activation: 'sigmoid' }] } }]);
    expect(events[0].command).toEqual({
      type: 'setDataset',
      dataset: { kind: 'points', set: 'xor', count: 8, noise: 0, trainFraction: 0.5, seed: 2 },
      network: { inputs: 2, hidden: [{ units: 4, activation: 'sigmoid' }], output: { units: 1, activation: 'sigmoid' }, loss: 'halfSquaredError', biases: false, batch: 1 },
      preset: 'random',
      seed: 42,
    });
    expect(events[1].command).toMatchObject({ type: 'setNetwork', preset: 'random', seed: 42 });
  });

  it('keeps the notebook\'s weights for a 3-4-1 network on 3-input data, and its numbers', () => {
    const { state } = runAll([{ type: 'setDataset', dataset: { kind: 'truthTable', table: 'xor', inputs: 3 } }]);
    expect(state.preset).toBe('notebook');
    const fresh = createLecture({ lectureId: 'ABCDEF', title: 't', preset: 'notebook', seed: 0, learningRate: 0.5 });
    expect(state.network.tensors.W).toEqual(fresh.network.tensors.W);
    expect(state.network.tensors.V).toEqual(fresh.network.tensors.V);
  });

  it('folds a recording to the same state however it was reached (replay = fold of evolve)', () => {
    const { state, events } = runAll([
      XOR_POINTS,
      { type: 'setNetwork', network: { hidden: [{ units: 3, activation: 'tanh' }], biases: true, batch: 2 }, seed: 9 },
      { type: 'forward' },
      { type: 'backward' },
      { type: 'setWeight', tensor: 'b1', index: [2], value: 0.5 },
      { type: 'train', epochs: 7 },
      { type: 'step' },
      { type: 'back' },
      ...Array.from({ length: 40 }, () => ({ type: 'step' })),
      { type: 'back' },
      { type: 'setDataset', dataset: { kind: 'csv', name: 't.csv', digest: TABLE_DIGEST } },
      { type: 'update' },
    ]);
    const initial = createLecture({ lectureId: 'ABCDEF', title: 't', preset: 'notebook', seed: 0, learningRate: 0.5 });
    const again = events.reduce(evolve, initial);
    expect(toSnapshot(again)).toEqual(toSnapshot(state));
    // A client applying each event's frame holds the same snapshot at every step.
    let client = toSnapshot(initial);
    let server = initial;
    for (const event of events) {
      const next = evolve(server, event);
      client = applyFrame(client, frameBetween(server, next, event));
      expect(client).toEqual(toSnapshot(next));
      server = next;
    }
    expect(state.network.config.inputs).toBe(1);
    expect(state.network.stage).toBe('update');
  });
});

describe('a pass too big to step through live', () => {
  it('is refused with the reason, while training it is not', () => {
    const { state } = runAll([
      { type: 'setDataset', dataset: { kind: 'points', set: 'circle', count: 1200, trainFraction: 0.5, seed: 1 } },
      { type: 'setNetwork', network: { hidden: [{ units: 4, activation: 'tanh' }], batch: 'full' } },
    ]);
    expect(state.network.data.count).toBe(600);
    for (const type of ['step', 'forward', 'backward', 'update'] as const) {
      const d = decide(state, { type }, ctx);
      expect(d).toMatchObject({ ok: false, status: 409 });
      if (!d.ok) expect(d.error).toContain('this pass has 600 rows; every student receives every row\'s numbers, so a pass stepped through live has at most 500 rows');
    }
    expect(decide(state, { type: 'train', epochs: 2 }, ctx).ok).toBe(true);
    const batches = apply(state, { type: 'setNetwork', network: { hidden: [{ units: 4, activation: 'tanh' }], batch: 500 } }).state;
    expect(decide(batches, { type: 'forward' }, ctx).ok).toBe(true);
  });
});
