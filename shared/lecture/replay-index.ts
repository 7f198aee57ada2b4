/**
 * Random access into a recording, like keyframes in video: the state every `interval` events is
 * kept, so seeking to any event applies at most `interval − 1` frames to the nearest keyframe.
 * Pure: used by the replay player, a student's private rewind and the benchmarks.
 */
import { applyFrame, type Frame, type Snapshot } from '../protocol/snapshot.js';

export class ReplayIndex {
  private readonly keyframes: Snapshot[] = [];

  constructor(
    readonly initial: Snapshot,
    readonly frames: readonly Frame[],
    readonly interval = 128,
  ) {
    let state = initial;
    this.keyframes.push(state);
    frames.forEach((frame, i) => {
      state = applyFrame(state, frame);
      if ((i + 1) % interval === 0) this.keyframes.push(state);
    });
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

  /** Appends a frame that follows the last one (a live recording grows). */
  push(frame: Frame): ReplayIndex {
    return new ReplayIndex(this.initial, [...this.frames, frame], this.interval);
  }
}
