import { describe, expect, it } from 'vitest';
import { makeDataset, type DatasetSpec } from '../../shared/datasets/spec.js';
import { mlpConfig, NOTEBOOK_MLP_CONFIG, type MlpConfig } from '../../shared/engine/mlp/config.js';
import { NOTEBOOK_WEIGHTS } from '../../shared/engine/mlp/init.js';
import { trainMlp } from '../../shared/engine/mlp/train.js';
import type { Tensor } from '../../shared/engine/tensor.js';
import { buildNetwork } from '../../shared/lecture/setup.js';
import {
  accuracyOn,
  accuracySummary,
  activationScale,
  classOf,
  computeHeatGrid,
  HeatGridCache,
  landmarkClasses,
  OUTPUT_SCALE,
  paintPixels,
  paramsFromTensors,
  plotDomain,
  scaled,
  scaleRgb,
  toPixel,
  valueAt,
} from '../../client/lib/heatmap.js';

const t = (shape: number[], data: number[]): Tensor => ({ shape, data });

/** A 2-1-1 network of linear units whose output is x1 (or x2): the picture's axes can be read off it. */
function coordinateNetwork(axis: 0 | 1): { config: MlpConfig; tensors: Record<string, Tensor> } {
  const config = mlpConfig({ inputs: 2, hidden: [{ units: 1, activation: 'linear' }], output: { activation: 'linear' } });
  return { config, tensors: { W1: t([2, 1], axis === 0 ? [1, 0] : [0, 1]), W2: t([1, 1], [1]) } };
}

const square = { x: [-1, 1], y: [-1, 1] } as const;

describe('plotDomain', () => {
  it('uses a generated set’s own square', () => {
    const d = makeDataset({ kind: 'points', set: 'circle', count: 20, noise: 0, trainFraction: 0.5, seed: 1 });
    expect(plotDomain(d)).toEqual({ x: [-6, 6], y: [-6, 6] });
  });

  it('frames other two-feature data with a margin, and is memoised per dataset', () => {
    const d = makeDataset({ kind: 'truthTable', table: 'xor', inputs: 2 });
    const domain = plotDomain(d);
    expect(domain).toEqual({ x: [-0.25, 1.25], y: [-0.25, 1.25] });
    expect(plotDomain(d)).toBe(domain);
  });

  it('has nothing to draw for the notebook’s three inputs', () => {
    expect(plotDomain(makeDataset({ kind: 'truthTable', table: 'notebook' }))).toBeNull();
    expect(plotDomain(makeDataset({ kind: 'truthTable', table: 'and', inputs: 3 }))).toBeNull();
  });
});

describe('paramsFromTensors', () => {
  it('reads the notebook’s W and V', () => {
    const p = paramsFromTensors(NOTEBOOK_MLP_CONFIG, { W: t([3, 4], [...NOTEBOOK_WEIGHTS.W]), V: t([4, 1], [...NOTEBOOK_WEIGHTS.V]) });
    expect(p?.weights).toEqual([[...NOTEBOOK_WEIGHTS.W], [...NOTEBOOK_WEIGHTS.V]]);
    expect(p?.biases).toBeNull();
  });

  it('reads layer-indexed weights and biases, and is null while one is missing', () => {
    const config = mlpConfig({ inputs: 2, hidden: [{ units: 2, activation: 'tanh' }], biases: true });
    const tensors = { W1: t([2, 2], [1, 2, 3, 4]), b1: t([2], [5, 6]), W2: t([2, 1], [7, 8]), b2: t([1], [9]) };
    expect(paramsFromTensors(config, tensors)).toEqual({ weights: [[1, 2, 3, 4], [7, 8]], biases: [[5, 6], [9]] });
    const { b2: _, ...missing } = tensors;
    expect(paramsFromTensors(config, missing)).toBeNull();
  });
});

describe('the grid and its picture', () => {
  it('lays the grid out with x along columns and y along rows from the bottom', () => {
    const { config, tensors } = coordinateNetwork(0);
    const grid = computeHeatGrid(config, paramsFromTensors(config, tensors)!, square, 5);
    expect(Array.from(grid.outputs.slice(0, 5))).toEqual([-1, -0.5, 0, 0.5, 1]);
    expect(valueAt(grid, grid.outputs, 0.5, -1)).toBe(0.5);
    expect(valueAt(grid, grid.outputs, 7, 0)).toBe(1); // clamped to the domain
    const { config: cy, tensors: ty } = coordinateNetwork(1);
    const gy = computeHeatGrid(cy, paramsFromTensors(cy, ty)!, square, 5);
    expect(valueAt(gy, gy.outputs, 0, 1)).toBe(1);
    expect(valueAt(gy, gy.outputs, 0, -0.5)).toBe(-0.5);
    expect(gy.hidden).toHaveLength(1);
    expect(Array.from(gy.hidden[0].slice(0, 5))).toEqual([-1, -1, -1, -1, -1]);
  });

  it('names the classes at the centre and the corners (bottom-left, bottom-right, top-left, top-right)', () => {
    const { config, tensors } = coordinateNetwork(0);
    const grid = computeHeatGrid(config, paramsFromTensors(config, tensors)!, square, 9);
    expect(landmarkClasses(grid)).toEqual({ centre: 0, corners: '0101' });
    const { config: cy, tensors: ty } = coordinateNetwork(1);
    expect(landmarkClasses(computeHeatGrid(cy, paramsFromTensors(cy, ty)!, square, 9)).corners).toBe('0011');
    expect([classOf(0.5), classOf(0.4999)]).toEqual([1, 0]);
  });

  it('paints the top image row from the top of the plane, on the shared blue/orange scale', () => {
    const { config, tensors } = coordinateNetwork(1);
    const grid = computeHeatGrid(config, paramsFromTensors(config, tensors)!, { x: [0, 1], y: [0, 1] }, 3);
    const pixels = paintPixels(grid, grid.outputs, OUTPUT_SCALE);
    expect(pixels).toHaveLength(3 * 3 * 4);
    const pixel = (row: number, col: number) => Array.from(pixels.slice((row * 3 + col) * 4, (row * 3 + col) * 4 + 4));
    expect(pixel(0, 0)).toEqual([230, 97, 1, 255]); // y = 1: output 1, orange
    expect(pixel(1, 2)).toEqual([255, 255, 255, 255]); // y = 0.5: on the boundary, white
    expect(pixel(2, 1)).toEqual([33, 102, 172, 255]); // y = 0: output 0, blue
  });

  it('strides through a layer’s units to paint one neuron', () => {
    const grid = { resolution: 2 };
    const values = [0, 1, 0, 1, 0, 1, 0, 1]; // 4 points × 2 units: unit 0 all 0, unit 1 all 1
    const tanh = activationScale('tanh', values);
    expect(Array.from(paintPixels(grid, values, tanh, { stride: 2, offset: 0 }).slice(0, 3))).toEqual([255, 255, 255]);
    expect(Array.from(paintPixels(grid, values, tanh, { stride: 2, offset: 1 }).slice(0, 3))).toEqual([230, 97, 1]);
  });
});

describe('scales', () => {
  it('saturate at the ends and stay white at the centre', () => {
    expect(scaleRgb(0)).toEqual([255, 255, 255]);
    expect(scaleRgb(-1)).toEqual([33, 102, 172]);
    expect(scaleRgb(5)).toEqual([230, 97, 1]);
    expect(scaled(Number.NaN, OUTPUT_SCALE)).toBe(0);
    expect(scaled(2, OUTPUT_SCALE)).toBe(1);
  });

  it('use each activation’s range, and the layer’s largest value where there is none', () => {
    expect(activationScale('sigmoid', [0.9])).toMatchObject({ centre: 0.5, half: 0.5 });
    expect(activationScale('tanh', [0.1])).toMatchObject({ centre: 0, half: 1 });
    expect(activationScale('relu', [0, 2, 8])).toMatchObject({ centre: 0, half: 8 });
    expect(activationScale('linear', [3, -12, Number.NaN])).toMatchObject({ centre: 0, half: 12 });
    expect(activationScale('relu', [0, 0]).half).toBe(1); // a dead layer still draws (white)
    expect(activationScale('relu', [0, 8]).text).toContain('8.0');
  });
});

describe('toPixel', () => {
  it('puts y up', () => {
    expect(toPixel(square, 100, -1, 1)).toEqual([0, 0]);
    expect(toPixel(square, 100, 1, -1)).toEqual([100, 100]);
    expect(toPixel(square, 100, 0, 0)).toEqual([50, 50]);
  });
});

describe('accuracy', () => {
  it('counts rows on the right side of one half, and gives none for targets other than 0 and 1', () => {
    const { config, tensors } = coordinateNetwork(0);
    const params = paramsFromTensors(config, tensors)!;
    const rows = [
      { x: [1, 0], y: 1 },
      { x: [0.2, 0], y: 0 },
      { x: [0.7, 0], y: 0 },
    ];
    expect(accuracyOn(config, params, rows)).toEqual({ correct: 2, count: 3 });
    expect(accuracyOn(config, params, [{ x: [1, 0], y: 0.5 }])).toBeNull();
    expect(accuracyOn(config, params, [])).toBeNull();
    expect(accuracySummary({ correct: 97, count: 100 }, { correct: 1, count: 1 })).toBe('Train accuracy 97 % (100 points) · test accuracy 100 % (1 point)');
    expect(accuracySummary(null, null)).toMatch(/not all 0 or 1/);
  });
});

describe('HeatGridCache', () => {
  it('computes once per set of parameter tensors', () => {
    const { config, tensors } = coordinateNetwork(0);
    const cache = new HeatGridCache();
    const a = cache.get(config, tensors, square, 4);
    expect(cache.get(config, { ...tensors }, square, 4)).toBe(a);
    const moved = cache.get(config, { ...tensors, W2: t([1, 1], [2]) }, square, 4);
    expect(moved).not.toBe(a);
    expect(valueAt(moved!, moved!.outputs, 1, 0)).toBe(2);
    expect(cache.get(config, { W1: tensors.W1 }, square, 4)).toBeNull();
  });
});

describe('a trained network’s boundary', () => {
  it('puts the circle set’s inside (label 1) at the centre and the outside at every corner', () => {
    const spec: DatasetSpec = { kind: 'points', set: 'circle', count: 200, noise: 0, trainFraction: 0.5, seed: 1 };
    const config = mlpConfig({ inputs: 2, hidden: [{ units: 4, activation: 'tanh' }], biases: true });
    const trained = trainMlp(buildNetwork(config, spec, 'random', 3, 0.1), 300);
    const params = paramsFromTensors(config, trained.tensors)!;
    const dataset = makeDataset(spec);
    const grid = computeHeatGrid(config, params, plotDomain(dataset)!);
    expect(landmarkClasses(grid)).toEqual({ centre: 1, corners: '0000' });
    expect(accuracyOn(config, params, dataset.train)!.correct).toBeGreaterThanOrEqual(95);
    expect(accuracyOn(config, params, dataset.test)!.correct).toBeGreaterThanOrEqual(90);
  });
});
