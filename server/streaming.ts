/**
 * Sending large bodies (a long loss history, a recording) piece by piece: the event loop is
 * yielded between pieces and the socket's buffer is let drain, so one download of hundreds of MB
 * neither blocks other lectures nor holds the whole body in memory, and has no string-size limit.
 */
import type { Response } from 'express';
import type { LossLog } from '../shared/engine/loss-log.js';

/** Text or bytes (a take of narration, a page of chunks at a time), written as the socket drains. */
export async function sendPieces(res: Response, pieces: Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array>): Promise<void> {
  for await (const piece of pieces) {
    if (res.destroyed) return;
    if (!res.write(piece)) await new Promise<void>((resolve) => {
      const done = () => {
        res.off('drain', done);
        res.off('close', done);
        resolve();
      };
      res.on('drain', done);
      res.on('close', done);
    });
    else await new Promise((resolve) => setImmediate(resolve));
  }
  res.end();
}

/** A loss history as the pieces of one JSON array of numbers (`null` for a non-finite one, as JSON.stringify writes it). */
export function* lossJsonPieces(log: LossLog, perPiece = 8192): Generator<string> {
  const values = log.view();
  yield '[';
  for (let start = 0; start < values.length; start += perPiece) {
    const end = Math.min(values.length, start + perPiece);
    const parts: string[] = [];
    for (let i = start; i < end; i++) parts.push(Number.isFinite(values[i]) ? String(values[i]) : 'null');
    yield (start > 0 ? ',' : '') + parts.join(',');
  }
  yield ']';
}
