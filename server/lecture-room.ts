import {
  decide,
  evolve,
  evolveComputed,
  frameBetween,
  toSnapshot,
  Trainer,
  type CatchUp,
  type Command,
  type Frame,
  type LectureEvent,
  type LectureState,
  type NetworkState,
  type Snapshot,
  type TrainingProgress,
} from '../shared/index.js';
import { newSeed } from './ids.js';
import type { Clock, LectureRecord, LectureStore, RandomSource } from './ports.js';

export type CommandResult =
  | { readonly ok: true; readonly seq: number }
  | { readonly ok: false; readonly status: number; readonly error: string };

export interface RoomListener {
  frame(frame: Frame): void;
  progress(progress: TrainingProgress): void;
}

export interface RoomDeps {
  readonly store: LectureStore;
  readonly clock: Clock;
  readonly random: RandomSource;
}

/** Frames kept in memory for clients that reconnect after a short drop. */
const RECENT_FRAMES = 512;
/** A training slice's target length: long enough to be efficient, short enough to keep the loop responsive. */
const SLICE_MS = 8;
const PROGRESS_EVERY_MS = 100;

interface TrainingRun {
  readonly epochsTotal: number;
  epochsDone: number;
  stopRequested: boolean;
}

function isFiniteNetwork(network: NetworkState): boolean {
  for (const t of Object.values(network.tensors)) for (const x of t.data) if (!Number.isFinite(x)) return false;
  return true;
}

/**
 * One live lecture: the authoritative state, the order of its commands, and the rule that an
 * event is committed to the store before anyone hears of it.
 */
export class LectureRoom {
  private recent: Frame[];
  private training: TrainingRun | null = null;
  private readonly listeners = new Set<RoomListener>();

  constructor(
    readonly record: LectureRecord,
    private state: LectureState,
    recentFrames: Frame[],
    private readonly deps: RoomDeps,
  ) {
    this.recent = recentFrames.slice(-RECENT_FRAMES);
  }

  get id(): string {
    return this.record.id;
  }

  get seq(): number {
    return this.state.seq;
  }

  snapshot(): Snapshot {
    const t = this.training;
    return toSnapshot(this.state, t ? { epochsDone: t.epochsDone, epochsTotal: t.epochsTotal } : null);
  }

  subscribe(listener: RoomListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async command(command: Command): Promise<CommandResult> {
    if (this.training) {
      if (command.type === 'stop') {
        this.training.stopRequested = true;
        return { ok: true, seq: this.state.seq };
      }
      return { ok: false, status: 409, error: `training is running (${this.training.epochsDone}/${this.training.epochsTotal} epochs); send stop to end it` };
    }
    const decision = decide(this.state, command, { now: this.deps.clock.now(), newSeed: () => newSeed(this.deps.random) });
    if (!decision.ok) return decision;
    if (decision.event.command.type === 'train') return this.train(decision.event.command.epochs);
    return this.commit(decision.event, evolve(this.state, decision.event));
  }

  /** What a client that holds `lastSeq` is missing: frames when they are smaller, else a snapshot. */
  catchUp(lastSeq: number): CatchUp {
    const seq = this.state.seq;
    if (!Number.isInteger(lastSeq) || lastSeq < 0 || lastSeq > seq) return { type: 'snapshot', snapshot: this.snapshot() };
    if (lastSeq === seq) return { type: 'frames', frames: [] };
    const first = this.recent[0];
    const frames =
      first && first.seq <= lastSeq + 1
        ? this.recent.slice(lastSeq + 1 - first.seq)
        : seq - lastSeq <= RECENT_FRAMES
          ? this.deps.store.events(this.id, lastSeq).map((e) => e.frame)
          : null;
    if (!frames) return { type: 'snapshot', snapshot: this.snapshot() };
    const snapshot = this.snapshot();
    return JSON.stringify(frames).length < JSON.stringify(snapshot).length
      ? { type: 'frames', frames }
      : { type: 'snapshot', snapshot };
  }

  /** Stops a running training and waits for it to be committed (used on shutdown). */
  async stopTraining(): Promise<void> {
    if (this.training) this.training.stopRequested = true;
    while (this.training) await new Promise((r) => setImmediate(r));
  }

  private commit(event: LectureEvent, next: LectureState): CommandResult {
    if (!isFiniteNetwork(next.network)) {
      return { ok: false, status: 409, error: 'the numbers overflowed (a weight or value became infinite); lower the learning rate or the weights' };
    }
    const frame = frameBetween(this.state, next, event);
    try {
      this.deps.store.appendEvent(this.id, { seq: event.seq, at: event.at, command: event.command, frame });
    } catch (err) {
      return { ok: false, status: 500, error: `could not record the command: ${(err as Error).message}` };
    }
    this.state = next;
    this.recent.push(frame);
    if (this.recent.length > RECENT_FRAMES * 2) this.recent = this.recent.slice(-RECENT_FRAMES);
    for (const l of this.listeners) l.frame(frame);
    return { ok: true, seq: event.seq };
  }

  /**
   * Trains in slices of a few milliseconds, yielding to the event loop between them so other
   * lectures, joins and `stop` are served. The recorded event says how many epochs ran.
   */
  private async train(epochsTotal: number): Promise<CommandResult> {
    const run: TrainingRun = { epochsTotal, epochsDone: 0, stopRequested: false };
    this.training = run;
    const start = this.state;
    const trainer = new Trainer(start.network);
    let perSlice = 16;
    let lastProgress = performance.now();
    let loss = NaN;
    try {
      while (run.epochsDone < epochsTotal && !run.stopRequested) {
        const n = Math.min(perSlice, epochsTotal - run.epochsDone);
        const t0 = performance.now();
        loss = trainer.runEpochs(n);
        const took = performance.now() - t0;
        run.epochsDone += n;
        perSlice = Math.max(1, Math.min(100_000, Math.round((n * SLICE_MS) / Math.max(took, 0.05))));
        if (performance.now() - lastProgress >= PROGRESS_EVERY_MS && run.epochsDone < epochsTotal) {
          lastProgress = performance.now();
          this.emitProgress(run, loss, trainer);
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
      const event: LectureEvent = {
        seq: start.seq + 1,
        at: this.deps.clock.now(),
        command: { type: 'train', epochs: epochsTotal, epochsRun: run.epochsDone },
      };
      return this.commit(event, evolveComputed(start, event, trainer.finish()));
    } finally {
      this.training = null;
    }
  }

  private emitProgress(run: TrainingRun, loss: number, trainer: Trainer): void {
    const { W, V } = trainer.weights();
    const progress: TrainingProgress = {
      seq: this.state.seq,
      epochsDone: run.epochsDone,
      epochsTotal: run.epochsTotal,
      loss,
      W,
      V,
    };
    for (const l of this.listeners) l.progress(progress);
  }
}
