/**
 * What the server holds for clients that do not read. A socket whose queue passes a limit is
 * dropped (it reconnects with lastSeq and catches up), so nothing is buffered without bound; and
 * each socket gets at most one snapshot per interval, so `sync` cannot be used to amplify.
 */
import type { Socket } from 'socket.io';
import type { Clock } from './ports.js';

/**
 * Bytes a socket may have waiting to be sent before it is dropped (MAX_SOCKET_BUFFER_BYTES). The
 * largest messages are a few MB (a snapshot after the backward pass of a 4 × 16 network over 500
 * rows in one batch is 3.4 MB, its frame 2 MB): a phone still reading one must not be dropped for
 * the next. Broadcast frames are encoded once and shared by every socket that queues them.
 */
export const DEFAULT_MAX_SOCKET_BUFFER_BYTES = 8 * 1024 * 1024;
/** One snapshot per socket per this many ms; a sync that would need another within it gets 429. */
export const DEFAULT_SNAPSHOT_INTERVAL_MS = 5000;

/** engine.io's side of a socket.io connection, as far as buffering goes (not in its typings). */
interface Connection {
  readonly writeBuffer?: readonly { data?: unknown }[];
  readonly transport?: { readonly socket?: { readonly bufferedAmount?: number; terminate?: () => void } };
  close(discard?: boolean): void;
}

const connectionOf = (socket: Socket): Connection => socket.conn as unknown as Connection;

const packetBytes = (data: unknown): number =>
  typeof data === 'string' ? data.length : data instanceof ArrayBuffer || ArrayBuffer.isView(data) ? data.byteLength : 0;

/**
 * Bytes waiting to go out to this client: the packets engine.io queues while the transport is
 * busy, plus what the WebSocket (ws) has not yet handed to the kernel. A client that reads keeps
 * both near zero; one that does not makes them grow with every message.
 */
export function bufferedBytes(socket: Socket): number {
  const conn = connectionOf(socket);
  let bytes = conn.transport?.socket?.bufferedAmount ?? 0;
  for (const packet of conn.writeBuffer ?? []) bytes += packetBytes(packet.data);
  return bytes;
}

/**
 * Drops a socket that has more than `limit` bytes waiting, discarding them at once: a graceful
 * close would wait for the queue to drain, which a client that does not read never lets happen.
 * Returns whether it dropped it.
 */
export function dropIfBehind(socket: Socket, limit: number): boolean {
  if (bufferedBytes(socket) <= limit) return false;
  const conn = connectionOf(socket);
  const ws = conn.transport?.socket;
  conn.close(true);
  ws?.terminate?.();
  return true;
}

/** The last snapshot each socket was sent, to space them out. */
export class SnapshotSpacing {
  private readonly sentAt = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly intervalMs: number,
  ) {}

  /** Seconds until this socket may have another snapshot; 0 when it may now. */
  waitFor(socketId: string): number {
    const last = this.sentAt.get(socketId);
    if (last === undefined) return 0;
    const wait = last + this.intervalMs - this.clock.now();
    return wait > 0 ? Math.ceil(wait / 1000) : 0;
  }

  sent(socketId: string): void {
    this.sentAt.set(socketId, this.clock.now());
  }

  forget(socketId: string): void {
    this.sentAt.delete(socketId);
  }
}
