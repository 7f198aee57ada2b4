import type { Activation, Loss } from './config.js';

/**
 * The arithmetic of one row of a pass through any MLP, the notebook's network included. The stage
 * machine (network.ts), the trainer (train.ts), the predictor and the gradient check all call
 * these, in the same order, so stepping, training and predicting agree to the bit. Where the
 * notebook network is concerned the operations are those of the notebook-only engine this one
 * replaced, in its order, so its numbers are unchanged to the bit (test/unit/mlp-notebook.test.ts
 * checks them against that engine's golden master, test/fixtures/notebook-engine-golden.json).
 * Matrices are flat, row-major: W[i][j] is W[i * cols + j].
 */

type Out = number[] | Float64Array;

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

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

export function relu(x: number): number {
  return x > 0 ? x : 0;
}

export function activateInto(fn: Activation, z: ArrayLike<number>, out: Out): void {
  const n = z.length;
  switch (fn) {
    case 'sigmoid':
      for (let i = 0; i < n; i++) out[i] = sigmoid(z[i]);
      return;
    case 'tanh':
      for (let i = 0; i < n; i++) out[i] = Math.tanh(z[i]);
      return;
    case 'relu':
      for (let i = 0; i < n; i++) out[i] = z[i] > 0 ? z[i] : 0;
      return;
    case 'linear':
      for (let i = 0; i < n; i++) out[i] = z[i];
      return;
  }
}

/**
 * dA/dZ elementwise. Sigmoid and tanh through their output (s(1 − s), 1 − a²); ReLU through Z,
 * with slope 0 at Z = 0 exactly (the subgradient PyTorch uses); linear 1.
 */
export function activationSlopeInto(fn: Activation, z: ArrayLike<number>, a: ArrayLike<number>, out: Out): void {
  const n = a.length;
  switch (fn) {
    case 'sigmoid':
      // σ'(z) written through the activation: s(1 − s).
      for (let i = 0; i < n; i++) out[i] = a[i] * (1 - a[i]);
      return;
    case 'tanh':
      for (let i = 0; i < n; i++) out[i] = 1 - a[i] * a[i];
      return;
    case 'relu':
      for (let i = 0; i < n; i++) out[i] = z[i] > 0 ? 1 : 0;
      return;
    case 'linear':
      for (let i = 0; i < n; i++) out[i] = 1;
      return;
  }
}

/**
 * Binary cross-entropy −[y·log σ(z) + (1 − y)·log(1 − σ(z))] from the logit z, in the form that
 * cannot overflow or take log 0: max(z, 0) − y·z + log(1 + e^−|z|).
 */
export function crossEntropyFromLogit(y: number, z: number): number {
  return Math.max(z, 0) - y * z + Math.log1p(Math.exp(-Math.abs(z)));
}

/**
 * The loss of one row, summed over the output units. yHat and z are the output layer's A and Z.
 * ½(y − ŷ)² is the notebook's halfSquaredError for one output.
 */
export function rowLoss(loss: Loss, y: ArrayLike<number>, yHat: ArrayLike<number>, z: ArrayLike<number>): number {
  const n = yHat.length;
  let sum: number;
  if (loss === 'halfSquaredError') {
    let d = y[0] - yHat[0];
    sum = 0.5 * d * d;
    for (let j = 1; j < n; j++) {
      d = y[j] - yHat[j];
      sum += 0.5 * d * d;
    }
  } else {
    sum = crossEntropyFromLogit(y[0], z[0]);
    for (let j = 1; j < n; j++) sum += crossEntropyFromLogit(y[j], z[j]);
  }
  return sum;
}

/**
 * ŷ − y. For ½(y − ŷ)² this is dL/dŷ (the notebook's dL_dC_act); for cross-entropy after a sigmoid
 * it is dL/dZ, the sigmoid's slope ŷ(1 − ŷ) having cancelled against the loss's 1/(ŷ(1 − ŷ)).
 */
export function lossGradInto(y: ArrayLike<number>, yHat: ArrayLike<number>, out: Out): void {
  for (let j = 0; j < yHat.length; j++) out[j] = yHat[j] - y[j];
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
