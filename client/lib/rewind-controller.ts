import type { ReactiveControllerHost } from 'lit';
import { ReplayIndex } from '../../shared/lecture/replay-index.js';
import type { RecordedCommand } from '../../shared/protocol/commands.js';
import type { Frame, Snapshot } from '../../shared/protocol/snapshot.js';
import { fetchRecording } from './api.js';

/**
 * A student's private rewind: the lecture's recording in a keyframed index, kept growing with
 * the live frames as they arrive, so any earlier event can be looked at while the lecture goes
 * on. Nothing is sent: the recording is a plain GET, like the replay page's.
 */
export class RewindController {
  /** The seq being looked at, or null when showing live. */
  seq: number | null = null;
  loading = false;
  error: string | null = null;

  private index: ReplayIndex | null = null;
  private commands = new Map<number, RecordedCommand>();
  /** Live frames not yet in the index: folded in lazily, when a seek needs them. */
  private buffered: Frame[] = [];
  private cached: Snapshot | null = null;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly lectureId: string,
  ) {}

  get active(): boolean {
    return this.seq !== null;
  }

  /** The lecture as it was right after event `seq`. */
  get snapshot(): Snapshot | null {
    if (this.seq === null || !this.index || this.index.lastSeq < this.seq) return null;
    if (this.cached?.seq !== this.seq) this.cached = this.index.at(this.seq);
    return this.cached;
  }

  /** The command of event `seq`, for the banner ("Step", "Forward pass"). */
  commandAt(seq: number): RecordedCommand | null {
    return this.commands.get(seq) ?? null;
  }

  /** A live frame arrived: keep it for when the student steps that far. */
  onFrame = (frame: Frame): void => {
    if (this.index) this.buffered.push(frame);
  };

  /** Opens the rewind at `seq` (fetching the recording the first time). */
  async open(seq: number, liveSeq: number): Promise<void> {
    this.seq = Math.max(0, Math.min(seq, liveSeq));
    this.error = null;
    this.host.requestUpdate();
    await this.cover(this.seq);
  }

  /** Moves to another event, never past live (`liveSeq`); at live it is simply the live view again. */
  async seek(seq: number, liveSeq: number): Promise<void> {
    if (this.seq === null) return;
    this.seq = Math.max(0, Math.min(Math.round(seq), liveSeq));
    this.host.requestUpdate();
    await this.cover(this.seq);
  }

  close(): void {
    this.seq = null;
    this.error = null;
    this.host.requestUpdate();
  }

  /** Makes sure the index reaches `seq`: first with the buffered live frames, else by fetching the recording again. */
  private async cover(seq: number): Promise<void> {
    if (this.index && this.index.lastSeq < seq) this.foldBuffered();
    if (this.index && this.index.lastSeq >= seq) return;
    this.loading = true;
    this.host.requestUpdate();
    try {
      const recording = await fetchRecording(this.lectureId);
      this.commands = new Map(recording.events.map((e) => [e.seq, e.command]));
      this.index = new ReplayIndex(recording.lecture.initial, recording.events.map((e) => e.frame));
      this.buffered = this.buffered.filter((f) => f.seq > this.index!.lastSeq);
      this.foldBuffered();
      this.cached = null;
    } catch (e) {
      this.error = `Could not load the lecture's history: ${e instanceof Error ? e.message : String(e)}`;
    } finally {
      this.loading = false;
      this.host.requestUpdate();
    }
  }

  private foldBuffered(): void {
    const index = this.index;
    if (!index) return;
    const next: Frame[] = [];
    let last = index.lastSeq;
    for (const f of [...this.buffered].sort((a, b) => a.seq - b.seq)) {
      if (f.seq <= last) continue;
      if (f.seq !== last + 1) break; // a gap (the live side resynchronised): the recording fills it
      next.push(f);
      this.commands.set(f.seq, f.command);
      last = f.seq;
    }
    this.buffered = this.buffered.filter((f) => f.seq > last);
    // One extension for the whole batch; the keyframes computed so far are kept.
    if (next.length) this.index = index.extend(next);
  }
}
