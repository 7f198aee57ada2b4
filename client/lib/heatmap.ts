/**
 * Pure helpers for the pictures of a network over its input plane: the decision boundary and the
 * maps of each hidden neuron. No DOM here (only arrays of pixels), so the unit tests run them.
 */
import type { Dataset } from '../../shared/datasets/types.js';
import type { Activation, MlpConfig } from '../../shared/engine/mlp/config.js';
import type { MlpParams } from '../../shared/engine/mlp/init.js';
import { mlpLayout } from '../../shared/engine/mlp/layout.js';
import { gridPoints, predict } from '../../shared/engine/mlp/predict.js';
import type { Tensor } from '../../shared/engine/tensor.js';
import { ACTIVATION_SPECS } from '../../shared/engine/mlp/activations.js';
import { diverging } from './colors.js';

/** The rectangle of the input plane a picture covers. */
export interface PlotDomain {
  readonly x: readonly [number, number];
  readonly y: readonly [number, number];
}

/** Grid points per side: cheap enough to redraw at every progress report (~7 a second). */
export const BOUNDARY_RESOLUTION = 56;

/**
 * Where to draw a dataset: a generated 2-D set names its square; any other two-feature table
 * (an XOR truth table, a 2-column upload) gets its points' extent with a margin, so the boundary
 * is seen around the data and not only between it. null for data with more or fewer features.
 */
export function plotDomain(dataset: Dataset): PlotDomain | null {
  if (dataset.domain) return dataset.domain;
  // Memoised per dataset: the grid cache is keyed by the domain object.
  if (derivedDomains.has(dataset)) return derivedDomains.get(dataset)!;
  const domain = extentDomain(dataset);
  derivedDomains.set(dataset, domain);
  return domain;
}

const derivedDomains = new WeakMap<Dataset, PlotDomain | null>();

function extentDomain(dataset: Dataset): PlotDomain | null {
  if (dataset.featureNames.length !== 2) return null;
  const rows = [...dataset.train, ...dataset.test];
  if (rows.length === 0) return null;
  return { x: paddedExtent(rows.map((r) => r.x[0])), y: paddedExtent(rows.map((r) => r.x[1])) };
}

function paddedExtent(values: readonly number[]): [number, number] {
  const min = Math.min(...values);
  const max = Math.max(...values);
  // A quarter of the span on each side (half a unit for a column of one value).
  const margin = max > min ? (max - min) / 4 : 0.5;
  return [min - margin, max + margin];
}

/** The network's parameters as the engine reads them, from a snapshot's tensors; null while one is missing. */
export function paramsFromTensors(config: MlpConfig, tensors: Readonly<Record<string, Tensor>>): MlpParams | null {
  const layers = mlpLayout(config).layers;
  const weights: (readonly number[])[] = [];
  const biases: (readonly number[])[] = [];
  for (const names of layers) {
    const w = tensors[names.W];
    if (!w) return null;
    weights.push(w.data);
    if (names.b) {
      const b = tensors[names.b];
      if (!b) return null;
      biases.push(b.data);
    }
  }
  return { weights, biases: config.biases ? biases : null };
}

/** The network evaluated on a resolution × resolution grid over a domain. */
export interface HeatGrid {
  readonly domain: PlotDomain;
  readonly resolution: number;
  /** The first output at each grid point; point (i, j) is row i from the bottom (y min), column j. */
  readonly outputs: Float64Array;
  /** Per hidden layer, resolution² × units activations (unit u of point k at k·units + u). */
  readonly hidden: readonly Float64Array[];
  /** Units per hidden layer. */
  readonly units: readonly number[];
}

export function computeHeatGrid(config: MlpConfig, params: MlpParams, domain: PlotDomain, resolution = BOUNDARY_RESOLUTION): HeatGrid {
  const grid = gridPoints(domain.x[0], domain.x[1], domain.y[0], domain.y[1], resolution);
  const prediction = predict(config, params, grid, { hidden: true });
  const nOut = config.output.units;
  const outputs = nOut === 1 ? prediction.outputs : prediction.outputs.filter((_, k) => k % nOut === 0);
  return { domain, resolution, outputs, hidden: prediction.hidden ?? [], units: config.hidden.map((h) => h.units) };
}

/**
 * One grid shared by the decision boundary and the neuron maps: both ask for the same parameters
 * in the same frame, and the second gets the first's work. Keyed by the tensor objects, which a
 * snapshot replaces whenever their values change.
 */
export class HeatGridCache {
  private key: readonly unknown[] = [];
  private grid: HeatGrid | null = null;

  get(config: MlpConfig, tensors: Readonly<Record<string, Tensor>>, domain: PlotDomain, resolution = BOUNDARY_RESOLUTION): HeatGrid | null {
    const layout = mlpLayout(config);
    const key = [config, domain, resolution, ...layout.parameters.map((name) => tensors[name])];
    if (this.grid && sameKey(key, this.key)) return this.grid;
    const params = paramsFromTensors(config, tensors);
    if (!params) return null;
    this.grid = computeHeatGrid(config, params, domain, resolution);
    this.key = key;
    return this.grid;
  }
}

function sameKey(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

export const sharedHeatGrids = new HeatGridCache();

/** The grid value nearest to a point of the plane (clamped to the domain). */
export function valueAt(grid: HeatGrid, values: ArrayLike<number>, x: number, y: number, stride = 1, offset = 0): number {
  const { domain, resolution: n } = grid;
  const j = nearestIndex(x, domain.x, n);
  const i = nearestIndex(y, domain.y, n);
  return values[(i * n + j) * stride + offset];
}

function nearestIndex(v: number, [min, max]: readonly [number, number], n: number): number {
  const t = max > min ? (v - min) / (max - min) : 0;
  return Math.min(n - 1, Math.max(0, Math.round(t * (n - 1))));
}

/** The class the output says: 1 at or above one half, as the engine's accuracy counts it. */
export function classOf(output: number): 0 | 1 {
  return output >= 0.5 ? 1 : 0;
}

/** Predicted classes at the centre and at the corners (bottom-left, bottom-right, top-left, top-right). */
export function landmarkClasses(grid: HeatGrid): { centre: 0 | 1; corners: string } {
  const { x, y } = grid.domain;
  const at = (px: number, py: number) => classOf(valueAt(grid, grid.outputs, px, py));
  const corners = [at(x[0], y[0]), at(x[1], y[0]), at(x[0], y[1]), at(x[1], y[1])].join('');
  return { centre: at((x[0] + x[1]) / 2, (y[0] + y[1]) / 2), corners };
}

/**
 * How values map onto the diverging scale: `centre` is white, centre ± `half` full colour.
 * `text` says it in words for the legend.
 */
export interface ValueScale {
  readonly centre: number;
  readonly half: number;
  readonly text: string;
}

/** The output: 0 blue, 1 orange, 0.5 (the boundary) white; a linear output is clamped the same way. */
export const OUTPUT_SCALE: ValueScale = { centre: 0.5, half: 0.5, text: 'ŷ: 0 blue · 0.5 white · 1 orange' };

/**
 * A hidden activation's scale, as its entry in the activations table says. Bounded functions use
 * their whole range (sigmoid 0–1, white at ½; tanh −1–1, white at 0); relu and linear are
 * unbounded, so they use the largest magnitude in the layer (one scale per layer, so its neurons
 * compare).
 */
export function activationScale(activation: Activation, layerValues: ArrayLike<number>): ValueScale {
  const scale = ACTIVATION_SPECS[activation].heatmap;
  if (scale.kind === 'range') return { centre: scale.centre, half: scale.half, text: scale.legend };
  const max = largestMagnitude(layerValues);
  return { centre: 0, half: max, text: scale.legend(formatScale(max)) };
}

function largestMagnitude(values: ArrayLike<number>): number {
  let m = 0;
  for (let k = 0; k < values.length; k++) if (Number.isFinite(values[k])) m = Math.max(m, Math.abs(values[k]));
  return m > 0 ? m : 1;
}

function formatScale(v: number): string {
  return v >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(1) : v.toPrecision(2);
}

/** Where a value sits on a scale, from −1 (full blue) to 1 (full orange). */
export function scaled(value: number, scale: ValueScale): number {
  if (!Number.isFinite(value)) return 0;
  return Math.max(-1, Math.min(1, (value - scale.centre) / scale.half));
}

type Rgb = readonly [number, number, number];
// Odd, so that the centre (white) has an entry of its own.
const LUT_STEPS = 257;
const luts = new Map<number, Rgb[]>();

/**
 * The colour of a position on the diverging scale, from a lookup table built once per strength
 * out of colors.ts's own function, so the pictures and the tensor cells share one palette.
 */
export function scaleRgb(t: number, strength = 1): Rgb {
  let lut = luts.get(strength);
  if (!lut) {
    lut = Array.from({ length: LUT_STEPS }, (_, k) => parseRgb(diverging((k / (LUT_STEPS - 1)) * 2 - 1, 1, strength)));
    luts.set(strength, lut);
  }
  const k = Math.round(((Math.max(-1, Math.min(1, t)) + 1) / 2) * (LUT_STEPS - 1));
  return lut[k];
}

function parseRgb(css: string): Rgb {
  const m = /rgb\((\d+),\s*(\d+),\s*(\d+)\)/.exec(css);
  if (!m) throw new Error(`not an rgb() colour: ${css}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/** A CSS colour for a position on the scale (dots, legends). */
export function scaleCss(t: number, strength = 1): string {
  const [r, g, b] = scaleRgb(t, strength);
  return `rgb(${r}, ${g}, ${b})`;
}

/**
 * RGBA pixels (resolution × resolution, top row first) of one value per grid point: values[k·stride
 * + offset] for point k. Grid rows go up from y min, image rows go down, so rows are flipped.
 */
export function paintPixels(
  grid: Pick<HeatGrid, 'resolution'>,
  values: ArrayLike<number>,
  scale: ValueScale,
  options: { stride?: number; offset?: number; strength?: number; out?: Uint8ClampedArray } = {},
): Uint8ClampedArray {
  const { stride = 1, offset = 0, strength = 1 } = options;
  const n = grid.resolution;
  const out = options.out ?? new Uint8ClampedArray(n * n * 4);
  for (let i = 0; i < n; i++) {
    const imageRow = n - 1 - i;
    for (let j = 0; j < n; j++) {
      const [r, g, b] = scaleRgb(scaled(values[(i * n + j) * stride + offset], scale), strength);
      const p = (imageRow * n + j) * 4;
      out[p] = r;
      out[p + 1] = g;
      out[p + 2] = b;
      out[p + 3] = 255;
    }
  }
  return out;
}

/** A point of the plane in a size × size picture's pixels (y up in the plane, down on screen). */
export function toPixel(domain: PlotDomain, size: number, x: number, y: number): [number, number] {
  const px = ((x - domain.x[0]) / (domain.x[1] - domain.x[0])) * size;
  const py = (1 - (y - domain.y[0]) / (domain.y[1] - domain.y[0])) * size;
  return [px, py];
}

/** Right answers among rows, by the network's output at each row; null when the targets are not all 0 or 1. */
export interface Accuracy {
  readonly correct: number;
  readonly count: number;
}

export function accuracyOn(config: MlpConfig, params: MlpParams, rows: Dataset['train']): Accuracy | null {
  if (rows.length === 0) return null;
  if (!rows.every((r) => r.y === 0 || r.y === 1)) return null;
  const { outputs } = predict(config, params, rows.map((r) => r.x));
  const nOut = config.output.units;
  let correct = 0;
  rows.forEach((r, k) => {
    if (classOf(outputs[k * nOut]) === r.y) correct++;
  });
  return { correct, count: rows.length };
}

/** "97 %": whole percent, as a room reads it. */
export function percent(a: Accuracy): string {
  return `${Math.round((100 * a.correct) / a.count)} %`;
}

/** The sentence under the boundary: "Train accuracy 97 % (100 points) · test accuracy 95 % (100 points)". */
export function accuracySummary(train: Accuracy | null, test: Accuracy | null): string {
  if (!train) return 'The targets are not all 0 or 1, so no accuracy: the colours show the output.';
  const points = (a: Accuracy) => `${a.count} point${a.count === 1 ? '' : 's'}`;
  const parts = [`Train accuracy ${percent(train)} (${points(train)})`];
  if (test) parts.push(`test accuracy ${percent(test)} (${points(test)})`);
  return parts.join(' · ');
}
