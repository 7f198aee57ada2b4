import type { FlagCounts, FlagTarget, PredictionReveal, PredictionUpdate } from '../../shared/protocol/collab.js';
import type { Command } from '../../shared/protocol/commands.js';
import type { Frame } from '../../shared/protocol/snapshot.js';
import type { TrainingProgress } from '../../shared/protocol/socket.js';
import type { CommandResult, Outcome } from '../lecture-room.js';

/** What a node asks a lecture's owner (on the lecture's command channel); `rid` names the request, `from` the asking process. */
export type OwnerRequest =
  | { readonly k: 'command'; readonly rid: string; readonly from: string; readonly commandId: string; readonly command: Command }
  | { readonly k: 'answers'; readonly rid: string; readonly from: string; readonly items: readonly AnswerItem[] }
  | { readonly k: 'flag'; readonly rid: string; readonly from: string; readonly clientId: string; readonly target: FlagTarget; readonly on: boolean };

export interface AnswerItem {
  readonly clientId: string;
  readonly value: number;
  readonly address: string;
  readonly maxPerAddress: number;
}

/**
 * The owner's answers: `accepted` at once (the owner is alive and has it: wait as long as it takes,
 * a training can take minutes), `done` with the result, `retry` when the owner lost the lecture
 * while applying it (nothing was committed: ask again, whoever owns it now).
 */
export type OwnerReply =
  | { readonly rid: string; readonly k: 'accepted' }
  | { readonly rid: string; readonly k: 'retry' }
  | { readonly rid: string; readonly k: 'done'; readonly result: CommandResult | Outcome | readonly Outcome[] };

/** What an owner publishes on a lecture's live channel; `from` is the publishing process. */
export type LiveMessage =
  | { readonly t: 'frame'; readonly from: string; readonly frame: Frame }
  | { readonly t: 'progress'; readonly from: string; readonly progress: TrainingProgress }
  | { readonly t: 'update'; readonly from: string; readonly update: PredictionUpdate }
  | { readonly t: 'reveal'; readonly from: string; readonly reveal: PredictionReveal }
  | { readonly t: 'flags'; readonly from: string; readonly flags: FlagCounts }
  /** Every HEAD_EVERY_MS: the owner lives, and this is its seq (a replica behind it lost frames). */
  | { readonly t: 'head'; readonly from: string; readonly node: string; readonly seq: number }
  /** The owner let the lecture go (it is shutting down): a standby takes it now. */
  | { readonly t: 'released'; readonly from: string };

/** Parses a message from the bus; null for anything that is not a JSON object (the bus is ours, but nothing read is trusted blindly). */
export function parseMessage<T>(text: string): T | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as T) : null;
  } catch {
    return null;
  }
}
