import { decide, targetProblem, type LectureEvent, type LectureState, type Refusal } from '../shared/lecture/decider.js';
import { frameBetween, toSnapshot } from '../shared/lecture/views.js';
import { aggregate } from '../shared/protocol/answer-stats.js';
import type { FlagCounts, FlagTarget, PredictionReveal, PredictionUpdate } from '../shared/protocol/collab.js';
import type { Command } from '../shared/protocol/commands.js';
import { flagKey } from '../shared/protocol/flag-key.js';
import type { Frame, Snapshot } from '../shared/protocol/snapshot.js';
import type { CatchUp, TrainingProgress } from '../shared/protocol/socket.js';
import { applyEvent, type Applied, type ApplyContext } from '../shared/lecture/apply.js';
import { EVENT_FORMAT_VERSION } from '../shared/lecture/event-format.js';
import { encodeKeyframe, KEYFRAME_FORMAT } from '../shared/lecture/keyframe.js';
import { LectureTrainer, slicedTrainingEvent } from '../shared/lecture/trainer.js';
import { newSeed } from './ids.js';
import type { Clock, LectureRecord, LectureStore, RandomSource } from './ports.js';
import { LectureQuota, type LectureLimits, type QuotaUsage } from './lecture-quota.js';
import type { TrainingSlots } from './training-slots.js';
import { AnswerAddresses } from './answer-addresses.js';
import { CommandQueue } from './command-queue.js';
import type { RoomMetrics } from './metrics.js';
import { lectureLog } from './log.js';
import { FrameHistory } from './frame-history.js';
import type { LiveLecture } from './live-lecture.js';

export type CommandResult =
  | {
      readonly ok: true;
      readonly seq: number;
      /** A repeat of a command id the lecture has applied (or is applying): answered as it was, nothing applied now. */
      readonly repeat?: true;
    }
  | { readonly ok: false; readonly status: number; readonly error: string; readonly retryAfter?: number };

export interface RoomListener {
  frame(frame: Frame): void;
  progress(progress: TrainingProgress): void;
  /** For the instructor only: answers so far to the open prediction. */
  predictionUpdate(update: PredictionUpdate): void;
  predictionReveal(reveal: PredictionReveal): void;
  /** For the instructor only: flags of the current pass. */
  flags(flags: FlagCounts): void;
}

export type Outcome = { readonly ok: true } | { readonly ok: false; readonly status: number; readonly error: string };

/** What the store holds of a lecture beside its events, read when the room is opened. */
export interface RoomStored {
  /** The current pass's flags: key → the students who flagged it. */
  readonly flags: Map<string, Set<string>>;
  /** The answers to the open prediction, by client id (empty when none is open). */
  readonly answers: Map<string, number>;
}

/**
 * Checked in a command's turn before it is decided (a table the store must hold): a problem
 * refuses the command with 400.
 */
export type CommandCheck = () => Promise<string | null> | string | null;

/** A turn's outcome: a result, or a training that the turn started and that answers when it ends. */
type Turn = CommandResult | { readonly training: Promise<CommandResult> };

export interface RoomDeps {
  readonly store: LectureStore;
  readonly clock: Clock;
  readonly random: RandomSource;
  /** Shared by every lecture of the process: how many trainings run at once. */
  readonly trainings: TrainingSlots;
  readonly limits: LectureLimits;
  /** Counts commands and catch-ups for /metrics (metrics.ts); none in tests that do not look. */
  readonly metrics?: RoomMetrics;
}

/** The answer a repeat of a command id gets: the original's, marked as a repeat when it was applied. */
const asRepeat = (result: CommandResult): CommandResult => (result.ok ? { ok: true, seq: result.seq, repeat: true } : result);

/** A command id sent again with another command: refused, since answering the first would hide that the second never ran. */
const reusedId = (commandId: string, type: string): CommandResult => ({
  ok: false,
  status: 409,
  error: `commandId "${commandId}" was already used for a ${type} command; give every command its own id`,
});

/**
 * A keyframe is kept every this many events, so a load folds at most this many. Not after every
 * training as well: a `train` event carries its result, so folding one is cheap, while a keyframe
 * costs its whole state (up to the undo stack's 64 MiB); a hundred `train {epochs: 1}` a second
 * would otherwise encode a hundred of them a second.
 */
const KEYFRAME_EVERY = 256;
/** What the instructor sees of a pass's flags: key → how many students (a null-prototype record: keys are the class's). */
export function flagCountsOf(flagged: ReadonlyMap<string, ReadonlySet<string>>): FlagCounts {
  const counts: Record<string, number> = Object.create(null);
  for (const [key, who] of flagged) counts[key] = who.size;
  return { counts };
}

/** A training slice's target length: long enough to be efficient, short enough to keep the loop responsive. */
const SLICE_MS = 4;
const PROGRESS_EVERY_MS = 150;
/** Live aggregates for the instructor are batched: a class answering at once sends a few updates, not hundreds. */
const AGGREGATE_EVERY_MS = 200;
/** Distinct elements one student may flag in a pass. */
const FLAGS_PER_STUDENT = 64;

interface TrainingRun {
  readonly epochsTotal: number;
  epochsDone: number;
  stopRequested: boolean;
  /** Trainings of other lectures ahead of this one while it waits for a slot; 0 once it runs. */
  queued: number;
}

/**
 * One live lecture: the authoritative state, the order of its commands, and the rule that an
 * event is committed to the store before anyone hears of it. Commands, answers and flags take
 * turns in one queue (CommandQueue), so each is decided and committed before the next begins.
 */
export class LectureRoom implements LiveLecture {
  /** Recent frames, and what a client that reconnects has missed. */
  private readonly history: FrameHistory;
  private readonly queue = new CommandQueue();
  /** Commands under way, by the id their sender gave them: a repeat waits for the same answer instead of being applied again. */
  private readonly underWay = new Map<string, { readonly type: string; readonly result: Promise<CommandResult> }>();
  private training: TrainingRun | null = null;
  private readonly listeners = new Set<RoomListener>();
  /** Answers to the open prediction, by student (client id); the latest one counts. */
  private answers = new Map<string, number>();
  /** The addresses the open prediction's answers came from (in memory: not known for answers given before a restart). */
  private answerAddresses = new AnswerAddresses(-1);
  /** Flags of the current pass: element key → the students who flagged it. */
  private flagged = new Map<string, Set<string>>();
  private readonly pending = { predictionUpdate: null as NodeJS.Timeout | null, flags: null as NodeJS.Timeout | null };
  /** The logger of this lecture's lines (each names it), for the room and the sockets it serves. */
  readonly log: ReturnType<typeof lectureLog>;

  constructor(
    readonly record: LectureRecord,
    private current: LectureState,
    recentFrames: Frame[],
    private readonly deps: RoomDeps,
    /** What the lecture has used of its limits so far (counted from its log as it was loaded). */
    private readonly quota: LectureQuota = new LectureQuota(deps.limits),
    /** Its flags and open answers as stored (none for a new lecture). */
    stored: RoomStored = { flags: new Map(), answers: new Map() },
  ) {
    this.history = new FrameHistory(
      { seq: () => this.current.seq, snapshot: () => this.snapshot(), snapshotKey: () => this.current, storedFrames: async (after) => (await deps.store.events(record.id, after)).map((e) => e.frame) },
      recentFrames,
      deps.metrics,
    );
    this.log = lectureLog(record.id);
    this.lastUsed = deps.clock.now();
    this.flagged = stored.flags;
    if (current.prediction?.status === 'open') this.answers = stored.answers;
  }

  /** When someone last asked for this lecture (the registry forgets lectures idle for long). */
  lastUsed: number;

  get id(): string {
    return this.record.id;
  }

  touch(): void {
    this.lastUsed = this.deps.clock.now();
  }

  /** Whether the lecture has work under way that memory must keep: a training, a queued command, or pending batched updates. */
  get busy(): boolean {
    return this.training !== null || this.queue.pending > 0 || Object.values(this.pending).some((t) => t !== null);
  }

  /** Detaches every listener: the registry has forgotten this room (a new one takes its place when asked for). */
  dispose(): void {
    for (const t of Object.values(this.pending)) if (t) clearTimeout(t);
    this.listeners.clear();
  }

  get seq(): number {
    return this.current.seq;
  }

  snapshot(): Snapshot {
    const t = this.training;
    return toSnapshot(this.current, t ? { epochsDone: t.epochsDone, epochsTotal: t.epochsTotal, ...(t.queued ? { queued: t.queued } : {}) } : null);
  }

  /** The lecture's state as it stands (read-only: only commands change it); its exact loss history, for one, which snapshots summarise. */
  get state(): LectureState {
    return this.current;
  }

  /** The state as it stands, as every LiveLecture gives it (a cluster node's replica folds it from the store). */
  fullState(): Promise<LectureState> {
    return Promise.resolve(this.current);
  }

  subscribe(listener: RoomListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Applies a command in its turn (after every command, answer and flag queued before it), `check`
   * first when given; `applied` runs in the same turn once the command's state is the lecture's
   * (to answer with the snapshot after it, not after the commands that follow). A training runs
   * after its turn: while it runs, the turns that follow refuse commands (409) and serve answers
   * and flags; its result answers when it has been committed.
   *
   * With a `commandId` (its sender's id for it) the command is applied once: an id the store holds
   * is answered with its event's seq (`repeat`), and a repeat of one under way (a training, or a
   * command queued behind others) waits for its answer. A refusal stores nothing, so a retry of a
   * refused command is decided again.
   */
  async command(command: Command, check?: CommandCheck, applied?: () => void, commandId?: string): Promise<CommandResult> {
    const counted = this.deps.metrics?.commandTimer(command.type);
    let result: CommandResult | undefined;
    try {
      return (result = await this.commandWithId(command, check, applied, commandId));
    } finally {
      counted?.(result);
    }
  }

  /** `command` itself: a command with an id applied once. */
  private async commandWithId(command: Command, check: CommandCheck | undefined, applied: (() => void) | undefined, commandId: string | undefined): Promise<CommandResult> {
    if (commandId === undefined) return this.commandOnce(command, check, applied, undefined);
    const earlier = this.underWay.get(commandId);
    if (earlier) return earlier.type === command.type ? asRepeat(await earlier.result) : reusedId(commandId, earlier.type);
    const result = this.commandOnce(command, check, applied, commandId);
    this.underWay.set(commandId, { type: command.type, result });
    try {
      return await result;
    } finally {
      this.underWay.delete(commandId);
    }
  }

  private async commandOnce(command: Command, check: CommandCheck | undefined, applied: (() => void) | undefined, commandId: string | undefined): Promise<CommandResult> {
    // At once, not in a turn: a stop must reach the training it ends, whatever is queued.
    if (this.training && command.type === 'stop') return this.stop(this.training);
    const turn = await this.queue.run(() => this.commandTurn(command, check, applied, commandId));
    return 'training' in turn ? turn.training : turn;
  }

  /** The answer to a command id the store holds already (in its turn, so an earlier command's commit is seen), or null. */
  private async storedAnswer(command: Command, commandId: string): Promise<CommandResult | null> {
    try {
      const earlier = await this.deps.store.findCommand(this.id, commandId);
      if (!earlier) return null;
      return earlier.type === command.type ? { ok: true, seq: earlier.seq, repeat: true } : reusedId(commandId, earlier.type);
    } catch (err) {
      return { ok: false, status: 500, error: `could not look up the command id: ${(err as Error).message}` };
    }
  }

  private async commandTurn(command: Command, check: CommandCheck | undefined, applied: (() => void) | undefined, commandId: string | undefined): Promise<Turn> {
    // Before the check, which may store an uploaded table the repeat would not use.
    const stored = commandId === undefined ? null : await this.storedAnswer(command, commandId);
    if (stored) return stored;
    const problem = check ? await check() : null;
    if (problem) return { ok: false, status: 400, error: problem };
    if (this.training) {
      if (command.type === 'stop') return this.stop(this.training);
      return { ok: false, status: 409, error: `training is running (${this.training.epochsDone}/${this.training.epochsTotal} epochs); send stop to end it` };
    }
    const now = this.deps.clock.now();
    const overQuota = this.quota.refusal(command, now);
    if (overQuota) return overQuota;
    const ctx = this.applyContext(now);
    // applyCommand's two halves, with the training between them when the command trains.
    const decision = decide(this.current, command, ctx);
    if (!decision.ok) return decision;
    // Not awaited: train() marks the room as training before it first awaits, and the turn ends.
    if (decision.event.command.type === 'train') return { training: this.train(decision.event, ctx, applied, commandId) };
    return this.commit(applyEvent(this.current, decision.event, ctx), applied, commandId);
  }

  private stop(run: TrainingRun): CommandResult {
    run.stopRequested = true;
    this.deps.trainings.dropStopped();
    return { ok: true, seq: this.current.seq };
  }

  /** What applying a command needs from outside the lecture: the time, a fresh seed, the class's answers. */
  private applyContext(now: number): ApplyContext {
    // The answers are outside the state: they travel in the event that reveals, so the recording keeps them.
    return { now, newSeed: () => newSeed(this.deps.random), answers: () => aggregate([...this.answers.values()]) };
  }

  /**
   * A student's answer to the open prediction; the latest from each student counts. At most
   * `maxPerAddress` students answer from one address (MAX_SOCKETS_PER_ADDRESS).
   */
  submitAnswer(clientId: string, value: number, address = 'unknown', maxPerAddress = Infinity): Promise<Outcome> {
    // In a turn: an answer is recorded before or after a reveal, never while one is being decided.
    return this.queue.run(() => this.answerTurn(clientId, value, address, maxPerAddress));
  }

  private async answerTurn(clientId: string, value: number, address: string, maxPerAddress: number): Promise<Outcome> {
    return (await this.answersTurn([{ clientId, value, address, maxPerAddress }]))[0];
  }

  /**
   * Answers from students of other nodes, in one turn (a cluster node sends its students' answers
   * to the owner in batches): each admitted as `submitAnswer` admits one, then all stored in one
   * write, then counted; outcome by outcome.
   */
  submitAnswers(items: readonly { clientId: string; value: number; address: string; maxPerAddress: number }[]): Promise<Outcome[]> {
    return this.queue.run(() => this.answersTurn(items));
  }

  private async answersTurn(items: readonly { clientId: string; value: number; address: string; maxPerAddress: number }[]): Promise<Outcome[]> {
    const p = this.current.prediction;
    if (!p) return items.map(() => ({ ok: false, status: 409, error: 'no prediction is open' }));
    if (p.status !== 'open') return items.map(() => ({ ok: false, status: 409, error: 'the answer has been revealed; answers are closed' }));
    if (this.answerAddresses.askSeq !== p.askSeq) this.answerAddresses = new AnswerAddresses(p.askSeq);
    const outcomes: Outcome[] = [];
    const admitted: { clientId: string; value: number }[] = [];
    for (const item of items) {
      // What arrives from another node is checked again: the bus is ours, but nothing read is trusted blindly.
      const valid = typeof item?.clientId === 'string' && typeof item.value === 'number' && Number.isFinite(item.value);
      if (!valid) outcomes.push({ ok: false, status: 400, error: 'not an answer' });
      else if (!this.answerAddresses.admit(item.clientId, String(item.address), Number(item.maxPerAddress) || Infinity)) {
        outcomes.push({ ok: false, status: 429, error: `at most ${item.maxPerAddress} students may answer from one address` });
      } else {
        outcomes.push({ ok: true });
        admitted.push({ clientId: item.clientId, value: item.value });
      }
    }
    if (admitted.length === 0) return outcomes;
    try {
      if (admitted.length === 1) await this.deps.store.saveAnswer(this.id, p.askSeq, admitted[0].clientId, admitted[0].value, this.deps.clock.now());
      else await this.deps.store.saveAnswers(this.id, p.askSeq, admitted, this.deps.clock.now());
    } catch (err) {
      const failed: Outcome = { ok: false, status: 500, error: `could not record the answer: ${(err as Error).message}` };
      return outcomes.map((o) => (o.ok ? failed : o));
    }
    for (const a of admitted) this.answers.set(a.clientId, a.value);
    this.later('predictionUpdate', () => {
      const open = this.current.prediction;
      if (open?.status !== 'open') return;
      const update = this.predictionUpdate();
      if (update) for (const l of this.listeners) l.predictionUpdate(update);
    });
    return outcomes;
  }

  /** Sets or clears one student's "I'm lost here" flag on a stage or tensor element of this pass. */
  flag(clientId: string, target: FlagTarget, on: boolean): Promise<Outcome> {
    // In a turn: a flag is stored before or after the event that clears the pass's flags, never between.
    return this.queue.run(() => this.flagTurn(clientId, target, on));
  }

  private async flagTurn(clientId: string, target: FlagTarget, on: boolean): Promise<Outcome> {
    const problem = targetProblem(this.current.network, target);
    if (problem) return { ok: false, status: 400, error: problem };
    const key = flagKey(target);
    const who = this.flagged.get(key) ?? new Set<string>();
    if (on === who.has(clientId)) return { ok: true };
    if (on) {
      let mine = 0;
      for (const set of this.flagged.values()) if (set.has(clientId)) mine++;
      if (mine >= FLAGS_PER_STUDENT) return { ok: false, status: 429, error: `at most ${FLAGS_PER_STUDENT} flags per pass` };
    }
    try {
      await this.deps.store.setFlag(this.id, clientId, key, on);
    } catch (err) {
      return { ok: false, status: 500, error: `could not record the flag: ${(err as Error).message}` };
    }
    if (on) {
      who.add(clientId);
      this.flagged.set(key, who);
    } else {
      who.delete(clientId);
      if (who.size === 0) this.flagged.delete(key);
    }
    this.later('flags', () => this.emitFlags());
    return { ok: true };
  }

  /** The keys one student has flagged in this pass (for a student who reconnects). */
  flagsOf(clientId: string): string[] {
    return [...this.flagged].filter(([, who]) => who.has(clientId)).map(([key]) => key);
  }

  flagCounts(): FlagCounts {
    return flagCountsOf(this.flagged);
  }

  /** The open prediction's live aggregate (for an instructor who joins while answers come in). */
  predictionUpdate(): PredictionUpdate | null {
    const p = this.current.prediction;
    if (p?.status !== 'open') return null;
    const { count, histogram } = aggregate([...this.answers.values()]);
    const addresses = this.answerAddresses.askSeq === p.askSeq ? this.answerAddresses.addresses : 0;
    return { askSeq: p.askSeq, count, addresses, histogram };
  }

  private emitFlags(): void {
    const flags = this.flagCounts();
    for (const l of this.listeners) l.flags(flags);
  }

  /** Runs `fn` once after a short delay, however often it is asked for meanwhile. */
  private later(kind: keyof typeof this.pending, fn: () => void): void {
    if (this.pending[kind]) return;
    this.pending[kind] = setTimeout(() => {
      this.pending[kind] = null;
      fn();
    }, AGGREGATE_EVERY_MS);
  }

  /** What a client that holds `lastSeq` is missing (FrameHistory.catchUp). */
  catchUp(lastSeq: number): CatchUp | Promise<CatchUp> {
    return this.history.catchUp(lastSeq);
  }

  /** A catch-up made at an earlier moment, brought level with the lecture as it is now (FrameHistory.upToDate). */
  upToDate(missed: CatchUp, lastSeq: number): CatchUp {
    return this.history.upToDate(missed, lastSeq);
  }

  /** Stops a running training and waits for it to be committed (used on shutdown). */
  async stopTraining(): Promise<void> {
    for (const t of Object.values(this.pending)) if (t) clearTimeout(t);
    if (this.training) this.training.stopRequested = true;
    while (this.training) await new Promise((r) => setImmediate(r));
  }

  /**
   * Records an applied event (or passes its refusal on), then makes it the lecture's state and
   * tells the class. Called in a turn, so the state it was applied to is still the lecture's once
   * the store has committed it. `commandId` is stored with the event.
   */
  private async commit(applied: Applied | Refusal, then?: () => void, commandId?: string): Promise<CommandResult> {
    if (!applied.ok) return applied;
    const { event, next } = applied;
    const frame = frameBetween(this.current, next, event);
    const clearFlags = frame.flagsCleared === true;
    try {
      const bytes = await this.deps.store.appendEvent(
        this.id,
        { format: EVENT_FORMAT_VERSION, seq: event.seq, at: event.at, command: event.command, reveal: event.reveal, trained: event.trained, frame, ...(commandId !== undefined ? { commandId } : {}) },
        { clearFlags },
      );
      this.quota.record(event.at, event.command, bytes);
    } catch (err) {
      return { ok: false, status: 500, error: `could not record the command: ${(err as Error).message}` };
    }
    const before = this.current;
    this.current = next;
    this.history.push(frame);
    for (const l of this.listeners) l.frame(frame);
    this.afterCommit(before, next, event, clearFlags);
    then?.();
    if (event.seq % KEYFRAME_EVERY === 0) this.keepKeyframe(next, this.quota.usage(this.deps.clock.now()));
    return { ok: true, seq: event.seq };
  }

  /**
   * Stores a keyframe of `state` in a turn of its own, once the command's answer has gone out (the
   * turn first yields to the event loop): a keyframe is a cache, so it never delays or refuses an
   * acknowledgement, and a failure to write it is logged and otherwise ignored.
   */
  private keepKeyframe(state: LectureState, usage: QuotaUsage): void {
    void this.queue.run(async () => {
      await new Promise((resolve) => setImmediate(resolve));
      try {
        const keyframe = { seq: state.seq, format: KEYFRAME_FORMAT, eventFormat: EVENT_FORMAT_VERSION, usage: JSON.stringify(usage), state: encodeKeyframe(state) };
        await this.deps.store.putKeyframe(this.id, keyframe);
      } catch (err) {
        this.log.error({ err, seq: state.seq }, `its keyframe at seq ${state.seq} was not stored; a load folds from an earlier one`);
      }
    });
  }

  /** Resolves once every turn queued so far (commands, and the keyframes they keep) has run: before the store is closed. */
  settled(): Promise<void> {
    return this.queue.run(() => undefined);
  }

  /** What the class sees beyond the frame: a reveal, fresh answers for a new question, flags cleared for a new pass. */
  private afterCommit(before: LectureState, after: LectureState, event: LectureEvent, clearFlags: boolean): void {
    const p = after.prediction;
    if (p && p !== before.prediction && p.status === 'revealed' && p.stats && p.actual !== null) {
      const reveal: PredictionReveal = { askSeq: p.askSeq, tensor: p.tensor, index: p.index, actual: p.actual, ...p.stats };
      for (const l of this.listeners) l.predictionReveal(reveal);
    }
    if (event.command.type === 'ask') this.answers = new Map();
    if (clearFlags && (this.flagged.size > 0 || event.command.type === 'clearFlags')) {
      this.flagged = new Map();
      this.emitFlags();
    }
  }

  /**
   * Trains in slices of a few milliseconds, yielding to the event loop between them so other
   * lectures, joins and `stop` are served. The recorded event says how many epochs ran; it is
   * committed in a turn of its own, and the room stops training in that same turn.
   */
  private async train(decided: LectureEvent, ctx: ApplyContext, then?: () => void, commandId?: string): Promise<CommandResult> {
    if (decided.command.type !== 'train') throw new Error('not a training');
    const epochsTotal = decided.command.epochs;
    const run: TrainingRun = { epochsTotal, epochsDone: 0, stopRequested: false, queued: 0 };
    this.training = run;
    const start = this.current;
    const trainer = new LectureTrainer(start);
    // Slices are counted in rows, not epochs: an epoch of a big network on 10,000 rows can take
    // longer than a slice should.
    let rowsPerSlice = 64;
    let lastProgress = performance.now();
    const slot = await this.deps.trainings.acquire({
      onQueued: (ahead) => {
        run.queued = ahead;
        this.emitProgress(run, trainer);
      },
      stopped: () => run.stopRequested,
    });
    run.queued = 0;
    const end = () => {
      if (this.training !== run) return;
      if (slot) this.deps.trainings.release();
      this.training = null;
    };
    try {
      while (slot && trainer.epochsRun < epochsTotal && !run.stopRequested) {
        const t0 = performance.now();
        let budget = rowsPerSlice;
        while (budget > 0 && trainer.epochsRun < epochsTotal) budget -= trainer.runRows(budget);
        const took = performance.now() - t0;
        run.epochsDone = trainer.epochsRun;
        rowsPerSlice = Math.max(1, Math.min(10_000_000, Math.round((rowsPerSlice * SLICE_MS) / Math.max(took, 0.05))));
        if (performance.now() - lastProgress >= PROGRESS_EVERY_MS && run.epochsDone < epochsTotal) {
          lastProgress = performance.now();
          this.emitProgress(run, trainer);
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
      // What the training produced travels in the event, so no fold of the log trains again;
      // it is applied like any other event, so the sliced path computes the next state as evolve does.
      const event = slicedTrainingEvent(decided, trainer, this.deps.clock.now());
      return await this.queue.run(async () => {
        try {
          // The training has ended once committed: the answer's snapshot says so (as a repeat's, folded from the recording, does).
          const ended = () => {
            end();
            then?.();
          };
          return await this.commit(applyEvent(start, event, ctx), ended, commandId);
        } finally {
          end();
        }
      });
    } finally {
      end();
    }
  }

  private emitProgress(run: TrainingRun, trainer: LectureTrainer): void {
    const progress: TrainingProgress = {
      seq: this.current.seq,
      epochsDone: run.epochsDone,
      epochsTotal: run.epochsTotal,
      ...(run.queued ? { queued: run.queued } : {}),
      loss: trainer.lastLoss,
      testLoss: trainer.lastTestLoss,
      params: trainer.parameterTensors(),
    };
    for (const l of this.listeners) l.progress(progress);
  }
}
