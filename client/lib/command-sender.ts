/**
 * How the console sends a command: with an id of its own (`commandId`), so that when its answer is
 * lost (the socket dropped after the server committed it, or no answer came in time) it can be
 * sent once more with the same id; the server answers a repeat as the first time and never applies
 * it twice (docs/protocol.md, "Commands are applied once"). No DOM here, so tests run it in Node.
 */
import type { Socket } from 'socket.io-client';
import type { Command } from '../../shared/protocol/commands.js';
import type { ClientToServerEvents, CommandAck, ServerToClientEvents } from '../../shared/protocol/socket.js';

type CommandSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface SendOptions {
  /** How long one attempt waits for its answer. */
  readonly timeoutMs: number;
  /** How long the retry waits for the socket to be connected again; default timeoutMs. */
  readonly reconnectMs?: number;
  /** The command's id; default a fresh random one (newCommandId). */
  readonly commandId?: string;
}

export const NO_ANSWER: CommandAck = { ok: false, error: 'The server did not answer in time; check the connection and try again.', status: 0 };

/**
 * A random command id (a UUID). crypto.randomUUID exists only in secure contexts, and a classroom
 * server is often plain http on the room's network: there, 16 random bytes from getRandomValues.
 */
export function newCommandId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Sends `command` with an id and resolves with the server's ack; when the first attempt got no
 * answer (a timeout, or the socket dropped), sends it once more with the same id as soon as the
 * socket is connected again. Never throws: a command still unanswered resolves with NO_ANSWER.
 */
export async function sendCommand(socket: CommandSocket, command: Command, options: SendOptions): Promise<CommandAck> {
  const identified = { ...command, commandId: options.commandId ?? newCommandId() };
  const first = await attempt(socket, identified, options.timeoutMs);
  if (first) return first;
  if (!(await connected(socket, options.reconnectMs ?? options.timeoutMs))) return NO_ANSWER;
  return (await attempt(socket, identified, options.timeoutMs)) ?? NO_ANSWER;
}

/** One emit: the ack, or null when none came (timed out, or the socket disconnected first). */
async function attempt(socket: CommandSocket, command: Command & { commandId: string }, timeoutMs: number): Promise<CommandAck | null> {
  try {
    return await socket.timeout(timeoutMs).emitWithAck('command', command);
  } catch {
    return null;
  }
}

/** Resolves true once the socket is connected (at once when it is), false after `ms` without. */
function connected(socket: CommandSocket, ms: number): Promise<boolean> {
  if (socket.connected) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onConnect = () => {
      clearTimeout(timer);
      resolve(true);
    };
    const timer = setTimeout(() => {
      socket.off('connect', onConnect);
      resolve(false);
    }, ms);
    socket.once('connect', onConnect);
  });
}
