/**
 * An append-only series of numbers (a loss per epoch) that immutable states share. A state that
 * appends to the newest series writes into the same buffer (amortised O(1) per number), so every
 * earlier state and every undo step keeps a view of the prefix it had at no cost: the memory of a
 * lecture's history is the number of epochs it ever ran, not that times the states that hold it.
 * Only appending to an older state (after an undo) copies its prefix into a buffer of its own.
 *
 * Equality: it iterates its numbers, so test matchers compare two logs number by number.
 */
interface Buffer {
  data: Float64Array;
  /** How far the newest log on this buffer reaches. */
  used: number;
}

export class LossLog implements Iterable<number> {
  static readonly EMPTY = new LossLog({ data: new Float64Array(0), used: 0 }, 0);

  readonly #buffer: Buffer;
  readonly length: number;

  private constructor(buffer: Buffer, length: number) {
    this.#buffer = buffer;
    this.length = length;
  }

  static of(values: ArrayLike<number>): LossLog {
    return LossLog.EMPTY.append(values);
  }

  /** This series followed by `values` (this same log when there are none). */
  append(values: ArrayLike<number>): LossLog {
    const n = values.length;
    if (n === 0) return this;
    const end = this.length + n;
    let buffer = this.#buffer;
    if (buffer.used !== this.length) {
      // Another state already appended past this one: this branch gets its own copy of its prefix.
      const data = new Float64Array(capacityFor(end));
      data.set(buffer.data.subarray(0, this.length));
      buffer = { data, used: this.length };
    } else if (buffer.data.length < end) {
      const data = new Float64Array(capacityFor(end));
      data.set(buffer.data.subarray(0, this.length));
      // The old views see the new array through the shared buffer object.
      buffer.data = data;
    }
    buffer.data.set(values, this.length);
    buffer.used = end;
    return new LossLog(buffer, end);
  }

  /** The value at `index` (negative: from the end, like Array.prototype.at), or undefined. */
  at(index: number): number | undefined {
    const i = index < 0 ? this.length + index : index;
    return Number.isInteger(i) && i >= 0 && i < this.length ? this.#buffer.data[i] : undefined;
  }

  /** The numbers as a read-only view; valid until the next append to the newest log of this buffer. */
  view(): Float64Array {
    return this.#buffer.data.subarray(0, this.length);
  }

  slice(start = 0, end = this.length): number[] {
    return Array.from(this.#buffer.data.subarray(Math.max(0, start), Math.min(this.length, end)));
  }

  toArray(): number[] {
    return this.slice();
  }

  toJSON(): number[] {
    return this.toArray();
  }

  *[Symbol.iterator](): IterableIterator<number> {
    for (let i = 0; i < this.length; i++) yield this.#buffer.data[i];
  }
}

function capacityFor(length: number): number {
  return Math.max(16, 2 ** Math.ceil(Math.log2(length)));
}
