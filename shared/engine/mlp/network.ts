import { own, type Tensor } from '../tensor.js';
import { LossLog } from '../loss-log.js';
import { assertMlpConfig, type MlpConfig } from './config.js';
import { dataProblem, type MlpData } from './data.js';
import type { MlpParams } from './init.js';
import {
  accumulateInto,
  accumulateOuterInto,
  activateInto,
  activationSlopeInto,
  affineInto,
  backpropInto,
  divideInPlace,
  hadamardInto,
  outerInto,
  outputDeltaInto,
  rowLoss,
  sgdInto,
} from './kernels.js';
import { mlpLayout, mlpStagePosition, mlpTensorShape, type MlpLayout, type MlpStageSpec } from './layout.js';

/**
 * The state of a network being taught: immutable (every transition returns a new object sharing
 * what did not change), one stage per step.
 *
 * A pass covers the rows [sampleIndex, sampleIndex + k): k = 1 for per-sample SGD (the notebook's
 * rule; tensors have no batch dimension), k = the batch size (or what is left of the epoch) for
 * mini-batches, every row for full batch. In a batched pass every per-row tensor gains a leading
 * batch dimension and row r of it is what a per-sample pass on row r would show; dL_dW and dL_db
 * are the mean over the rows, and `update` applies that mean once. See docs/networks.md.
 */
export interface MlpState {
  readonly config: MlpConfig;
  /** The training rows (packed; never mutated). */
  readonly data: MlpData;
  /** 'idle' or a stage name of mlpLayout(config).stages. */
  readonly stage: string;
  /** The first row of the current pass. */
  readonly sampleIndex: number;
  readonly epoch: number;
  readonly learningRate: number;
  /** The parameters always (layout.parameters), and the pass's tensors once computed. */
  readonly tensors: Readonly<Record<string, Tensor>>;
  /** Mean loss of every finished epoch (the mean of its rows' losses, each taken when its pass ran). */
  readonly lossHistory: LossLog;
  /** Sum and count of the row losses computed during the epoch under way. */
  readonly epochLossSum: number;
  readonly epochLossCount: number;
}

export interface CreateMlp {
  readonly config: MlpConfig;
  readonly data: MlpData;
  readonly params: MlpParams;
  readonly learningRate: number;
}

function paramTensors(config: MlpConfig, params: MlpParams): Record<string, Tensor> {
  const layout = mlpLayout(config);
  const out: Record<string, Tensor> = {};
  layout.layers.forEach((n, i) => {
    const w = params.weights[i];
    const shape = mlpTensorShape(config, n.W);
    if (!w || w.length !== shape[0] * shape[1]) throw new Error(`${n.W} needs ${shape[0] * shape[1]} values`);
    out[n.W] = { shape, data: Array.from(w) };
    if (n.b) {
      const b = params.biases?.[i];
      if (!b || b.length !== shape[1]) throw new Error(`${n.b} needs ${shape[1]} values`);
      out[n.b] = { shape: [shape[1]], data: Array.from(b) };
    }
  });
  return out;
}

/**
 * A fresh network: stage idle, sample 0, epoch 0. Throws if the config breaks parseMlpConfig's
 * rules, or the data or params do not fit it.
 */
export function createMlp({ config, data, params, learningRate }: CreateMlp): MlpState {
  assertMlpConfig(config);
  const problem = dataProblem(config, data);
  if (problem) throw new Error(problem);
  return {
    config,
    data,
    stage: 'idle',
    sampleIndex: 0,
    epoch: 0,
    learningRate,
    tensors: paramTensors(config, params),
    lossHistory: LossLog.EMPTY,
    epochLossSum: 0,
    epochLossCount: 0,
  };
}

/** The parameters as they stand (views of the state's tensors, not copies). */
export function mlpParams(s: MlpState): MlpParams {
  const { layers } = mlpLayout(s.config);
  return {
    weights: layers.map((n) => s.tensors[n.W].data),
    biases: s.config.biases ? layers.map((n) => s.tensors[n.b!].data) : null,
  };
}

function onlyParams(s: MlpState): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const p of mlpLayout(s.config).parameters) out[p] = s.tensors[p];
  return out;
}

/** The state with the pass cleared: parameters kept, stage idle. */
export function mlpClearPass(s: MlpState, sampleIndex = s.sampleIndex): MlpState {
  if (!Number.isInteger(sampleIndex) || sampleIndex < 0 || sampleIndex >= s.data.count) {
    throw new Error(`row ${sampleIndex} is outside the data (${s.data.count} rows)`);
  }
  return { ...s, stage: 'idle', sampleIndex, tensors: onlyParams(s) };
}

/** Sets one element (flat row-major index) of a parameter; clears the pass, as the notebook's setWeight. */
export function mlpSetParameter(s: MlpState, name: string, index: number, value: number): MlpState {
  const layout = mlpLayout(s.config);
  if (!layout.parameters.includes(name)) throw new Error(`${name} is not a parameter of this network`);
  const t = own(s.tensors, name)!;
  if (!Number.isInteger(index) || index < 0 || index >= t.data.length) throw new Error(`index ${index} is outside ${name}`);
  const data = [...t.data];
  data[index] = value;
  const cleared = mlpClearPass(s);
  return { ...cleared, tensors: { ...cleared.tensors, [name]: { shape: t.shape, data } } };
}

export function mlpWithLearningRate(s: MlpState, learningRate: number): MlpState {
  return { ...s, learningRate };
}

/** How many rows the pass starting at `sampleIndex` covers. */
export function mlpPassRows(config: MlpConfig, data: MlpData, sampleIndex: number): number {
  const left = data.count - sampleIndex;
  if (config.batch === 'full') return left;
  return Math.min(config.batch, left);
}

function need(s: MlpState, name: string): readonly number[] {
  const found = own(s.tensors, name);
  if (!found) throw new Error(`stage needs ${name}, which is not computed`);
  return found.data;
}

/** A tensor's data as a Float64Array, so rows can be taken as subarrays. */
function f64(s: MlpState, name: string): Float64Array {
  return Float64Array.from(need(s, name));
}

function rowOf(a: Float64Array, r: number, n: number): Float64Array {
  return a.subarray(r * n, (r + 1) * n);
}

/** δ for the outer and backprop stages: dL_dZ, or (notebook output layer) dL_dC_act ⊙ dC_act_dC computed on the fly. */
function deltaOf(s: MlpState, names: readonly string[]): Float64Array {
  if (names.length === 1) return f64(s, names[0]);
  const a = f64(s, names[0]);
  const out = new Float64Array(a.length);
  hadamardInto(a, f64(s, names[1]), out);
  return out;
}

function spec(layout: MlpLayout, stage: string): MlpStageSpec {
  const found = layout.stages[mlpStagePosition(layout, stage)];
  if (!found) throw new Error(`no stage ${stage}`);
  return found;
}

/** Computes one stage from the tensors already there. The caller guarantees the order. */
export function mlpComputeStage(s: MlpState, stage: string): MlpState {
  const { config, data } = s;
  const layout = mlpLayout(config);
  const st = spec(layout, stage);
  const f = st.formula;
  const k = mlpPassRows(config, data, s.sampleIndex);
  const sizes = layout.sizes;
  const put = (name: string, values: ArrayLike<number>, extra: Partial<MlpState> = {}): MlpState => ({
    ...s,
    ...extra,
    stage,
    tensors: { ...s.tensors, [name]: { shape: mlpTensorShape(config, name, k), data: Array.from(values) } },
  });
  const layer = st.layer ?? 0;
  switch (f.kind) {
    case 'input': {
      const start = s.sampleIndex;
      const x = data.x.subarray(start * data.inputs, (start + k) * data.inputs);
      const y = data.y.subarray(start * data.outputs, (start + k) * data.outputs);
      return {
        ...s,
        stage,
        tensors: {
          ...onlyParams(s),
          [layout.input]: { shape: mlpTensorShape(config, layout.input, k), data: Array.from(x) },
          y: { shape: mlpTensorShape(config, 'y', k), data: Array.from(y) },
        },
      };
    }
    case 'matmul': {
      const [prevName, wName, bName] = f.inputs;
      const nIn = sizes[layer - 1];
      const nOut = sizes[layer];
      const prev = f64(s, prevName);
      const W = need(s, wName);
      const b = bName ? need(s, bName) : null;
      const out = new Float64Array(k * nOut);
      for (let r = 0; r < k; r++) affineInto(rowOf(prev, r, nIn), W, b, nOut, rowOf(out, r, nOut));
      return put(st.stage, out);
    }
    case 'activation': {
      const z = need(s, f.inputs[0]);
      const out = new Float64Array(z.length);
      activateInto(f.fn, z, out);
      return put(st.stage, out);
    }
    case 'loss': {
      const out = layout.layers[layout.layers.length - 1];
      const nOut = sizes[sizes.length - 1];
      const yHat = f64(s, out.A);
      const z = f64(s, out.Z);
      const y = f64(s, 'y');
      const losses = new Float64Array(k);
      let sum = s.epochLossSum;
      for (let r = 0; r < k; r++) {
        losses[r] = rowLoss(f.fn, rowOf(y, r, nOut), rowOf(yHat, r, nOut), rowOf(z, r, nOut));
        sum += losses[r];
      }
      return put('L', losses, { epochLossSum: sum, epochLossCount: s.epochLossCount + k });
    }
    case 'lossGrad': {
      const yHat = need(s, f.inputs[0]);
      const out = new Float64Array(yHat.length);
      outputDeltaInto(f.fn, need(s, 'y'), yHat, out);
      return put(st.stage, out);
    }
    case 'activationGrad': {
      const n = layout.layers[layer - 1];
      const a = need(s, n.A);
      const out = new Float64Array(a.length);
      activationSlopeInto(f.fn, need(s, n.Z), a, out);
      return put(st.stage, out);
    }
    case 'hadamard': {
      const a = need(s, f.inputs[0]);
      const out = new Float64Array(a.length);
      hadamardInto(a, need(s, f.inputs[1]), out);
      return put(st.stage, out);
    }
    case 'outer': {
      const nIn = sizes[layer - 1];
      const nOut = sizes[layer];
      const prev = f64(s, f.inputs[0]);
      const delta = deltaOf(s, f.inputs.slice(1));
      const out = new Float64Array(nIn * nOut);
      if (!layout.batched) {
        outerInto(prev, delta, out);
      } else {
        for (let r = 0; r < k; r++) accumulateOuterInto(rowOf(prev, r, nIn), rowOf(delta, r, nOut), out);
        divideInPlace(out, k);
      }
      return put(st.stage, out);
    }
    case 'biasGrad': {
      const nOut = sizes[layer];
      const delta = f64(s, f.inputs[0]);
      const out = new Float64Array(nOut);
      if (!layout.batched) {
        out.set(delta);
      } else {
        for (let r = 0; r < k; r++) accumulateInto(rowOf(delta, r, nOut), out);
        divideInPlace(out, k);
      }
      return put(st.stage, out);
    }
    case 'backprop': {
      const nIn = sizes[layer - 1];
      const nOut = sizes[layer];
      const delta = deltaOf(s, f.inputs.slice(0, -1));
      const W = need(s, f.inputs[f.inputs.length - 1]);
      const out = new Float64Array(k * nIn);
      for (let r = 0; r < k; r++) backpropInto(rowOf(delta, r, nOut), W, nIn, rowOf(out, r, nIn));
      return put(st.stage, out);
    }
    case 'update': {
      const tensors: Record<string, Tensor> = { ...s.tensors };
      for (let i = 0; i < f.inputs.length; i += 2) {
        const p = f.inputs[i];
        const values = [...need(s, p)];
        sgdInto(values, need(s, f.inputs[i + 1]), s.learningRate);
        tensors[p] = { shape: s.tensors[p].shape, data: values };
      }
      return { ...s, stage, tensors };
    }
    default: {
      const unknown: never = f;
      throw new Error(`unknown formula ${JSON.stringify(unknown)}`);
    }
  }
}

/** The stage `mlpStep` computes next. After `update` it is `input` of the next pass. */
export function mlpNextStage(s: MlpState): string {
  const layout = mlpLayout(s.config);
  if (s.stage === 'idle' || s.stage === 'update') return 'input';
  return layout.stages[mlpStagePosition(layout, s.stage) + 1].stage;
}

/** Appends the epoch's mean loss (if any row was seen) and starts the next epoch. */
export function mlpCloseEpoch(s: MlpState): MlpState {
  const lossHistory = s.epochLossCount > 0 ? s.lossHistory.append([s.epochLossSum / s.epochLossCount]) : s.lossHistory;
  return { ...s, epoch: s.epoch + 1, lossHistory, epochLossSum: 0, epochLossCount: 0 };
}

/**
 * Advances exactly one stage. From `update` it moves to the next pass (the next row, or the next
 * batch); wrapping to row 0 closes the epoch and appends its mean loss to the history.
 */
export function mlpStep(s: MlpState): MlpState {
  if (s.stage !== 'update') return mlpComputeStage(s, mlpNextStage(s));
  const next = s.sampleIndex + mlpPassRows(s.config, s.data, s.sampleIndex);
  const wrapped = next >= s.data.count;
  const moved = wrapped ? mlpCloseEpoch(s) : s;
  return mlpComputeStage({ ...moved, sampleIndex: wrapped ? 0 : next }, 'input');
}

/** Steps until `target` has been computed, starting a new pass first if the current one is complete. */
export function mlpRunTo(s: MlpState, target: string): MlpState {
  if (target === 'idle') throw new Error('runTo needs a stage of the pass, not idle');
  mlpStagePosition(mlpLayout(s.config), target); // throws on a stage this network does not have
  let cur = s.stage === 'update' ? mlpStep(s) : s;
  while (cur.stage !== target) cur = mlpStep(cur);
  return cur;
}
