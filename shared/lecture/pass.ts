/**
 * The rows of a pass: which training rows the tensors of the pass a network stands in were, or
 * will be, computed from (one row for the notebook's per-sample SGD, a batch otherwise). The
 * decider's limit on stepping, the shapes of tensors still to come, the dataset table's marked
 * rows, the decision boundary's rings and the gradient check all read them here.
 */
import { mlpPassRows, type MlpState } from '../engine/mlp/network.js';

/** Where a network stands in its epoch: all that the rows of its pass depend on (an MlpState has it). */
export type PassPosition = Pick<MlpState, 'config' | 'data' | 'stage' | 'sampleIndex'>;

/** `count` consecutive training rows from `start`. */
export interface PassSpan {
  readonly start: number;
  readonly count: number;
}

/**
 * The rows of the pass under way: before `input` the pass about to start, at `update` the pass
 * just completed (its tensors are still the ones on show). Never empty.
 */
export function currentPass(network: PassPosition): PassSpan {
  return spanFrom(network, network.sampleIndex);
}

/** The rows whose tensors come next: the pass under way, or after `update` the next one (the epoch's first after its last). */
export function upcomingPass(network: PassPosition): PassSpan {
  const pass = currentPass(network);
  if (network.stage !== 'update') return pass;
  const next = pass.start + pass.count;
  return spanFrom(network, next >= network.data.count ? 0 : next);
}

/** How many rows the next tensors are computed from (a batched tensor's row count). */
export function upcomingPassRows(network: PassPosition): number {
  return upcomingPass(network).count;
}

/** The pass that starts at `start` (kept inside the rows, so a view never reads past them). */
function spanFrom(network: PassPosition, start: number): PassSpan {
  const inside = Math.min(start, Math.max(0, network.data.count - 1));
  return { start: inside, count: Math.max(1, mlpPassRows(network.config, network.data, inside)) };
}
