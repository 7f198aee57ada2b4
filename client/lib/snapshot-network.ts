/**
 * A snapshot read as the engine's network: its parameters, its training rows and the rows of
 * the pass under way. Views use these to predict, evaluate and check gradients with the weights
 * they show (live, replayed, rewound, in a sandbox or mid-training).
 */
import { LossLog, mlpPassRows, packedData, type MlpParams, type MlpState, type Snapshot } from '../../shared/index.js';
import { paramsFromTensors } from './heatmap.js';

/** The snapshot's parameters in the engine's layer order; null while any is missing. */
export function snapshotParams(s: Snapshot): MlpParams | null {
  return paramsFromTensors(s.network, s.tensors);
}

/** The snapshot as an engine state (for `upcomingShape` and friends). Loss bookkeeping is not carried. */
export function snapshotNetwork(s: Snapshot): MlpState {
  return {
    config: s.network,
    data: packedData(s.dataset).train,
    stage: s.stage,
    sampleIndex: s.sampleIndex,
    epoch: s.epoch,
    learningRate: s.learningRate,
    tensors: s.tensors,
    lossHistory: LossLog.of(s.lossHistory),
    epochLossSum: 0,
    epochLossCount: 0,
  };
}

/** The training rows the pass covers: `count` rows from `start` (one row per pass for the notebook). */
export function passSpan(s: Snapshot): { readonly start: number; readonly count: number } {
  const data = packedData(s.dataset).train;
  const start = Math.min(s.sampleIndex, Math.max(0, data.count - 1));
  return { start, count: Math.max(1, mlpPassRows(s.network, data, start)) };
}
