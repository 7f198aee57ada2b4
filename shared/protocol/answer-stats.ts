/**
 * Statistics over the class's answers to a prediction: what the reveal shows (count, mean,
 * median, histogram) and what the instructor watches come in. Exact, from the answers themselves.
 */
import type { Histogram, PredictionStats } from './collab.js';

const BINS = 10;

/** Count, mean, median and a 10-bin histogram of the answers, exactly. */
export function aggregate(values: readonly number[]): PredictionStats {
  const count = values.length;
  if (count === 0) return { count, mean: null, median: null, histogram: { edges: [], counts: [] } };
  const sorted = [...values].sort((a, b) => a - b);
  let sum = 0;
  for (const v of sorted) sum += v;
  const mid = count >> 1;
  const median = count % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { count, mean: sum / count, median, histogram: histogram(sorted) };
}

function histogram(sorted: readonly number[]): Histogram {
  const min = sorted[0];
  const max = sorted[sorted.length - 1];
  if (min === max) return { edges: [min, max], counts: [sorted.length] };
  const width = (max - min) / BINS;
  const edges = Array.from({ length: BINS + 1 }, (_, i) => (i === BINS ? max : min + i * width));
  const counts = new Array<number>(BINS).fill(0);
  for (const v of sorted) counts[Math.min(BINS - 1, Math.floor((v - min) / width))]++;
  return { edges, counts };
}
