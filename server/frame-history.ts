import type { Frame, Snapshot } from '../shared/protocol/snapshot.js';
import type { CatchUp } from '../shared/protocol/socket.js';
import type { RoomMetrics } from './metrics.js';

/** Frames kept in memory for clients that reconnect after a short drop. */
export const RECENT_FRAMES = 512;

/** JSON lengths of frames and of the snapshots of states, for catch-up's choice between them. */
const frameLengths = new WeakMap<object, number>();
const snapshotLengths = new WeakMap<object, number>();
function jsonLength(lengths: WeakMap<object, number>, key: object, value: unknown): number {
  let length = lengths.get(key);
  if (length === undefined) lengths.set(key, (length = JSON.stringify(value).length));
  return length;
}

/** What a lecture's frame history reads of the lecture it follows (a LectureRoom, or a node's replica of one). */
export interface HistorySource {
  /** The lecture's seq now. */
  seq(): number;
  snapshot(): Snapshot;
  /** An object that changes exactly when the snapshot does (the state), to measure the snapshot once. */
  snapshotKey(): object;
  /** The committed frames after `afterSeq`, from the store. */
  storedFrames(afterSeq: number): Promise<Frame[]>;
}

/**
 * A lecture's recent frames and the answer to "I hold `lastSeq`: what did I miss?" — frames when
 * they are smaller than a snapshot, else the snapshot; from memory at once when it can (so the
 * answer is of this very moment), else from the store, brought level with the lecture by `upToDate`.
 * One rule for the lecture's owner (LectureRoom) and every node's replica of it.
 */
export class FrameHistory {
  private recent: Frame[];

  constructor(
    private readonly source: HistorySource,
    frames: readonly Frame[] = [],
    private readonly metrics?: Pick<RoomMetrics, 'catchUp'>,
  ) {
    this.recent = frames.slice(-RECENT_FRAMES);
  }

  /** Keeps a frame just applied (the next seq). */
  push(frame: Frame): void {
    this.recent.push(frame);
    if (this.recent.length > RECENT_FRAMES * 2) this.recent = this.recent.slice(-RECENT_FRAMES);
  }

  /** Forgets every kept frame (a replica that started again from a snapshot). */
  reset(frames: readonly Frame[] = []): void {
    this.recent = frames.slice(-RECENT_FRAMES);
  }

  catchUp(lastSeq: number): CatchUp | Promise<CatchUp> {
    const now = this.fromMemory(lastSeq);
    if (now) {
      this.metrics?.catchUp(now.type === 'snapshot' ? 'snapshot' : 'memory');
      return now;
    }
    return this.source.storedFrames(lastSeq).then((stored) => {
      // Not past the lecture's own seq: an event the store has committed and the lecture not yet taken.
      const seq = this.source.seq();
      const missed = this.upToDate(this.smallest(stored.filter((f) => f.seq <= seq)), lastSeq);
      this.metrics?.catchUp(missed.type === 'snapshot' ? 'snapshot' : 'store');
      return missed;
    });
  }

  /**
   * A catch-up for `lastSeq`, made at an earlier moment, brought level with the lecture as it is
   * now (synchronously, so nothing is applied between this and what the caller sends with it).
   */
  upToDate(missed: CatchUp, lastSeq: number): CatchUp {
    const seq = this.source.seq();
    if (missed.type === 'snapshot') return missed.snapshot.seq === seq ? missed : { type: 'snapshot', snapshot: this.source.snapshot() };
    const upTo = missed.frames.length ? missed.frames[missed.frames.length - 1].seq : lastSeq;
    if (upTo === seq) return missed;
    const rest = this.fromMemory(upTo);
    if (!rest) return { type: 'snapshot', snapshot: this.source.snapshot() };
    return rest.type === 'snapshot' ? rest : this.smallest([...missed.frames, ...rest.frames]);
  }

  /** The catch-up of `lastSeq` from what memory holds, or null when the frames must come from the store. */
  private fromMemory(lastSeq: number): CatchUp | null {
    const seq = this.source.seq();
    if (!Number.isInteger(lastSeq) || lastSeq < 0 || lastSeq > seq) return { type: 'snapshot', snapshot: this.source.snapshot() };
    if (lastSeq === seq) return { type: 'frames', frames: [] };
    const first = this.recent[0];
    if (first && first.seq <= lastSeq + 1) return this.smallest(this.recent.slice(lastSeq + 1 - first.seq, seq + 1 - first.seq));
    if (seq - lastSeq > RECENT_FRAMES) return { type: 'snapshot', snapshot: this.source.snapshot() };
    return null;
  }

  /** These frames, or the snapshot when it is smaller than they are. */
  private smallest(frames: Frame[]): CatchUp {
    const snapshot = this.source.snapshot();
    // Sizes are measured once per frame and per state, not per request: every client that asks
    // compares the same frames with the same snapshot (socket.io serialises the answer anyway).
    let left = jsonLength(snapshotLengths, this.source.snapshotKey(), snapshot);
    for (const frame of frames) if ((left -= jsonLength(frameLengths, frame, frame)) <= 0) return { type: 'snapshot', snapshot };
    return { type: 'frames', frames };
  }
}
