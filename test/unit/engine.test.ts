import { describe, expect, it } from 'vitest';
import {
  accuracy,
  analyticGradients,
  gradientCheck,
  initialNetwork,
  NOTEBOOK_SAMPLES,
  NOTEBOOK_WEIGHTS,
  normalStream,
  randomWeights,
  runTo,
  sampleLoss,
  STAGES,
  step,
  train,
  Trainer,
  type NetworkState,
} from '../../shared/index.js';
import notebook from '../fixtures/notebook-values.json' with { type: 'json' };

const fresh = (): NetworkState => initialNetwork(NOTEBOOK_WEIGHTS.W, NOTEBOOK_WEIGHTS.V, 1);

function expectClose(actual: readonly number[] | undefined, expected: readonly number[], tolerance: number) {
  expect(actual).toBeDefined();
  expect(actual!.length).toBe(expected.length);
  actual!.forEach((x, i) => expect(Math.abs(x - expected[i]), `element ${i}: ${x} vs ${expected[i]}`).toBeLessThanOrEqual(tolerance));
}

describe('the notebook network on sample 0', () => {
  it('uses the weights recovered from the notebook', () => {
    expect(NOTEBOOK_WEIGHTS.W).toEqual(notebook.initial.W.flat());
    expect(NOTEBOOK_WEIGHTS.V).toEqual(notebook.initial.V.flat());
    expect(NOTEBOOK_SAMPLES.map((s) => [...s.x, s.y])).toEqual(notebook.dataset);
  });

  it('reproduces every forward value the notebook prints, to 1e-7', () => {
    const s = runTo(fresh(), 'L');
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
    for (let i = 0; i < STAGES.length; i++) {
      s = step(s);
      seen.push(s.stage);
    }
    expect(seen).toEqual([...STAGES]);
    expect(Object.keys(s.tensors).sort()).toEqual(
      ['A', 'y', 'W', 'V', 'B', 'B_act', 'C', 'C_act', 'L', 'dL_dC_act', 'dC_act_dC', 'dL_dV', 'dL_dB_act', 'dB_act_dB', 'dL_dB', 'dL_dW'].sort(),
    );
  });

  it('computes the backward pass by the corrected chain rule, not the notebook\'s', () => {
    const s = runTo(fresh(), 'dL_dW');
    const t = (n: keyof typeof s.tensors) => s.tensors[n]!.data;
    const [cAct] = t('C_act');
    const [y] = t('y');
    expect(t('dL_dC_act')[0]).toBe(cAct - y); // the notebook assigns y instead (In[196])
    expect(t('dC_act_dC')[0]).toBe(cAct * (1 - cAct));
    const delta = (cAct - y) * cAct * (1 - cAct);
    expectClose(t('dL_dV'), t('B_act').map((b) => delta * b), 1e-15); // B_act, not the notebook's B (In[198])
    // The notebook's collapsed scalar W gradient (In[203]) is not what we compute: ours is a 3×4 outer product.
    expect(s.tensors.dL_dW!.shape).toEqual([3, 4]);
    expect(t('dL_dW').slice(0, 4)).not.toContain(notebook.printed_buggy.collapsed_W_gradient_In203[0]);
  });

  it('updates W and V by W ← W − η·dL/dW, V ← V − η·dL/dV', () => {
    const before = runTo(fresh(), 'dL_dW');
    const after = step(before);
    expect(after.stage).toBe('update');
    expectClose(after.tensors.W.data, before.tensors.W.data.map((w, k) => w - before.tensors.dL_dW!.data[k]), 0);
    expectClose(after.tensors.V.data, before.tensors.V.data.map((v, k) => v - before.tensors.dL_dV!.data[k]), 0);
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
      for (const sample of NOTEBOOK_SAMPLES) {
        const check = gradientCheck(weights.W, weights.V, sample);
        expect(check.maxAbsDifference).toBeLessThan(1e-6);
        expect(check.W.numeric).toHaveLength(12);
        expect(check.V.numeric).toHaveLength(4);
      }
    });
  }

  it('the stepped backward pass equals the analytic gradients', () => {
    let s = fresh();
    for (let sample = 0; sample < 8; sample++) {
      s = runTo(s, 'dL_dW');
      const g = analyticGradients(s.tensors.W.data, s.tensors.V.data, NOTEBOOK_SAMPLES[s.sampleIndex]);
      expectClose(s.tensors.dL_dW!.data, g.W, 1e-15);
      expectClose(s.tensors.dL_dV!.data, g.V, 1e-15);
      expect(s.tensors.L!.data[0]).toBe(sampleLoss(s.tensors.W.data, s.tensors.V.data, NOTEBOOK_SAMPLES[s.sampleIndex]));
      s = step(s);
    }
  });

  it('the check notices a wrong gradient', () => {
    const sample = NOTEBOOK_SAMPLES[0];
    const check = gradientCheck(NOTEBOOK_WEIGHTS.W, NOTEBOOK_WEIGHTS.V, sample);
    // The notebook's dL/dV uses B instead of B_act: the numeric gradient says it is wrong.
    const B = NOTEBOOK_WEIGHTS.W.slice(0, 4);
    const cAct = 0.7967363504307833;
    const wrong = B.map((b) => (cAct - 1) * cAct * (1 - cAct) * b);
    const worst = Math.max(...wrong.map((g, k) => Math.abs(g - check.V.numeric[k])));
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
      s = train(s, 1);
      if (accuracy(s.tensors.W.data, s.tensors.V.data) === 1) reachedAt = epoch;
    }
    expect(reachedAt).toBeGreaterThan(0);
    expect(s.lossHistory.length).toBe(reachedAt);
    expect(s.lossHistory.at(-1)!).toBeLessThan(s.lossHistory[0]);
  });

  it('is bit for bit the same as stepping every stage of every sample', () => {
    const trained = train(fresh(), 3);
    let stepped = fresh();
    for (let i = 0; i < 3 * 8 * STAGES.length; i++) stepped = step(stepped);
    stepped = step(stepped); // the next input closes the third epoch
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
      s = runTo(s, 'update');
      losses.push(s.tensors.L!.data[0]);
    }
    expect(s.lossHistory).toEqual([]);
    s = step(s); // input of sample 0 of the next epoch
    expect(s.epoch).toBe(1);
    expect(s.sampleIndex).toBe(0);
    expect(s.lossHistory).toEqual([losses.reduce((a, b) => a + b, 0) / 8]);
  });
});

describe('the trainer in slices', () => {
  it('gives the same network as one call, however the epochs are sliced', () => {
    const whole = train(fresh(), 37);
    const sliced = new Trainer(fresh());
    for (const n of [1, 5, 13, 18]) sliced.runEpochs(n);
    expect(sliced.finish()).toEqual(whole);
  });
});
