/** The server's seams to the outside world, injected by createApp's caller so tests control them. */
import type { Frame, LectureSummary, PredictionStats, Preset, RecordedCommand } from '../shared/index.js';

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
  readonly seq: number;
  readonly at: number;
  readonly command: RecordedCommand;
  /** The class's answers, for an event that revealed a prediction. */
  readonly reveal?: PredictionStats;
  readonly frame: Frame;
}

/** Durable storage of lectures and their event logs. `appendEvent` returns once the event is committed. */
export interface LectureStore {
  createLecture(record: LectureRecord): void;
  getLecture(id: string): LectureRecord | undefined;
  listLectures(): LectureSummary[];
  /** `clearFlags`: the event starts a new pass (or clears flags); the pass's flags go in the same transaction. */
  appendEvent(lectureId: string, event: StoredEvent, options?: { clearFlags?: boolean }): void;
  /** Events with seq > afterSeq, in order. */
  events(lectureId: string, afterSeq?: number): StoredEvent[];
  /** The same events as a JSON array text, without parsing them (for the recording download). */
  eventsJson(lectureId: string): string;
  /** Stores a student's answer to the prediction opened at `askSeq` (the latest one counts). */
  saveAnswer(lectureId: string, askSeq: number, clientId: string, value: number, at: number): void;
  answers(lectureId: string, askSeq: number): Map<string, number>;
  /** Sets or clears one student's "I'm lost here" flag (a key such as `B_act[2]`) of the current pass. */
  setFlag(lectureId: string, clientId: string, key: string, on: boolean): void;
  /** The current pass's flags: key → the students who flagged it. */
  flags(lectureId: string): Map<string, Set<string>>;
  close(): void;
}
