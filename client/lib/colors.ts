/**
 * One diverging scale for every signed value (weights, gradients, heat cells): blue for
 * negative, orange for positive, white at zero. Blue/orange stays distinguishable under the
 * common colour-vision deficiencies; the numbers are always printed beside it anyway.
 */
const NEGATIVE: readonly [number, number, number] = [33, 102, 172]; // #2166ac
const POSITIVE: readonly [number, number, number] = [230, 97, 1]; // #e66101
const WHITE: readonly [number, number, number] = [255, 255, 255];

/** The whole scale, −max to +max, for a legend swatch. */
export const SCALE_GRADIENT = 'linear-gradient(to right, rgb(33, 102, 172), rgb(255, 255, 255), rgb(230, 97, 1))';

function mix(a: readonly number[], b: readonly number[], t: number): string {
  const c = a.map((v, i) => Math.round(v + (b[i] - v) * t));
  return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
}

/**
 * Colour of `value` on a scale saturating at ±`max`. `strength` caps the saturation so that
 * dark text stays readable on cell backgrounds.
 */
export function diverging(value: number, max: number, strength = 1): string {
  if (!Number.isFinite(value) || max <= 0) return mix(WHITE, WHITE, 0);
  const t = Math.min(1, Math.abs(value) / max) * strength;
  return mix(WHITE, value < 0 ? NEGATIVE : POSITIVE, t);
}

export function maxAbs(values: readonly number[]): number {
  let m = 0;
  for (const v of values) if (Number.isFinite(v)) m = Math.max(m, Math.abs(v));
  return m;
}
