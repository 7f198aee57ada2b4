/**
 * A lecture as a decider: `decide(state, command)` says which event a command produces (or
 * why it does not apply now); `evolve(state, event)` applies an event. The recording is the
 * event log, and any state is the fold of `evolve` over it. Time and seeds arrive in the
 * event, so `evolve` is a pure function of its arguments. A new command is applied through
 * `applyCommand` (apply.ts), which runs these two with the class's answers and the finite check.
 */
import { LossLog } from '../engine/loss-log.js';
import type { Preset } from '../engine/mlp/init.js';
import { own, type Tensor } from '../engine/tensor.js';
import { flatIndex, indexProblem } from '../engine/tensor.js';
import { isNotebookConfig, notebookWeightsFit, type MlpConfig } from '../engine/mlp/config.js';
import { mlpComputedInPass, mlpLayout, mlpProducingStage, mlpStagePosition, mlpStagesRun, mlpTensorShape } from '../engine/mlp/layout.js';
import { mlpClearPass, mlpRunTo, mlpSetParameter, mlpStep, mlpWithLearningRate, mlpParams, type MlpState } from '../engine/mlp/network.js';
import { evaluateMlp } from '../engine/mlp/train.js';
import type { DatasetSpec } from '../datasets/spec.js';
import { LIMITS } from '../protocol/limits.js';
import type { Command, RecordedCommand } from '../protocol/commands.js';
import type { FlagTarget, Pacing, Prediction, PredictionStats, SpotlightTarget } from '../protocol/collab.js';
import {
  buildNetwork,
  elementProblem,
  fitInputs,
  packedData,
  setupProblem,
  NOTEBOOK_DATASET_SPEC,
  NOTEBOOK_MLP_CONFIG,
} from './setup.js';
import { upcomingPassRows } from './pass.js';
import { trainLecture } from './trainer.js';

export interface LectureConfig {
  readonly lectureId: string;
  readonly title: string;
  readonly preset: Preset;
  readonly seed: number;
  readonly learningRate: number;
  /** Default: the notebook's 3-4-1 network. Its inputs follow the dataset. */
  readonly network?: MlpConfig;
  /** Default: the notebook's truth table. */
  readonly dataset?: DatasetSpec;
}

/**
 * What `back` restores. Pacing, predictions, the spotlight, the errata setting and narration are
 * not undone: they belong to the class, not the network (and a bookmark changes no state at all).
 */
interface Undoable {
  readonly network: MlpState;
  readonly dataset: DatasetSpec;
  readonly preset: Preset;
  readonly seed: number;
  /** Mean loss on the dataset's held-out rows after each finished epoch (empty without held-out rows). */
  readonly testLoss: LossLog;
}

/** A persistent stack: pushing shares everything below, so keeping history costs little. */
interface UndoNode {
  readonly saved: Undoable;
  readonly below: UndoNode | null;
  readonly depth: number;
  /** What this node and those below it hold in tensors, estimated (shared tensors counted each time). */
  readonly bytes: number;
}

export interface LectureState extends Undoable {
  readonly lectureId: string;
  readonly title: string;
  readonly seq: number;
  readonly undo: UndoNode | null;
  readonly pacing: Pacing;
  readonly prediction: Prediction | null;
  /** What the instructor points the class at; cleared when a new pass starts. */
  readonly spotlight: SpotlightTarget | null;
  /** Whether the teaching notebook's mistakes are shown beside the correct equations. */
  readonly errata: boolean;
  /** Whether the instructor's console is recording narration now (students see "🎙 recording"). */
  readonly narrating: boolean;
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
  /**
   * For `train`: what the training produced, computed once when it ran and recorded with it, so
   * that folding the log (a restart, an export) never trains again. Without it, `evolve` trains.
   */
  readonly trained?: TrainingResult;
}

/** What a training produced: enough to rebuild the state after it without running it. */
export interface TrainingResult {
  /** Every parameter after the last whole epoch, by its name (row-major). */
  readonly params: Readonly<Record<string, ArrayLike<number>>>;
  /** The mean loss of each epoch run, exactly (one per epoch). */
  readonly losses: ArrayLike<number>;
  /** The held-out rows' loss after each epoch run; empty when the dataset holds none out. */
  readonly testLosses: ArrayLike<number>;
}

export interface DecideContext {
  /** Server time, ms since the epoch. */
  readonly now: number;
  /** A fresh seed, drawn only when a random reset names none. */
  readonly newSeed: () => number;
}

export function createLecture(config: LectureConfig): LectureState {
  const dataset = config.dataset ?? NOTEBOOK_DATASET_SPEC;
  const network = fitInputs(config.network ?? NOTEBOOK_MLP_CONFIG, dataset);
  return {
    lectureId: config.lectureId,
    title: config.title,
    seq: 0,
    preset: config.preset,
    seed: config.seed,
    dataset,
    network: buildNetwork(network, dataset, config.preset, config.seed, config.learningRate),
    testLoss: LossLog.EMPTY,
    undo: null,
    pacing: 'free',
    prediction: null,
    spotlight: null,
    errata: false,
    narrating: false,
  };
}

export type Refusal = { readonly ok: false; readonly status: 400 | 409; readonly error: string };
export type Decision = { readonly ok: true; readonly event: LectureEvent } | Refusal;

const refuse = (error: string): Refusal => ({ ok: false, status: 409, error });
/** Well-formed, but not a part of this lecture's network or data. */
const invalid = (error: string): Refusal => ({ ok: false, status: 400, error });

/** Why a run-to command cannot run now, or null when it can. */
function runToRefusal(state: LectureState, target: string, label: string): Refusal | null {
  const { stage } = state.network;
  if (stage === 'update') return null; // the pass is complete: the command runs the next sample's pass
  const layout = mlpLayout(state.network.config);
  if (mlpStagePosition(layout, stage) >= mlpStagePosition(layout, target)) {
    return refuse(`${label} already ran in this pass (the pass is at ${stage}); step on or press Update to finish the pass`);
  }
  return null;
}

/** Why the pass the next step would run is too big to show stage by stage, or null. */
function tooBigToStep(network: MlpState): Refusal | null {
  const rows = upcomingPassRows(network);
  if (rows <= LIMITS.maxStepRows) return null;
  return refuse(
    `this pass has ${rows.toLocaleString('en')} rows; every student receives every row's numbers, so a pass stepped through live has at most ` +
      `${LIMITS.maxStepRows} rows: use mini-batches of at most ${LIMITS.maxStepRows}, or train`,
  );
}

/** The last stage of the forward pass (the loss) and of the backward pass (the first layer's weight gradient). */
function passLandmarks(config: MlpConfig): { readonly forwardEnd: string; readonly backwardEnd: string } {
  const stages = mlpLayout(config).stages;
  return { forwardEnd: 'L', backwardEnd: stages[stages.length - 2].stage };
}

/** The preset a new network gets when the command names none: the notebook's weights where they fit. */
function defaultPreset(config: MlpConfig, current: Preset): Preset {
  return current === 'notebook' && notebookWeightsFit(config) ? 'notebook' : 'random';
}

function seedFor(preset: Preset, given: number | undefined, current: number, ctx: DecideContext): number {
  return given ?? (preset === 'random' ? ctx.newSeed() : current);
}

/**
 * What a change of network or data records: the network with the data's inputs, and the preset
 * and seed of its new weights (the command's, else the defaults); or why it cannot happen.
 */
function newSetup(
  state: LectureState,
  shape: MlpConfig,
  dataset: DatasetSpec,
  given: { readonly preset?: Preset; readonly seed?: number },
  ctx: DecideContext,
): { readonly network: MlpConfig; readonly preset: Preset; readonly seed: number } | Refusal {
  if (state.prediction?.status === 'open') return refuse('a prediction is open; reveal it before changing the network or the data');
  const network = fitInputs(shape, dataset);
  const preset = given.preset ?? defaultPreset(network, state.preset);
  const problem = setupProblem(network, dataset, preset);
  if (problem) return refuse(problem);
  return { network, preset, seed: seedFor(preset, given.seed, state.seed, ctx) };
}

export function decide(state: LectureState, command: Command, ctx: DecideContext): Decision {
  const event = (recorded: RecordedCommand): Decision => ({ ok: true, event: { seq: state.seq + 1, at: ctx.now, command: recorded } });
  const { network } = state;
  switch (command.type) {
    case 'step':
      return tooBigToStep(network) ?? event(command);
    case 'setLearningRate':
      return event(command);
    case 'selectSample': {
      const rows = network.data.count;
      return command.index < rows ? event(command) : invalid(`row ${command.index} is outside the data (rows 0 to ${rows - 1})`);
    }
    case 'setWeight': {
      const { parameters } = mlpLayout(network.config);
      if (!parameters.includes(command.tensor)) return invalid(`${command.tensor} is not a weight of this network; its weights are ${parameters.join(', ')}`);
      const problem = indexProblem(command.tensor, own(network.tensors, command.tensor)!.shape, command.index);
      return problem ? invalid(problem) : event(command);
    }
    case 'back':
      return state.undo ? event(command) : refuse('nothing to undo');
    case 'forward':
      return tooBigToStep(network) ?? runToRefusal(state, passLandmarks(network.config).forwardEnd, 'the forward pass') ?? event(command);
    case 'backward':
      return tooBigToStep(network) ?? runToRefusal(state, passLandmarks(network.config).backwardEnd, 'the backward pass') ?? event(command);
    case 'update':
      return tooBigToStep(network) ?? event(command);
    case 'train':
      return event({ type: 'train', epochs: command.epochs, epochsRun: command.epochs });
    case 'reset': {
      const preset = command.preset ?? state.preset;
      const problem = setupProblem(network.config, state.dataset, preset);
      if (problem) return refuse(problem);
      return event({ type: 'reset', preset, seed: seedFor(preset, command.seed, state.seed, ctx) });
    }
    case 'setNetwork': {
      const setup = newSetup(state, { ...command.network, inputs: network.config.inputs }, state.dataset, command, ctx);
      return 'error' in setup ? setup : event({ type: 'setNetwork', ...setup });
    }
    case 'setDataset': {
      const setup = newSetup(state, network.config, command.dataset, command, ctx);
      return 'error' in setup ? setup : event({ type: 'setDataset', dataset: command.dataset, ...setup });
    }
    case 'stop':
      return refuse('no training is running');
    case 'ask': {
      if (state.prediction?.status === 'open') return refuse('a prediction is already open; reveal it first');
      const problem = elementProblem(network, command.tensor, command.index);
      if (problem) return invalid(problem);
      const layout = mlpLayout(network.config);
      if (mlpComputedInPass(layout, network.stage, command.tensor)) {
        return refuse(`${command.tensor} is already computed in this pass; ask before its stage (${mlpProducingStage(layout, command.tensor)}) runs`);
      }
      return event(command);
    }
    case 'reveal':
      return state.prediction?.status === 'open' ? event(command) : refuse('no prediction is open');
    case 'clearFlags':
    case 'setPacing':
      return event(command);
    case 'spotlight': {
      const problem = command.target && targetProblem(network, command.target);
      return problem ? invalid(problem) : event(command);
    }
    case 'setErrata':
      if (command.on && !isNotebookConfig(network.config)) {
        return refuse("the notebook's mistakes are shown on the notebook's 3-4-1 network only; this lecture's network is another one");
      }
      return event(command);
    case 'bookmark':
    case 'setNarration':
      return event(command);
    default: {
      const unknown: never = command;
      throw new Error(`unhandled command ${JSON.stringify(unknown)}`);
    }
  }
}

function undoable(state: LectureState): Undoable {
  return { network: state.network, dataset: state.dataset, preset: state.preset, seed: state.seed, testLoss: state.testLoss };
}

/** The bytes a saved state's tensors take, roughly: what keeping it for `back` costs. */
function tensorBytes(network: MlpState): number {
  let numbers = 0;
  for (const name in network.tensors) numbers += network.tensors[name].data.length;
  return numbers * 8 + 256;
}

function pushUndo(state: LectureState): UndoNode {
  const saved = undoable(state);
  const bytes = tensorBytes(saved.network) + (state.undo?.bytes ?? 0);
  const node: UndoNode = { saved, below: state.undo, depth: (state.undo?.depth ?? 0) + 1, bytes };
  // Trim in batches (amortised O(1)): keep the last LIMITS.undoDepth commands undoable, fewer when
  // their states would take more than LIMITS.undoBytes (a pass over hundreds of rows is large).
  return node.depth > LIMITS.undoDepth * 1.5 || node.bytes > LIMITS.undoBytes * 1.5 ? keepTop(node) : node;
}

function keepTop(node: UndoNode): UndoNode {
  const saved: Undoable[] = [];
  let bytes = 0;
  for (let n: UndoNode | null = node; n && saved.length < LIMITS.undoDepth; n = n.below) {
    bytes += tensorBytes(n.saved.network);
    if (saved.length > 0 && bytes > LIMITS.undoBytes) break;
    saved.push(n.saved);
  }
  let rebuilt: UndoNode | null = null;
  for (let i = saved.length - 1; i >= 0; i--) {
    const below = rebuilt as UndoNode | null;
    rebuilt = { saved: saved[i], below, depth: saved.length - i, bytes: tensorBytes(saved[i].network) + (below?.bytes ?? 0) };
  }
  return rebuilt!;
}

type NetworkCommand = Exclude<RecordedCommand, { type: 'back' | 'ask' | 'reveal' | 'clearFlags' | 'setPacing' | 'spotlight' | 'setErrata' | 'bookmark' | 'setNarration' }>;

/** The network after a command that changes it (`back` restores instead; the class's commands leave it alone). */
function applyToNetwork(state: LectureState, command: NetworkCommand, trained: TrainingResult | undefined): Undoable {
  const { network } = state;
  const same = undoable(state);
  const landmarks = passLandmarks(network.config);
  const stepped = (next: MlpState): Undoable => ({ ...same, network: next, testLoss: withTestLoss(state, next) });
  switch (command.type) {
    case 'step':
      return stepped(mlpStep(network));
    case 'forward':
      return stepped(mlpRunTo(network, landmarks.forwardEnd));
    case 'backward':
      return stepped(mlpRunTo(network, landmarks.backwardEnd));
    case 'update':
      return stepped(mlpRunTo(network, 'update'));
    case 'selectSample':
      return { ...same, network: mlpClearPass(network, command.index) };
    case 'setLearningRate':
      return { ...same, network: mlpWithLearningRate(network, command.value) };
    case 'setWeight': {
      const t = own(network.tensors, command.tensor)!;
      return { ...same, network: mlpSetParameter(network, command.tensor, flatIndex(t.shape, command.index), command.value) };
    }
    case 'train': {
      const result = trained ?? trainLecture(state, command.epochsRun);
      if (result.losses.length !== command.epochsRun) throw new Error(`the recorded training ran ${result.losses.length} epochs, not ${command.epochsRun}`);
      return applyTraining(state, result);
    }
    case 'reset':
      return fresh(network.config, state.dataset, command.preset, command.seed, network.learningRate);
    case 'setNetwork':
      return fresh(command.network, state.dataset, command.preset, command.seed, network.learningRate);
    case 'setDataset':
      return fresh(command.network, command.dataset, command.preset, command.seed, network.learningRate);
    default: {
      const unknown: never = command;
      throw new Error(`unhandled command ${JSON.stringify(unknown)}`);
    }
  }
}

function fresh(config: MlpConfig, dataset: DatasetSpec, preset: Preset, seed: number, learningRate: number): Undoable {
  return { network: buildNetwork(config, dataset, preset, seed, learningRate), dataset, preset, seed, testLoss: LossLog.EMPTY };
}

/** The test loss series after stepping: an epoch that closed adds the test loss of the weights it ended with. */
function withTestLoss(state: LectureState, next: MlpState): LossLog {
  const test = packedData(state.dataset).test;
  if (!test || next.lossHistory.length === state.network.lossHistory.length) return state.testLoss;
  return state.testLoss.append([evaluateMlp(next.config, mlpParams(next), test).loss]);
}

/**
 * The lecture after a training, from what it produced: the one way a `train` event is applied,
 * whether the training just ran here, ran in slices on the server, or was recorded long ago.
 * The pass is cleared, the epochs counted, the losses appended (as MlpTrainer.finish does).
 */
function applyTraining(state: LectureState, result: TrainingResult): Undoable {
  const { network } = state;
  const layout = mlpLayout(network.config);
  const epochs = result.losses.length;
  const tensors: Record<string, Tensor> = {};
  for (const name of layout.parameters) {
    const data = Object.hasOwn(result.params, name) ? result.params[name] : undefined;
    const shape = mlpTensorShape(network.config, name);
    if (!data || data.length !== shape.reduce((a, b) => a * b, 1)) throw new Error(`the recorded training has no ${name} of shape [${shape.join(', ')}]`);
    tensors[name] = { shape, data: Array.from(data) };
  }
  const hasTest = packedData(state.dataset).test !== null;
  if (result.testLosses.length !== (hasTest ? epochs : 0)) throw new Error('the recorded training has a test loss for each epoch only with held-out rows');
  const base = mlpClearPass(network, 0);
  return {
    ...undoable(state),
    network: { ...base, epoch: network.epoch + epochs, epochLossSum: 0, epochLossCount: 0, lossHistory: network.lossHistory.append(result.losses), tensors },
    testLoss: state.testLoss.append(result.testLosses),
  };
}

/** Why a flag or spotlight does not point at a stage or element of this network, or null. */
export function targetProblem(network: MlpState, target: FlagTarget): string | null {
  if (target.type === 'element') return elementProblem(network, target.tensor, target.index);
  const stages = mlpLayout(network.config).stages.map((s) => s.stage);
  return stages.includes(target.stage) ? null : `this network has no stage ${target.stage}; its stages are ${stages.join(', ')}`;
}

/**
 * How the event ended the pass the class was looking at, if it did: `cleared` when the pass was
 * wiped (a training, a reset, another row, another network or data, also by `back`), `next` when a
 * new pass began (its `input` ran); null when it did not. The class's pointers into a pass (flags,
 * the spotlight, the question) end with it.
 */
export function passEnd(before: LectureState, after: LectureState, command: RecordedCommand): 'cleared' | 'next' | null {
  const type = command.type;
  if (type === 'train' || type === 'reset' || type === 'selectSample' || type === 'setDataset') return 'cleared';
  if (before.network.config !== after.network.config) return 'cleared';
  // The class's own commands leave the network as it was. (At `update`, a pass is complete and
  // the stages from there "run" from `input`: only a command that moved the network ran them.)
  if (after.network === before.network) return null;
  return mlpStagesRun(mlpLayout(after.network.config), before.network.stage, after.network.stage).includes('input') ? 'next' : null;
}

export function endsPass(before: LectureState, after: LectureState, command: RecordedCommand): boolean {
  return passEnd(before, after, command) !== null;
}

/** Whether the event leaves the pass with no flags: it ended the pass, or cleared them. */
export function clearsFlags(before: LectureState, after: LectureState, command: RecordedCommand): boolean {
  return command.type === 'clearFlags' || endsPass(before, after, command);
}

/** Applies an event: the only way a lecture's state changes. */
export function evolve(state: LectureState, event: LectureEvent): LectureState {
  return evolveRevealing(state, event, () => event.reveal);
}

/**
 * `evolve`, with the class's answers asked for only when the event reveals the open prediction:
 * how a new event learns them (`applyEvent`); a recorded event carries them in `reveal`.
 */
export function evolveRevealing(state: LectureState, event: LectureEvent, answers: () => PredictionStats | undefined): LectureState {
  const next = evolveLecture(state, event, answers);
  const end = passEnd(state, next, event.command);
  if (end === null) return next;
  const prediction = questionAfter(state, next, end);
  return next.spotlight === null && prediction === next.prediction ? next : { ...next, spotlight: null, prediction };
}

/**
 * A question belongs to its pass. A wiped pass takes it, answered or not. A new pass takes a
 * question revealed before it; it keeps one this very event revealed (a `forward` from a
 * complete pass reveals and begins at once), and one still open, which was asked for this pass
 * (asked after the last one completed).
 */
function questionAfter(before: LectureState, after: LectureState, end: 'cleared' | 'next'): Prediction | null {
  if (end === 'cleared' || after.prediction === null) return null;
  return before.prediction?.status === 'revealed' ? null : after.prediction;
}

function evolveLecture(state: LectureState, event: LectureEvent, answers: () => PredictionStats | undefined): LectureState {
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
      return { ...state, seq, prediction: revealed(state.prediction!, predictedValue(state.prediction!, state.network), answers()) };
    case 'clearFlags':
      return { ...state, seq };
    case 'setPacing':
      return { ...state, seq, pacing: command.mode };
    case 'spotlight':
      return { ...state, seq, spotlight: command.target };
    case 'setErrata':
      return { ...state, seq, errata: command.on };
    case 'bookmark':
      return { ...state, seq };
    case 'setNarration':
      return { ...state, seq, narrating: command.on };
    default: {
      const applied = applyToNetwork(state, command, event.trained);
      const next = { ...state, ...applied, seq, undo: pushUndo(state) };
      if (!revealsPrediction(state, next)) return next;
      // The stage just ran, so the value is among the tensors now.
      const p = state.prediction!;
      const t = own(next.network.tensors, p.tensor)!;
      const actual = t.data[flatIndex(t.shape, p.index)];
      return { ...next, prediction: revealed(p, actual, answers()) };
    }
  }
}

/** Whether the command that led from `before` to `after` ran the stage that computes the open prediction's tensor. */
export function revealsPrediction(before: LectureState, after: LectureState): boolean {
  const p = before.prediction;
  if (!p || p.status !== 'open' || after.seq !== before.seq + 1) return false;
  if (after.network.config !== before.network.config) return false;
  const layout = mlpLayout(before.network.config);
  return mlpStagesRun(layout, before.network.stage, after.network.stage).includes(mlpProducingStage(layout, p.tensor) ?? '');
}

/**
 * The value the asked element will have when its stage runs (an early `reveal`): the pass is
 * run ahead on a copy; the lecture itself does not move. A complete pass looks at the next one.
 * NaN when the network no longer has the element (it was changed while the question was open).
 */
export function predictedValue(prediction: Prediction, network: MlpState): number {
  const layout = mlpLayout(network.config);
  const producer = mlpProducingStage(layout, prediction.tensor);
  if (producer === undefined || elementProblem(network, prediction.tensor, prediction.index)) return NaN;
  const ahead = mlpRunTo(network, producer);
  const t = own(ahead.tensors, prediction.tensor)!;
  return t.data[flatIndex(t.shape, prediction.index)];
}

function revealed(prediction: Prediction, actual: number, stats: PredictionStats | undefined): Prediction {
  const empty: PredictionStats = { count: 0, mean: null, median: null, histogram: { edges: [], counts: [] } };
  return { ...prediction, status: 'revealed', actual: Number.isFinite(actual) ? actual : null, stats: stats ?? empty };
}

export function undoDepth(state: LectureState): number {
  return state.undo?.depth ?? 0;
}
