/**
 * The history of a lecture's parameters as operations, for exporting it as code: every event is
 * folded with the decider, and each network state is mapped to the operations that made its
 * parameters. `back` restores an earlier network object, and with it that network's operations,
 * so undone updates drop out exactly as they do in the lecture.
 */
import type { Preset } from '../engine/mlp/init.js';
import { mlpLayout, mlpStagesRun } from '../engine/mlp/layout.js';
import { mlpPassRows, type MlpState } from '../engine/mlp/network.js';
import { createLecture, evolve, type LectureConfig, type LectureEvent, type LectureState } from '../lecture/decider.js';

/** Every parameter of a network by its layout name (W, V; or W1, b1, W2, …), row-major. */
export type NamedParams = Readonly<Record<string, readonly number[]>>;

export type WeightOp =
  /** One pass that reached `update`: rows [start, start + rows), the batch mean applied once. */
  | { readonly type: 'pass'; readonly start: number; readonly rows: number; readonly eta: number }
  | { readonly type: 'train'; readonly epochs: number; readonly eta: number }
  | { readonly type: 'set'; readonly tensor: string; readonly index: readonly number[]; readonly value: number }
  | {
      readonly type: 'assign';
      /** reset: new parameters for the same network; network/dataset: a new network (what came before no longer matters). */
      readonly reason: 'reset' | 'network' | 'dataset';
      readonly preset: Preset;
      readonly seed: number;
      readonly params: NamedParams;
      readonly eta: number;
    };

/** Where the history of the final network begins: the lecture's start, or the last change of network or data. */
export interface WeightOrigin {
  readonly reason: 'start' | 'network' | 'dataset';
  readonly preset: Preset;
  readonly seed: number;
  readonly params: NamedParams;
  readonly eta: number;
}

/** A persistent list (newest first), shared between states. */
interface OpNode {
  readonly op: WeightOp;
  readonly before: OpNode | null;
}

export function namedParams(network: MlpState): NamedParams {
  const out: Record<string, readonly number[]> = {};
  for (const name of mlpLayout(network.config).parameters) out[name] = network.tensors[name].data;
  return out;
}

function opsFor(before: LectureState, after: LectureState, event: LectureEvent): WeightOp[] {
  const c = event.command;
  const n = after.network;
  const assign = (reason: 'reset' | 'network' | 'dataset', preset: Preset, seed: number): WeightOp[] => [
    { type: 'assign', reason, preset, seed, params: namedParams(n), eta: n.learningRate },
  ];
  switch (c.type) {
    case 'step':
    case 'forward':
    case 'backward':
    case 'update': {
      // A command completes at most one pass; it is the pass the network now stands in.
      const updated = mlpStagesRun(mlpLayout(n.config), before.network.stage, n.stage).includes('update');
      return updated ? [{ type: 'pass', start: n.sampleIndex, rows: mlpPassRows(n.config, n.data, n.sampleIndex), eta: n.learningRate }] : [];
    }
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
  /** The parameters the final network's history starts from. */
  readonly origin: WeightOrigin;
  /** What changed them since, in order (undone commands left out). */
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
  // A change of network or data is always the first operation of its history: it is the origin.
  const first = ops[0];
  if (first?.type === 'assign' && first.reason !== 'reset') {
    const { reason, preset, seed, params, eta } = first;
    return { origin: { reason, preset, seed, params, eta }, ops: ops.slice(1), final: state };
  }
  return {
    origin: { reason: 'start', preset: config.preset, seed: config.seed, params: namedParams(start.network), eta: start.network.learningRate },
    ops,
    final: state,
  };
}
