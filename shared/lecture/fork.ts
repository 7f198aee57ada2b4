/**
 * A student's sandbox: the lecture's state at one moment, forked into a local lecture that the
 * same decider drives in the browser. Nothing about it reaches the server.
 */
import type { Snapshot } from '../protocol/snapshot.js';
import type { LectureState } from './decider.js';

export function forkLecture(snapshot: Snapshot): LectureState {
  const { W, V } = snapshot.tensors;
  if (!W || !V) throw new Error('a snapshot always has W and V');
  return {
    lectureId: snapshot.lectureId,
    title: snapshot.title,
    seq: snapshot.seq,
    preset: snapshot.preset,
    seed: snapshot.seed,
    network: {
      stage: snapshot.stage,
      sampleIndex: snapshot.sampleIndex,
      epoch: snapshot.epoch,
      learningRate: snapshot.learningRate,
      tensors: { ...snapshot.tensors, W, V },
      // Exact while the lecture has at most LOSS_POINTS epochs; a summary beyond (the sandbox charts it as is).
      lossHistory: snapshot.lossStride === 1 ? snapshot.lossHistory : [],
      // A snapshot does not carry the losses of the epoch under way; the sandbox's first epoch
      // mean counts only the samples computed in the sandbox.
      epochLosses: [],
    },
    undo: null,
    pacing: snapshot.pacing,
    prediction: null,
  };
}
