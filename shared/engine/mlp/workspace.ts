import { layerActivations, layerSizes, type Activation, type Loss, type MlpConfig } from './config.js';
import type { MlpParams } from './init.js';
import { LOSS_SPECS } from './losses.js';
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

/**
 * Preallocated buffers for one row's forward and backward pass, and the parameters as typed arrays.
 * The trainer, the predictor and the gradient check run on this; the stage machine runs the same
 * kernels in the same order on materialised tensors. Arrays are indexed by layer l = 0..L
 * (index 0 unused for everything but a, the input).
 */
export class Workspace {
  readonly L: number;
  readonly sizes: readonly number[];
  readonly acts: readonly Activation[];
  readonly loss: Loss;
  readonly W: Float64Array[];
  readonly b: Float64Array[] | null;
  readonly a: Float64Array[];
  readonly z: Float64Array[];
  readonly dA: Float64Array[];
  readonly slope: Float64Array[];
  readonly dZ: Float64Array[];
  readonly gW: Float64Array[];
  readonly gb: Float64Array[];
  readonly y: Float64Array;

  constructor(config: MlpConfig, params: MlpParams) {
    const sizes = layerSizes(config);
    this.sizes = sizes;
    this.L = sizes.length - 1;
    this.acts = layerActivations(config);
    this.loss = config.loss;
    const perLayer = (n: (l: number) => number) => sizes.map((_, l) => new Float64Array(l === 0 ? 0 : n(l)));
    if (params.weights.length !== this.L) throw new Error(`expected ${this.L} weight matrices, got ${params.weights.length}`);
    this.W = sizes.map((_, l) => {
      if (l === 0) return new Float64Array(0);
      const w = params.weights[l - 1];
      if (w.length !== sizes[l - 1] * sizes[l]) throw new Error(`layer ${l} weights have ${w.length} entries, not ${sizes[l - 1] * sizes[l]}`);
      return Float64Array.from(w);
    });
    if (config.biases) {
      if (!params.biases || params.biases.length !== this.L) throw new Error(`expected ${this.L} bias vectors`);
      this.b = sizes.map((n, l) => {
        if (l === 0) return new Float64Array(0);
        const bl = params.biases![l - 1];
        if (bl.length !== n) throw new Error(`layer ${l} biases have ${bl.length} entries, not ${n}`);
        return Float64Array.from(bl);
      });
    } else {
      this.b = null;
    }
    this.a = sizes.map((n) => new Float64Array(n));
    this.z = perLayer((l) => sizes[l]);
    this.dA = perLayer((l) => sizes[l]);
    this.slope = perLayer((l) => sizes[l]);
    this.dZ = perLayer((l) => sizes[l]);
    this.gW = perLayer((l) => sizes[l - 1] * sizes[l]);
    this.gb = perLayer((l) => sizes[l]);
    this.y = new Float64Array(sizes[this.L]);
  }

  /** Forward pass of row `row` of x (row-major, n0 per row). The output is a[L]. */
  forward(x: ArrayLike<number>, row: number): void {
    const n0 = this.sizes[0];
    const a0 = this.a[0];
    const off = row * n0;
    for (let i = 0; i < n0; i++) a0[i] = x[off + i];
    for (let l = 1; l <= this.L; l++) {
      affineInto(this.a[l - 1], this.W[l], this.b ? this.b[l] : null, this.sizes[l], this.z[l]);
      activateInto(this.acts[l - 1], this.z[l], this.a[l]);
    }
  }

  /** Loads row `row` of the targets and returns the row's loss (after forward). */
  rowLoss(y: ArrayLike<number>, row: number): number {
    const n = this.y.length;
    const off = row * n;
    for (let j = 0; j < n; j++) this.y[j] = y[off + j];
    return rowLoss(this.loss, this.y, this.a[this.L], this.z[this.L]);
  }

  /**
   * Backward pass of the row loaded by forward and rowLoss. `set` writes the row's gradients
   * (per-sample SGD: outerInto, as the notebook); `accumulate` adds them to gW and gb (batches).
   */
  backward(mode: 'set' | 'accumulate'): void {
    const { L } = this;
    if (LOSS_SPECS[this.loss].fused) {
      outputDeltaInto(this.loss, this.y, this.a[L], this.dZ[L]);
    } else {
      outputDeltaInto(this.loss, this.y, this.a[L], this.dA[L]);
      activationSlopeInto(this.acts[L - 1], this.z[L], this.a[L], this.slope[L]);
      hadamardInto(this.dA[L], this.slope[L], this.dZ[L]);
    }
    for (let l = L; l >= 1; l--) {
      if (l < L) {
        activationSlopeInto(this.acts[l - 1], this.z[l], this.a[l], this.slope[l]);
        hadamardInto(this.dA[l], this.slope[l], this.dZ[l]);
      }
      if (mode === 'set') {
        outerInto(this.a[l - 1], this.dZ[l], this.gW[l]);
        if (this.b) this.gb[l].set(this.dZ[l]);
      } else {
        accumulateOuterInto(this.a[l - 1], this.dZ[l], this.gW[l]);
        if (this.b) accumulateInto(this.dZ[l], this.gb[l]);
      }
      if (l > 1) backpropInto(this.dZ[l], this.W[l], this.sizes[l - 1], this.dA[l - 1]);
    }
  }

  zeroGradients(): void {
    for (let l = 1; l <= this.L; l++) {
      this.gW[l].fill(0);
      this.gb[l].fill(0);
    }
  }

  /** Divides accumulated gradients by the batch's row count. */
  meanGradients(k: number): void {
    for (let l = 1; l <= this.L; l++) {
      divideInPlace(this.gW[l], k);
      if (this.b) divideInPlace(this.gb[l], k);
    }
  }

  /** P ← P − η·dL/dP for every parameter. */
  update(eta: number): void {
    for (let l = 1; l <= this.L; l++) {
      sgdInto(this.W[l], this.gW[l], eta);
      if (this.b) sgdInto(this.b[l], this.gb[l], eta);
    }
  }

  params(): { weights: number[][]; biases: number[][] | null } {
    return {
      weights: this.W.slice(1).map((w) => Array.from(w)),
      biases: this.b ? this.b.slice(1).map((b) => Array.from(b)) : null,
    };
  }
}
