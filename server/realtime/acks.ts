import type { Logger } from 'pino';
import type { Outcome } from '../../shared/protocol/socket.js';
import { log } from '../log.js';

/** What every handler answers when something it did not expect went wrong (the error is logged). */
export const INTERNAL_ERROR: Outcome = { ok: false, status: 500, error: 'internal error' };

/**
 * Runs a handler so that nothing it throws leaves it: its answer (when it has one) goes to the
 * ack, and an unexpected error is logged once and acknowledged as a 500, so the process, every
 * other lecture and this socket go on. A handler that answers at once is acked at once. `logger`:
 * the socket's lecture's (lectureLog), so the line names it.
 */
export function answer<T>(what: string, ack: unknown, run: () => T | undefined | Promise<T | undefined>, logger: Logger = log): void {
  const reply = (result: T | undefined) => {
    if (result !== undefined && typeof ack === 'function') ack(result);
  };
  const fail = (err: unknown) => {
    logger.error({ err }, `${what} failed`);
    if (typeof ack === 'function') ack(INTERNAL_ERROR);
  };
  try {
    const result = run();
    if (result instanceof Promise) void result.then(reply).catch(fail);
    else reply(result);
  } catch (err) {
    fail(err);
  }
}
