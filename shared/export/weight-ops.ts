/**
 * The history of a lecture's weights as operations, for exporting it as code: every event is
 * folded with the decider, and each network state is mapped to the operations that made its
 * weights. `back` restores an earlier network object, and with it that network's operations,
 * so undone updates drop out exactly as they do in the lecture.
 */
import type { Preset } from '../engine/index.js';
import { isNotebookConfig, layerSizes, mlpLayout, mlpStagesRun, type MlpState } from '../engine/mlp/index.js';
import { createLecture, evolve, type LectureConfig, type LectureEvent, type LectureState } from '../lecture/decider.js';
import { datasetLabel } from '../datasets/index.js';

export type WeightOp =
  | { readonly type: 'sgd'; readonly sample: number; readonly eta: number }
  | { readonly type: 'train'; readonly epochs: number; readonly eta: number }
  | { readonly type: 'set'; readonly tensor: string; readonly index: readonly number[]; readonly value: number }
  | {
      readonly type: 'assign';
      /** reset: new weights for the same network; network/dataset: a new network (what came before no longer matters). */
      readonly reason: 'reset' | 'network' | 'dataset';
      readonly preset: Preset;
      readonly seed: number;
      readonly W: readonly number[];
      readonly V: readonly number[];
    };

/** A persistent list (newest first), shared between states. */
interface OpNode {
  readonly op: WeightOp;
  readonly before: OpNode | null;
}

function opsFor(before: LectureState, after: LectureState, event: LectureEvent): WeightOp[] {
  const c = event.command;
  const n = after.network;
  const assign = (reason: 'reset' | 'network' | 'dataset', preset: Preset, seed: number): WeightOp[] =>
    isNotebookConfig(n.config) ? [{ type: 'assign', reason, preset, seed, W: n.tensors.W.data, V: n.tensors.V.data }] : [];
  switch (c.type) {
    case 'step':
    case 'forward':
    case 'backward':
    case 'update':
      return mlpStagesRun(mlpLayout(n.config), before.network.stage, n.stage).includes('update') ? [{ type: 'sgd', sample: n.sampleIndex, eta: n.learningRate }] : [];
    case 'train':
      return c.epochsRun > 0 ? [{ type: 'train', epochs: c.epochsRun, eta: n.learningRate }] : [];
    case 'setWeight':
      return [{ type: 'set', tensor: c.tensor, index: c.index, value: c.value }];
    case 'reset':
      return assign('reset', c.preset, c.seed);
    case 'setNetwork':
      return assign('network', c.preset, c.seed);
    case 'setDataset':
      return assign('dataset', c.preset, c.seed);
    default:
      return [];
  }
}

export interface WeightHistory {
  readonly initial: { readonly W: readonly number[]; readonly V: readonly number[]; readonly eta: number };
  readonly ops: readonly WeightOp[];
  readonly final: LectureState;
}

export function weightHistory(config: LectureConfig, events: readonly LectureEvent[]): WeightHistory {
  const start = createLecture(config);
  const lineage = new WeakMap<MlpState, OpNode | null>([[start.network, null]]);
  let state = start;
  for (const event of events) {
    const next = evolve(state, event);
    if (!lineage.has(next.network)) {
      // A new network or dataset starts a new history: what came before is another network's.
      const fresh = event.command.type === 'setNetwork' || event.command.type === 'setDataset';
      let node = fresh ? null : (lineage.get(state.network) ?? null);
      for (const op of opsFor(state, next, event)) node = { op, before: node };
      lineage.set(next.network, node);
    }
    state = next;
  }
  const ops: WeightOp[] = [];
  for (let n = lineage.get(state.network) ?? null; n; n = n.before) ops.push(n.op);
  ops.reverse();
  return {
    initial: { W: start.network.tensors.W.data, V: start.network.tensors.V.data, eta: start.network.learningRate },
    ops,
    final: state,
  };
}

/**
 * Why the notebook export cannot describe this state, or null: it writes the teaching notebook's
 * own 3-4-1 network on its truth table, in its names.
 */
export function notebookExportProblem(state: LectureState): string | null {
  const { config } = state.network;
  const notebookData = state.dataset.kind === 'truthTable' && state.dataset.table === 'notebook';
  if (isNotebookConfig(config) && notebookData) return null;
  return (
    `the notebook export writes the teaching notebook's 3-4-1 sigmoid network on its truth table; this lecture has a ` +
    `${layerSizes(config).join('-')} network on ${datasetLabel(state.dataset)} (weights.json and loss.csv work for every network)`
  );
}
