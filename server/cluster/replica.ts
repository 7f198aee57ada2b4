import { aggregate } from '../../shared/protocol/answer-stats.js';
import type { FlagCounts, PredictionReveal, PredictionUpdate } from '../../shared/protocol/collab.js';
import { applyFrame, type Frame, type Snapshot } from '../../shared/protocol/snapshot.js';
import type { CatchUp, TrainingProgress } from '../../shared/protocol/socket.js';
import { toSnapshot } from '../../shared/lecture/views.js';
import { FrameHistory } from '../frame-history.js';
import { flagCountsOf, type RoomListener } from '../lecture-room.js';
import type { StoredLecture } from '../lectures.js';
import type { RoomMetrics } from '../metrics.js';
import type { LectureStore } from '../ports.js';
import type { Logger } from 'pino';

/**
 * One node's copy of a lecture it has sockets for: the snapshot, kept current by applying the
 * owner's frames in order (the shared applyFrame, as every client does), the recent frames, and the
 * latest aggregates the owner published. Joins, `lastSeq` catch-ups and `sync` are answered from it
 * (FrameHistory), exactly as the owner's room answers them, with no request to the owner. A frame
 * that does not follow (one was lost: Redis dropped it, or an owner died between its commit and its
 * publish), and a `head` ahead of the copy, are filled from the database, in order, before anything
 * after them is applied.
 */
export class LectureReplica {
  private current: Snapshot;
  private readonly history: FrameHistory;
  private readonly listeners = new Set<RoomListener>();
  private update: PredictionUpdate | null = null;
  private flags: FlagCounts;
  /** Keys each student of the current pass has flagged (as the store held them, then as this node's students changed them). */
  private readonly flagged: Map<string, Set<string>>;
  /** Frames received while a gap is being filled: applied after it, in order. */
  private waiting: Frame[] = [];
  private filling: Promise<void> | null = null;
  /** performance.now() when the owner was last heard from (any message): a silent owner may be dead. */
  lastHeard = performance.now();

  constructor(
    stored: StoredLecture,
    private readonly store: LectureStore,
    private readonly log: Logger,
    /** Counts the catch-ups the replica answers (backprop_catch_ups_total), as an owner's room counts its own. */
    metrics?: Pick<RoomMetrics, 'catchUp'>,
  ) {
    this.current = toSnapshot(stored.state);
    this.history = new FrameHistory(
      { seq: () => this.current.seq, snapshot: () => this.current, snapshotKey: () => this.current, storedFrames: (after) => this.storedFrames(after) },
      stored.frames,
      metrics,
    );
    this.flagged = new Map();
    for (const [key, who] of stored.flags) for (const id of who) this.noteFlag(id, key, true);
    this.flags = flagCountsOf(stored.flags);
    const p = stored.state.prediction;
    if (p?.status === 'open') {
      const { count, histogram } = aggregate([...stored.answers.values()]);
      this.update = { askSeq: p.askSeq, count, addresses: 0, histogram };
    }
  }

  get seq(): number {
    return this.current.seq;
  }

  snapshot(): Snapshot {
    return this.current;
  }

  subscribe(listener: RoomListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  catchUp(lastSeq: number): CatchUp | Promise<CatchUp> {
    return this.history.catchUp(lastSeq);
  }

  upToDate(missed: CatchUp, lastSeq: number): CatchUp {
    return this.history.upToDate(missed, lastSeq);
  }

  /** The open prediction's latest aggregate the owner published (null when none is open). */
  predictionUpdate(): PredictionUpdate | null {
    const p = this.current.prediction;
    return p?.status === 'open' && this.update?.askSeq === p.askSeq ? this.update : null;
  }

  flagCounts(): FlagCounts {
    return this.flags;
  }

  flagsOf(clientId: string): string[] {
    return [...(this.flagged.get(clientId) ?? [])];
  }

  /** A flag this node's student set or cleared, acknowledged by the owner. */
  noteFlag(clientId: string, key: string, on: boolean): void {
    const keys = this.flagged.get(clientId) ?? new Set<string>();
    if (on) keys.add(key);
    else keys.delete(key);
    if (keys.size) this.flagged.set(clientId, keys);
    else this.flagged.delete(clientId);
  }

  /** A frame from the owner: applied when it follows, dropped when already applied, else the gap is filled first. */
  offerFrame(frame: Frame): void {
    if (frame.seq <= this.current.seq) return;
    if (frame.seq === this.current.seq + 1 && !this.filling) return this.apply(frame);
    this.waiting.push(frame);
    this.fill();
  }

  /** The owner's seq: when it is ahead, frames were lost on the way; they are read from the database. */
  head(seq: number): void {
    if (seq > this.current.seq) this.fill();
  }

  progress(progress: TrainingProgress): void {
    if (progress.seq === this.current.seq) {
      const { epochsDone, epochsTotal, queued } = progress;
      this.current = { ...this.current, training: { epochsDone, epochsTotal, ...(queued ? { queued } : {}) } };
    }
    for (const l of this.listeners) l.progress(progress);
  }

  predictionUpdated(update: PredictionUpdate): void {
    this.update = update;
    for (const l of this.listeners) l.predictionUpdate(update);
  }

  predictionRevealed(reveal: PredictionReveal): void {
    for (const l of this.listeners) l.predictionReveal(reveal);
  }

  flagsChanged(flags: FlagCounts): void {
    this.flags = flags;
    for (const l of this.listeners) l.flags(flags);
  }

  /** Detaches every listener (the node no longer follows the lecture). */
  dispose(): void {
    this.listeners.clear();
  }

  private apply(frame: Frame): void {
    this.current = applyFrame(this.current, frame);
    this.history.push(frame);
    if (frame.flagsCleared) {
      this.flagged.clear();
      this.flags = { counts: Object.create(null) };
    }
    if (frame.prediction !== undefined && frame.prediction?.status === 'open' && this.update?.askSeq !== frame.prediction.askSeq) this.update = null;
    for (const l of this.listeners) l.frame(frame);
  }

  /** Reads what the database holds after this copy's seq and applies it, then what arrived meanwhile; one fill at a time. */
  private fill(): void {
    if (this.filling) return;
    this.filling = (async () => {
      try {
        for (let round = 0; round < 10; round++) {
          for (const frame of await this.storedFrames(this.current.seq)) if (frame.seq === this.current.seq + 1) this.apply(frame);
          const waiting = this.waiting.sort((a, b) => a.seq - b.seq);
          const ahead: Frame[] = [];
          for (const frame of waiting) {
            if (frame.seq === this.current.seq + 1) this.apply(frame);
            else if (frame.seq > this.current.seq) ahead.push(frame);
          }
          this.waiting = ahead;
          if (ahead.length === 0) break;
        }
      } catch (err) {
        this.log.error({ err, seq: this.current.seq }, 'a replica could not read missed frames from the store; the next head tries again');
      } finally {
        this.filling = null;
      }
    })();
  }

  private async storedFrames(afterSeq: number): Promise<Frame[]> {
    return (await this.store.events(this.current.lectureId, afterSeq)).map((e) => e.frame);
  }
}
