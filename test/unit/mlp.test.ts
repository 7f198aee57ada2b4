import { describe, expect, it } from 'vitest';
import { mulberry32, normalStream } from '../../shared/engine/prng.js';
import { sameData } from '../../shared/engine/tensor.js';
import { ACTIVATIONS, mlpConfig, parameterCount, parseMlpConfig, type Activation, type Loss, type MlpConfig } from '../../shared/engine/mlp/config.js';
import { packData, type MlpData } from '../../shared/engine/mlp/data.js';
import { mlpGradientCheck, mlpGradients } from '../../shared/engine/mlp/gradcheck.js';
import { initialParams } from '../../shared/engine/mlp/init.js';
import { mlpComputedInPass, mlpLayout, mlpStagesRun } from '../../shared/engine/mlp/layout.js';
import { crossEntropyFromLogit } from '../../shared/engine/mlp/losses.js';
import { createMlp, mlpClearPass, mlpParams, mlpRunTo, mlpSetParameter, mlpStep, type MlpState } from '../../shared/engine/mlp/network.js';
import { gridPoints, predict } from '../../shared/engine/mlp/predict.js';
import { evaluateMlp, fitMlp, MlpTrainer, trainMlp } from '../../shared/engine/mlp/train.js';

/** Seeded random rows: normal features, targets 0/1 (classification) or uniform in [0, 1]. */
function randomData(config: MlpConfig, count: number, seed: number, binary = true): MlpData {
  const randn = normalStream(seed);
  const uniform = mulberry32(seed + 1);
  const samples = Array.from({ length: count }, () => ({
    x: Array.from({ length: config.inputs }, () => randn()),
    y: Array.from({ length: config.output.units }, () => (binary ? (uniform() < 0.5 ? 0 : 1) : uniform())),
  }));
  return packData(samples, config.inputs, config.output.units);
}

/** Initial params with biases drawn too (not 0), so the gradient check sees them matter and ReLUs sit off their kink. */
function randomParams(config: MlpConfig, seed: number) {
  const p = initialParams(config, 'random', seed);
  const randn = normalStream(seed + 17);
  return { weights: p.weights, biases: p.biases ? p.biases.map((b) => b.map(() => 0.5 * randn())) : null };
}

function build(config: MlpConfig, opts: { seed?: number; count?: number; eta?: number } = {}): MlpState {
  const seed = opts.seed ?? 1;
  return createMlp({ config, data: randomData(config, opts.count ?? 7, seed), params: randomParams(config, seed), learningRate: opts.eta ?? 0.3 });
}

const stageCount = (s: MlpState) => mlpLayout(s.config).stages.length;

/** Steps one whole epoch and the `input` of the next, which closes it. */
function stepEpochs(s: MlpState, epochs: number): MlpState {
  let cur = s;
  for (let e = 0; e < epochs; e++) {
    do {
      cur = mlpRunTo(cur, 'update');
    } while (cur.sampleIndex + (cur.config.batch === 'full' ? cur.data.count : (cur.config.batch as number)) < cur.data.count);
  }
  return mlpStep(cur);
}

describe('config validation', () => {
  it('accepts a config and fills in the notebook defaults', () => {
    const r = parseMlpConfig({ inputs: 2, hidden: [{ units: 8, activation: 'relu' }] });
    expect(r).toEqual({
      ok: true,
      config: {
        inputs: 2,
        hidden: [{ units: 8, activation: 'relu' }],
        output: { units: 1, activation: 'sigmoid' },
        loss: 'halfSquaredError',
        biases: false,
        batch: 1,
      },
    });
  });

  it.each([
    [{ inputs: 2, hidden: [{ units: 4, activation: 'tanh' }, { units: 20, activation: 'relu' }] }, 'hidden layer 2 has 20 neurons; at most 16'],
    [{ inputs: 2, hidden: [{ units: 0, activation: 'tanh' }] }, 'hidden layer 1 has 0 neurons; at least 1'],
    [{ inputs: 2, hidden: [{ units: 2.5, activation: 'tanh' }] }, 'hidden layer 1 has 2.5 neurons; it needs a whole number'],
    [{ inputs: 2, hidden: [] }, 'the network needs at least 1 hidden layer'],
    [{ inputs: 2, hidden: Array(5).fill({ units: 2, activation: 'relu' }) }, 'the network has 5 hidden layers; at most 4'],
    [{ inputs: 17, hidden: [{ units: 2, activation: 'relu' }] }, 'the network has 17 inputs; it needs a whole number from 1 to 16'],
    [{ inputs: 2, hidden: [{ units: 2, activation: 'softmax' }] }, 'hidden layer 1 activation: activation must be one of sigmoid, tanh, relu, linear'],
    [{ inputs: 2, hidden: [{ units: 2, activation: 'relu' }], output: { units: 1, activation: 'linear' }, loss: 'crossEntropy' }, 'binary cross-entropy needs a sigmoid output'],
    [{ inputs: 2, hidden: [{ units: 2, activation: 'relu' }], batch: 0 }, 'batch size 0 is not allowed; use a whole number from 1 to 10000, or "full"'],
    [{ inputs: 2, hidden: [{ units: 2, activation: 'relu' }], loss: 'mse' }, 'loss: loss must be one of halfSquaredError, crossEntropy'],
    [{ inputs: 2, hidden: [{ units: 2, activation: 'relu' }], extra: 1 }, 'extra'],
  ])('refuses %j with a clear error', (input, message) => {
    const r = parseMlpConfig(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.join('\n')).toContain(message);
  });

  it('never throws, whatever it is given', () => {
    for (const input of [undefined, null, 3, 'x', [], { hidden: 'no' }]) expect(parseMlpConfig(input).ok).toBe(false);
  });
});

describe('layer-indexed names', () => {
  const config = mlpConfig({ inputs: 2, hidden: [{ units: 3, activation: 'tanh' }, { units: 2, activation: 'relu' }], biases: true });

  it('names every stage after what it produces, forward then backward layer by layer', () => {
    expect(mlpLayout(config).stages.map((s) => s.stage)).toEqual([
      'input', 'Z1', 'A1', 'Z2', 'A2', 'Z3', 'A3', 'L',
      'dL_dA3', 'dA3_dZ3', 'dL_dZ3', 'dL_dW3', 'dL_db3', 'dL_dA2',
      'dA2_dZ2', 'dL_dZ2', 'dL_dW2', 'dL_db2', 'dL_dA1',
      'dA1_dZ1', 'dL_dZ1', 'dL_dW1', 'dL_db1',
      'update',
    ]);
    expect(mlpLayout(config).parameters).toEqual(['W1', 'b1', 'W2', 'b2', 'W3', 'b3']);
    expect(parameterCount(config)).toBe(2 * 3 + 3 + 3 * 2 + 2 + 2 * 1 + 1);
  });

  it('gives machine-readable formulas', () => {
    const f = Object.fromEntries(mlpLayout(config).stages.map((s) => [s.stage, s.formula]));
    expect(f.Z2).toMatchObject({ kind: 'matmul', inputs: ['A1', 'W2', 'b2'], text: 'Z2 = A1·W2 + b2' });
    expect(f.A1).toMatchObject({ kind: 'activation', fn: 'tanh', inputs: ['Z1'] });
    expect(f.dA2_dZ2).toMatchObject({ kind: 'activationGrad', fn: 'relu', inputs: ['Z2'] });
    expect(f.dA1_dZ1).toMatchObject({ kind: 'activationGrad', fn: 'tanh', inputs: ['A1'] });
    expect(f.dL_dW2).toMatchObject({ kind: 'outer', inputs: ['A1', 'dL_dZ2'] });
    expect(f.dL_db2).toMatchObject({ kind: 'biasGrad', inputs: ['dL_dZ2'] });
    expect(f.dL_dA1).toMatchObject({ kind: 'backprop', inputs: ['dL_dZ2', 'W2'], text: 'dL_dA1 = dL_dZ2·W2ᵀ' });
    expect(f.L).toMatchObject({ kind: 'loss', fn: 'halfSquaredError', inputs: ['A3', 'y'] });
  });

  it('differentiates cross-entropy through the sigmoid in one stage', () => {
    const ce = mlpConfig({ inputs: 2, hidden: [{ units: 3, activation: 'relu' }], loss: 'crossEntropy' });
    const stages = mlpLayout(ce).stages;
    expect(stages.map((s) => s.stage)).toEqual(['input', 'Z1', 'A1', 'Z2', 'A2', 'L', 'dL_dZ2', 'dL_dW2', 'dL_dA1', 'dA1_dZ1', 'dL_dZ1', 'dL_dW1', 'update']);
    expect(stages.find((s) => s.stage === 'dL_dZ2')!.formula).toMatchObject({ kind: 'lossGrad', fn: 'crossEntropy', fused: true });
  });

  it('knows which tensors a pass has computed and which stages a command ran', () => {
    const layout = mlpLayout(config);
    expect(mlpComputedInPass(layout, 'A2', 'Z1')).toBe(true);
    expect(mlpComputedInPass(layout, 'A2', 'Z3')).toBe(false);
    expect(mlpComputedInPass(layout, 'update', 'Z1')).toBe(false);
    expect(mlpStagesRun(layout, 'idle', 'A1')).toEqual(['input', 'Z1', 'A1']);
    expect(mlpStagesRun(layout, 'A1', 'A2')).toEqual(['Z2', 'A2']);
  });

  it('gives batched tensors a leading batch dimension and parameters none', () => {
    const batched = mlpConfig({ ...config, batch: 3 });
    let s = createMlp({ config: batched, data: randomData(batched, 7, 3), params: randomParams(batched, 3), learningRate: 0.1 });
    s = mlpRunTo(s, 'dL_db1');
    expect(s.tensors.A0.shape).toEqual([3, 2]);
    expect(s.tensors.Z2.shape).toEqual([3, 2]);
    expect(s.tensors.L.shape).toEqual([3]);
    expect(s.tensors.dL_dW2.shape).toEqual([3, 2]);
    expect(s.tensors.dL_db1.shape).toEqual([3]);
    // The last batch of 7 rows in threes has one row.
    s = mlpRunTo(mlpRunTo(mlpRunTo(s, 'update'), 'update'), 'L');
    expect(s.sampleIndex).toBe(6);
    expect(s.tensors.A0.shape).toEqual([1, 2]);
  });
});

const ARCHITECTURES: { name: string; config: MlpConfig }[] = [];
for (const act of ACTIVATIONS) {
  for (const loss of ['halfSquaredError', 'crossEntropy'] as Loss[]) {
    for (const biases of [false, true]) {
      const output = loss === 'crossEntropy' ? 'sigmoid' : act === 'relu' || act === 'linear' ? 'linear' : 'sigmoid';
      ARCHITECTURES.push({
        name: `${act}, ${loss}, biases ${biases ? 'on' : 'off'}, ${output} output`,
        config: mlpConfig({ inputs: 3, hidden: [{ units: 4, activation: act }, { units: 3, activation: act }], output: { units: 1, activation: output }, loss, biases }),
      });
    }
  }
}

/** Seeded random architectures: 1–4 hidden layers of 1–16 units, any activation, either loss, biases on or off. */
function randomArchitectures(n: number, seed: number): MlpConfig[] {
  const u = mulberry32(seed);
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(u() * xs.length)];
  return Array.from({ length: n }, () => {
    const loss = pick(['halfSquaredError', 'crossEntropy'] as const);
    return mlpConfig({
      inputs: 1 + Math.floor(u() * 5),
      hidden: Array.from({ length: 1 + Math.floor(u() * 4) }, () => ({ units: 1 + Math.floor(u() * 16), activation: pick(ACTIVATIONS) as Activation })),
      output: { units: 1 + Math.floor(u() * 2), activation: loss === 'crossEntropy' ? 'sigmoid' : pick(['sigmoid', 'linear'] as const) },
      loss,
      biases: u() < 0.5,
      batch: pick([1, 2, 3, 'full'] as const),
    });
  });
}

describe('gradients equal central finite differences', () => {
  for (const { name, config } of ARCHITECTURES) {
    it(name, () => {
      const data = randomData(config, 5, 11);
      const params = randomParams(config, 11);
      for (const start of [0, 3]) {
        const check = mlpGradientCheck(config, params, data, { start, count: start === 0 ? 1 : 2 });
        expect(check.kinks).toEqual([]);
        expect(check.maxRelDifference).toBeLessThan(1e-6);
        expect(check.parameters.map((p) => p.name)).toEqual(mlpLayout(config).parameters);
      }
    });
  }

  it('for 25 random architectures (seeded), with targets in [0, 1]', () => {
    for (const [i, config] of randomArchitectures(25, 2024).entries()) {
      const data = randomData(config, 4, 100 + i, false);
      const check = mlpGradientCheck(config, randomParams(config, 100 + i), data);
      expect(check.kinks, `architecture ${i}`).toEqual([]);
      expect(check.maxRelDifference, `architecture ${i}: ${JSON.stringify(config)}`).toBeLessThan(1e-6);
    }
  });

  it('reports a finite difference that straddles a ReLU kink', () => {
    // One input, no biases: Z1 = x·W1 is 3e-6 from the kink, so W1 ± 1e-5 switches the ReLU.
    const config = mlpConfig({ inputs: 1, hidden: [{ units: 1, activation: 'relu' }], output: { units: 1, activation: 'linear' } });
    const data = packData([{ x: [1], y: 1 }], 1);
    const check = mlpGradientCheck(config, { weights: [[3e-6], [2]], biases: null }, data);
    expect(check.kinks).toEqual(['W1[0]']);
    expect(check.maxAbsDifference).toBeGreaterThan(0.1);
  });

  it('the check notices a wrong gradient', () => {
    const { config } = ARCHITECTURES[0];
    const data = randomData(config, 3, 5);
    const params = randomParams(config, 5);
    const good = mlpGradients(config, params, data);
    const check = mlpGradientCheck(config, params, data);
    const numeric = check.parameters[0].numeric;
    const wrong = good.weights[0].map((g) => g * 1.01 + 1e-3);
    expect(Math.max(...wrong.map((g, k) => Math.abs(g - numeric[k])))).toBeGreaterThan(1e-4);
  });

  it('cross-entropy stays finite where the sigmoid rounds to 0 or 1', () => {
    expect(crossEntropyFromLogit(1, 800)).toBe(0);
    expect(crossEntropyFromLogit(0, 800)).toBe(800);
    expect(crossEntropyFromLogit(1, -800)).toBe(800);
    expect(crossEntropyFromLogit(0.5, 0)).toBeCloseTo(Math.LN2, 15);
  });
});

describe('stepping and training agree', () => {
  const cases: { name: string; config: MlpConfig }[] = [
    ...ARCHITECTURES.map(({ name, config }) => ({ name: `${name}, per sample`, config })),
    ...ARCHITECTURES.filter((_, i) => i % 3 === 0).map(({ name, config }) => ({ name: `${name}, batches of 3`, config: { ...config, batch: 3 } })),
    ...ARCHITECTURES.filter((_, i) => i % 3 === 1).map(({ name, config }) => ({ name: `${name}, full batch`, config: { ...config, batch: 'full' as const } })),
    ...randomArchitectures(12, 77).map((config, i) => ({ name: `random architecture ${i} (batch ${config.batch})`, config })),
  ];
  for (const { name, config } of cases) {
    it(`two epochs trained are bit for bit two epochs stepped: ${name}`, () => {
      const start = build(config, { seed: 3, count: 7, eta: 0.2 });
      const stepped = stepEpochs(start, 2);
      const trained = trainMlp(start, 2);
      expect(stepped.epoch).toBe(2);
      expect(trained.epoch).toBe(2);
      expect(trained.lossHistory).toEqual(stepped.lossHistory);
      for (const p of mlpLayout(config).parameters) {
        expect(sameData(trained.tensors[p], stepped.tensors[p]), p).toBe(true);
        expect(trained.tensors[p].shape).toEqual(stepped.tensors[p].shape);
      }
    });
  }

  it('a stepped pass computes the mean gradient of its batch, which update applies once', () => {
    const config = mlpConfig({ inputs: 2, hidden: [{ units: 5, activation: 'tanh' }], biases: true, batch: 4, loss: 'crossEntropy' });
    const s0 = build(config, { count: 10, seed: 8 });
    const s = mlpRunTo(s0, 'dL_db1');
    const g = mlpGradients(config, mlpParams(s0), s0.data, 0, 4);
    expect(s.tensors.dL_dW1.data).toEqual(g.weights[0]);
    expect(s.tensors.dL_db1.data).toEqual(g.biases![0]);
    expect(s.tensors.dL_dW2.data).toEqual(g.weights[1]);
    const mean = s.tensors.L.data.reduce((a, b) => a + b, 0) / 4;
    expect(mean).toBe(g.loss);
    const u = mlpStep(s);
    expect(u.stage).toBe('update');
    expect(u.tensors.W1.data).toEqual(s.tensors.W1.data.map((w, i) => w - 0.3 * g.weights[0][i]));
  });

  it('each row of a batched pass is what a per-sample pass on that row shows', () => {
    const perSample = mlpConfig({ inputs: 2, hidden: [{ units: 3, activation: 'sigmoid' }, { units: 2, activation: 'relu' }], biases: true });
    const batched = { ...perSample, batch: 'full' as const };
    const data = randomData(perSample, 4, 21);
    const params = randomParams(perSample, 21);
    const b = mlpRunTo(createMlp({ config: batched, data, params, learningRate: 0.1 }), 'dL_dZ1');
    let one = createMlp({ config: perSample, data, params, learningRate: 0.1 });
    for (let r = 0; r < 4; r++) {
      one = mlpRunTo(mlpClearPass(one, r), 'dL_dZ1');
      for (const name of ['A0', 'Z1', 'A2', 'L', 'dL_dA3', 'dL_dZ3', 'dL_dA1', 'dL_dZ1']) {
        const width = one.tensors[name].data.length;
        expect(b.tensors[name].data.slice(r * width, (r + 1) * width), `${name} row ${r}`).toEqual(one.tensors[name].data);
      }
    }
  });

  it('slices of training give the same network as one call', () => {
    const s = build(randomArchitectures(1, 5)[0], { count: 9 });
    const whole = trainMlp(s, 23);
    const sliced = new MlpTrainer(s);
    for (const n of [1, 7, 15]) sliced.runEpochs(n);
    expect(sliced.finish()).toEqual(whole);
  });

  it('slices of rows (mid-epoch, mid-batch) give the same network as whole epochs', () => {
    for (const batch of [1, 3, 'full'] as const) {
      const s = build({ ...ARCHITECTURES[13].config, batch }, { count: 7 });
      const whole = trainMlp(s, 4);
      const sliced = new MlpTrainer(s);
      const closed: number[] = [];
      for (const n of [2, 5, 1, 6, 3, 4, 7]) closed.push(...sliced.runRows(n));
      expect(sliced.atEpochBoundary()).toBe(true);
      expect(closed).toEqual(whole.lossHistory.toArray());
      expect(sliced.finish()).toEqual(whole);
    }
  });

  it('finish keeps whole epochs: work in an epoch under way is discarded', () => {
    const s = build({ ...ARCHITECTURES[2].config, batch: 2 }, { count: 7 });
    const trainer = new MlpTrainer(s);
    trainer.runRows(7 + 4);
    expect(trainer.atEpochBoundary()).toBe(false);
    expect(trainer.finish()).toEqual(trainMlp(s, 1));
    expect(trainer.runEpochs(1)).toEqual(trainMlp(s, 2).lossHistory.slice(1)); // finishes the epoch under way
  });

  it('training from the middle of a pass starts over at an epoch boundary', () => {
    const s = build(ARCHITECTURES[5].config);
    const mid = mlpRunTo(mlpRunTo(s, 'update'), 'A1');
    const trained = trainMlp(mid, 1);
    expect(trained.stage).toBe('idle');
    expect(trained.sampleIndex).toBe(0);
    expect(trained.epoch).toBe(1);
  });
});

describe('the stage machine', () => {
  const config = mlpConfig({ inputs: 2, hidden: [{ units: 3, activation: 'relu' }], biases: true });

  it('steps one stage at a time and keeps only the parameters between passes', () => {
    let s = build(config);
    const seen: string[] = [];
    for (let i = 0; i < stageCount(s); i++) {
      s = mlpStep(s);
      seen.push(s.stage);
    }
    expect(seen).toEqual(mlpLayout(config).stages.map((x) => x.stage));
    s = mlpStep(s);
    expect(s.stage).toBe('input');
    expect(s.sampleIndex).toBe(1);
    expect(Object.keys(s.tensors).sort()).toEqual(['A0', 'W1', 'W2', 'b1', 'b2', 'y']);
  });

  it('is immutable: stepping leaves the earlier state as it was', () => {
    const s = mlpRunTo(build(config), 'dL_dW2');
    const copy = structuredClone(s);
    mlpStep(mlpStep(s));
    expect(s).toEqual(copy);
  });

  it('refuses to run to a stage the network does not have', () => {
    const s = build(config);
    expect(() => mlpRunTo(s, 'idle')).toThrow(/not idle/);
    expect(() => mlpRunTo(s, 'B_act')).toThrow(/no stage B_act/);
  });

  it('sets a parameter and clears the pass', () => {
    const s = mlpRunTo(build(config), 'L');
    const t = mlpSetParameter(s, 'b1', 2, 0.75);
    expect(t.stage).toBe('idle');
    expect(t.tensors.b1.data[2]).toBe(0.75);
    expect(t.tensors.Z1).toBeUndefined();
    expect(() => mlpSetParameter(s, 'Z1', 0, 1)).toThrow(/not a parameter/);
  });

  it('refuses data that does not fit', () => {
    const ce = mlpConfig({ inputs: 1, hidden: [{ units: 2, activation: 'relu' }], loss: 'crossEntropy' });
    const data = packData([{ x: [1], y: 0 }, { x: [2], y: 3 }], 1);
    expect(() => createMlp({ config: ce, data, params: initialParams(ce, 'random', 1), learningRate: 1 })).toThrow(
      'binary cross-entropy needs targets between 0 and 1; row 2 has 3',
    );
    expect(() => packData([{ x: [1, 2], y: 0 }], 1)).toThrow('row 0 has 2 features; the network has 1 inputs');
  });
});

describe('the engine checks the networks it is handed', () => {
  // Built in code, past parseMlpConfig: cross-entropy after a linear output. Its loss is BCE(σ(z))
  // but the engine's output delta is ŷ − y = z − y, so it would descend a gradient of another loss.
  const config: MlpConfig = {
    inputs: 1,
    hidden: [{ units: 1, activation: 'linear' }],
    output: { units: 1, activation: 'linear' },
    loss: 'crossEntropy',
    biases: false,
    batch: 1,
  };
  const data = packData([{ x: [2], y: 1 }], 1);
  const params = { weights: [[1], [1]], biases: null };

  it('by the rules of parseMlpConfig: createMlp refuses cross-entropy without a sigmoid output', () => {
    expect(parseMlpConfig(config).ok).toBe(false);
    expect(() => createMlp({ config, data, params, learningRate: 1 })).toThrow(
      'invalid network: binary cross-entropy needs a sigmoid output (its prediction must lie between 0 and 1)',
    );
    expect(() => createMlp({ config: { ...config, hidden: [{ units: 20, activation: 'tanh' }] }, data, params, learningRate: 1 })).toThrow(
      'hidden layer 1 has 20 neurons; at most 16',
    );
  });

  it('because such a network disagrees with its own gradient check (2 against −0.238)', () => {
    const [, w2] = mlpGradientCheck(config, params, data).parameters;
    expect(w2.analytic[0]).toBe(2);
    expect(w2.numeric[0]).toBeCloseTo((1 / (1 + Math.exp(-2)) - 1) * 2, 6);
    expect(w2.numeric[0]).toBeCloseTo(-0.238, 3);
  });
});

describe('initialisation', () => {
  it('is seeded: same seed, same parameters; He for ReLU, Xavier otherwise', () => {
    const config = mlpConfig({ inputs: 16, hidden: [{ units: 16, activation: 'relu' }, { units: 16, activation: 'tanh' }], biases: true });
    expect(initialParams(config, 'random', 4)).toEqual(initialParams(config, 'random', 4));
    expect(initialParams(config, 'random', 4)).not.toEqual(initialParams(config, 'random', 5));
    const p = initialParams(config, 'random', 4);
    const sd = (xs: number[]) => Math.sqrt(xs.reduce((a, x) => a + x * x, 0) / xs.length);
    expect(sd(p.weights[0])).toBeCloseTo(Math.sqrt(2 / 16), 1);
    expect(sd(p.weights[1])).toBeCloseTo(Math.sqrt(2 / 32), 1);
    expect(p.biases!.flat().every((b) => b === 0)).toBe(true);
  });

  it('the notebook preset needs a 3-4-1 network', () => {
    expect(() => initialParams(mlpConfig({ inputs: 2, hidden: [{ units: 4, activation: 'sigmoid' }] }), 'notebook')).toThrow(/3-4-1/);
    const withBiases = mlpConfig({ inputs: 3, hidden: [{ units: 4, activation: 'sigmoid' }], biases: true });
    expect(initialParams(withBiases, 'notebook').biases).toEqual([[0, 0, 0, 0], [0]]);
  });
});

describe('predict', () => {
  const config = mlpConfig({ inputs: 2, hidden: [{ units: 4, activation: 'tanh' }, { units: 3, activation: 'relu' }], biases: true });

  it('gives the output the stage machine computes, and every hidden activation', () => {
    const s = build(config, { count: 6 });
    const p = predict(config, mlpParams(s), s.data.x, { hidden: true });
    expect(p.count).toBe(6);
    for (let r = 0; r < 6; r++) {
      const stepped = mlpRunTo(mlpClearPass(s, r), 'A3');
      expect(p.outputs[r]).toBe(stepped.tensors.A3.data[0]);
      expect(Array.from(p.hidden![0].subarray(r * 4, r * 4 + 4))).toEqual(stepped.tensors.A1.data);
      expect(Array.from(p.hidden![1].subarray(r * 3, r * 3 + 3))).toEqual(stepped.tensors.A2.data);
    }
  });

  it('takes a list of points or a grid', () => {
    const s = build(config);
    const params = mlpParams(s);
    const grid = gridPoints(-6, 6, -6, 6, 3);
    expect(Array.from(grid)).toEqual([-6, -6, 0, -6, 6, -6, -6, 0, 0, 0, 6, 0, -6, 6, 0, 6, 6, 6]);
    const a = predict(config, params, grid);
    const b = predict(config, params, [[-6, -6], [0, -6], [6, -6], [-6, 0], [0, 0], [6, 0], [-6, 6], [0, 6], [6, 6]]);
    expect(a.outputs).toEqual(b.outputs);
    expect(a.hidden).toBeNull();
    expect(() => predict(config, params, [[1, 2, 3]])).toThrow(/3 coordinates/);
  });
});

describe('evaluation', () => {
  it('reports train and test loss and accuracy', () => {
    const config = mlpConfig({ inputs: 2, hidden: [{ units: 8, activation: 'tanh' }], biases: true, loss: 'crossEntropy', batch: 4 });
    const rows = (n: number, seed: number) => {
      const randn = normalStream(seed);
      return Array.from({ length: n }, () => {
        const x = [randn(), randn()];
        return { x, y: x[0] + x[1] > 0 ? 1 : 0 };
      });
    };
    const train = packData(rows(80, 1), 2);
    const test = packData(rows(40, 2), 2);
    const s = createMlp({ config, data: train, params: initialParams(config, 'random', 3), learningRate: 0.5 });
    const report = fitMlp(s, 60, test);
    expect(report.epochLosses).toHaveLength(60);
    expect(report.state.lossHistory.toArray()).toEqual(report.epochLosses);
    expect(report.epochLosses.at(-1)!).toBeLessThan(report.epochLosses[0]);
    expect(report.train.accuracy!).toBeGreaterThan(0.9);
    expect(report.test!.accuracy!).toBeGreaterThan(0.85);
    expect(report.test).toEqual(evaluateMlp(config, mlpParams(report.state), test));
  });

  it('has no accuracy for targets that are not 0 or 1', () => {
    const config = mlpConfig({ inputs: 1, hidden: [{ units: 2, activation: 'tanh' }], output: { units: 1, activation: 'linear' } });
    const data = packData([{ x: [1], y: 2.5 }, { x: [0], y: -1 }], 1);
    expect(evaluateMlp(config, initialParams(config, 'random', 1), data).accuracy).toBeNull();
  });
});
