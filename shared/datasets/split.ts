import { mulberry32 } from '../engine/prng.js';

/** Fisher–Yates with a seeded uniform stream: the same seed gives the same order everywhere. */
export function shuffled<T>(items: readonly T[], uniform: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(uniform() * (i + 1));
    const t = out[i];
    out[i] = out[j];
    out[j] = t;
  }
  return out;
}

/**
 * Shuffles (seeded) and splits: the first round(n·trainFraction) rows train, the rest test.
 * trainFraction 1 keeps every row for training, in the given order (no shuffle).
 */
export function splitTrainTest<T>(items: readonly T[], trainFraction: number, seed: number): { train: T[]; test: T[] } {
  if (trainFraction >= 1) return { train: [...items], test: [] };
  const order = shuffled(items, mulberry32(seed));
  const cut = Math.round(items.length * trainFraction);
  return { train: order.slice(0, cut), test: order.slice(cut) };
}
