/**
 * A student's sandbox: the lecture's state at one moment, forked into a local lecture that the
 * same decider drives in the browser. Nothing about it reaches the server.
 */
import type { Snapshot } from '../protocol/snapshot.js';
import type { LectureState } from './decider.js';
import { snapshotLossLog, snapshotNetwork } from './snapshot-network.js';

export function forkLecture(snapshot: Snapshot): LectureState {
  return {
    lectureId: snapshot.lectureId,
    title: snapshot.title,
    seq: snapshot.seq,
    preset: snapshot.preset,
    seed: snapshot.seed,
    dataset: snapshot.dataset,
    network: snapshotNetwork(snapshot),
    // Exact while the lecture has at most LOSS_POINTS epochs; a summary beyond (the sandbox charts it as is).
    testLoss: snapshotLossLog(snapshot, snapshot.testLossHistory),
    undo: null,
    pacing: snapshot.pacing,
    prediction: null,
    spotlight: null,
    errata: snapshot.errata,
    // The sandbox records nothing: "recording" belongs to the live lecture.
    narrating: false,
  };
}
