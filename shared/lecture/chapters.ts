/**
 * A recording's chapters: what a student scanning a replay looks for, named as people say it
 * ("Forward pass, sample 2", "Train 500 epochs (loss 0.00081)", "Question: C_act (12 answers)"),
 * one per stretch of the lecture that did one thing: not one per event, not one for the whole.
 *
 * Every recorded command has a rule (CHAPTER_RULES): it begins a chapter of its own, it moves the
 * pass (a chapter per phase of a pass: the steps of one forward pass are one chapter), or it joins
 * the chapter under way (a setting, an undo, the class's commands). A question's chapter runs from
 * its `ask` to its reveal: the steps towards the answer are part of it, and its title counts the
 * answers once revealed. Pure: built from the recording's events (their commands and frames) and
 * the lecture as created, so the replay, the embed and the tests share it.
 */
import { datasetLabel, makeDataset, type DatasetSpec } from '../datasets/spec.js';
import type { MlpConfig } from '../engine/mlp/config.js';
import { mlpLayout, type MlpPhase } from '../engine/mlp/layout.js';
import { elementLabel, tensorShapeIn } from '../engine/mlp/tensor-names.js';
import type { RecordedCommand } from '../protocol/commands.js';
import type { Frame } from '../protocol/snapshot.js';

/** What a chapter is about: the pass's phase, a training, a new setup, a question, a bookmark, or the events before any of these. */
export type ChapterKind = MlpPhase | 'start' | 'train' | 'reset' | 'network' | 'dataset' | 'question' | 'bookmark';

export interface Chapter {
  /** The seq of its first event: seeking there shows the lecture right after it. */
  readonly seq: number;
  /** Its first event's time on the lecture clock (ms since the epoch). */
  readonly at: number;
  readonly title: string;
  readonly kind: ChapterKind;
}

/** An event as a recording holds it (GET /api/lectures/:id/recording): its command and the frame it produced. */
export interface ChapterEvent {
  readonly seq: number;
  readonly at: number;
  readonly command: RecordedCommand;
  readonly frame: Frame;
}

/** The lecture as created: the network and data the first events ran on (a recording's `lecture.initial`). */
export interface ChapterStart {
  readonly network: MlpConfig;
  readonly dataset: DatasetSpec;
}

/**
 * How an event takes part in the chapters: `own` begins a chapter of its own, `pass` moves the
 * pass (a new chapter when the pass or its phase changed), `joins` belongs to the chapter under
 * way. A lecture's first events, when they join nothing, open the first chapter that comes after
 * them (a lecture of nothing but those is one "Lecture start" chapter).
 */
export type ChapterRule = 'own' | 'pass' | 'joins';

/** The rule of every recorded command (`stop` is recorded as its training's `epochsRun`). A new command needs one to compile. */
export const CHAPTER_RULES: { readonly [K in RecordedCommand['type']]: ChapterRule } = {
  step: 'pass',
  forward: 'pass',
  backward: 'pass',
  update: 'pass',
  train: 'own',
  reset: 'own',
  setNetwork: 'own',
  setDataset: 'own',
  ask: 'own',
  bookmark: 'own',
  // An undo or a row chosen belongs to what was under way; the next step begins the pass it leads to.
  back: 'joins',
  selectSample: 'joins',
  setLearningRate: 'joins',
  setWeight: 'joins',
  reveal: 'joins',
  clearFlags: 'joins',
  setPacing: 'joins',
  spotlight: 'joins',
  setErrata: 'joins',
  setNarration: 'joins',
};

/** The chapters of a recording, in order; none for a recording without events. */
export function chaptersOf(events: readonly ChapterEvent[], start: ChapterStart): Chapter[] {
  const builder = new ChapterBuilder(start);
  for (const event of events) builder.add(event);
  return builder.chapters;
}

/** A chapter being written: its title may still change (a question's, when it is revealed). */
interface OpenChapter {
  seq: number;
  at: number;
  title: string;
  kind: ChapterKind;
  /** For a pass chapter: which pass and phase (a new one begins a new chapter). */
  passKey: string | null;
}

class ChapterBuilder {
  private readonly open: OpenChapter[] = [];
  private network: MlpConfig;
  private dataset: DatasetSpec;
  /** The key of the latest pass chapter, to title one interrupted by a question or bookmark as continued. */
  private lastPassKey: string | null = null;
  /**
   * Every pass chapter's key (epoch, row, phase) since the weights last started over: one seen
   * before (after an undo, or the row chosen again) is that phase again.
   */
  private readonly passKeys = new Set<string>();
  /** The question chapter whose question is still open: the steps towards its answer join it. */
  private question: OpenChapter | null = null;

  constructor(start: ChapterStart) {
    this.network = start.network;
    this.dataset = start.dataset;
  }

  get chapters(): Chapter[] {
    return this.open.map(({ seq, at, title, kind }) => ({ seq, at, title, kind }));
  }

  add(event: ChapterEvent): void {
    const { command, frame } = event;
    const before = { network: this.network };
    const rule = Object.hasOwn(CHAPTER_RULES, command.type) ? CHAPTER_RULES[command.type] : 'joins';
    if (rule === 'own') this.beginOwn(event);
    if (rule === 'pass') this.movePass(event, before.network);
    if (rule === 'joins' && this.open.length === 0) this.begin(event, 'Lecture start', 'start', null);
    if (frame.network) this.network = frame.network;
    if (frame.dataset) this.dataset = frame.dataset;
    if (command.type === 'ask') this.question = this.current;
    if (frame.prediction !== undefined) this.questionChanged(frame);
  }

  private get current(): OpenChapter | null {
    return this.open.length ? this.open[this.open.length - 1] : null;
  }

  /** A new chapter at this event; the lecture's first settings (a "Lecture start" chapter) become the first real chapter's opening instead. */
  private begin(event: ChapterEvent, title: string, kind: ChapterKind, passKey: string | null): void {
    const current = this.current;
    if (current?.kind === 'start') Object.assign(current, { title, kind, passKey });
    else this.open.push({ seq: event.seq, at: event.at, title, kind, passKey });
  }

  /** A command with a chapter of its own. After new weights (a training, a reset, a new network or data) every pass is a new one. */
  private beginOwn(event: ChapterEvent): void {
    const kind = ownKind(event.command);
    this.begin(event, ownTitle(event.command, event.frame, this.network, this.dataset), kind, null);
    if (kind !== 'question' && kind !== 'bookmark') {
      this.passKeys.clear();
      this.lastPassKey = null;
    }
  }

  /** A step, forward, backward or update: the chapter of the pass (its epoch and row) and phase it leaves the lecture in. */
  private movePass(event: ChapterEvent, network: MlpConfig): void {
    const { frame } = event;
    // Steps towards an open question's answer are part of its chapter.
    if (this.question !== null && this.question === this.current) return;
    const phase = phaseOf(network, frame.stage);
    const key = `${frame.epoch}:${frame.sampleIndex}:${phase}`;
    if (this.current?.passKey === key) return;
    const suffix = key === this.lastPassKey ? ', continued' : this.passKeys.has(key) ? ', again' : '';
    this.lastPassKey = key;
    this.passKeys.add(key);
    this.begin(event, `${passTitle(phase, network, frame.sampleIndex)}${suffix}`, phase, key);
  }

  /** The question was revealed (its chapter counts the answers) or ended unrevealed: either way it is no longer open. */
  private questionChanged(frame: Frame): void {
    const chapter = this.question;
    if (chapter === null || frame.command.type === 'ask') return;
    if (frame.prediction?.status === 'revealed' && frame.prediction.stats) chapter.title = `${chapter.title} (${answersText(frame.prediction.stats.count)})`;
    this.question = null;
  }
}

/** The phase of the stage a pass stands at (`idle`, which no pass command leaves, and an unknown stage read as forward). */
function phaseOf(network: MlpConfig, stage: string): MlpPhase {
  return stagePhases(network).get(stage) ?? 'forward';
}

const PHASES = new WeakMap<MlpConfig, ReadonlyMap<string, MlpPhase>>();

/** Each stage's phase, once per network: a long recording asks for every event. */
function stagePhases(network: MlpConfig): ReadonlyMap<string, MlpPhase> {
  let phases = PHASES.get(network);
  if (!phases) {
    phases = new Map(mlpLayout(network).stages.map((s) => [s.stage, s.phase]));
    PHASES.set(network, phases);
  }
  return phases;
}

function passTitle(phase: MlpPhase, network: MlpConfig, sampleIndex: number): string {
  const rows = network.batch === 'full' ? 'full batch' : network.batch > 1 ? `batch from sample ${sampleIndex}` : `sample ${sampleIndex}`;
  const what = phase === 'forward' ? 'Forward pass' : phase === 'backward' ? 'Backward pass' : 'Update';
  return `${what}, ${rows}`;
}

function ownKind(command: RecordedCommand): ChapterKind {
  switch (command.type) {
    case 'train':
      return 'train';
    case 'reset':
      return 'reset';
    case 'setNetwork':
      return 'network';
    case 'setDataset':
      return 'dataset';
    case 'ask':
      return 'question';
    default:
      return 'bookmark';
  }
}

/** The title of a chapter an event begins on its own. */
function ownTitle(command: RecordedCommand, frame: Frame, network: MlpConfig, dataset: DatasetSpec): string {
  switch (command.type) {
    case 'train':
      return trainTitle(command.epochs, command.epochsRun, frame);
    case 'reset':
      return `Reset: ${command.preset === 'random' ? `random weights, seed ${command.seed}` : 'notebook weights'}`;
    case 'setNetwork':
      return `Network: ${networkText(command.network)} on ${datasetName(dataset)}`;
    case 'setDataset':
      return `Dataset: ${datasetLabel(command.dataset)}`;
    case 'ask':
      return `Question: ${elementLabel(command.tensor, command.index, tensorShapeIn(network, command.tensor))}`;
    case 'bookmark':
      return command.label;
    default:
      return command.type;
  }
}

/** "Train 500 epochs (loss 0.00081)"; a stopped one says so: "Train 500 epochs, stopped after 120 (loss 0.012)". */
function trainTitle(epochs: number, epochsRun: number, frame: Frame): string {
  const asked = `Train ${epochs.toLocaleString('en')} ${epochs === 1 ? 'epoch' : 'epochs'}`;
  if (epochsRun === 0) return `${asked}, stopped at once`;
  const stopped = epochsRun < epochs ? `, stopped after ${epochsRun.toLocaleString('en')}` : '';
  // The loss chart's last point: the last epoch's loss (the mean of the last few once the history is summarised).
  const append = frame.loss.append;
  const loss = append.length ? append[append.length - 1] : null;
  return `${asked}${stopped}${loss !== null && Number.isFinite(loss) ? ` (loss ${lossText(loss)})` : ''}`;
}

/** Two significant digits, never exponent notation for a loss a class reads: 0.00081, 0.25, 1.3. */
function lossText(loss: number): string {
  if (loss === 0) return '0';
  if (Math.abs(loss) < 1e-6) return loss.toExponential(1);
  return String(Number(loss.toPrecision(2)));
}

/** "2-8-8-1 tanh", "3-4-1 sigmoid", "2-8-4-1 relu, tanh": the sizes and the hidden layers' activations. */
export function networkText(config: MlpConfig): string {
  const layout = mlpLayout(config);
  const hidden = [...new Set(config.hidden.map((h) => h.activation))];
  return `${layout.sizes.join('-')} ${hidden.join(', ')}`;
}

/** A dataset in a few words: "spiral", "XOR (2 inputs)", the notebook's truth table, an upload's name. */
function datasetName(spec: DatasetSpec): string {
  if (spec.kind === 'points') return spec.set;
  if (spec.kind === 'csv') return spec.name;
  return makeDataset(spec).name;
}

function answersText(count: number): string {
  return count === 0 ? 'no answers' : count === 1 ? '1 answer' : `${count.toLocaleString('en')} answers`;
}
