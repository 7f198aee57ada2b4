import type { Logger } from 'pino';
import type { LectureState } from '../shared/lecture/decider.js';
import type { FlagCounts, FlagTarget, PredictionUpdate } from '../shared/protocol/collab.js';
import type { Command } from '../shared/protocol/commands.js';
import type { CreateLectureBody } from '../shared/protocol/http.js';
import type { Snapshot } from '../shared/protocol/snapshot.js';
import type { CatchUp } from '../shared/protocol/socket.js';
import type { CommandCheck, CommandResult, Outcome, RoomListener } from './lecture-room.js';
import type { LectureRecord, StoredEvent } from './ports.js';

/**
 * A lecture as the sockets and the HTTP API of one process serve it. In one process it is the
 * lecture's LectureRoom itself; in cluster mode (server/cluster/) it is the node's replica of the
 * lecture, with commands, answers and flags going to whichever node owns the lecture now.
 */
export interface LiveLecture {
  readonly id: string;
  readonly record: LectureRecord;
  /** The logger of this lecture's lines (each names it). */
  readonly log: Logger;
  readonly seq: number;
  snapshot(): Snapshot;
  /** The whole state as the lecture stands (for exports): the room's own, or folded from the store. */
  fullState(): Promise<LectureState>;
  subscribe(listener: RoomListener): () => void;
  catchUp(lastSeq: number): CatchUp | Promise<CatchUp>;
  upToDate(missed: CatchUp, lastSeq: number): CatchUp;
  predictionUpdate(): PredictionUpdate | null;
  flagCounts(): FlagCounts;
  flagsOf(clientId: string): string[];
  command(command: Command, check?: CommandCheck, applied?: () => void, commandId?: string): Promise<CommandResult>;
  submitAnswer(clientId: string, value: number, address?: string, maxPerAddress?: number): Promise<Outcome>;
  flag(clientId: string, target: FlagTarget, on: boolean): Promise<Outcome>;
}

/** Every lecture a process serves: LectureRegistry in one process, ClusterNode in a cluster. */
export interface LectureDirectory<L extends LiveLecture = LiveLecture> {
  create(body: CreateLectureBody): Promise<{ room: L; token: string }>;
  get(id: string): Promise<L | undefined>;
  /** The lecture if this process has it in memory (a socket admitted by the handshake, whose get opened it). */
  inMemory(id: string): L | undefined;
  isInstructor(room: L, token: string): boolean;
  /** Why a command's uploaded table cannot be used, or null (LectureRegistry.datasetProblem). */
  datasetProblem(room: Pick<L, 'id'>, command: Command): Promise<string | null>;
  initialSnapshot(record: LectureRecord): Snapshot;
  /** Makes the uploaded tables these events name available (before folding or exporting them). */
  loadTexts(events: Iterable<StoredEvent>): Promise<void>;
  /** Forgets what nobody uses (idle for `idleMs`, no socket); returns how many. */
  evictIdle(idleMs: number, inUse: (id: string) => boolean): number;
  /** How many lectures are in memory. */
  readonly loaded: number;
  /** Stops trainings (committing them) and lets what is queued finish. */
  close(): Promise<void>;
}
