/** A dense tensor in row-major order: the wire and snapshot format of every value. */
export interface Tensor {
  readonly shape: readonly number[];
  readonly data: readonly number[];
}

export function tensor(shape: readonly number[], data: readonly number[]): Tensor {
  return { shape: [...shape], data: [...data] };
}

export function sameData(a: Tensor | undefined, b: Tensor | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.data.length !== b.data.length || a.shape.length !== b.shape.length) return false;
  for (let i = 0; i < a.shape.length; i++) if (a.shape[i] !== b.shape[i]) return false;
  // Object.is so that a tensor changing from 0 to -0 (or NaN to NaN) is compared exactly.
  for (let i = 0; i < a.data.length; i++) if (!Object.is(a.data[i], b.data[i])) return false;
  return true;
}
