import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { ReplayIndex } from '../../shared/lecture/replay-index.js';
import type { Recording } from '../../shared/protocol/http.js';
import type { Snapshot } from '../../shared/protocol/snapshot.js';
import { fetchRecording } from './api.js';

export const SPEEDS = [0.5, 1, 2, 4, 8] as const;

/** Where on the scrub bar something worth finding happened. */
export interface Marker {
  readonly position: number;
  readonly kind: 'pass' | 'epoch';
}

const PASS_COMMANDS = new Set(['step', 'forward', 'backward', 'update']);
/** Gaps between events are replayed as they happened, but never shorter or longer than these. */
const MIN_GAP_MS = 250;
const MAX_GAP_MS = 1500;

/**
 * Drives the replay of a recorded lecture: indexes it with keyframes once (so scrubbing is
 * instant even in a 100,000-event lecture), plays with the recorded rhythm scaled by the speed, and keeps
 * `?seq=N` in the address bar in step with the position so a link reopens the same moment.
 * Position p means "after the first p events"; p = 0 is the lecture as created.
 */
export class ReplayController implements ReactiveController {
  recording: Recording | null = null;
  private index: ReplayIndex | null = null;
  /** The snapshot at `position`, kept so that a render does not seek again. */
  private shown: { position: number; snapshot: Snapshot } | null = null;
  markers: Marker[] = [];
  position = 0;
  playing = false;
  speed = 1;
  error: string | null = null;
  loading = true;

  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly lectureId: string,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    void this.load();
  }

  hostDisconnected(): void {
    clearTimeout(this.timer);
  }

  get snapshot(): Snapshot | null {
    if (!this.index) return null;
    if (this.shown?.position !== this.position) {
      this.shown = { position: this.position, snapshot: this.index.at(this.index.firstSeq + this.position) };
    }
    return this.shown.snapshot;
  }

  get length(): number {
    return this.index?.frames.length ?? 0;
  }

  seek(position: number): void {
    const p = Math.max(0, Math.min(this.length, Math.round(position)));
    if (p !== this.position) {
      this.position = p;
      this.writeUrl();
    }
    if (this.playing && p >= this.length) this.playing = false;
    this.host.requestUpdate();
  }

  next(): void {
    this.seek(this.position + 1);
  }

  previous(): void {
    this.seek(this.position - 1);
  }

  play(): void {
    if (!this.recording) return;
    // Playing from the end starts over, as media players do.
    if (this.position >= this.length) this.seek(0);
    this.playing = true;
    this.schedule();
    this.host.requestUpdate();
  }

  pause(): void {
    this.playing = false;
    clearTimeout(this.timer);
    this.host.requestUpdate();
  }

  toggle(): void {
    if (this.playing) this.pause();
    else this.play();
  }

  setSpeed(speed: number): void {
    this.speed = speed;
    if (this.playing) this.schedule();
    this.host.requestUpdate();
  }

  private schedule(): void {
    clearTimeout(this.timer);
    if (!this.playing || !this.recording) return;
    const events = this.recording.events;
    const gap = this.position > 0 && this.position < events.length ? events[this.position].at - events[this.position - 1].at : MIN_GAP_MS;
    const wait = Math.min(MAX_GAP_MS, Math.max(MIN_GAP_MS, gap)) / this.speed;
    this.timer = setTimeout(() => {
      this.seek(this.position + 1);
      if (this.position >= this.length) this.pause();
      else this.schedule();
    }, wait);
  }

  private async load(): Promise<void> {
    try {
      const recording = await fetchRecording(this.lectureId);
      const frames = recording.events.map((e) => e.frame);
      const index = new ReplayIndex(recording.lecture.initial, frames);
      const markers: Marker[] = [];
      let before: { stage: string; epoch: number } = recording.lecture.initial;
      frames.forEach((after, i) => {
        const position = i + 1;
        if (PASS_COMMANDS.has(after.command.type) && (before.stage === 'idle' || before.stage === 'update')) markers.push({ position, kind: 'pass' });
        if (after.epoch !== before.epoch) markers.push({ position, kind: 'epoch' });
        before = after;
      });
      Object.assign(this, { recording, index, shown: null, markers, loading: false });
      this.position = this.readUrl();
      this.writeUrl();
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e);
      this.loading = false;
    }
    this.host.requestUpdate();
  }

  /** `?seq=N`: the moment right after event N (0 = as created). */
  private readUrl(): number {
    const raw = new URLSearchParams(location.search).get('seq');
    if (raw === null || !/^\d+$/.test(raw)) return 0;
    const seq = Number(raw);
    if (seq === 0) return 0;
    const index = this.recording?.events.findIndex((e) => e.seq === seq) ?? -1;
    return index >= 0 ? index + 1 : Math.min(seq, this.length);
  }

  private writeUrl(): void {
    const seq = this.snapshot?.seq ?? 0;
    const url = new URL(location.href);
    url.searchParams.set('seq', String(seq));
    history.replaceState(history.state, '', url.pathname + url.search);
  }
}
