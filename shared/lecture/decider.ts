/**
 * A lecture as a decider: `decide(state, command)` says which event a command produces (or
 * why it does not apply now); `evolve(state, event)` applies an event. The recording is the
 * event log, and any state is the fold of `evolve` over it. Time and seeds arrive in the
 * event, so `evolve` is a pure function of its arguments.
 */
import {
  clearPass,
  computedInPass,
  PRODUCING_STAGE,
  stagesRun,
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
import { flatIndex, type Pacing, type Prediction, type PredictionStats } from '../protocol/collab.js';

export interface LectureConfig {
  readonly lectureId: string;
  readonly title: string;
  readonly preset: Preset;
  readonly seed: number;
  readonly learningRate: number;
}

/** What `back` restores. Pacing and predictions are not undone: they belong to the class, not the network. */
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
  readonly pacing: Pacing;
  readonly prediction: Prediction | null;
}

export interface LectureEvent {
  readonly seq: number;
  readonly at: number;
  readonly command: RecordedCommand;
  /**
   * The class's answers, when this event reveals a prediction: they come from outside the
   * lecture's state (students' submissions), so the event carries them.
   */
  readonly reveal?: PredictionStats;
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
    pacing: 'free',
    prediction: null,
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
    case 'ask': {
      if (state.prediction?.status === 'open') return refuse('a prediction is already open; reveal it first');
      if (computedInPass(state.network.stage, command.tensor)) {
        return refuse(`${command.tensor} is already computed in this pass; ask before its stage (${PRODUCING_STAGE[command.tensor]}) runs`);
      }
      return event(command);
    }
    case 'reveal':
      return state.prediction?.status === 'open' ? event(command) : refuse('no prediction is open');
    case 'clearFlags':
    case 'setPacing':
      return event(command);
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

type NetworkCommand = Exclude<RecordedCommand, { type: 'back' | 'ask' | 'reveal' | 'clearFlags' | 'setPacing' }>;

/** The network after a command that changes it (`back` restores instead; the class's commands leave it alone). */
function applyToNetwork(state: LectureState, command: NetworkCommand): Undoable {
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
  const { command } = event;
  const seq = event.seq;
  switch (command.type) {
    case 'back': {
      const top = state.undo;
      if (!top) throw new Error('back with nothing to undo');
      return { ...state, ...top.saved, seq, undo: top.below };
    }
    case 'ask':
      return { ...state, seq, prediction: { askSeq: seq, tensor: command.tensor, index: command.index, status: 'open', actual: null, stats: null } };
    case 'reveal':
      return { ...state, seq, prediction: revealed(state.prediction!, predictedValue(state.prediction!, state.network), event.reveal) };
    case 'clearFlags':
      return { ...state, seq };
    case 'setPacing':
      return { ...state, seq, pacing: command.mode };
    default: {
      const applied = computed ? { network: computed, preset: state.preset, seed: state.seed } : applyToNetwork(state, command);
      const next = { ...state, ...applied, seq, undo: pushUndo(state) };
      if (!revealsPrediction(state, next)) return next;
      // The stage just ran, so the value is among the tensors now.
      const p = state.prediction!;
      const actual = next.network.tensors[p.tensor]!.data[flatIndex(p.tensor, p.index)];
      return { ...next, prediction: revealed(p, actual, event.reveal) };
    }
  }
}

/** Whether the command that led from `before` to `after` ran the stage that computes the open prediction's tensor. */
export function revealsPrediction(before: LectureState, after: LectureState): boolean {
  const p = before.prediction;
  if (!p || p.status !== 'open' || after.seq !== before.seq + 1) return false;
  return stagesRun(before.network.stage, after.network.stage).includes(PRODUCING_STAGE[p.tensor]);
}

/**
 * The value the asked element will have when its stage runs (an early `reveal`): the pass is
 * run ahead on a copy; the lecture itself does not move. A complete pass looks at the next one.
 */
export function predictedValue(prediction: Prediction, network: NetworkState): number {
  const ahead = runTo(network, PRODUCING_STAGE[prediction.tensor]);
  return ahead.tensors[prediction.tensor]!.data[flatIndex(prediction.tensor, prediction.index)];
}

function revealed(prediction: Prediction, actual: number, stats: PredictionStats | undefined): Prediction {
  const empty: PredictionStats = { count: 0, mean: null, median: null, histogram: { edges: [], counts: [] } };
  return { ...prediction, status: 'revealed', actual, stats: stats ?? empty };
}

export function undoDepth(state: LectureState): number {
  return state.undo?.depth ?? 0;
}
