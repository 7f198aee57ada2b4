/** The server's seams to the outside world, injected by createApp's caller so tests control them. */
import type { Preset } from '../shared/engine/mlp/init.js';
import type { TrainingResult } from '../shared/lecture/decider.js';
import type { PredictionStats } from '../shared/protocol/collab.js';
import type { RecordedCommand } from '../shared/protocol/commands.js';
import type { LectureSummary } from '../shared/protocol/http.js';
import type { Frame } from '../shared/protocol/snapshot.js';

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
  /** The id its sender gave the command (unique per lecture): a command is applied once, however often it is sent. */
  readonly commandId?: string;
}

/** The event a command id became (LectureStore.findCommand). */
export interface CommandRecord {
  readonly seq: number;
  /** The recorded command's type, so a reused id on another command is told apart from a retry. */
  readonly type: string;
}

/** An event as read back, with the bytes it takes in the store (for the lecture's quota). */
export interface LoadedEvent extends StoredEvent {
  readonly bytes: number;
}

/**
 * A lecture's state after event `seq`, as keyframe bytes (shared/lecture/keyframe.ts): a cache of
 * the fold of its events up to `seq`, so that a load decodes it and folds only the events after.
 */
export interface StoredKeyframe {
  readonly seq: number;
  /** KEYFRAME_FORMAT of the code that wrote it (the layout of `state`). */
  readonly format: number;
  /** EVENT_FORMAT_VERSION of the code that wrote it (what the state it holds means). */
  readonly eventFormat: number;
  /** What the lecture had used of its limits up to `seq` (LectureQuota's usage as JSON text, read back by parseQuotaUsage). */
  readonly usage: string;
  readonly state: Uint8Array;
}

/** Which keyframes a reader can use: those of its layout and event format, before a seq (default: any). */
export interface KeyframeQuery {
  readonly format: number;
  readonly eventFormat: number;
  readonly beforeSeq?: number;
}

/** A page of the listed lectures: `limit` of them, after the cursor `before` (from the newest without one). */
export interface LecturePage {
  readonly limit: number;
  readonly before?: { readonly createdAt: number; readonly id: string };
}

/** A narration take as it starts (a MediaRecorder session): its audio type and when, on the server's clock. */
export interface NarrationTakeStart {
  readonly mime: string;
  /** ms since the epoch (the clock of events' `at`). */
  readonly startedAt: number;
}

/** Where a narration chunk sits: its index in its take, and its times (shared/protocol/narration.ts NarrationChunkInfo). */
export interface NarrationChunkTimes {
  readonly index: number;
  readonly at: number;
  readonly audioAt: number;
  readonly duration: number;
}

/** A narration chunk to store: its times and its bytes (at least one). */
export interface NarrationChunk extends NarrationChunkTimes {
  readonly data: Uint8Array;
}

/** A stored chunk without its bytes: what a listing or a range plan needs. */
export interface StoredNarrationChunk extends NarrationChunkTimes {
  readonly bytes: number;
}

/** A stored take with its chunks, in index order. */
export interface StoredNarrationTake extends NarrationTakeStart {
  readonly take: number;
  readonly chunks: readonly StoredNarrationChunk[];
}

/** What one lecture's narration may hold in all: bytes and chunks. */
export interface NarrationCaps {
  readonly maxBytes: number;
  readonly maxChunks: number;
}

/**
 * What putNarrationChunk did: stored it; found it stored already (a retry: nothing changes); found
 * no such take; or stored nothing because the lecture's bytes or chunks would pass their cap.
 */
export type NarrationPut = 'stored' | 'repeat' | 'no-take' | 'over-bytes' | 'over-chunks';

/**
 * Durable storage of lectures, their event logs, answers, flags, uploaded tables and narration. Every method
 * returns a promise, so a network database (PostgreSQL) fits the same port as the embedded SQLite;
 * a write's promise resolves only once what it wrote is committed (it survives a crash of the
 * process), and rejects when nothing was written. Callers await each write before they broadcast or
 * acknowledge what it wrote. The store itself orders nothing: LectureRoom's command queue keeps one
 * lecture's writes one at a time.
 */
export interface LectureStore {
  /** Creates a lecture; durable on resolve. Rejects when the id is taken. */
  createLecture(record: LectureRecord): Promise<void>;
  /** The lecture with this id, or undefined. Reads what has been committed. */
  getLecture(id: string): Promise<LectureRecord | undefined>;
  /** Listed lectures, newest first, `limit` of them after the cursor `before` (from the newest without one). */
  listLectures(page?: LecturePage): Promise<LectureSummary[]>;
  /**
   * Appends one event (seq must be the lecture's next) and resolves with the bytes it takes, once
   * the event and its frame are committed. `clearFlags`: the event starts a new pass (or clears
   * flags); the pass's flags go in the same transaction.
   */
  appendEvent(lectureId: string, event: StoredEvent, options?: { clearFlags?: boolean }): Promise<number>;
  /**
   * The committed event whose command was sent with this id, or undefined. appendEvent refuses a
   * second event with the same id in one lecture (a unique index), so an id names one event.
   */
  findCommand(lectureId: string, commandId: string): Promise<CommandRecord | undefined>;
  /** Events with seq > afterSeq, in order, as committed. */
  events(lectureId: string, afterSeq?: number): Promise<LoadedEvent[]>;
  /**
   * The events as the pieces of one JSON array text (`[`, each event, `,`…, `]`), read a few at a
   * time without parsing them, so a recording of any size can be streamed (the recording download).
   * Training results are left out: the frames carry what a replay shows. Only events up to
   * `upToSeq`: a download names its event count before streaming, and commands go on meanwhile.
   */
  eventsJson(lectureId: string, upToSeq: number): AsyncIterable<string>;
  /**
   * Records what a training produced, for an event stored before results were (computed once, at
   * its first load); durable on resolve.
   */
  attachTrainingResult(lectureId: string, seq: number, result: TrainingResult): Promise<void>;
  /**
   * Keeps a keyframe of a lecture whose event `seq` is committed (replacing one at the same seq),
   * and forgets all but the two latest of its format and event format; durable on resolve. A cache:
   * the caller writes it after the event's acknowledgement and ignores a failure.
   */
  putKeyframe(lectureId: string, keyframe: StoredKeyframe): Promise<void>;
  /** The lecture's latest keyframe of the query's format and event format (before `beforeSeq`), or undefined. */
  latestKeyframe(lectureId: string, query: KeyframeQuery): Promise<StoredKeyframe | undefined>;
  /** Stores a student's answer to the prediction opened at `askSeq` (the latest one counts); durable on resolve. */
  saveAnswer(lectureId: string, askSeq: number, clientId: string, value: number, at: number): Promise<void>;
  /** Stores many students' answers to the prediction opened at `askSeq` in one write (a cluster node's batch); durable on resolve. */
  saveAnswers(lectureId: string, askSeq: number, answers: readonly { readonly clientId: string; readonly value: number }[], at: number): Promise<void>;
  /** The committed answers to the prediction opened at `askSeq`: client id → value. */
  answers(lectureId: string, askSeq: number): Promise<Map<string, number>>;
  /** Sets or clears one student's "I'm lost here" flag (a key such as `B_act[2]`) of the current pass; durable on resolve. */
  setFlag(lectureId: string, clientId: string, key: string, on: boolean): Promise<void>;
  /** The current pass's flags: key → the students who flagged it. */
  flags(lectureId: string): Promise<Map<string, Set<string>>>;
  /**
   * Stores an uploaded CSV text once under its digest (SHA-256, lowercase hex); storing it again
   * changes nothing; durable on resolve. An event that names the digest (appendEvent) marks it
   * used; appendEvent refuses one whose text is not stored.
   */
  putDataset(digest: string, text: string): Promise<void>;
  /** Deletes a stored text no event names (an upload whose command was refused), so refusals fill nothing. */
  forgetUnusedDataset(digest: string): Promise<void>;
  /** The CSV text stored under this digest. */
  datasetText(digest: string): Promise<string | undefined>;
  /**
   * Starts a narration take, numbered 1, 2, … per lecture, and resolves with its number once it is
   * committed; undefined (nothing stored) when the lecture has `maxTakes` already.
   */
  createNarrationTake(lectureId: string, start: NarrationTakeStart, maxTakes: number): Promise<number | undefined>;
  /**
   * Stores one chunk of a take once, committed on resolve: a chunk stored again (same take and
   * index) changes nothing ('repeat'). The caps are checked in the insert's own transaction, so two
   * uploads at once cannot pass them together.
   */
  putNarrationChunk(lectureId: string, take: number, chunk: NarrationChunk, caps: NarrationCaps): Promise<NarrationPut>;
  /** The lecture's takes, in order, each with its chunks' times and sizes in index order (none: []). */
  narration(lectureId: string): Promise<StoredNarrationTake[]>;
  /** The bytes of a take's chunks with fromIndex ≤ index ≤ toIndex, in index order (a page of a stream). */
  narrationChunkData(lectureId: string, take: number, fromIndex: number, toIndex: number): Promise<{ index: number; data: Uint8Array }[]>;
  /** The bytes of every chunk of the lecture's narration. */
  narrationBytes(lectureId: string): Promise<number>;
  /** Deletes every take and chunk of the lecture's narration; durable on resolve. */
  deleteNarration(lectureId: string): Promise<void>;
  /**
   * Resolves when the store answers a trivial query (SELECT 1) soon, rejects with the reason when
   * it cannot: what GET /api/ready reports, so a load balancer stops sending students to a node
   * whose database it cannot reach.
   */
  ping(): Promise<void>;
  /** Closes the store once what was written is committed; nothing is called after. */
  close(): Promise<void>;
}
