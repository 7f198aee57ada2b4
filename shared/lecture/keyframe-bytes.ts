/**
 * The bytes of a keyframe (keyframe.ts): little-endian numbers, float64 runs aligned to 8 so they
 * copy in bulk, UTF-8 texts with their length, and a checksum of the words. Reading checks every
 * bound and range, so bytes cut short are a KeyframeError rather than an exception of another kind;
 * the checksum (which openKeyframe checks first) tells bytes that were altered.
 */

/** A keyframe that cannot be read back (another layout, cut short, altered, or not a state): ignore it. */
export class KeyframeError extends Error {
  constructor(message: string) {
    super(`unreadable keyframe: ${message}`);
    this.name = 'KeyframeError';
  }
}

/** The reference no entry has: an absent one (an empty loss log's buffer). */
export const NONE = 0xffff_ffff;
/** Typed arrays in this machine's order are the file's order (little-endian): bulk copies, else number by number. */
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: true });

/** Bytes written little-endian into a buffer that grows by doubling. */
export class Writer {
  private bytes = new Uint8Array(1024);
  private view = new DataView(this.bytes.buffer);
  length = 0;

  private room(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < this.length + n) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
    this.view = new DataView(grown.buffer);
  }

  u8(x: number): void {
    this.room(1);
    this.view.setUint8(this.length, x);
    this.length += 1;
  }

  u32(x: number): void {
    if (!Number.isInteger(x) || x < 0 || x > 0xffff_ffff) throw new Error(`${x} is not a 32-bit count`);
    this.room(4);
    this.view.setUint32(this.length, x, true);
    this.length += 4;
  }

  f64(x: number): void {
    this.room(8);
    this.view.setFloat64(this.length, x, true);
    this.length += 8;
  }

  /** A count, then padding to a multiple of 8, then the numbers (aligned, so they copy in bulk). */
  f64s(xs: ArrayLike<number>): void {
    this.u32(xs.length);
    while (this.length % 8 !== 0) this.u8(0);
    this.room(xs.length * 8);
    if (LITTLE_ENDIAN) new Float64Array(this.bytes.buffer, this.length, xs.length).set(xs);
    else for (let i = 0; i < xs.length; i++) this.view.setFloat64(this.length + i * 8, xs[i], true);
    this.length += xs.length * 8;
  }

  text(s: string): void {
    const utf8 = textEncoder.encode(s);
    this.u32(utf8.length);
    this.room(utf8.length);
    this.bytes.set(utf8, this.length);
    this.length += utf8.length;
  }

  /** The bytes written, padded to whole 32-bit words (the checksum reads words). */
  finish(): Uint8Array {
    while (this.length % 4 !== 0) this.u8(0);
    return this.bytes.slice(0, this.length);
  }
}

/** Reads what Writer wrote; anything out of bounds or out of range is a KeyframeError. */
export class Reader {
  private readonly view: DataView;
  private at: number;

  constructor(private readonly bytes: Uint8Array, start: number) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.at = start;
  }

  private need(n: number): number {
    if (this.at + n > this.bytes.length) throw new KeyframeError('it ends too early');
    const at = this.at;
    this.at += n;
    return at;
  }

  u8(): number {
    return this.view.getUint8(this.need(1));
  }

  u32(): number {
    return this.view.getUint32(this.need(4), true);
  }

  /** An index into a table of `size` entries (or NONE when `optional`). */
  ref(size: number, what: string, optional = false): number {
    const i = this.u32();
    if (optional && i === NONE) return NONE;
    if (i >= size) throw new KeyframeError(`${what} ${i} is not among the ${size} written`);
    return i;
  }

  f64(): number {
    return this.view.getFloat64(this.need(8), true);
  }

  f64s(): number[] {
    return Array.from(this.f64Array());
  }

  /** What Writer.f64s wrote: the count, the padding (zeros) to a multiple of 8, the numbers. */
  f64Array(): Float64Array {
    const n = this.u32();
    while (this.at % 8 !== 0) if (this.u8() !== 0) throw new KeyframeError('a padding byte is not zero');
    const at = this.need(n * 8);
    if (LITTLE_ENDIAN) return new Float64Array(this.bytes.buffer, this.bytes.byteOffset + at, n).slice();
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = this.view.getFloat64(at + i * 8, true);
    return out;
  }

  text(): string {
    const n = this.u32();
    const at = this.need(n);
    try {
      return textDecoder.decode(this.bytes.subarray(at, at + n));
    } catch {
      throw new KeyframeError('a text is not UTF-8');
    }
  }

  /** One of `allowed`, or a KeyframeError. */
  oneOf<T extends string>(allowed: readonly T[], what: string): T {
    const s = this.text();
    const found = allowed.find((a) => a === s);
    if (found === undefined) throw new KeyframeError(`${what} "${s.slice(0, 40)}" is not one of ${allowed.join(', ')}`);
    return found;
  }

  /** JSON checked by a zod schema; the parsed value itself is kept (its keys in the order they were written). */
  checked<T>(schema: { safeParse(value: unknown): { success: boolean } }, what: string): T {
    let value: unknown;
    try {
      value = JSON.parse(this.text());
    } catch {
      throw new KeyframeError(`${what} is not JSON`);
    }
    if (!schema.safeParse(value).success) throw new KeyframeError(`${what} does not match its schema`);
    return value as T;
  }

  /** Only the padding to a whole word may follow the state. */
  end(): void {
    const left = this.bytes.subarray(this.at);
    if (left.length >= 4 || left.some((b) => b !== 0)) throw new KeyframeError('bytes are left over after the state');
  }
}

/** A 32-bit checksum of whole words (of bytes aligned to 8): enough to tell a keyframe that was cut or altered. */
export function checksum(bytes: Uint8Array, start: number): number {
  const words = (bytes.length - start) >> 2;
  let h = 0x811c9dc5;
  if (LITTLE_ENDIAN) {
    const w = new Uint32Array(bytes.buffer, bytes.byteOffset + start, words);
    for (let i = 0; i < words; i++) h = Math.imul(h ^ w[i], 0x01000193);
  } else {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < words; i++) h = Math.imul(h ^ view.getUint32(start + i * 4, true), 0x01000193);
  }
  return Math.imul(h ^ (bytes.length - start), 0x01000193) >>> 0;
}

