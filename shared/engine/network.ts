import type { Tensor } from './tensor.js';
import { NOTEBOOK_SAMPLES, SAMPLE_COUNT } from './dataset.js';
import { STAGES, TENSOR_SHAPES, type PassStage, type Stage, type TensorName } from './stages.js';
import {
  halfSquaredError,
  hadamardInto,
  outerInto,
  scaleInto,
  sgdInto,
  sigmoid,
  sigmoidInto,
  sigmoidSlopeInto,
  vecMat,
} from './kernels.js';

export type Tensors = Readonly<Partial<Record<TensorName, Tensor>>>;

/**
 * The engine's state of the notebook network: weights, the tensors of the pass so far,
 * where the pass stands, and the losses of the epoch under way. Immutable: every
 * transition returns a new object and shares what did not change.
 */
export interface NetworkState {
  readonly stage: Stage;
  readonly sampleIndex: number;
  readonly epoch: number;
  readonly learningRate: number;
  /** W and V always; A, y and the pass's tensors once computed. */
  readonly tensors: Tensors & { readonly W: Tensor; readonly V: Tensor };
  /** Mean loss of every finished epoch. */
  readonly lossHistory: readonly number[];
  /** L of every sample whose loss was computed during the epoch under way. */
  readonly epochLosses: readonly number[];
}

function t(name: TensorName, data: ArrayLike<number>): Tensor {
  return { shape: TENSOR_SHAPES[name], data: Array.from(data) };
}

export function initialNetwork(W: readonly number[], V: readonly number[], learningRate: number): NetworkState {
  return {
    stage: 'idle',
    sampleIndex: 0,
    epoch: 0,
    learningRate,
    tensors: { W: t('W', W), V: t('V', V) },
    lossHistory: [],
    epochLosses: [],
  };
}

/** The state with the pass cleared: weights kept, stage idle. */
export function clearPass(s: NetworkState, sampleIndex = s.sampleIndex): NetworkState {
  return { ...s, stage: 'idle', sampleIndex, tensors: { W: s.tensors.W, V: s.tensors.V } };
}

function need(s: NetworkState, name: TensorName): readonly number[] {
  const found = s.tensors[name];
  if (!found) throw new Error(`stage needs ${name}, which is not computed`);
  return found.data;
}

function scalar(s: NetworkState, name: TensorName): number {
  return need(s, name)[0];
}

function withTensor(s: NetworkState, stage: PassStage, name: TensorName, data: ArrayLike<number>): NetworkState {
  return { ...s, stage, tensors: { ...s.tensors, [name]: t(name, data) } };
}

/** Computes one stage from the tensors already there. The caller guarantees the order. */
export function computeStage(s: NetworkState, stage: PassStage): NetworkState {
  const hidden = TENSOR_SHAPES.W[1];
  switch (stage) {
    case 'input': {
      const sample = NOTEBOOK_SAMPLES[s.sampleIndex];
      return { ...s, stage, tensors: { W: s.tensors.W, V: s.tensors.V, A: t('A', sample.x), y: t('y', [sample.y]) } };
    }
    case 'B': {
      const out = new Array<number>(hidden);
      vecMat(need(s, 'A'), s.tensors.W.data, hidden, out);
      return withTensor(s, stage, 'B', out);
    }
    case 'B_act': {
      const out = new Array<number>(hidden);
      sigmoidInto(need(s, 'B'), out);
      return withTensor(s, stage, 'B_act', out);
    }
    case 'C': {
      const out = [0];
      vecMat(need(s, 'B_act'), s.tensors.V.data, 1, out);
      return withTensor(s, stage, 'C', out);
    }
    case 'C_act':
      return withTensor(s, stage, 'C_act', [sigmoid(scalar(s, 'C'))]);
    case 'L': {
      const loss = halfSquaredError(scalar(s, 'y'), scalar(s, 'C_act'));
      return { ...withTensor(s, stage, 'L', [loss]), epochLosses: [...s.epochLosses, loss] };
    }
    case 'dL_dC_act':
      return withTensor(s, stage, 'dL_dC_act', [scalar(s, 'C_act') - scalar(s, 'y')]);
    case 'dC_act_dC': {
      const out = [0];
      sigmoidSlopeInto(need(s, 'C_act'), out);
      return withTensor(s, stage, 'dC_act_dC', out);
    }
    case 'dL_dV': {
      const out = new Array<number>(hidden);
      scaleInto(scalar(s, 'dL_dC_act') * scalar(s, 'dC_act_dC'), need(s, 'B_act'), out);
      return withTensor(s, stage, 'dL_dV', out);
    }
    case 'dL_dB_act': {
      const out = new Array<number>(hidden);
      scaleInto(scalar(s, 'dL_dC_act') * scalar(s, 'dC_act_dC'), s.tensors.V.data, out);
      return withTensor(s, stage, 'dL_dB_act', out);
    }
    case 'dB_act_dB': {
      const out = new Array<number>(hidden);
      sigmoidSlopeInto(need(s, 'B_act'), out);
      return withTensor(s, stage, 'dB_act_dB', out);
    }
    case 'dL_dB': {
      const out = new Array<number>(hidden);
      hadamardInto(need(s, 'dL_dB_act'), need(s, 'dB_act_dB'), out);
      return withTensor(s, stage, 'dL_dB', out);
    }
    case 'dL_dW': {
      const out = new Array<number>(s.tensors.W.data.length);
      outerInto(need(s, 'A'), need(s, 'dL_dB'), out);
      return withTensor(s, stage, 'dL_dW', out);
    }
    case 'update': {
      const W = [...s.tensors.W.data];
      const V = [...s.tensors.V.data];
      sgdInto(W, need(s, 'dL_dW'), s.learningRate);
      sgdInto(V, need(s, 'dL_dV'), s.learningRate);
      return { ...s, stage, tensors: { ...s.tensors, W: t('W', W), V: t('V', V) } };
    }
    default: {
      const unknown: never = stage;
      throw new Error(`unknown stage ${String(unknown)}`);
    }
  }
}

/** The stage `step` computes next. After `update` it is `input` of the next sample. */
export function nextStage(stage: Stage): PassStage {
  if (stage === 'idle' || stage === 'update') return 'input';
  return STAGES[STAGES.indexOf(stage) + 1];
}

/**
 * Advances exactly one stage. From `update` it moves to the next sample; wrapping to
 * sample 0 closes the epoch and appends its mean loss to the history.
 */
export function step(s: NetworkState): NetworkState {
  if (s.stage !== 'update') return computeStage(s, nextStage(s.stage));
  const next = (s.sampleIndex + 1) % SAMPLE_COUNT;
  const moved = next === 0 ? closeEpoch(s) : s;
  return computeStage({ ...moved, sampleIndex: next }, 'input');
}

export function closeEpoch(s: NetworkState): NetworkState {
  const lossHistory = s.epochLosses.length > 0 ? [...s.lossHistory, mean(s.epochLosses)] : s.lossHistory;
  return { ...s, epoch: s.epoch + 1, lossHistory, epochLosses: [] };
}

function mean(xs: readonly number[]): number {
  let sum = 0;
  for (const x of xs) sum += x;
  return sum / xs.length;
}

/** Steps until `target` has been computed, starting a new pass first if the current one is complete. */
export function runTo(s: NetworkState, target: PassStage): NetworkState {
  let cur = s.stage === 'update' ? step(s) : s;
  while (cur.stage !== target) cur = step(cur);
  return cur;
}

/** The network's output C_act for every dataset row with the current weights. */
export function predictAll(W: readonly number[], V: readonly number[]): number[] {
  const hidden = V.length;
  const b = new Array<number>(hidden);
  const c = [0];
  return NOTEBOOK_SAMPLES.map((sample) => {
    vecMat(sample.x, W, hidden, b);
    sigmoidInto(b, b);
    vecMat(b, V, 1, c);
    return sigmoid(c[0]);
  });
}

export function accuracy(W: readonly number[], V: readonly number[]): number {
  const predictions = predictAll(W, V);
  let right = 0;
  predictions.forEach((p, i) => {
    if ((p >= 0.5 ? 1 : 0) === NOTEBOOK_SAMPLES[i].y) right++;
  });
  return right / predictions.length;
}
