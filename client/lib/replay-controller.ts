import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { chaptersOf, type Chapter } from '../../shared/lecture/chapters.js';
import { ReplayIndex } from '../../shared/lecture/replay-index.js';
import { stateIndexAt, type Timeline } from '../../shared/lecture/timeline.js';
import type { Recording } from '../../shared/protocol/http.js';
import type { NarrationInfo } from '../../shared/protocol/narration.js';
import type { Snapshot } from '../../shared/protocol/snapshot.js';
import { fetchRecording } from './api.js';
import { audioSecondsAt, fetchNarrationInfo, lectureTimeAt, narrationEnd, narrationSegments, segmentAt, type NarrationSegment } from './narration-segments.js';
import { playerTimeline } from './player-timeline.js';
import { readMoment, type OpenMoment } from './replay-moment.js';

/** The speeds the player offers: the voice stays understandable (pitch preserved) up to 3×. */
export const SPEEDS = [0.5, 0.75, 1, 1.25, 1.5, 2, 3] as const;
/** The idle limits the menu offers (ms; null: every pause as long as it was). */
export const IDLE_LIMITS = [null, 1000, 3000, 10_000] as const;
export type IdleLimit = (typeof IDLE_LIMITS)[number];
/** Pauses longer than this play this long, unless the listener asks otherwise. */
export const DEFAULT_IDLE_LIMIT: IdleLimit = 3000;
/** How often the playhead moves while playing: smooth enough for the bar, cheap for the page. */
const TICK_MS = 50;

/**
 * Drives the replay of a recorded lecture on the lecture's own clock: the playhead is a lecture
 * time (server ms, the clock of events' `at`), the state shown is the last event at or before it
 * (`position` events), and Play moves it at the recorded pace times the speed, with long idle
 * pauses shortened (player-timeline.ts). With narration, the audio element is the clock while the
 * voice plays (its time mapped to lecture time through the takes' chunks); between takes and past
 * the audio the controller's own clock runs. Indexed with keyframes once, so seeking is instant even
 * in a 100,000-event lecture. `?seq=N` in the address bar follows the position; `?t=` opens a moment.
 */
export class ReplayController implements ReactiveController {
  recording: Recording | null = null;
  narration: NarrationInfo | null = null;
  chapters: readonly Chapter[] = [];
  /** Lecture time of each event (server ms), in order. */
  times: readonly number[] = [];
  /** The recording's start (its first event, or the narration's if the voice began first): player time 0, `?t=0`. */
  origin = 0;
  /** The lecture's end: its last event or the end of its narration, whichever is later. */
  end = 0;
  timeline: Timeline | null = null;
  /** The playhead, in lecture time. */
  playhead = 0;
  /** Events at or before the playhead: the state shown is after the first `position` events. */
  position = 0;
  playing = false;
  speed = 1;
  idleLimit: IdleLimit = DEFAULT_IDLE_LIMIT;
  /** Whether the narration is heard (and drives the clock where it has audio). */
  narrationOn = true;
  /** Why the narration cannot be heard, if it cannot (the replay goes on without it). */
  narrationProblem: string | null = null;
  error: string | null = null;
  loading = true;
  /** The element the narration plays in: the player renders it (hidden), tests read its time. */
  readonly audio: HTMLAudioElement = document.createElement('audio');

  private index: ReplayIndex | null = null;
  private segments: NarrationSegment[] = [];
  /** The snapshot at `position`, kept so that a render does not seek again. */
  private shown: { position: number; snapshot: Snapshot } | null = null;
  /** The segment the audio is playing (the clock), or waiting to play. */
  private heard: NarrationSegment | null = null;
  private waitingForAudio = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastTick = 0;
  /** The address's `?t=` until the playhead moves (then `?seq=` takes over). */
  private keepMoment = false;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly lectureId: string,
  ) {
    host.addController(this);
    this.audio.preload = 'metadata';
    this.audio.preservesPitch = true;
    this.audio.addEventListener('error', () => this.audioFailed(`the audio could not be loaded${this.audio.error?.message ? `: ${this.audio.error.message}` : ''}`));
  }

  hostConnected(): void {
    if (this.loading) void this.load();
  }

  hostDisconnected(): void {
    this.pause();
  }

  get snapshot(): Snapshot | null {
    if (!this.index) return null;
    if (this.shown?.position !== this.position) {
      this.shown = { position: this.position, snapshot: this.index.at(this.index.firstSeq + this.position) };
    }
    return this.shown.snapshot;
  }

  /** Events in the recording. */
  get length(): number {
    return this.times.length;
  }

  /** Whether there is narration to hear. */
  get hasNarration(): boolean {
    return this.segments.length > 0;
  }

  /** The playhead in player time (ms from the start, long pauses shortened): the slider's value. */
  get playerTime(): number {
    return this.timeline ? this.timeline.toPlayer(this.playhead) : 0;
  }

  get playerDuration(): number {
    return this.timeline?.duration ?? 0;
  }

  /** The chapter the playhead is in (null before the first). */
  get chapter(): Chapter | null {
    const seq = this.position > 0 ? this.recording!.events[this.position - 1].seq : -1;
    let current: Chapter | null = null;
    for (const c of this.chapters) {
      if (c.seq > seq) break;
      current = c;
    }
    return current;
  }

  /** Moves the playhead to a lecture time: the state is the last event at or before it, and the audio follows. */
  seekTo(lectureTime: number): void {
    this.moveTo(this.clamp(lectureTime), this.shows(this.clamp(lectureTime)));
    this.syncAudio();
  }

  /** Moves the playhead to a player time (the slider). */
  seekPlayer(playerTime: number): void {
    if (this.timeline) this.seekTo(this.timeline.toLecture(playerTime));
  }

  /** Shows the state after the first `position` events, the playhead at the last one's time. */
  seek(position: number): void {
    const p = Math.max(0, Math.min(this.length, Math.round(position)));
    this.moveTo(p > 0 ? this.times[p - 1] : this.origin, p);
    this.syncAudio();
  }

  /** Shows the state right after event `seq` (a chapter's first event). */
  seekSeq(seq: number): void {
    const i = this.recording?.events.findIndex((e) => e.seq === seq) ?? -1;
    if (i >= 0) this.seek(i + 1);
  }

  next(): void {
    this.seek(this.position + 1);
  }

  previous(): void {
    // From between two events, back to the last one shown goes first to its own time.
    const at = this.position > 0 ? this.times[this.position - 1] : this.origin;
    this.seek(this.playhead > at + 1 ? this.position : this.position - 1);
  }

  play(): void {
    if (!this.recording || this.playing) return;
    // Playing from the end starts over, as media players do.
    if (this.playhead >= this.end) this.seek(0);
    this.playing = true;
    this.lastTick = performance.now();
    this.syncAudio();
    this.tick();
    this.host.requestUpdate();
  }

  pause(): void {
    this.playing = false;
    clearTimeout(this.timer);
    this.stopAudio();
    this.host.requestUpdate();
  }

  toggle(): void {
    if (this.playing) this.pause();
    else this.play();
  }

  setSpeed(speed: number): void {
    if (!SPEEDS.includes(speed as (typeof SPEEDS)[number])) return;
    this.speed = speed;
    this.audio.playbackRate = speed;
    this.host.requestUpdate();
  }

  setIdleLimit(limit: IdleLimit): void {
    if (!IDLE_LIMITS.includes(limit)) return;
    this.idleLimit = limit;
    this.buildTimeline();
    this.host.requestUpdate();
  }

  setNarrationOn(on: boolean): void {
    this.narrationOn = on;
    this.buildTimeline();
    this.syncAudio();
    this.host.requestUpdate();
  }

  /** One step of the clock: the audio's time while the voice plays, else the elapsed time times the speed. */
  private tick = (): void => {
    clearTimeout(this.timer);
    if (!this.playing || !this.timeline) return;
    const now = performance.now();
    const elapsed = Math.min(1000, now - this.lastTick) * this.speed;
    this.lastTick = now;
    let t = this.playhead;
    if (this.heard && !this.waitingForAudio) {
      const s = this.heard;
      t = lectureTimeAt(s, this.audio.currentTime);
      if (this.audio.ended || t >= s.end - 1) {
        this.stopAudio();
        t = s.end;
      }
    } else if (!this.heard) {
      t = this.timeline.toLecture(this.timeline.toPlayer(t) + elapsed);
    }
    t = this.clamp(t);
    this.moveTo(t, this.shows(t));
    if (t >= this.end) return this.pause();
    if (!this.heard) this.syncAudio();
    this.timer = setTimeout(this.tick, TICK_MS);
  };

  /** Moves the playhead and the position; the address follows a new position (and drops `?t=` once the playhead moved). */
  private moveTo(t: number, position: number): void {
    const leftMoment = this.keepMoment && t !== this.playhead;
    const changed = position !== this.position;
    this.playhead = t;
    this.position = position;
    if (changed || leftMoment) {
      this.keepMoment = false;
      this.writeUrl();
    }
    this.host.requestUpdate();
  }

  /**
   * Puts the audio where the playhead is: the take and time of the segment it is in (so a paused
   * player is ready, and a seek while playing keeps voice and state together), and plays it while
   * the replay plays; outside any segment the audio stops and the controller's clock runs.
   */
  private syncAudio(): void {
    const s = this.narrationOn && !this.narrationProblem ? segmentAt(this.segments, this.playhead) : null;
    if (!s) return this.stopAudio();
    const src = narrationTakeUrl(this.lectureId, s.take);
    if (this.audio.getAttribute('src') !== src) this.audio.src = src;
    this.audio.currentTime = audioSecondsAt(s, this.playhead);
    this.audio.playbackRate = this.speed;
    if (!this.playing) {
      this.heard = null;
      return;
    }
    if (this.heard === s && !this.audio.paused) return;
    this.heard = s;
    this.waitingForAudio = true;
    this.audio.play().then(
      () => {
        this.waitingForAudio = false;
        this.lastTick = performance.now();
      },
      (e: unknown) => {
        this.waitingForAudio = false;
        // A pause or a seek before the audio started is no failure.
        if (e instanceof DOMException && e.name === 'AbortError') return;
        this.audioFailed(e instanceof DOMException && e.name === 'NotAllowedError' ? 'this browser did not let the page play sound' : `the audio could not be played: ${e instanceof Error ? e.message : String(e)}`);
      },
    );
  }

  private stopAudio(): void {
    this.heard = null;
    this.waitingForAudio = false;
    if (!this.audio.paused) this.audio.pause();
  }

  private audioFailed(why: string): void {
    if (!this.hasNarration || this.narrationProblem) return;
    this.narrationProblem = `The narration cannot be heard (${why}); the replay goes on without it.`;
    this.stopAudio();
    this.buildTimeline();
    this.host.requestUpdate();
  }

  /** The position shown at lecture time `t`: the events at or before it. */
  shows(t: number): number {
    return stateIndexAt(this.times, t) + 1;
  }

  private clamp(t: number): number {
    return Math.max(this.origin, Math.min(this.end, Number.isFinite(t) ? t : this.origin));
  }

  private buildTimeline(): void {
    const voiced = this.narrationOn && !this.narrationProblem ? this.segments : [];
    this.timeline = playerTimeline(this.origin, this.times, this.end, voiced, this.idleLimit);
  }

  private async load(): Promise<void> {
    try {
      const [recording, narration] = await Promise.all([fetchRecording(this.lectureId), fetchNarrationInfo(this.lectureId)]);
      const frames = recording.events.map((e) => e.frame);
      this.index = new ReplayIndex(recording.lecture.initial, frames);
      this.recording = recording;
      this.narration = narration;
      this.segments = narration ? narrationSegments(narration) : [];
      this.chapters = chaptersOf(recording.events, recording.lecture.initial);
      this.times = recording.events.map((e) => e.at);
      const first = Math.min(this.times[0] ?? Infinity, this.segments[0]?.start ?? Infinity);
      this.origin = Number.isFinite(first) ? first : recording.lecture.createdAt;
      this.end = Math.max(this.origin, this.times[this.times.length - 1] ?? this.origin, narrationEnd(this.segments) ?? this.origin);
      this.buildTimeline();
      this.loading = false;
      this.openAt(readMoment(location.search, recording, this.origin));
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e);
      this.loading = false;
    }
    this.host.requestUpdate();
  }

  /** Opens where the address says (paused): a lecture time from `?t=`, else an event from `?seq=`. */
  private openAt(moment: OpenMoment): void {
    if (moment && 'time' in moment) {
      this.playhead = this.clamp(moment.time);
      this.position = this.shows(this.playhead);
      this.keepMoment = true;
      this.syncAudio();
      return;
    }
    this.seek(moment?.position ?? 0);
    this.writeUrl();
  }

  private writeUrl(): void {
    const url = new URL(location.href);
    url.searchParams.delete('t');
    url.searchParams.set('seq', String(this.snapshot?.seq ?? 0));
    history.replaceState(history.state, '', url.pathname + url.search);
  }
}

/** The take's audio stream, seekable (the server answers range requests). */
export function narrationTakeUrl(lectureId: string, take: number): string {
  return `/api/lectures/${encodeURIComponent(lectureId)}/narration/takes/${take}`;
}
