/**
 * The notebook network's arithmetic, the base of the general engine's kernels (mlp/kernels.ts).
 * Stepping, training and predicting all call these, in the same order, so a trained network is
 * bit for bit the network you get by stepping, and the notebook's network computes exactly what
 * it computed before the general engine (test/fixtures/notebook-engine-golden.json).
 * Matrices are flat, row-major: W[i][j] is W[i * cols + j].
 */

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** out[j] = Σ_i a[i]·m[i][j] — a row vector times a matrix (B = A·W, C = B_act·V). */
export function vecMat(a: ArrayLike<number>, m: ArrayLike<number>, cols: number, out: number[] | Float64Array): void {
  const rows = a.length;
  for (let j = 0; j < cols; j++) {
    let sum = 0;
    for (let i = 0; i < rows; i++) sum += a[i] * m[i * cols + j];
    out[j] = sum;
  }
}

/** σ'(z) written through the activation: s(1 − s). */
export function sigmoidSlopeInto(s: ArrayLike<number>, out: number[] | Float64Array): void {
  for (let i = 0; i < s.length; i++) out[i] = s[i] * (1 - s[i]);
}

export function hadamardInto(a: ArrayLike<number>, b: ArrayLike<number>, out: number[] | Float64Array): void {
  for (let i = 0; i < a.length; i++) out[i] = a[i] * b[i];
}

/** out[i][j] = a[i]·b[j] — dL/dW = Aᵀ·dL/dB. */
export function outerInto(a: ArrayLike<number>, b: ArrayLike<number>, out: number[] | Float64Array): void {
  const cols = b.length;
  for (let i = 0; i < a.length; i++) for (let j = 0; j < cols; j++) out[i * cols + j] = a[i] * b[j];
}

/** m ← m − η·g, in place. */
export function sgdInto(m: number[] | Float64Array, g: ArrayLike<number>, eta: number): void {
  for (let i = 0; i < m.length; i++) m[i] = m[i] - eta * g[i];
}
