import type { RateLimiter } from '../guards.js';
import type { TypedSocket } from './socket-io.js';

/**
 * Flood control before any handler runs: beyond the limiter's burst and rate, an event gets a
 * 429 ack and does nothing.
 */
export function limitEvents(socket: TypedSocket, limiter: RateLimiter, perSecond: number): void {
  socket.use((packet, next) => {
    if (limiter.take(socket.id)) return next();
    const ack = packet[packet.length - 1];
    if (typeof ack === 'function') ack({ ok: false, status: 429, error: `too many messages; at most ${perSecond} a second` });
  });
}
