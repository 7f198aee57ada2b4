/**
 * The loss history as the live protocol carries it: exact up to LOSS_POINTS epochs; beyond that,
 * each point is the mean of `stride` consecutive epochs (stride a power of two, the last block
 * possibly partial). A frame or snapshot never grows with the length of the lecture, yet every
 * client holds exactly the server's series. The exact history is served at /api/lectures/:id/loss.
 */
export const LOSS_POINTS = 1024;

export interface LossSeries {
  /** Epochs summarised (the length of the exact history). */
  readonly count: number;
  /** Epochs per point: 1 while count ≤ LOSS_POINTS. */
  readonly stride: number;
  readonly points: readonly number[];
}

import { LossLog } from '../engine/loss-log.js';

const cache = new WeakMap<object, LossSeries>();

/** The series of an exact history; memoised per array, since histories are immutable and shared. */
export function lossSeries(exact: LossLog | readonly number[]): LossSeries {
  const cached = cache.get(exact);
  if (cached) return cached;
  const history: ArrayLike<number> = exact instanceof LossLog ? exact.view() : exact;
  let stride = 1;
  while (Math.ceil(history.length / stride) > LOSS_POINTS) stride *= 2;
  let points: readonly number[] = Array.from(history);
  if (stride > 1) {
    const means: number[] = [];
    for (let start = 0; start < history.length; start += stride) {
      const end = Math.min(history.length, start + stride);
      let sum = 0;
      for (let i = start; i < end; i++) sum += history[i];
      means.push(sum / (end - start));
    }
    points = means;
  }
  const series = { count: history.length, stride, points };
  cache.set(exact, series);
  return series;
}

/** The epoch a point stands for: the last epoch of its block (1-based, like the chart's x axis). */
export function pointEpoch(series: Pick<LossSeries, 'count' | 'stride'>, index: number): number {
  return Math.min(series.count, (index + 1) * series.stride);
}
