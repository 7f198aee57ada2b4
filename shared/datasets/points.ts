import { mulberry32 } from '../engine/prng.js';
import { shuffled } from './split.js';
import type { Dataset, Sample } from './types.js';

/**
 * Two-dimensional sets after TensorFlow Playground's (github.com/tensorflow/playground, dataset.ts),
 * with labels 1 and 0 instead of +1 and −1 (our output is a sigmoid), drawn from one seeded
 * mulberry32 stream: the same options and seed give the same points, in the same order, everywhere.
 * Points lie in [−6, 6]²; inputs are the raw coordinates, as in the Playground.
 */
export const POINT_SETS = ['circle', 'xor', 'gaussians', 'spiral'] as const;
export type PointSet = (typeof POINT_SETS)[number];

export const POINT_LIMITS = { minCount: 4, maxCount: 10_000, maxNoise: 0.5, minTrainFraction: 0.1, maxTrainFraction: 1 } as const;
export const POINT_DEFAULTS = { count: 200, noise: 0, trainFraction: 0.5, seed: 1 } as const;
export const POINT_DOMAIN = { x: [-6, 6] as const, y: [-6, 6] as const };

export interface PointOptions {
  /** Points in all, train and test (Playground: 500). */
  readonly count?: number;
  /** 0 to 0.5, the Playground's noise slider (0–50) divided by 100. */
  readonly noise?: number;
  /** Share of the (shuffled) points that train; the rest are the test split. Playground: 0.5. */
  readonly trainFraction?: number;
  readonly seed?: number;
}

type Rand = { uniform: (a: number, b: number) => number; normal: (mean: number, variance: number) => number; next: () => number };

function rand(seed: number): Rand {
  const next = mulberry32(seed);
  return {
    next,
    uniform: (a, b) => a + next() * (b - a),
    // Box–Muller on the same stream; `variance`, as the Playground's normalRandom takes it.
    normal: (mean, variance) => {
      let u = 0;
      while (u === 0) u = next();
      const v = next();
      return mean + Math.sqrt(variance) * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
  };
}

const point = (x: number, y: number, label: number): Sample => ({ x: [x, y], y: label });

function circle(n: number, noise: number, r: Rand): Sample[] {
  const radius = 5;
  const label = (x: number, y: number) => (Math.hypot(x, y) < radius * 0.5 ? 1 : 0);
  const out: Sample[] = [];
  const half = Math.ceil(n / 2);
  for (let i = 0; i < n; i++) {
    // The first half inside the inner circle, the second in the ring; the label comes from the noisy position.
    const radial = i < half ? r.uniform(0, radius * 0.5) : r.uniform(radius * 0.7, radius);
    const angle = r.uniform(0, 2 * Math.PI);
    const x = radial * Math.sin(angle);
    const y = radial * Math.cos(angle);
    const nx = r.uniform(-radius, radius) * noise;
    const ny = r.uniform(-radius, radius) * noise;
    out.push(point(x, y, label(x + nx, y + ny)));
  }
  return out;
}

function xor(n: number, noise: number, r: Rand): Sample[] {
  const padding = 0.3;
  const out: Sample[] = [];
  for (let i = 0; i < n; i++) {
    let x = r.uniform(-5, 5);
    x += x > 0 ? padding : -padding;
    let y = r.uniform(-5, 5);
    y += y > 0 ? padding : -padding;
    const nx = r.uniform(-5, 5) * noise;
    const ny = r.uniform(-5, 5) * noise;
    out.push(point(x, y, (x + nx) * (y + ny) >= 0 ? 1 : 0));
  }
  return out;
}

function gaussians(n: number, noise: number, r: Rand): Sample[] {
  // Playground: variance 0.5 at noise 0 rising linearly to 4 at noise 0.5.
  const variance = 0.5 + (noise / 0.5) * 3.5;
  const out: Sample[] = [];
  const half = Math.ceil(n / 2);
  for (let i = 0; i < n; i++) {
    const [c, label] = i < half ? [2, 1] : [-2, 0];
    out.push(point(r.normal(c, variance), r.normal(c, variance), label));
  }
  return out;
}

function spiral(n: number, noise: number, r: Rand): Sample[] {
  const out: Sample[] = [];
  const half = Math.ceil(n / 2);
  const arm = (count: number, deltaT: number, label: number) => {
    for (let i = 0; i < count; i++) {
      const radius = (i / count) * 5;
      const t = ((1.75 * i) / count) * 2 * Math.PI + deltaT;
      const x = radius * Math.sin(t) + r.uniform(-1, 1) * noise;
      const y = radius * Math.cos(t) + r.uniform(-1, 1) * noise;
      out.push(point(x, y, label));
    }
  };
  arm(half, 0, 1);
  arm(n - half, Math.PI, 0);
  return out;
}

const GENERATORS: Record<PointSet, (n: number, noise: number, r: Rand) => Sample[]> = { circle, xor, gaussians, spiral };

/** Why these options are not allowed, or null. */
export function pointOptionsProblem(o: PointOptions): string | null {
  const { count = POINT_DEFAULTS.count, noise = POINT_DEFAULTS.noise, trainFraction = POINT_DEFAULTS.trainFraction, seed = POINT_DEFAULTS.seed } = o;
  const L = POINT_LIMITS;
  if (!Number.isInteger(count) || count < L.minCount || count > L.maxCount) return `count must be a whole number from ${L.minCount} to ${L.maxCount}`;
  if (!(noise >= 0 && noise <= L.maxNoise)) return `noise must be from 0 to ${L.maxNoise}`;
  if (!(trainFraction >= L.minTrainFraction && trainFraction <= L.maxTrainFraction)) {
    return `the training share must be from ${L.minTrainFraction} to ${L.maxTrainFraction}`;
  }
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffff_ffff) return 'seed must be a whole number from 0 to 4294967295';
  return null;
}

/**
 * Generates a 2-D set: the points are drawn, then shuffled (same stream) and split, the first
 * round(count·trainFraction) training. Throws on options pointOptionsProblem refuses.
 */
export function pointSet(set: PointSet, options: PointOptions = {}): Dataset {
  const problem = pointOptionsProblem(options);
  if (problem) throw new Error(problem);
  const { count = POINT_DEFAULTS.count, noise = POINT_DEFAULTS.noise, trainFraction = POINT_DEFAULTS.trainFraction, seed = POINT_DEFAULTS.seed } = options;
  const r = rand(seed);
  const all = shuffled(GENERATORS[set](count, noise, r), r.next);
  const cut = Math.round(count * trainFraction);
  return {
    name: `${set}, noise ${noise}`,
    featureNames: ['x1', 'x2'],
    targetName: 'y',
    train: all.slice(0, cut),
    test: all.slice(cut),
    domain: POINT_DOMAIN,
  };
}
