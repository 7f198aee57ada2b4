import { NOTEBOOK_SAMPLES } from './dataset.js';
import {
  hadamardInto,
  halfSquaredError,
  outerInto,
  scaleInto,
  sgdInto,
  sigmoid,
  sigmoidInto,
  sigmoidSlopeInto,
  vecMat,
} from './kernels.js';
import { clearPass, type NetworkState } from './network.js';
import { TENSOR_SHAPES } from './stages.js';
import type { Tensor } from './tensor.js';

/**
 * Per-sample SGD over the dataset in row order, starting at sample 0: the arithmetic of the
 * stages, without materialising every tensor. Runs in slices so a server can yield between
 * them; `finish` folds the result back into a NetworkState. A partly done epoch the
 * instructor was stepping through is discarded: training starts at an epoch boundary.
 */
export class Trainer {
  private readonly W: Float64Array;
  private readonly V: Float64Array;
  private readonly losses: number[] = [];
  private readonly scratch;
  epochsRun = 0;

  constructor(private readonly start: NetworkState) {
    this.W = Float64Array.from(start.tensors.W.data);
    this.V = Float64Array.from(start.tensors.V.data);
    const hidden = this.V.length;
    this.scratch = {
      b: new Float64Array(hidden),
      bAct: new Float64Array(hidden),
      c: new Float64Array(1),
      cAct: new Float64Array(1),
      slopeC: new Float64Array(1),
      dLdV: new Float64Array(hidden),
      dLdBact: new Float64Array(hidden),
      dBactdB: new Float64Array(hidden),
      dLdB: new Float64Array(hidden),
      dLdW: new Float64Array(this.W.length),
    };
  }

  /** Runs `epochs` more epochs; returns the mean loss of the last one. */
  runEpochs(epochs: number): number {
    const { W, V } = this;
    const s = this.scratch;
    const hidden = V.length;
    const eta = this.start.learningRate;
    let last = NaN;
    for (let e = 0; e < epochs; e++) {
      let sum = 0;
      for (const sample of NOTEBOOK_SAMPLES) {
        vecMat(sample.x, W, hidden, s.b);
        sigmoidInto(s.b, s.bAct);
        vecMat(s.bAct, V, 1, s.c);
        s.cAct[0] = sigmoid(s.c[0]);
        sum += halfSquaredError(sample.y, s.cAct[0]);
        const dLdCact = s.cAct[0] - sample.y;
        sigmoidSlopeInto(s.cAct, s.slopeC);
        const delta = dLdCact * s.slopeC[0];
        scaleInto(delta, s.bAct, s.dLdV);
        scaleInto(delta, V, s.dLdBact);
        sigmoidSlopeInto(s.bAct, s.dBactdB);
        hadamardInto(s.dLdBact, s.dBactdB, s.dLdB);
        outerInto(sample.x, s.dLdB, s.dLdW);
        sgdInto(W, s.dLdW, eta);
        sgdInto(V, s.dLdV, eta);
      }
      last = sum / NOTEBOOK_SAMPLES.length;
      this.losses.push(last);
    }
    this.epochsRun += epochs;
    return last;
  }

  /** The weights as they stand now (for progress reports while training runs). */
  weights(): { W: Tensor; V: Tensor } {
    return {
      W: { shape: TENSOR_SHAPES.W, data: Array.from(this.W) },
      V: { shape: TENSOR_SHAPES.V, data: Array.from(this.V) },
    };
  }

  finish(): NetworkState {
    const base = clearPass(this.start, 0);
    return {
      ...base,
      epoch: this.start.epoch + this.epochsRun,
      epochLosses: [],
      lossHistory: this.losses.length ? [...this.start.lossHistory, ...this.losses] : this.start.lossHistory,
      tensors: this.weights(),
    };
  }
}

/** Trains `epochs` epochs at once (the pure, synchronous form used by replay and tests). */
export function train(state: NetworkState, epochs: number): NetworkState {
  const trainer = new Trainer(state);
  trainer.runEpochs(epochs);
  return trainer.finish();
}
