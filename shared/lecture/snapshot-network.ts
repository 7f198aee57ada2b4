/**
 * A snapshot read back as the engine's network: the one way from what a client holds (live,
 * replayed, rewound) to a state the engine and the decider work on. A student's sandbox forks
 * it (fork.ts); views ask it for the shapes and rows of the pass.
 */
import { LossLog } from '../engine/loss-log.js';
import type { MlpState } from '../engine/mlp/network.js';
import type { Snapshot } from '../protocol/snapshot.js';
import { packedData } from './setup.js';

/** The snapshot's network on its training rows, where the snapshot stands in its pass. */
export function snapshotNetwork(snapshot: Snapshot): MlpState {
  return {
    config: snapshot.network,
    data: packedData(snapshot.dataset).train,
    stage: snapshot.stage,
    sampleIndex: snapshot.sampleIndex,
    epoch: snapshot.epoch,
    learningRate: snapshot.learningRate,
    tensors: { ...snapshot.tensors },
    lossHistory: snapshotLossLog(snapshot, snapshot.lossHistory),
    // A snapshot does not carry the losses of the epoch under way; a first epoch mean computed
    // from this state counts only the rows computed from here on.
    epochLossSum: 0,
    epochLossCount: 0,
  };
}

/**
 * A loss series of the snapshot as a log: exact while the lecture has at most LOSS_POINTS
 * epochs; beyond that the snapshot holds only block means, so the log starts empty.
 */
export function snapshotLossLog(snapshot: Snapshot, series: readonly number[]): LossLog {
  return snapshot.lossStride === 1 ? LossLog.of(series) : LossLog.EMPTY;
}
