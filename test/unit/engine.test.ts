/**
 * The lecture engine on the teaching notebook's network: the general MLP engine with the notebook's
 * config, its truth table and its weights, as every new lecture starts (createLecture).
 */
import { describe, expect, it } from 'vitest';
import { makeDataset, NOTEBOOK_DATASET_SPEC } from '../../shared/datasets/spec.js';
import { NOTEBOOK_MLP_CONFIG } from '../../shared/engine/mlp/config.js';
import { mlpGradientCheck, mlpGradients, mlpMeanLoss } from '../../shared/engine/mlp/gradcheck.js';
import { initialParams, NOTEBOOK_WEIGHTS, randomWeights, type MlpParams } from '../../shared/engine/mlp/init.js';
import { mlpLayout } from '../../shared/engine/mlp/layout.js';
import { mlpParams, mlpRunTo, mlpStep, type MlpState } from '../../shared/engine/mlp/network.js';
import { evaluateMlp, MlpTrainer, trainMlp } from '../../shared/engine/mlp/train.js';
import { normalStream } from '../../shared/engine/prng.js';
import { createLecture } from '../../shared/lecture/decider.js';
import { packedData } from '../../shared/lecture/setup.js';
import notebook from '../fixtures/notebook-values.json' with { type: 'json' };

const config = NOTEBOOK_MLP_CONFIG;
const data = packedData(NOTEBOOK_DATASET_SPEC).train;
const rows = makeDataset(NOTEBOOK_DATASET_SPEC).train;

/** The notebook's 14 stages, in the order a pass walks them. */
const NOTEBOOK_STAGES = ['input', 'B', 'B_act', 'C', 'C_act', 'L', 'dL_dC_act', 'dC_act_dC', 'dL_dV', 'dL_dB_act', 'dB_act_dB', 'dL_dB', 'dL_dW', 'update'];

/** A new lecture's network: the notebook's, at η = 1. */
const fresh = (): MlpState =>
  createLecture({ lectureId: 'ENGINE', title: 'engine', preset: 'notebook', seed: 0, learningRate: 1 }).network;

const notebookParams = (w: { W: readonly number[]; V: readonly number[] }): MlpParams => ({ weights: [w.W, w.V], biases: null });

function expectClose(actual: ArrayLike<number> | undefined, expected: readonly number[], tolerance: number) {
  expect(actual).toBeDefined();
  expect(actual!.length).toBe(expected.length);
  Array.from(actual!).forEach((x, i) => expect(Math.abs(x - expected[i]), `element ${i}: ${x} vs ${expected[i]}`).toBeLessThanOrEqual(tolerance));
}

/**
 * The notebook network's gradients in closed form, written out by hand (independent of the engine's
 * kernels): δ = (C_act − y)·C_act·(1 − C_act), dL/dV = δ·B_act, dL/dB = δ·V ⊙ B_act(1 − B_act), dL/dW = Aᵀ·dL/dB.
 */
function closedFormGradients(W: ArrayLike<number>, V: ArrayLike<number>, x: readonly number[], y: number): { W: number[]; V: number[] } {
  const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
  const bAct = [0, 1, 2, 3].map((j) => sigmoid(x.reduce((sum, a, i) => sum + a * W[i * 4 + j], 0)));
  const cAct = sigmoid(bAct.reduce((sum, b, j) => sum + b * V[j], 0));
  const delta = (cAct - y) * cAct * (1 - cAct);
  const dB = bAct.map((b, j) => delta * V[j] * b * (1 - b));
  return { W: x.flatMap((a) => dB.map((d) => a * d)), V: bAct.map((b) => delta * b) };
}

describe('the notebook network on sample 0', () => {
  it('uses the weights recovered from the notebook', () => {
    expect(NOTEBOOK_WEIGHTS.W).toEqual(notebook.initial.W.flat());
    expect(NOTEBOOK_WEIGHTS.V).toEqual(notebook.initial.V.flat());
    expect(rows.map((s) => [...s.x, s.y])).toEqual(notebook.dataset);
    const s = fresh();
    expect(s.config).toEqual(NOTEBOOK_MLP_CONFIG);
    expect(s.tensors.W.data).toEqual(notebook.initial.W.flat());
    expect(s.tensors.V.data).toEqual(notebook.initial.V.flat());
    expect(Array.from(s.data.x)).toEqual(notebook.dataset.flatMap((r) => r.slice(0, 3)));
    expect(Array.from(s.data.y)).toEqual(notebook.dataset.map((r) => r[3]));
  });

  it('reproduces every forward value the notebook prints, to 1e-7', () => {
    const s = mlpRunTo(fresh(), 'L');
    const printed = notebook.printed_forward_sample0;
    expectClose(s.tensors.A?.data, printed.A, 0);
    expectClose(s.tensors.B?.data, printed.B, 1e-7);
    expectClose(s.tensors.B_act?.data, printed.B_act, 1e-7);
    expectClose(s.tensors.C_act?.data, printed.C_act, 1e-7);
    expectClose(s.tensors.L?.data, printed.L, 1e-7);
  });

  it('steps through the 14 stages in order, one tensor each', () => {
    let s = fresh();
    const seen: string[] = [];
    for (let i = 0; i < NOTEBOOK_STAGES.length; i++) {
      const before = new Set(Object.keys(s.tensors));
      s = mlpStep(s);
      seen.push(s.stage);
      const added = Object.keys(s.tensors).filter((name) => !before.has(name));
      // `input` loads A and y; `update` replaces W and V; every other stage adds its one tensor.
      const expected = s.stage === 'input' ? ['A', 'y'] : s.stage === 'update' ? [] : [s.stage];
      expect(added.sort(), s.stage).toEqual(expected.sort());
    }
    expect(seen).toEqual(NOTEBOOK_STAGES);
    expect(mlpLayout(config).stages.map((st) => st.stage)).toEqual(NOTEBOOK_STAGES);
    expect(Object.keys(s.tensors).sort()).toEqual(
      ['A', 'y', 'W', 'V', 'B', 'B_act', 'C', 'C_act', 'L', 'dL_dC_act', 'dC_act_dC', 'dL_dV', 'dL_dB_act', 'dB_act_dB', 'dL_dB', 'dL_dW'].sort(),
    );
  });

  it('computes the backward pass by the corrected chain rule, not the notebook\'s', () => {
    const s = mlpRunTo(fresh(), 'dL_dW');
    const t = (n: string) => s.tensors[n].data;
    const [cAct] = t('C_act');
    const [y] = t('y');
    expect(t('dL_dC_act')[0]).toBe(cAct - y); // the notebook assigns y instead (In[196])
    expect(t('dC_act_dC')[0]).toBe(cAct * (1 - cAct));
    const delta = (cAct - y) * cAct * (1 - cAct);
    expectClose(t('dL_dV'), t('B_act').map((b) => delta * b), 1e-15); // B_act, not the notebook's B (In[198])
    // The notebook's collapsed scalar W gradient (In[203]) is not what we compute: ours is a 3×4 outer product.
    expect(s.tensors.dL_dW.shape).toEqual([3, 4]);
    expect(t('dL_dW').slice(0, 4)).not.toContain(notebook.printed_buggy.collapsed_W_gradient_In203[0]);
  });

  it('updates W and V by W ← W − η·dL/dW, V ← V − η·dL/dV', () => {
    const before = mlpRunTo(fresh(), 'dL_dW');
    const after = mlpStep(before);
    expect(after.stage).toBe('update');
    expectClose(after.tensors.W.data, before.tensors.W.data.map((w, k) => w - before.tensors.dL_dW.data[k]), 0);
    expectClose(after.tensors.V.data, before.tensors.V.data.map((v, k) => v - before.tensors.dL_dV.data[k]), 0);
    // Rows 1 and 2 of W do not move for A = [1, 0, 0], as in the notebook; row 0 does, but not as the notebook's.
    expect(after.tensors.W.data.slice(4)).toEqual(NOTEBOOK_WEIGHTS.W.slice(4));
    expect(after.tensors.W.data[0]).not.toBeCloseTo(notebook.printed_buggy.W_after_buggy_update_In207[0][0], 4);
  });
});

describe('gradients', () => {
  const cases = [
    { name: 'notebook weights', weights: NOTEBOOK_WEIGHTS },
    ...[1, 7, 42, 2024].map((seed) => ({ name: `random seed ${seed}`, weights: randomWeights(seed) })),
  ];
  for (const { name, weights } of cases) {
    it(`equal central finite differences to 1e-6 on every sample (${name})`, () => {
      for (let row = 0; row < data.count; row++) {
        const check = mlpGradientCheck(config, notebookParams(weights), data, { start: row, count: 1 });
        expect(check.maxAbsDifference).toBeLessThan(1e-6);
        expect(check.parameters.map((p) => [p.name, p.numeric.length])).toEqual([['W', 12], ['V', 4]]);
        // The check's analytic side is the closed form too, not only the engine's own backward pass.
        const closed = closedFormGradients(weights.W, weights.V, rows[row].x, rows[row].y);
        expectClose(check.parameters[0].analytic, closed.W, 1e-15);
        expectClose(check.parameters[1].analytic, closed.V, 1e-15);
      }
    });
  }

  it('the stepped backward pass equals the analytic gradients', () => {
    let s = fresh();
    for (let sample = 0; sample < 8; sample++) {
      s = mlpRunTo(s, 'dL_dW');
      const params = mlpParams(s);
      const g = mlpGradients(config, params, data, s.sampleIndex, 1);
      expectClose(s.tensors.dL_dW.data, g.weights[0], 1e-15);
      expectClose(s.tensors.dL_dV.data, g.weights[1], 1e-15);
      const closed = closedFormGradients(s.tensors.W.data, s.tensors.V.data, rows[s.sampleIndex].x, rows[s.sampleIndex].y);
      expectClose(s.tensors.dL_dW.data, closed.W, 1e-15);
      expectClose(s.tensors.dL_dV.data, closed.V, 1e-15);
      expect(s.tensors.L.data[0]).toBe(mlpMeanLoss(config, params, data, s.sampleIndex, 1));
      s = mlpStep(s);
    }
  });

  it('the check notices a wrong gradient', () => {
    const check = mlpGradientCheck(config, notebookParams(NOTEBOOK_WEIGHTS), data, { start: 0, count: 1 });
    const numericV = check.parameters.find((p) => p.name === 'V')!.numeric;
    // The notebook's dL/dV uses B instead of B_act: the numeric gradient says it is wrong.
    const B = NOTEBOOK_WEIGHTS.W.slice(0, 4);
    const cAct = 0.7967363504307833;
    const wrong = B.map((b) => (cAct - 1) * cAct * (1 - cAct) * b);
    const worst = Math.max(...wrong.map((g, k) => Math.abs(g - numericV[k])));
    expect(worst).toBeGreaterThan(1e-3);
  });
});

describe('the random preset', () => {
  it('is reproducible from its seed and differs between seeds', () => {
    expect(randomWeights(12345)).toEqual(randomWeights(12345));
    expect(randomWeights(12345).W).not.toEqual(randomWeights(12346).W);
  });

  it('draws W = −randn(3,4) then V = randn(4,1) from one seeded normal stream', () => {
    const draws = normalStream(99);
    const expected = Array.from({ length: 16 }, () => draws());
    const { W, V } = randomWeights(99);
    expect(W).toEqual(expected.slice(0, 12).map((x) => -x));
    expect(V).toEqual(expected.slice(12));
  });

  it('is what a lecture on the notebook network starts from with the random preset', () => {
    const lecture = createLecture({ lectureId: 'ENGINE', title: 'engine', preset: 'random', seed: 99, learningRate: 1 });
    expect(lecture.network.tensors.W.data).toEqual(randomWeights(99).W);
    expect(lecture.network.tensors.V.data).toEqual(randomWeights(99).V);
    expect(initialParams(config, 'random', 99).weights).toEqual([randomWeights(99).W, randomWeights(99).V]);
  });

  it('looks standard normal over many draws', () => {
    const draws = normalStream(3);
    const xs = Array.from({ length: 20000 }, () => draws());
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });
});

describe('training', () => {
  it('reaches 100% accuracy on the 8 rows within 200 epochs at η = 1 from the notebook preset', () => {
    let s = fresh();
    let reachedAt = -1;
    for (let epoch = 1; epoch <= 200 && reachedAt < 0; epoch++) {
      s = trainMlp(s, 1);
      if (evaluateMlp(config, mlpParams(s), data).accuracy === 1) reachedAt = epoch;
    }
    expect(reachedAt).toBeGreaterThan(0);
    expect(s.lossHistory.length).toBe(reachedAt);
    expect(s.lossHistory.at(-1)!).toBeLessThan(s.lossHistory.at(0)!);
  });

  it('is bit for bit the same as stepping every stage of every sample', () => {
    const trained = trainMlp(fresh(), 3);
    let stepped = fresh();
    for (let i = 0; i < 3 * 8 * NOTEBOOK_STAGES.length; i++) stepped = mlpStep(stepped);
    stepped = mlpStep(stepped); // the next input closes the third epoch
    expect(trained.tensors.W.data).toEqual(stepped.tensors.W.data);
    expect(trained.tensors.V.data).toEqual(stepped.tensors.V.data);
    expect(trained.lossHistory).toEqual(stepped.lossHistory);
    expect(trained.epoch).toBe(3);
    expect(stepped.epoch).toBe(3);
    expect(trained.stage).toBe('idle');
    expect(trained.sampleIndex).toBe(0);
  });

  it('records each epoch\'s mean loss of its 8 samples', () => {
    let s = fresh();
    const losses: number[] = [];
    for (let i = 0; i < 8; i++) {
      s = mlpRunTo(s, 'update');
      losses.push(s.tensors.L.data[0]);
    }
    expect(s.lossHistory.toArray()).toEqual([]);
    s = mlpStep(s); // input of sample 0 of the next epoch
    expect(s.epoch).toBe(1);
    expect(s.sampleIndex).toBe(0);
    expect(s.lossHistory.toArray()).toEqual([losses.reduce((a, b) => a + b, 0) / 8]);
  });
});

describe('the trainer in slices', () => {
  it('gives the same network as one call, however the epochs are sliced', () => {
    const whole = trainMlp(fresh(), 37);
    const sliced = new MlpTrainer(fresh());
    for (const n of [1, 5, 13, 18]) sliced.runEpochs(n);
    expect(sliced.finish()).toEqual(whole);
  });
});
