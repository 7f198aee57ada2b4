/**
 * A student's sandbox: the lecture's state at one moment, forked into a local lecture that the
 * same decider drives in the browser. Nothing about it reaches the server.
 */
import { LossLog } from '../engine/loss-log.js';
import type { Snapshot } from '../protocol/snapshot.js';
import type { LectureState } from './decider.js';
import { packedData } from './setup.js';

export function forkLecture(snapshot: Snapshot): LectureState {
  // Exact while the lecture has at most LOSS_POINTS epochs; a summary beyond (the sandbox charts it as is).
  const exact = snapshot.lossStride === 1;
  return {
    lectureId: snapshot.lectureId,
    title: snapshot.title,
    seq: snapshot.seq,
    preset: snapshot.preset,
    seed: snapshot.seed,
    dataset: snapshot.dataset,
    network: {
      config: snapshot.network,
      data: packedData(snapshot.dataset).train,
      stage: snapshot.stage,
      sampleIndex: snapshot.sampleIndex,
      epoch: snapshot.epoch,
      learningRate: snapshot.learningRate,
      tensors: { ...snapshot.tensors },
      lossHistory: exact ? LossLog.of(snapshot.lossHistory) : LossLog.EMPTY,
      // A snapshot does not carry the losses of the epoch under way; the sandbox's first epoch
      // mean counts only the rows computed in the sandbox.
      epochLossSum: 0,
      epochLossCount: 0,
    },
    testLoss: exact ? LossLog.of(snapshot.testLossHistory) : LossLog.EMPTY,
    undo: null,
    pacing: snapshot.pacing,
    prediction: null,
    spotlight: null,
    errata: snapshot.errata,
  };
}
