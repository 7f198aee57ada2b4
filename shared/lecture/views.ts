/** Projections of a lecture's state onto the protocol: snapshots for joiners, frames for changes. */
import { sameData, TENSOR_NAMES, type TensorName } from '../engine/index.js';
import type { Frame, Snapshot, TensorMap, TrainingStatus } from '../protocol/snapshot.js';
import { lossSeries } from '../protocol/loss-series.js';
import { undoDepth, type LectureEvent, type LectureState } from './decider.js';

export function toSnapshot(state: LectureState, training: TrainingStatus | null = null): Snapshot {
  const n = state.network;
  const loss = lossSeries(n.lossHistory);
  return {
    lectureId: state.lectureId,
    title: state.title,
    seq: state.seq,
    stage: n.stage,
    sampleIndex: n.sampleIndex,
    epoch: n.epoch,
    learningRate: n.learningRate,
    preset: state.preset,
    seed: state.seed,
    tensors: { ...n.tensors },
    lossHistory: loss.points,
    lossStride: loss.stride,
    lossCount: loss.count,
    undoDepth: undoDepth(state),
    training,
    pacing: state.pacing,
    prediction: state.prediction,
  };
}

/** Length of the common prefix of two loss series (they share it by reference when appended). */
function commonPrefix(a: readonly number[], b: readonly number[]): number {
  if (a === b) return a.length;
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && Object.is(a[i], b[i])) i++;
  return i;
}

/** The frame that takes a client from `before` to `after`. */
export function frameBetween(before: LectureState, after: LectureState, event: LectureEvent): Frame {
  const tensors: TensorMap = {};
  const cleared: TensorName[] = [];
  for (const name of TENSOR_NAMES) {
    const was = before.network.tensors[name];
    const now = after.network.tensors[name];
    if (now && !sameData(was, now)) tensors[name] = now;
    else if (was && !now) cleared.push(name);
  }
  const was = lossSeries(before.network.lossHistory);
  const now = lossSeries(after.network.lossHistory);
  const keep = was.stride === now.stride ? commonPrefix(was.points, now.points) : 0;
  const n = after.network;
  return {
    seq: event.seq,
    at: event.at,
    command: event.command,
    stage: n.stage,
    sampleIndex: n.sampleIndex,
    epoch: n.epoch,
    learningRate: n.learningRate,
    preset: after.preset,
    seed: after.seed,
    undoDepth: undoDepth(after),
    tensors,
    cleared,
    loss: { keep, append: now.points.slice(keep), stride: now.stride, count: now.count },
    ...(after.pacing !== before.pacing ? { pacing: after.pacing } : {}),
    ...(after.prediction !== before.prediction ? { prediction: after.prediction } : {}),
  };
}
