/**
 * The promise that recordings made before issue 6 replay unchanged: the general engine, given the
 * notebook's config, computes bit for bit what the notebook-only engine it replaced computed. That
 * engine is gone; its numbers are kept in test/fixtures/notebook-engine-golden.json (every tensor
 * after every stage of two epochs, and training 50 and 1000 epochs, for the notebook preset and two
 * random seeds; see the fixture's `source` and `encoding`).
 */
import { describe, expect, it } from 'vitest';
import { NOTEBOOK_DATASET_SPEC } from '../../shared/datasets/spec.js';
import { isNotebookConfig, NOTEBOOK_MLP_CONFIG } from '../../shared/engine/mlp/config.js';
import { initialParams, NOTEBOOK_WEIGHTS, randomWeights, type Preset } from '../../shared/engine/mlp/init.js';
import { mlpLayout, mlpTensorShape } from '../../shared/engine/mlp/layout.js';
import { mlpStep, type MlpState } from '../../shared/engine/mlp/network.js';
import { trainMlp } from '../../shared/engine/mlp/train.js';
import { createLecture, decide, evolve, type LectureState } from '../../shared/lecture/decider.js';
import { buildNetwork } from '../../shared/lecture/setup.js';
import type { Command } from '../../shared/protocol/commands.js';
import golden from '../fixtures/notebook-engine-golden.json' with { type: 'json' };

type Encoded = readonly (number | string)[];

/** The fixture writes a negative zero as "-0" (JSON has none); every other number is a JSON double. */
function decode(values: Encoded): number[] {
  return values.map((v) => (v === '-0' ? -0 : (v as number)));
}

interface GoldenStep {
  readonly stage: string;
  readonly sampleIndex: number;
  readonly epoch: number;
  readonly lossHistory?: Encoded;
  readonly tensors: Readonly<Record<string, Encoded>>;
}

interface GoldenCase {
  readonly name: string;
  readonly preset: Preset;
  readonly seed: number;
  readonly learningRate: number;
  readonly initial: { readonly W: Encoded; readonly V: Encoded };
  readonly steps: readonly GoldenStep[];
  readonly trained: readonly { epochs: number; epoch: number; W: Encoded; V: Encoded; lossHistory: Encoded }[];
}

const cases = golden.cases as unknown as readonly GoldenCase[];
const shapes = golden.shapes as Readonly<Record<string, readonly number[]>>;

/** The old engine's state after a step, whole: a step sets its tensors; `input` starts a pass from W and V. */
interface Expected {
  readonly stage: string;
  readonly sampleIndex: number;
  readonly epoch: number;
  readonly lossHistory: readonly number[];
  readonly tensors: Readonly<Record<string, readonly number[]>>;
}

function expectedStates(c: GoldenCase): Expected[] {
  let tensors: Record<string, readonly number[]> = { W: decode(c.initial.W), V: decode(c.initial.V) };
  let lossHistory: readonly number[] = [];
  return c.steps.map((step) => {
    const kept = step.stage === 'input' ? { W: tensors.W, V: tensors.V } : tensors;
    tensors = { ...kept, ...Object.fromEntries(Object.entries(step.tensors).map(([name, data]) => [name, decode(data)])) };
    if (step.lossHistory) lossHistory = decode(step.lossHistory);
    return { stage: step.stage, sampleIndex: step.sampleIndex, epoch: step.epoch, lossHistory, tensors };
  });
}

const show = (x: number): string => (Object.is(x, -0) ? '-0' : String(x));

/** Positions where two series differ as doubles (Object.is: 0 and −0 differ), with both values. */
function bitDifferences(actual: ArrayLike<number>, expected: readonly number[]): string[] {
  if (actual.length !== expected.length) return [`length ${actual.length}, expected ${expected.length}`];
  const out: string[] = [];
  for (let i = 0; i < expected.length; i++) if (!Object.is(actual[i], expected[i])) out.push(`[${i}] ${show(actual[i])} ≠ ${show(expected[i])}`);
  return out;
}

function expectBits(actual: ArrayLike<number>, expected: readonly number[], label: string): void {
  expect(bitDifferences(actual, expected), label).toEqual([]);
}

function expectSameState(s: MlpState, e: Expected, label: string): void {
  expect(s.stage, label).toBe(e.stage);
  expect(s.sampleIndex, label).toBe(e.sampleIndex);
  expect(s.epoch, label).toBe(e.epoch);
  expectBits(s.lossHistory.toArray(), e.lossHistory, `${label}: lossHistory`);
  expect(Object.keys(s.tensors).sort(), label).toEqual(Object.keys(e.tensors).sort());
  for (const [name, data] of Object.entries(e.tensors)) {
    expect(s.tensors[name].shape, `${label}: ${name} shape`).toEqual(shapes[name]);
    expectBits(s.tensors[name].data, data, `${label}: ${name}`);
  }
}

const freshNetwork = (c: GoldenCase): MlpState => buildNetwork(NOTEBOOK_MLP_CONFIG, NOTEBOOK_DATASET_SPEC, c.preset, c.seed, c.learningRate);

const ctx = { now: 0, newSeed: () => 1 };

function freshLecture(c: GoldenCase): LectureState {
  return createLecture({ lectureId: 'GOLDEN', title: 'golden', preset: c.preset, seed: c.seed, learningRate: c.learningRate });
}

function run(state: LectureState, command: Command): LectureState {
  const d = decide(state, command, ctx);
  if (!d.ok) throw new Error(d.error);
  return evolve(state, d.event);
}

describe('the general engine with the notebook config', () => {
  it('is recognised as the notebook and keeps every stage and tensor name', () => {
    const layout = mlpLayout(NOTEBOOK_MLP_CONFIG);
    expect(isNotebookConfig(NOTEBOOK_MLP_CONFIG)).toBe(true);
    expect(layout.notebook).toBe(true);
    expect(layout.stages.map((s) => s.stage)).toEqual(golden.stages);
    expect(layout.parameters).toEqual(['W', 'V']);
    expect([...layout.tensorNames].sort()).toEqual(Object.keys(shapes).sort());
    for (const [name, shape] of Object.entries(shapes)) expect(mlpTensorShape(NOTEBOOK_MLP_CONFIG, name)).toEqual(shape);
  });

  it('describes the notebook formulas', () => {
    const f = Object.fromEntries(mlpLayout(NOTEBOOK_MLP_CONFIG).stages.map((s) => [s.stage, s.formula]));
    expect(f.B).toMatchObject({ kind: 'matmul', inputs: ['A', 'W'] });
    expect(f.C_act).toMatchObject({ kind: 'activation', fn: 'sigmoid', inputs: ['C'] });
    expect(f.dL_dV).toMatchObject({ kind: 'outer', inputs: ['B_act', 'dL_dC_act', 'dC_act_dC'] });
    expect(f.dL_dB_act).toMatchObject({ kind: 'backprop', inputs: ['dL_dC_act', 'dC_act_dC', 'V'] });
    expect(f.dL_dB).toMatchObject({ kind: 'hadamard', inputs: ['dL_dB_act', 'dB_act_dB'] });
    expect(f.update).toMatchObject({ kind: 'update', inputs: ['W', 'dL_dW', 'V', 'dL_dV'] });
  });

  it('keeps the golden master whole: three cases of 16 passes and the step that closes epoch 2', () => {
    expect(cases.map((c) => c.name)).toEqual(['notebook weights, η = 1', 'random seed 7, η = 0.5', 'random seed 2024, η = 3']);
    for (const c of cases) {
      expect(c.steps).toHaveLength(16 * golden.stages.length + 1);
      expect(c.trained.map((t) => t.epochs)).toEqual([50, 1000]);
    }
  });

  for (const c of cases) {
    describe(c.name, () => {
      it('starts from the same weights (the presets are the notebook engine\'s)', () => {
        const expected = { W: decode(c.initial.W), V: decode(c.initial.V) };
        const p = initialParams(NOTEBOOK_MLP_CONFIG, c.preset, c.seed);
        expectBits(p.weights[0], expected.W, 'W');
        expectBits(p.weights[1], expected.V, 'V');
        expect(p.biases).toBeNull();
        const preset = c.preset === 'notebook' ? NOTEBOOK_WEIGHTS : randomWeights(c.seed);
        expectBits(preset.W, expected.W, 'preset W');
        expectBits(preset.V, expected.V, 'preset V');
      });

      it('steps through two epochs bit for bit like the notebook engine, every tensor after every stage', () => {
        let s = freshNetwork(c);
        expectSameState(s, { stage: 'idle', sampleIndex: 0, epoch: 0, lossHistory: [], tensors: { W: decode(c.initial.W), V: decode(c.initial.V) } }, 'fresh');
        expectedStates(c).forEach((e, i) => {
          s = mlpStep(s);
          expectSameState(s, e, `step ${i + 1} (${e.stage}, sample ${e.sampleIndex})`);
        });
        expect(s.epoch).toBe(2);
        expect(s.lossHistory).toHaveLength(2);
      });

      it('replays a lecture\'s step commands bit for bit like the notebook engine', () => {
        let lecture = freshLecture(c);
        expectedStates(c).forEach((e, i) => {
          lecture = run(lecture, { type: 'step' });
          expectSameState(lecture.network, e, `step ${i + 1} (${e.stage}, sample ${e.sampleIndex})`);
        });
      });

      for (const t of c.trained) {
        it(`trains ${t.epochs} epochs bit for bit like the notebook engine, alone and in a lecture`, () => {
          const trained = trainMlp(freshNetwork(c), t.epochs);
          const lecture = run(freshLecture(c), { type: 'train', epochs: t.epochs }).network;
          for (const [label, s] of [['trainMlp', trained], ['lecture', lecture]] as const) {
            expect(s.stage, label).toBe('idle');
            expect(s.sampleIndex, label).toBe(0);
            expect(s.epoch, label).toBe(t.epoch);
            expect(Object.keys(s.tensors).sort(), label).toEqual(['V', 'W']);
            expectBits(s.tensors.W.data, decode(t.W), `${label}: W`);
            expectBits(s.tensors.V.data, decode(t.V), `${label}: V`);
            expectBits(s.lossHistory.toArray(), decode(t.lossHistory), `${label}: lossHistory`);
          }
        });
      }
    });
  }
});
