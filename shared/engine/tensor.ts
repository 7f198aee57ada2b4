/** A dense tensor in row-major order: the wire and snapshot format of every value. */
export interface Tensor {
  readonly shape: readonly number[];
  readonly data: readonly number[];
}

/**
 * The value a record holds under `key` as its own property, or undefined. Every lookup by a name
 * that came from outside (a student's flag, an instructor's command) goes through this, so that
 * `constructor` or `__proto__` finds nothing rather than Object.prototype's members.
 */
export function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

export function tensor(shape: readonly number[], data: readonly number[]): Tensor {
  return { shape: [...shape], data: [...data] };
}

/** An index into a shape, or a message saying why it is not one (a name for the message: the tensor's). */
export function indexProblem(tensor: string, shape: readonly number[], index: readonly number[]): string | null {
  if (index.length !== shape.length) {
    return `index for ${tensor} needs ${shape.length} number${shape.length > 1 ? 's' : ''} (its shape is [${shape.join(', ')}])`;
  }
  const bad = index.findIndex((i, axis) => i >= shape[axis]);
  return bad >= 0 ? `index [${index.join(', ')}] is outside ${tensor}, whose shape is [${shape.join(', ')}]` : null;
}

/** Row-major flat position of an index in a shape. */
export function flatIndex(shape: readonly number[], index: readonly number[]): number {
  return index.length === 2 ? index[0] * shape[1] + index[1] : index[0];
}

export function sameData(a: Tensor | undefined, b: Tensor | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.data.length !== b.data.length || a.shape.length !== b.shape.length) return false;
  for (let i = 0; i < a.shape.length; i++) if (a.shape[i] !== b.shape[i]) return false;
  // Object.is so that a tensor changing from 0 to -0 (or NaN to NaN) is compared exactly.
  for (let i = 0; i < a.data.length; i++) if (!Object.is(a.data[i], b.data[i])) return false;
  return true;
}
