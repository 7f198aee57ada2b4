/**
 * The history of a lecture's weights as operations, for exporting it as code: every event is
 * folded with the decider, and each network state is mapped to the operations that made its
 * weights. `back` restores an earlier network object, and with it that network's operations,
 * so undone updates drop out exactly as they do in the lecture.
 */
import { stagesRun, type NetworkState, type Preset } from '../engine/index.js';
import { createLecture, evolve, type LectureConfig, type LectureEvent, type LectureState } from '../lecture/decider.js';

export type WeightOp =
  | { readonly type: 'sgd'; readonly sample: number; readonly eta: number }
  | { readonly type: 'train'; readonly epochs: number; readonly eta: number }
  | { readonly type: 'set'; readonly tensor: 'W' | 'V'; readonly index: readonly [number, number]; readonly value: number }
  | { readonly type: 'assign'; readonly preset: Preset; readonly seed: number; readonly W: readonly number[]; readonly V: readonly number[] };

/** A persistent list (newest first), shared between states. */
interface OpNode {
  readonly op: WeightOp;
  readonly before: OpNode | null;
}

function opsFor(before: LectureState, after: LectureState, event: LectureEvent): WeightOp[] {
  const c = event.command;
  const n = after.network;
  switch (c.type) {
    case 'step':
    case 'forward':
    case 'backward':
    case 'update':
      return stagesRun(before.network.stage, n.stage).includes('update') ? [{ type: 'sgd', sample: n.sampleIndex, eta: n.learningRate }] : [];
    case 'train':
      return c.epochsRun > 0 ? [{ type: 'train', epochs: c.epochsRun, eta: n.learningRate }] : [];
    case 'setWeight':
      return [{ type: 'set', tensor: c.tensor, index: c.index, value: c.value }];
    case 'reset':
      return [{ type: 'assign', preset: c.preset, seed: c.seed, W: n.tensors.W.data, V: n.tensors.V.data }];
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
  const lineage = new WeakMap<NetworkState, OpNode | null>([[start.network, null]]);
  let state = start;
  for (const event of events) {
    const next = evolve(state, event);
    if (!lineage.has(next.network)) {
      let node = lineage.get(state.network) ?? null;
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
