import { ACTIVATION_SPECS } from './activations.js';
import type { Activation, Loss } from './config.js';
import { LOSS_SPECS } from './losses.js';

/**
 * The arithmetic of one row of a pass through any MLP, the notebook's network included (each
 * activation's and loss's own kernels are in their tables, activations.ts and losses.ts). The stage
 * machine (network.ts), the trainer (train.ts), the predictor and the gradient check all call
 * these, in the same order, so stepping, training and predicting agree to the bit. Where the
 * notebook network is concerned the operations are those of the notebook-only engine this one
 * replaced, in its order, so its numbers are unchanged to the bit (test/unit/mlp-notebook.test.ts
 * checks them against that engine's golden master, test/fixtures/notebook-engine-golden.json).
 * Matrices are flat, row-major: W[i][j] is W[i * cols + j].
 */

type Out = number[] | Float64Array;

/** out[j] = Σ_i a[i]·m[i][j]: a row vector times a matrix (the notebook's B = A·W, C = B_act·V). */
export function vecMat(a: ArrayLike<number>, m: ArrayLike<number>, cols: number, out: Out): void {
  const rows = a.length;
  for (let j = 0; j < cols; j++) {
    let sum = 0;
    for (let i = 0; i < rows; i++) sum += a[i] * m[i * cols + j];
    out[j] = sum;
  }
}

/** out = a·W (+ b): vecMat, then the bias added to each sum. */
export function affineInto(a: ArrayLike<number>, W: ArrayLike<number>, b: ArrayLike<number> | null, cols: number, out: Out): void {
  vecMat(a, W, cols, out);
  if (b) for (let j = 0; j < cols; j++) out[j] = out[j] + b[j];
}

/** A = f(Z) elementwise: the activation's own kernel (activations.ts). */
export function activateInto(fn: Activation, z: ArrayLike<number>, out: Out): void {
  ACTIVATION_SPECS[fn].activate(z, out);
}

/** dA/dZ elementwise, from Z or A as the activation's entry says (activations.ts). */
export function activationSlopeInto(fn: Activation, z: ArrayLike<number>, a: ArrayLike<number>, out: Out): void {
  ACTIVATION_SPECS[fn].slope(z, a, out);
}

/** The loss of one row, summed over the output units; yHat and z are the output layer's A and Z (losses.ts). */
export function rowLoss(loss: Loss, y: ArrayLike<number>, yHat: ArrayLike<number>, z: ArrayLike<number>): number {
  return LOSS_SPECS[loss].rowLoss(y, yHat, z);
}

/** The output delta ŷ − y: dL/dŷ, or dL/dZ for a loss fused with the output's sigmoid (losses.ts). */
export function outputDeltaInto(loss: Loss, y: ArrayLike<number>, yHat: ArrayLike<number>, out: Out): void {
  LOSS_SPECS[loss].delta(y, yHat, out);
}

export function hadamardInto(a: ArrayLike<number>, b: ArrayLike<number>, out: Out): void {
  for (let i = 0; i < a.length; i++) out[i] = a[i] * b[i];
}

/** out[i][j] = a[i]·b[j]: dL/dW = Aᵀ·dL/dZ for one row. */
export function outerInto(a: ArrayLike<number>, b: ArrayLike<number>, out: Out): void {
  const cols = b.length;
  for (let i = 0; i < a.length; i++) for (let j = 0; j < cols; j++) out[i * cols + j] = a[i] * b[j];
}

/** m ← m − η·g, in place. */
export function sgdInto(m: Out, g: ArrayLike<number>, eta: number): void {
  for (let i = 0; i < m.length; i++) m[i] = m[i] - eta * g[i];
}

/**
 * out[i] = Σ_j δ[j]·W[i][j], i.e. δ·Wᵀ. The sum starts from the first term, not from 0, so with one
 * output unit it is exactly δ·V[i], the notebook's dL_dB_act.
 */
export function backpropInto(delta: ArrayLike<number>, W: ArrayLike<number>, rows: number, out: Out): void {
  const cols = delta.length;
  for (let i = 0; i < rows; i++) {
    const base = i * cols;
    let sum = delta[0] * W[base];
    for (let j = 1; j < cols; j++) sum += delta[j] * W[base + j];
    out[i] = sum;
  }
}

/** acc[i][j] += a[i]·b[j]: a batch's weight gradient is summed row by row, from 0, then divided. */
export function accumulateOuterInto(a: ArrayLike<number>, b: ArrayLike<number>, acc: Out): void {
  const cols = b.length;
  for (let i = 0; i < a.length; i++) {
    const ai = a[i];
    const base = i * cols;
    for (let j = 0; j < cols; j++) acc[base + j] += ai * b[j];
  }
}

export function accumulateInto(v: ArrayLike<number>, acc: Out): void {
  for (let i = 0; i < v.length; i++) acc[i] += v[i];
}

export function divideInPlace(acc: Out, k: number): void {
  for (let i = 0; i < acc.length; i++) acc[i] = acc[i] / k;
}
