/**
 * Random access into a recording, like keyframes in video: the state every `interval` events is
 * kept, so seeking to any event applies at most `interval − 1` frames to the nearest keyframe.
 * Pure: used by the replay player, a student's private rewind and the benchmarks.
 */
import { applyFrame, type Frame, type Snapshot } from '../protocol/snapshot.js';

export class ReplayIndex {
  private readonly keyframes: Snapshot[];

  constructor(
    readonly initial: Snapshot,
    readonly frames: readonly Frame[],
    readonly interval = 128,
    /** Keyframes already computed for a prefix of `frames` (by `extend`). */
    known: readonly Snapshot[] = [initial],
  ) {
    this.keyframes = [...known];
    const from = (this.keyframes.length - 1) * interval;
    let state = this.keyframes[this.keyframes.length - 1];
    for (let i = from; i < frames.length; i++) {
      state = applyFrame(state, frames[i]);
      if ((i + 1) % interval === 0) this.keyframes.push(state);
    }
  }

  get firstSeq(): number {
    return this.initial.seq;
  }

  get lastSeq(): number {
    return this.initial.seq + this.frames.length;
  }

  /** The lecture as it was right after event `seq` (clamped to the recording). */
  at(seq: number): Snapshot {
    const offset = Math.max(0, Math.min(this.frames.length, Math.round(seq) - this.initial.seq));
    const k = Math.floor(offset / this.interval);
    let state = this.keyframes[k];
    for (let i = k * this.interval; i < offset; i++) state = applyFrame(state, this.frames[i]);
    return state;
  }

  /**
   * The index with more frames, which follow the last one (a live recording grows): the keyframes
   * computed so far are kept, so only the new frames (and those since the last keyframe) are applied.
   */
  extend(frames: readonly Frame[]): ReplayIndex {
    return new ReplayIndex(this.initial, [...this.frames, ...frames], this.interval, this.keyframes);
  }
}
