/**
 * A snapshot's parameters as the engine takes them: views use these to predict, evaluate and
 * check gradients with the weights they show (live, replayed, rewound, in a sandbox or
 * mid-training). The snapshot as a whole engine state is shared/lecture/snapshot-network.ts.
 */
import type { MlpParams } from '../../shared/engine/mlp/init.js';
import type { Snapshot } from '../../shared/protocol/snapshot.js';
import { paramsFromTensors } from './heatmap.js';

/** The snapshot's parameters in the engine's layer order; null while any is missing. */
export function snapshotParams(s: Snapshot): MlpParams | null {
  return paramsFromTensors(s.network, s.tensors);
}
