/** The server's seams to the outside world, injected by createApp's caller so tests control them. */
import type { Frame, LectureSummary, PredictionStats, Preset, RecordedCommand, TrainingResult } from '../shared/index.js';

export interface Clock {
  /** ms since the epoch. */
  now(): number;
}

export interface RandomSource {
  bytes(count: number): Uint8Array;
}

export interface LectureRecord {
  readonly id: string;
  readonly title: string;
  readonly createdAt: number;
  readonly listed: boolean;
  readonly tokenHash: string;
  readonly preset: Preset;
  readonly seed: number;
  readonly learningRate: number;
}

export interface StoredEvent {
  /**
   * The event format it was written in (EVENT_FORMAT_VERSION of the code that wrote it; events
   * stored before the store kept it read as 1), so a server refuses an event it would misread.
   */
  readonly format: number;
  readonly seq: number;
  readonly at: number;
  readonly command: RecordedCommand;
  /** The class's answers, for an event that revealed a prediction. */
  readonly reveal?: PredictionStats;
  /** What a `train` produced (parameters, every epoch's losses): a fold of the log never trains again. */
  readonly trained?: TrainingResult;
  readonly frame: Frame;
}

/** An event as read back, with the bytes it takes in the store (for the lecture's quota). */
export interface LoadedEvent extends StoredEvent {
  readonly bytes: number;
}

/** Durable storage of lectures and their event logs. `appendEvent` returns once the event is committed. */
export interface LecturePage {
  readonly limit: number;
  readonly before?: { readonly createdAt: number; readonly id: string };
}

export interface LectureStore {
  createLecture(record: LectureRecord): void;
  getLecture(id: string): LectureRecord | undefined;
  /** Listed lectures, newest first, `limit` of them after the cursor `before` (from the newest without one). */
  listLectures(page?: LecturePage): LectureSummary[];
  /** `clearFlags`: the event starts a new pass (or clears flags); the pass's flags go in the same transaction. */
  appendEvent(lectureId: string, event: StoredEvent, options?: { clearFlags?: boolean }): number;
  /** Events with seq > afterSeq, in order. */
  events(lectureId: string, afterSeq?: number): LoadedEvent[];
  /**
   * The events as the pieces of one JSON array text (`[`, each event, `,`…, `]`), read one at a time
   * without parsing them, so a recording of any size can be streamed (the recording download).
   * Training results are left out: the frames carry what a replay shows.
   */
  eventsJson(lectureId: string): Iterable<string>;
  /** Records what a training produced, for an event stored before results were (computed once, at its first load). */
  attachTrainingResult(lectureId: string, seq: number, result: TrainingResult): void;
  /** Stores a student's answer to the prediction opened at `askSeq` (the latest one counts). */
  saveAnswer(lectureId: string, askSeq: number, clientId: string, value: number, at: number): void;
  answers(lectureId: string, askSeq: number): Map<string, number>;
  /** Sets or clears one student's "I'm lost here" flag (a key such as `B_act[2]`) of the current pass. */
  setFlag(lectureId: string, clientId: string, key: string, on: boolean): void;
  /** The current pass's flags: key → the students who flagged it. */
  flags(lectureId: string): Map<string, Set<string>>;
  /**
   * Stores an uploaded CSV text once under its digest (SHA-256, lowercase hex); storing it again
   * changes nothing. An event that names the digest (appendEvent) marks it used; appendEvent
   * refuses one whose text is not stored.
   */
  putDataset(digest: string, text: string): void;
  /** Deletes a stored text no event names (an upload whose command was refused), so refusals fill nothing. */
  forgetUnusedDataset(digest: string): void;
  /** The CSV text stored under this digest. */
  datasetText(digest: string): string | undefined;
  close(): void;
}
