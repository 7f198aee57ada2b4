import type { MlpConfig } from './config.js';
import type { MlpParams } from './init.js';
import { Workspace } from './workspace.js';

export interface MlpPrediction {
  readonly count: number;
  /** count × outputs, row-major: the network's output for each point. */
  readonly outputs: Float64Array;
  /** With `hidden: true`: per hidden layer (index l − 1), count × n_l, the activations A_l. */
  readonly hidden: readonly Float64Array[] | null;
}

/**
 * The forward pass only, for decision-boundary heatmaps: `inputs` is either a list of points or a
 * flat row-major array (count × config.inputs, e.g. from gridPoints). Same kernels as training,
 * one preallocated workspace, no allocation per point.
 */
export function predict(
  config: MlpConfig,
  params: MlpParams,
  inputs: ArrayLike<number> | readonly (readonly number[])[],
  options: { hidden?: boolean } = {},
): MlpPrediction {
  const n0 = config.inputs;
  let flat: ArrayLike<number>;
  if (inputs.length > 0 && typeof inputs[0] !== 'number') {
    const rows = inputs as readonly (readonly number[])[];
    const packed = new Float64Array(rows.length * n0);
    rows.forEach((p, r) => {
      if (p.length !== n0) throw new Error(`point ${r} has ${p.length} coordinates; the network has ${n0} inputs`);
      packed.set(p, r * n0);
    });
    flat = packed;
  } else {
    flat = inputs as ArrayLike<number>;
    if (flat.length % n0 !== 0) throw new Error(`${flat.length} values are not whole points of ${n0} inputs`);
  }
  const count = flat.length / n0;
  const ws = new Workspace(config, params);
  const L = ws.L;
  const nOut = ws.sizes[L];
  const outputs = new Float64Array(count * nOut);
  const hidden = options.hidden ? ws.sizes.slice(1, L).map((n) => new Float64Array(count * n)) : null;
  for (let r = 0; r < count; r++) {
    ws.forward(flat, r);
    outputs.set(ws.a[L], r * nOut);
    if (hidden) for (let l = 1; l < L; l++) hidden[l - 1].set(ws.a[l], r * ws.sizes[l]);
  }
  return { count, outputs, hidden };
}

/**
 * A resolution × resolution grid over [xMin, xMax] × [yMin, yMax], flat [x, y] pairs, row by row
 * from yMin up (point (i, j) is row i, column j: x = xMin + j·(xMax − xMin)/(resolution − 1)).
 */
export function gridPoints(xMin: number, xMax: number, yMin: number, yMax: number, resolution: number): Float64Array {
  if (!Number.isInteger(resolution) || resolution < 2) throw new Error('a grid needs a whole resolution of at least 2');
  const out = new Float64Array(resolution * resolution * 2);
  const dx = (xMax - xMin) / (resolution - 1);
  const dy = (yMax - yMin) / (resolution - 1);
  for (let i = 0; i < resolution; i++) {
    for (let j = 0; j < resolution; j++) {
      const k = (i * resolution + j) * 2;
      out[k] = xMin + j * dx;
      out[k + 1] = yMin + i * dy;
    }
  }
  return out;
}
