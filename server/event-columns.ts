/**
 * An event as the columns both stores keep (SQLite and PostgreSQL): the command, the frame and the
 * reveal as JSON text, a training's parameters as JSON of plain arrays and its losses as float64
 * bytes. One encoding, so a lecture reads back the same from either store, bit for bit, and counts
 * the same bytes against its quota.
 */
import type { TrainingResult } from '../shared/lecture/decider.js';
import type { CommandRecord, LoadedEvent, StoredEvent } from './ports.js';

/** What an event stores, column by column. */
export interface EventColumns {
  readonly format: number;
  readonly seq: number;
  readonly at: number;
  readonly command: string;
  readonly frame: string;
  readonly reveal: string | null;
  readonly trainedParams: string | null;
  readonly trainedLosses: Buffer | null;
  /** The command's client-generated id, unique per lecture, or null. */
  readonly commandId: string | null;
}

/** A training's losses as stored: every epoch's loss, then (with held-out rows) every test loss, as float64. */
export function encodeLosses(result: TrainingResult): Buffer {
  const all = new Float64Array(result.losses.length + result.testLosses.length);
  all.set(result.losses);
  all.set(result.testLosses, result.losses.length);
  return Buffer.from(all.buffer, all.byteOffset, all.byteLength);
}

/** A training's parameters as stored: JSON of plain arrays (a typed array would serialise as an object). */
export function encodeParams(result: TrainingResult): string {
  return JSON.stringify(result.params, (_k, v) => (ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v));
}

function decodeTrained(params: string, blob: Buffer, epochsRun: number): TrainingResult {
  // Copied out: the blob's memory is not guaranteed to be 8-byte aligned.
  const all = new Float64Array(new Uint8Array(blob).buffer);
  return { params: JSON.parse(params), losses: all.subarray(0, epochsRun), testLosses: all.subarray(epochsRun) };
}

/** What an event takes in the store, in bytes of its columns (for the lecture's quota). */
export const storedBytes = (...columns: ({ length: number } | null)[]): number => columns.reduce((n, c) => n + (c?.length ?? 0), 0);

/** The digest of the uploaded table an event names (it must be stored, and is then in use), or null. */
export function namedDigest(event: StoredEvent): string | null {
  const { command } = event;
  return command.type === 'setDataset' && command.dataset.kind === 'csv' ? command.dataset.digest : null;
}

/** An event as its columns. */
export function toColumns(event: StoredEvent): EventColumns {
  return {
    format: event.format,
    seq: event.seq,
    at: event.at,
    command: JSON.stringify(event.command),
    frame: JSON.stringify(event.frame),
    reveal: event.reveal ? JSON.stringify(event.reveal) : null,
    trainedParams: event.trained ? encodeParams(event.trained) : null,
    trainedLosses: event.trained ? encodeLosses(event.trained) : null,
    commandId: event.commandId ?? null,
  };
}

/** The bytes an event's columns take. */
export const columnBytes = (c: EventColumns): number => storedBytes(c.command, c.frame, c.reveal, c.trainedParams, c.trainedLosses, c.commandId);

/** An event read back from its columns. */
export function fromColumns(c: EventColumns): LoadedEvent {
  const command = JSON.parse(c.command);
  const trained = c.trainedParams !== null && c.trainedLosses !== null ? decodeTrained(c.trainedParams, c.trainedLosses, command.epochsRun) : undefined;
  return {
    format: c.format,
    seq: c.seq,
    at: c.at,
    command,
    frame: JSON.parse(c.frame),
    ...(c.reveal ? { reveal: JSON.parse(c.reveal) } : {}),
    ...(trained ? { trained } : {}),
    ...(c.commandId !== null ? { commandId: c.commandId } : {}),
    bytes: columnBytes(c),
  };
}

/** The event a command id became, from its stored seq and command text. */
export const commandRecord = (r: { seq: number; command: string }): CommandRecord => ({ seq: r.seq, type: (JSON.parse(r.command) as { type: string }).type });

/** One recording piece: an event as the download writes it, from its stored JSON texts (not parsed). */
export const recordingPiece = (r: { seq: number; at: number; command: string; frame: string }): string =>
  `${r.seq === 1 ? '' : ','}{"seq":${r.seq},"at":${r.at},"command":${r.command},"frame":${r.frame}}`;
