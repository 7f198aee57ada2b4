/** Projections of a lecture's state onto the protocol: snapshots for joiners, frames for changes. */
import type { LossLog } from '../engine/loss-log.js';
import { own, sameData, type Tensor } from '../engine/tensor.js';
import type { Frame, Snapshot, TrainingStatus } from '../protocol/snapshot.js';
import { lossSeries } from '../protocol/loss-series.js';
import { clearsFlags, undoDepth, type LectureEvent, type LectureState } from './decider.js';

export function toSnapshot(state: LectureState, training: TrainingStatus | null = null): Snapshot {
  const n = state.network;
  const loss = lossSeries(n.lossHistory);
  return {
    lectureId: state.lectureId,
    title: state.title,
    seq: state.seq,
    network: n.config,
    dataset: state.dataset,
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
    testLossHistory: lossSeries(state.testLoss).points,
    undoDepth: undoDepth(state),
    training,
    pacing: state.pacing,
    prediction: state.prediction,
    spotlight: state.spotlight,
    errata: state.errata,
    narrating: state.narrating,
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

/** How a client's copy of the series of `before` becomes the series of `after`. */
function seriesChange(before: LossLog, after: LossLog) {
  const was = lossSeries(before);
  const now = lossSeries(after);
  const keep = was.stride === now.stride ? commonPrefix(was.points, now.points) : 0;
  return { keep, append: now.points.slice(keep), stride: now.stride, count: now.count };
}

function testLossChange(before: LossLog, after: LossLog) {
  const { keep, append } = seriesChange(before, after);
  return { keep, append };
}

/** The frame that takes a client from `before` to `after`. */
export function frameBetween(before: LectureState, after: LectureState, event: LectureEvent): Frame {
  const tensors: Record<string, Tensor> = {};
  const cleared: string[] = [];
  const beforeTensors = before.network.tensors;
  const afterTensors = after.network.tensors;
  for (const name of Object.keys(afterTensors)) {
    if (!sameData(own(beforeTensors, name), afterTensors[name])) tensors[name] = afterTensors[name];
  }
  for (const name of Object.keys(beforeTensors)) if (!Object.hasOwn(afterTensors, name)) cleared.push(name);
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
    ...(n.config !== before.network.config ? { network: n.config } : {}),
    ...(after.dataset !== before.dataset ? { dataset: after.dataset } : {}),
    loss: seriesChange(before.network.lossHistory, n.lossHistory),
    ...(after.testLoss !== before.testLoss ? { testLoss: testLossChange(before.testLoss, after.testLoss) } : {}),
    ...(after.pacing !== before.pacing ? { pacing: after.pacing } : {}),
    ...(after.prediction !== before.prediction ? { prediction: after.prediction } : {}),
    ...(after.spotlight !== before.spotlight ? { spotlight: after.spotlight } : {}),
    ...(after.errata !== before.errata ? { errata: after.errata } : {}),
    ...(after.narrating !== before.narrating ? { narrating: after.narrating } : {}),
    ...(clearsFlags(before, after, event.command) ? { flagsCleared: true as const } : {}),
  };
}
