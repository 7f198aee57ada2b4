/**
 * A lecture as a decider: `decide(state, command)` says which event a command produces (or
 * why it does not apply now); `evolve(state, event)` applies an event. The recording is the
 * event log, and any state is the fold of `evolve` over it. Time and seeds arrive in the
 * event, so `evolve` is a pure function of its arguments.
 */
import {
  clearPass,
  initialNetwork,
  presetWeights,
  runTo,
  stagePosition,
  step,
  train,
  TENSOR_SHAPES,
  type NetworkState,
  type PassStage,
  type Preset,
} from '../engine/index.js';
import { LIMITS } from '../protocol/limits.js';
import type { Command, RecordedCommand } from '../protocol/commands.js';

export interface LectureConfig {
  readonly lectureId: string;
  readonly title: string;
  readonly preset: Preset;
  readonly seed: number;
  readonly learningRate: number;
}

/** What `back` restores. */
interface Undoable {
  readonly network: NetworkState;
  readonly preset: Preset;
  readonly seed: number;
}

/** A persistent stack: pushing shares everything below, so keeping history costs little. */
interface UndoNode {
  readonly saved: Undoable;
  readonly below: UndoNode | null;
  readonly depth: number;
}

export interface LectureState extends Undoable {
  readonly lectureId: string;
  readonly title: string;
  readonly seq: number;
  readonly undo: UndoNode | null;
}

export interface LectureEvent {
  readonly seq: number;
  readonly at: number;
  readonly command: RecordedCommand;
}

export interface DecideContext {
  /** Server time, ms since the epoch. */
  readonly now: number;
  /** A fresh seed, drawn only when a random reset names none. */
  readonly newSeed: () => number;
}

export type Refusal = { readonly ok: false; readonly status: 409; readonly error: string };
export type Decision = { readonly ok: true; readonly event: LectureEvent } | Refusal;

export function createLecture(config: LectureConfig): LectureState {
  const { W, V } = presetWeights(config.preset, config.seed);
  return {
    lectureId: config.lectureId,
    title: config.title,
    seq: 0,
    preset: config.preset,
    seed: config.seed,
    network: initialNetwork(W, V, config.learningRate),
    undo: null,
  };
}

const refuse = (error: string): Refusal => ({ ok: false, status: 409, error });

/** Why a run-to command cannot run now, or null when it can. */
function runToRefusal(state: LectureState, target: PassStage, label: string): Refusal | null {
  const { stage } = state.network;
  if (stage === 'update') return null; // the pass is complete: the command runs the next sample's pass
  if (stagePosition(stage) >= stagePosition(target)) {
    return refuse(`${label} already ran in this pass (the pass is at ${stage}); step on or press Update to finish the pass`);
  }
  return null;
}

export function decide(state: LectureState, command: Command, ctx: DecideContext): Decision {
  const event = (recorded: RecordedCommand): Decision => ({ ok: true, event: { seq: state.seq + 1, at: ctx.now, command: recorded } });
  switch (command.type) {
    case 'step':
    case 'selectSample':
    case 'setLearningRate':
    case 'setWeight':
      return event(command);
    case 'back':
      return state.undo ? event(command) : refuse('nothing to undo');
    case 'forward':
      return runToRefusal(state, 'L', 'the forward pass') ?? event(command);
    case 'backward':
      return runToRefusal(state, 'dL_dW', 'the backward pass') ?? event(command);
    case 'update':
      return event(command);
    case 'train':
      return event({ type: 'train', epochs: command.epochs, epochsRun: command.epochs });
    case 'reset': {
      const preset = command.preset ?? state.preset;
      const seed = command.seed ?? (preset === 'random' ? ctx.newSeed() : state.seed);
      return event({ type: 'reset', preset, seed });
    }
    case 'stop':
      return refuse('no training is running');
    default: {
      const unknown: never = command;
      throw new Error(`unhandled command ${JSON.stringify(unknown)}`);
    }
  }
}

function pushUndo(state: LectureState): UndoNode {
  const node: UndoNode = {
    saved: { network: state.network, preset: state.preset, seed: state.seed },
    below: state.undo,
    depth: (state.undo?.depth ?? 0) + 1,
  };
  // Trim in batches (amortised O(1)): keep at least LIMITS.undoDepth commands undoable.
  return node.depth > LIMITS.undoDepth * 1.5 ? keepTop(node, LIMITS.undoDepth) : node;
}

function keepTop(node: UndoNode, count: number): UndoNode {
  const saved: Undoable[] = [];
  for (let n: UndoNode | null = node; n && saved.length < count; n = n.below) saved.push(n.saved);
  let rebuilt: UndoNode | null = null;
  for (let i = saved.length - 1; i >= 0; i--) {
    const below: UndoNode | null = rebuilt;
    rebuilt = { saved: saved[i], below, depth: saved.length - i };
  }
  return rebuilt!;
}

/** The network after a command (everything but `back`, which restores instead). */
function applyToNetwork(state: LectureState, command: Exclude<RecordedCommand, { type: 'back' }>): Undoable {
  const { network } = state;
  const same = { preset: state.preset, seed: state.seed };
  switch (command.type) {
    case 'step':
      return { ...same, network: step(network) };
    case 'forward':
      return { ...same, network: runTo(network, 'L') };
    case 'backward':
      return { ...same, network: runTo(network, 'dL_dW') };
    case 'update':
      return { ...same, network: runTo(network, 'update') };
    case 'selectSample':
      return { ...same, network: clearPass(network, command.index) };
    case 'setLearningRate':
      return { ...same, network: { ...network, learningRate: command.value } };
    case 'setWeight': {
      const [i, j] = command.index;
      const cols = TENSOR_SHAPES[command.tensor][1];
      const current = network.tensors[command.tensor];
      const data = [...current.data];
      data[i * cols + j] = command.value;
      const cleared = clearPass(network);
      return { ...same, network: { ...cleared, tensors: { ...cleared.tensors, [command.tensor]: { shape: current.shape, data } } } };
    }
    case 'train':
      return { ...same, network: train(network, command.epochsRun) };
    case 'reset': {
      const { W, V } = presetWeights(command.preset, command.seed);
      return { preset: command.preset, seed: command.seed, network: initialNetwork(W, V, network.learningRate) };
    }
    default: {
      const unknown: never = command;
      throw new Error(`unhandled command ${JSON.stringify(unknown)}`);
    }
  }
}

/** Applies an event: the only way a lecture's state changes. */
export function evolve(state: LectureState, event: LectureEvent): LectureState {
  return apply(state, event);
}

/**
 * `evolve` for a caller that already ran the event's long computation (training in slices):
 * it hands over the resulting network instead of computing it again. It must equal what
 * `evolve` computes, which the tests check.
 */
export function evolveComputed(state: LectureState, event: LectureEvent, computed: NetworkState): LectureState {
  return apply(state, event, computed);
}

function apply(state: LectureState, event: LectureEvent, computed?: NetworkState): LectureState {
  if (event.seq !== state.seq + 1) throw new RangeError(`event ${event.seq} does not follow seq ${state.seq}`);
  if (event.command.type === 'back') {
    const top = state.undo;
    if (!top) throw new Error('back with nothing to undo');
    return { ...state, ...top.saved, seq: event.seq, undo: top.below };
  }
  const applied = computed ? { network: computed, preset: state.preset, seed: state.seed } : applyToNetwork(state, event.command);
  return { ...state, ...applied, seq: event.seq, undo: pushUndo(state) };
}

export function undoDepth(state: LectureState): number {
  return state.undo?.depth ?? 0;
}
