import { z } from 'zod';
import type { Command } from './commands.js';
import type { Frame, Snapshot } from './snapshot.js';
import type { Tensor } from '../engine/tensor.js';
import type { FlagCounts, FlagRequest, PredictionCount, PredictionReveal, PredictionUpdate } from './collab.js';

export const ROLES = { instructor: 'instructor', student: 'student' } as const;
export type Role = (typeof ROLES)[keyof typeof ROLES];

/** socket.io `auth` of the handshake. */
export interface HandshakeAuth {
  protocol: number;
  lectureId: string;
  /** The instructor token; a wrong one is refused, none makes a student. */
  token?: string;
  name?: string;
  /**
   * The id this server issued the browser (the `identity` event), kept in localStorage, so a
   * student who reloads is still one student: one answer per prediction, one flag per element.
   * An id the server did not sign (or none) is replaced by a fresh one, sent in `identity`.
   */
  clientId?: string;
  /** The last seq this client holds, when it reconnects. */
  lastSeq?: number;
  /**
   * `projector`: the class's shared screen, which watches as a student does but is nobody:
   * it is not counted among the students, and it neither answers nor flags.
   */
  display?: Display;
}

export const DISPLAYS = { projector: 'projector' } as const;
export type Display = (typeof DISPLAYS)[keyof typeof DISPLAYS];

/** The handshake's `auth` as the server accepts it. */
export const HandshakeSchema = z.object({
  protocol: z.number(),
  lectureId: z.string().max(32),
  token: z.string().max(256).optional(),
  name: z.string().max(200).optional(),
  // Any id of this form is accepted; one the server did not sign is replaced (client-ids.ts).
  clientId: z.string().regex(/^[\w.-]{1,64}$/).optional(),
  lastSeq: z.number().int().min(0).optional(),
  display: z.enum(Object.values(DISPLAYS) as [Display]).optional(),
});

/**
 * A `sync` request as the server accepts it. Any integer is heard (one the lecture has not reached,
 * or a negative one, is answered with a snapshot), as it was before the request had a schema.
 */
export const SyncRequestSchema = z.object({
  lastSeq: z.number().refine(Number.isInteger),
});
export type SyncRequest = z.infer<typeof SyncRequestSchema>;

/** `connect_error` carries one of these codes in `err.data.code`. */
export const CONNECT_ERRORS = {
  badHandshake: 'bad-handshake',
  protocol: 'protocol-mismatch',
  unknownLecture: 'unknown-lecture',
  badToken: 'bad-token',
  tooManyAttempts: 'too-many-attempts',
  /** This address already has MAX_SOCKETS_PER_ADDRESS sockets open on this lecture. */
  tooManySockets: 'too-many-sockets',
  /** The server could not open the lecture (an error of its own, logged); the client tries again. */
  unavailable: 'lecture-unavailable',
} as const;
export type ConnectErrorCode = (typeof CONNECT_ERRORS)[keyof typeof CONNECT_ERRORS];

/** `status` follows HTTP: 400 malformed, 403 not the instructor, 409 not now, 429 too many messages. */
export type CommandAck = { ok: true; seq: number } | { ok: false; error: string; status: number };

/** Missed frames when they are fewer bytes than a snapshot, else a snapshot. */
export type CatchUp = { type: 'frames'; frames: Frame[] } | { type: 'snapshot'; snapshot: Snapshot };

/** A sync not answered: 400 malformed, 429 a snapshot too soon (sync again after `retryAfter` seconds). */
export interface SyncRefusal {
  error: string;
  status?: number;
  retryAfter?: number;
}

export interface TrainingProgress {
  readonly seq: number;
  readonly epochsDone: number;
  readonly epochsTotal: number;
  /** Present while the training waits its turn: how many trainings (of any lecture) are ahead of it. */
  readonly queued?: number;
  /** Mean loss of the last epoch run. */
  readonly loss: number;
  /** Mean loss on the held-out rows after the last epoch run; null when the dataset holds none out. */
  readonly testLoss: number | null;
  /** The parameters as they stand (W and V for the notebook's network; W1, b1, … otherwise). */
  readonly params: Readonly<Record<string, Tensor>>;
}

export interface Presence {
  readonly students: number;
  readonly instructors: number;
  /** Projector displays open on the lecture (not students). */
  readonly projectors: number;
  /** Students' display names (those who gave one), sent to the instructor only. */
  readonly names?: readonly string[];
}

export type Outcome = { ok: true } | { ok: false; status: number; error: string };

/** The client id the server issued this browser (sent on connect, before the snapshot). */
export interface Identity {
  readonly clientId: string;
}

export interface ServerToClientEvents {
  /** On every connect: the id to send as `clientId` next time (a new one when the given one was not signed). */
  identity: (identity: Identity) => void;
  /**
   * Every few seconds in cluster mode: the lecture's seq as this server holds it. A client behind it
   * (a frame that never reached it) syncs; one level with it has missed nothing.
   */
  head: (head: { seq: number }) => void;
  snapshot: (snapshot: Snapshot) => void;
  frame: (frame: Frame) => void;
  progress: (progress: TrainingProgress) => void;
  presence: (presence: Presence) => void;
  /** Instructor only: the answers so far to the open prediction. */
  'prediction:update': (update: PredictionUpdate) => void;
  /** Everyone but the instructor: how many have answered the open prediction (never their values). */
  'prediction:count': (count: PredictionCount) => void;
  'prediction:reveal': (reveal: PredictionReveal) => void;
  /** Instructor only: "I'm lost here" counts of the current pass. */
  flags: (flags: FlagCounts) => void;
  /** Student only, on connect: the keys this student (clientId) has flagged in the current pass. */
  'flags:mine': (mine: { keys: string[] }) => void;
}

export interface ClientToServerEvents {
  /**
   * An instructor's command; `commandId` (parseCommandId) beside `type` makes a retry safe: a
   * command whose id is stored already is answered with its original ack and not applied again.
   */
  command: (command: Command & { commandId?: string }, ack: (result: CommandAck) => void) => void;
  /**
   * Asks for what came after `lastSeq` (a client that noticed a gap). At most one snapshot per
   * socket every few seconds: sooner, the answer is status 429 with `retryAfter` (seconds).
   */
  sync: (request: SyncRequest, ack: (result: CatchUp | SyncRefusal) => void) => void;
  /** A student's answer to the open prediction. */
  'prediction:submit': (answer: { value: number }, ack: (result: Outcome) => void) => void;
  /** A student flags (on: true) or unflags a stage or tensor element. */
  flag: (request: FlagRequest, ack: (result: Outcome) => void) => void;
}

export interface SocketData {
  lectureId: string;
  role: Role;
  name: string;
  clientId: string;
  /** The client's address as limits count it (client-address.ts `addressKey`). */
  address: string;
  /** Set for a projector display (a student socket that is nobody). */
  display?: Display;
  /** The seq the client held at the handshake (it reconnected): catch-up starts after it. */
  lastSeq?: number;
}
