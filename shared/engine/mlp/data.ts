import type { MlpConfig } from './config.js';
import { LOSS_SPECS } from './losses.js';

/** A training row. A dataset's `Sample` ({x, y: number}, shared/datasets/types.ts) is one; several outputs take y as a list. */
export interface MlpSample {
  readonly x: readonly number[];
  readonly y: number | readonly number[];
}

/**
 * Rows packed into flat typed arrays (row-major), as the engine stores and reads them:
 * x is count × inputs, y is count × outputs. Never mutated once packed.
 */
export interface MlpData {
  readonly count: number;
  readonly inputs: number;
  readonly outputs: number;
  readonly x: Float64Array;
  readonly y: Float64Array;
}

/** Packs rows for a network with `inputs` inputs and `outputs` outputs; throws on a row of the wrong width. */
export function packData(samples: readonly MlpSample[], inputs: number, outputs = 1): MlpData {
  const count = samples.length;
  const x = new Float64Array(count * inputs);
  const y = new Float64Array(count * outputs);
  samples.forEach((s, r) => {
    const ys = typeof s.y === 'number' ? [s.y] : s.y;
    if (s.x.length !== inputs) throw new Error(`row ${r} has ${s.x.length} features; the network has ${inputs} inputs`);
    if (ys.length !== outputs) throw new Error(`row ${r} has ${ys.length} targets; the network has ${outputs} outputs`);
    for (let i = 0; i < inputs; i++) x[r * inputs + i] = s.x[i];
    for (let j = 0; j < outputs; j++) y[r * outputs + j] = ys[j];
  });
  return { count, inputs, outputs, x, y };
}

/** Packs rows for a config (its inputs and outputs). */
export function packFor(config: MlpConfig, samples: readonly MlpSample[]): MlpData {
  return packData(samples, config.inputs, config.output.units);
}

/** Why this data cannot train this network, or null: width mismatch, no rows, targets outside the loss's range (cross-entropy's [0, 1]). */
export function dataProblem(config: MlpConfig, data: MlpData): string | null {
  if (data.inputs !== config.inputs) return `the data has ${data.inputs} features; the network has ${config.inputs} inputs`;
  if (data.outputs !== config.output.units) return `the data has ${data.outputs} targets; the network has ${config.output.units} outputs`;
  if (data.count === 0) return 'the data has no rows';
  const loss = LOSS_SPECS[config.loss];
  if (loss.targets) {
    const [lo, hi] = loss.targets;
    for (let i = 0; i < data.y.length; i++) {
      const v = data.y[i];
      if (!(v >= lo && v <= hi)) {
        return `${loss.fullName} needs targets between ${lo} and ${hi}; row ${Math.floor(i / data.outputs) + 1} has ${v}`;
      }
    }
  }
  for (let i = 0; i < data.x.length; i++) {
    if (!Number.isFinite(data.x[i])) return `row ${Math.floor(i / data.inputs) + 1} has a feature that is not a finite number`;
  }
  for (let i = 0; i < data.y.length; i++) {
    if (!Number.isFinite(data.y[i])) return `row ${Math.floor(i / data.outputs) + 1} has a target that is not a finite number`;
  }
  return null;
}

/** Whether every target is 0 or 1, so that accuracy (ŷ ≥ 0.5 ⇔ y = 1) means something. */
export function binaryTargets(data: MlpData): boolean {
  for (let i = 0; i < data.y.length; i++) if (data.y[i] !== 0 && data.y[i] !== 1) return false;
  return true;
}
