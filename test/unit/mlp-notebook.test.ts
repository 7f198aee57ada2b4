import { describe, expect, it } from 'vitest';
import {
  initialNetwork,
  NOTEBOOK_SAMPLES,
  NOTEBOOK_WEIGHTS,
  randomWeights,
  sameData,
  STAGES,
  step,
  TENSOR_SHAPES,
  train,
  type NetworkState,
} from '../../shared/engine/index.js';
import {
  createMlp,
  initialParams,
  isNotebookConfig,
  mlpLayout,
  mlpStep,
  mlpTensorShape,
  NOTEBOOK_MLP_CONFIG,
  packFor,
  trainMlp,
  type MlpState,
} from '../../shared/engine/mlp/index.js';

const data = packFor(NOTEBOOK_MLP_CONFIG, NOTEBOOK_SAMPLES);

function both(learningRate: number, weights = NOTEBOOK_WEIGHTS): { nb: NetworkState; mlp: MlpState } {
  return {
    nb: initialNetwork(weights.W, weights.V, learningRate),
    mlp: createMlp({ config: NOTEBOOK_MLP_CONFIG, data, params: { weights: [weights.W, weights.V], biases: null }, learningRate }),
  };
}

function expectSame(mlp: MlpState, nb: NetworkState) {
  expect(mlp.stage).toBe(nb.stage);
  expect(mlp.sampleIndex).toBe(nb.sampleIndex);
  expect(mlp.epoch).toBe(nb.epoch);
  expect(mlp.lossHistory).toEqual(nb.lossHistory);
  expect(Object.keys(mlp.tensors).sort()).toEqual(Object.keys(nb.tensors).sort());
  for (const [name, t] of Object.entries(nb.tensors)) {
    // toEqual on data: every element identical (bit for bit, as numbers), and the shape the notebook's.
    expect(mlp.tensors[name].data, `${name} at ${nb.stage}`).toEqual(t!.data);
    expect(mlp.tensors[name].shape, name).toEqual(t!.shape);
    expect(sameData(mlp.tensors[name], t), `${name} bits`).toBe(true);
  }
}

describe('the general engine with the notebook config', () => {
  it('is recognised as the notebook and keeps every stage and tensor name', () => {
    const layout = mlpLayout(NOTEBOOK_MLP_CONFIG);
    expect(isNotebookConfig(NOTEBOOK_MLP_CONFIG)).toBe(true);
    expect(layout.notebook).toBe(true);
    expect(layout.stages.map((s) => s.stage)).toEqual([...STAGES]);
    expect(layout.parameters).toEqual(['W', 'V']);
    expect([...layout.tensorNames].sort()).toEqual(Object.keys(TENSOR_SHAPES).sort());
    for (const [name, shape] of Object.entries(TENSOR_SHAPES)) expect(mlpTensorShape(NOTEBOOK_MLP_CONFIG, name)).toEqual(shape);
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

  for (const { name, weights, eta } of [
    { name: 'notebook weights, η = 1', weights: NOTEBOOK_WEIGHTS, eta: 1 },
    { name: 'random seed 7, η = 0.5', weights: randomWeights(7), eta: 0.5 },
    { name: 'random seed 2024, η = 3', weights: randomWeights(2024), eta: 3 },
  ]) {
    it(`steps bit for bit like the notebook engine through 3 epochs and more (${name})`, () => {
      let { nb, mlp } = both(eta, weights);
      expectSame(mlp, nb);
      const steps = 3 * 8 * STAGES.length + 20;
      for (let i = 0; i < steps; i++) {
        nb = step(nb);
        mlp = mlpStep(mlp);
        expectSame(mlp, nb);
      }
      expect(mlp.epoch).toBe(3);
      expect(mlp.lossHistory).toHaveLength(3);
    });
  }

  it('trains bit for bit like the notebook engine', () => {
    const { nb, mlp } = both(1);
    const a = train(nb, 50);
    const b = trainMlp(mlp, 50);
    expect(b.tensors.W.data).toEqual(a.tensors.W.data);
    expect(b.tensors.V.data).toEqual(a.tensors.V.data);
    expect(b.lossHistory).toEqual(a.lossHistory);
    expect(b.epoch).toBe(a.epoch);
  });

  it('uses the notebook engine\'s random preset for the notebook config', () => {
    const p = initialParams(NOTEBOOK_MLP_CONFIG, 'random', 99);
    expect(p.weights).toEqual([randomWeights(99).W, randomWeights(99).V]);
    expect(initialParams(NOTEBOOK_MLP_CONFIG, 'notebook').weights).toEqual([NOTEBOOK_WEIGHTS.W, NOTEBOOK_WEIGHTS.V]);
  });
});
