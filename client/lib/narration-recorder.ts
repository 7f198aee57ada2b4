/**
 * Records the instructor's narration: the microphone through MediaRecorder, cut into chunks of a
 * few seconds (the recorder's timeslice), each uploaded as soon as it is recorded and kept in
 * memory until the server has acknowledged it, retried with backoff when the upload fails or the
 * connection drops (the server stores a chunk once however often it is sent). So a crash, a
 * closed tab or a lost connection loses at most the chunk being recorded. One MediaRecorder
 * session is one take on the server; pause and resume stay inside it.
 */
import { ApiError, createNarrationTake, putNarrationChunk, type NarrationChunkTimes } from './api.js';

/** The audio formats asked for, best first: Opus in WebM (Chromium, Firefox), Opus in Ogg, then what is left (Safari's MP4). */
export const NARRATION_MIME_PREFERENCE = ['audio/webm;codecs=opus', 'audio/ogg;codecs=opus', 'audio/webm', 'audio/mp4'] as const;

/** How much audio one chunk holds: a crash loses at most this much. */
export const NARRATION_TIMESLICE_MS = 3000;

/** The best format this browser can record, or null when it records none of them. */
export function pickNarrationMime(isTypeSupported: (mime: string) => boolean): string | null {
  return NARRATION_MIME_PREFERENCE.find((mime) => isTypeSupported(mime)) ?? null;
}

/**
 * The times of a take's chunks, on the page's clock (performance.now()): `at` counts wall time
 * since the take started, pauses included; `audioAt` and `duration` count recorded audio only.
 * `originMs` is the page's time at the server's `startedAt`.
 */
export class ChunkClock {
  private chunkBegan: number;
  private audioBefore = 0;
  private audioInChunk = 0;
  /** When the current stretch of recording began; null while paused. */
  private runningSince: number | null;

  constructor(
    private readonly originMs: number,
    startedMs: number,
  ) {
    this.chunkBegan = startedMs;
    this.runningSince = startedMs;
  }

  pause(now: number): void {
    if (this.runningSince === null) return;
    this.audioInChunk += now - this.runningSince;
    this.runningSince = null;
  }

  resume(now: number): void {
    if (this.runningSince === null) this.runningSince = now;
  }

  /** Recorded audio so far, pauses left out. */
  audioMs(now: number): number {
    return this.audioBefore + this.audioInChunk + (this.runningSince === null ? 0 : now - this.runningSince);
  }

  /**
   * Ends the current chunk at `now`: its times in whole milliseconds (the audio before a chunk is
   * the sum of the rounded durations before it, exactly); the next chunk begins here.
   */
  cut(now: number): NarrationChunkTimes {
    const duration = whole(this.audioInChunk + (this.runningSince === null ? 0 : now - this.runningSince));
    const times = { at: whole(this.chunkBegan - this.originMs), audioAt: this.audioBefore, duration };
    this.audioBefore += duration;
    this.audioInChunk = 0;
    this.chunkBegan = now;
    if (this.runningSince !== null) this.runningSince = now;
    return times;
  }
}

const whole = (ms: number) => Math.max(0, Math.round(ms));

/** What the console shows of the recorder. */
export interface NarrationState {
  readonly status: 'idle' | 'asking' | 'recording' | 'paused' | 'finishing';
  /** Recorded audio of the current take, in ms. */
  readonly audioMs: number;
  /** Chunks recorded but not yet acknowledged by the server. */
  readonly pending: number;
  /** Whether the last upload failed and is waiting to be retried. */
  readonly retrying: boolean;
  /** Why recording stopped or could not start, in words for the instructor; null when all is well. */
  readonly error: string | null;
}

const IDLE: NarrationState = { status: 'idle', audioMs: 0, pending: 0, retrying: false, error: null };

/** Backoff between attempts at one chunk: 0.5 s, doubling, at most 8 s. */
const RETRY_MS = [500, 1000, 2000, 4000, 8000];

/** An answer no retry can change: over the cap, the token refused, the take gone, a chunk refused. */
function isFinal(err: unknown): err is ApiError {
  return err instanceof ApiError && err.status >= 400 && err.status < 500 && err.status !== 408 && err.status !== 429;
}

interface Chunk {
  readonly index: number;
  readonly times: NarrationChunkTimes;
  readonly data: Blob;
}

export interface NarrationRecorderOptions {
  readonly lectureId: string;
  readonly token: string;
  /** Called whenever the state changes. */
  readonly onChange: (state: NarrationState) => void;
  /** Called when narration goes on the air (true) or off it (false): the console sends setNarration. */
  readonly onAir: (on: boolean) => void;
}

/** The recorder behind the console's "Record narration": start, pause, resume, stop, and the uploads. */
export class NarrationRecorder {
  private state: NarrationState = IDLE;
  private stream: MediaStream | null = null;
  private recorder: MediaRecorder | null = null;
  private clock: ChunkClock | null = null;
  private take: { number: number; mime: string } | null = null;
  private nextIndex = 0;
  private readonly queue: Chunk[] = [];
  private uploading = false;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private finished: (() => void) | null = null;

  constructor(private readonly options: NarrationRecorderOptions) {
    window.addEventListener('online', this.retryNow);
  }

  get current(): NarrationState {
    return this.state;
  }

  /** Whether closing the page now would lose audio: recording, or chunks not yet stored. */
  get unsaved(): boolean {
    return this.state.status !== 'idle' || this.queue.length > 0;
  }

  /** Asks for the microphone, opens a take on the server and starts recording. */
  async start(): Promise<void> {
    if (this.state.status !== 'idle') return;
    const unavailable = recordingUnavailable();
    if (unavailable) return this.set({ ...IDLE, error: unavailable });
    const mime = pickNarrationMime((m) => MediaRecorder.isTypeSupported(m));
    if (!mime) return this.set({ ...IDLE, error: 'This browser cannot record audio in any format the server keeps (WebM, Ogg or MP4).' });
    this.set({ ...IDLE, status: 'asking' });
    try {
      this.stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch (err) {
      return this.set({ ...IDLE, error: microphoneRefusal(err) });
    }
    try {
      const sent = performance.now();
      const take = await createNarrationTake(this.options.lectureId, this.options.token, mime);
      // The server's startedAt is its clock during the request: on this page's clock, about halfway.
      const origin = (sent + performance.now()) / 2;
      this.take = { number: take.take, mime };
      this.nextIndex = 0;
      this.begin(mime, origin);
    } catch (err) {
      this.release();
      this.set({ ...IDLE, error: `The narration could not be started: ${messageOf(err)}` });
    }
  }

  pause(): void {
    if (this.state.status !== 'recording' || !this.recorder) return;
    this.recorder.pause();
    this.clock?.pause(performance.now());
    this.set({ status: 'paused' });
    this.options.onAir(false);
  }

  resume(): void {
    if (this.state.status !== 'paused' || !this.recorder) return;
    this.recorder.resume();
    this.clock?.resume(performance.now());
    this.set({ status: 'recording' });
    this.options.onAir(true);
  }

  /** Ends the take: the last chunk is cut and uploaded; resolves once every chunk is stored (or recording failed). */
  async stop(): Promise<void> {
    const recorder = this.recorder;
    if (!recorder || (this.state.status !== 'recording' && this.state.status !== 'paused')) return;
    const wasOnAir = this.state.status === 'recording';
    this.set({ status: 'finishing' });
    if (wasOnAir) this.options.onAir(false);
    const done = new Promise<void>((resolve) => (this.finished = resolve));
    recorder.stop();
    await done;
  }

  /** The page is going away: stops the microphone; chunks not yet stored are lost with it. */
  dispose(): void {
    window.removeEventListener('online', this.retryNow);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.recorder && this.recorder.state !== 'inactive') this.recorder.stop();
    this.release();
  }

  /** The audio elapsed now (for the console's clock, which reads it every second). */
  audioMs(): number {
    return this.clock ? this.clock.audioMs(performance.now()) : this.state.audioMs;
  }

  private begin(mime: string, origin: number): void {
    const recorder = new MediaRecorder(this.stream!, { mimeType: mime });
    this.recorder = recorder;
    recorder.addEventListener('dataavailable', (e) => this.recorded(e.data));
    recorder.addEventListener('stop', () => this.ended());
    recorder.addEventListener('error', () => this.fail('The browser stopped recording the microphone.'));
    recorder.start(NARRATION_TIMESLICE_MS);
    this.clock = new ChunkClock(origin, performance.now());
    this.set({ status: 'recording', audioMs: 0, error: null });
    this.options.onAir(true);
  }

  /** A chunk the recorder handed over: queued and uploaded at once. An empty one adds its time to the next. */
  private recorded(data: Blob): void {
    if (!this.clock || !this.take || data.size === 0) return;
    const times = this.clock.cut(performance.now());
    this.queue.push({ index: this.nextIndex++, times, data });
    this.set({ pending: this.queue.length, audioMs: this.clock.audioMs(performance.now()) });
    void this.upload();
  }

  /** The recorder stopped (Stop, or a failure): the microphone goes; the take is done once its chunks are stored. */
  private ended(): void {
    const audioMs = this.audioMs();
    this.release();
    this.clock = null;
    if (this.state.status !== 'idle') this.set({ status: this.queue.length > 0 ? 'finishing' : 'idle', audioMs });
    this.settle();
  }

  /** Sends the queue's chunks one after the other, oldest first; a failure waits its backoff and tries the same chunk again. */
  private async upload(): Promise<void> {
    if (this.uploading || !this.take) return;
    this.uploading = true;
    const take = this.take;
    try {
      while (this.queue.length > 0 && this.take === take) {
        const chunk = this.queue[0]!;
        try {
          await putNarrationChunk(this.options.lectureId, this.options.token, take.number, chunk.index, chunk.times, chunk.data, take.mime);
        } catch (err) {
          if (isFinal(err)) return this.fail(err.status === 413 ? `${sentence(err.message)} What was recorded before it is kept.` : err.message);
          this.scheduleRetry();
          return;
        }
        this.queue.shift();
        this.attempt = 0;
        this.set({ pending: this.queue.length, retrying: false });
      }
    } finally {
      this.uploading = false;
    }
    this.settle();
  }

  private scheduleRetry(): void {
    const wait = RETRY_MS[Math.min(this.attempt, RETRY_MS.length - 1)]!;
    this.attempt += 1;
    this.set({ retrying: true });
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(this.retryNow, wait);
  }

  /** Tries the waiting chunks again now (the backoff ran out, or the browser is back online). */
  private readonly retryNow = (): void => {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (this.queue.length > 0) void this.upload();
  };

  /** Once the recorder has stopped and every chunk is stored, the take is over. */
  private settle(): void {
    if (this.recorder && this.recorder.state !== 'inactive') return;
    if (this.queue.length > 0) return;
    if (this.state.status === 'finishing') this.set({ status: 'idle', retrying: false });
    this.take = null;
    this.finished?.();
    this.finished = null;
  }

  /** Recording cannot go on (over the cap, the token refused, the recorder broke): it stops, and says why. */
  private fail(message: string): void {
    const wasOnAir = this.state.status === 'recording';
    this.queue.length = 0;
    this.take = null;
    if (this.recorder && this.recorder.state !== 'inactive') this.recorder.stop();
    this.release();
    this.clock = null;
    this.set({ ...IDLE, audioMs: this.state.audioMs, error: `Recording stopped: ${message}` });
    if (wasOnAir) this.options.onAir(false);
    this.finished?.();
    this.finished = null;
  }

  /** Lets the microphone go (the browser's recording indicator goes off). */
  private release(): void {
    this.stream?.getTracks().forEach((t) => t.stop());
    this.stream = null;
    this.recorder = null;
  }

  private set(change: Partial<NarrationState>): void {
    this.state = { ...this.state, ...change };
    this.options.onChange(this.state);
  }
}

/** Why this page cannot record at all, or null when it can. */
function recordingUnavailable(): string | null {
  if (!navigator.mediaDevices?.getUserMedia || typeof MediaRecorder === 'undefined') {
    return window.isSecureContext
      ? 'This browser cannot record audio.'
      : 'Browsers offer the microphone only to secure pages: open the console over https, or on this computer as localhost, to record narration.';
  }
  return null;
}

/** The microphone's refusal in words for the instructor. */
function microphoneRefusal(err: unknown): string {
  const name = err instanceof DOMException ? err.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError')
    return 'The browser was not allowed to use the microphone. Allow it for this site (the icon in the address bar) and press Record narration again.';
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return 'No microphone was found. Connect one and press Record narration again.';
  if (name === 'NotReadableError') return 'The microphone is in use by another program, or could not be opened.';
  return `The microphone could not be opened: ${messageOf(err)}`;
}

/** A message as a sentence: with its full stop. */
function sentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

function messageOf(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof TypeError) return 'the server could not be reached';
  return err instanceof Error ? err.message : String(err);
}
