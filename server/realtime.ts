import type { Server as HttpServer } from 'node:http';
import { Server, type ServerOptions } from 'socket.io';
import { LIMITS } from '../shared/protocol/limits.js';
import { RateLimiter, type GuessCounter } from './guards.js';
import { TRUST_NO_PROXY, type ProxyTrust } from './client-address.js';
import type { ClientIds } from './client-ids.js';
import { allowSameSite, type OriginPolicy } from './origins.js';
import type { Clock } from './ports.js';
import type { LectureDirectory } from './live-lecture.js';
import { DEFAULT_MAX_SOCKET_BUFFER_BYTES, DEFAULT_SNAPSHOT_INTERVAL_MS, dropIfBehind, SnapshotSpacing } from './send-buffer.js';
import { answer } from './realtime/acks.js';
import { LectureBroadcasts } from './realtime/broadcasts.js';
import type { FrameMetrics } from './metrics.js';
import { runCommand } from './realtime/command.js';
import { limitEvents } from './realtime/flood.js';
import { handshake } from './realtime/handshake.js';
import { PresenceBroadcasts, type PresenceSender } from './realtime/presence.js';
import type { TypedServer, TypedSocket } from './realtime/socket-io.js';
import { StudentSockets } from './realtime/student-sockets.js';
import { flagTarget, submitPrediction } from './realtime/student-events.js';
import { answerSync } from './realtime/sync.js';
import { welcome } from './realtime/welcome.js';
import { lectureLog } from './log.js';

/**
 * The live side of the protocol. A socket joins its lecture's room at the handshake: with the
 * right token it is the instructor, with a wrong one it is refused, without one it is a student.
 */
export interface RealtimeOptions {
  readonly registry: LectureDirectory;
  readonly guessGuard: GuessCounter;
  readonly clock: Clock;
  readonly eventLimits?: EventLimits;
  /** Which pages may connect (default: only this server's own host). */
  readonly origins?: OriginPolicy;
  /** A socket with more bytes than this waiting to be sent is dropped (MAX_SOCKET_BUFFER_BYTES; default 8 MiB). */
  readonly maxSocketBufferBytes?: number;
  /** At most one snapshot per socket per this many ms (default 5 s); a sync needing another sooner gets 429. */
  readonly snapshotIntervalMs?: number;
  /** Whose X-Forwarded-For is believed (TRUST_PROXY), the same rule as HTTP's; default none. */
  readonly trustProxy?: ProxyTrust;
  /** Students' sockets one address may have open on one lecture (and students it may answer as). */
  readonly maxSocketsPerAddress: number;
  readonly clientIds: ClientIds;
  /** Counts frames broadcast and delivered (/metrics). */
  readonly metrics?: FrameMetrics;
  /** socket.io's adapter (cluster mode: the Redis sharded adapter); default the in-memory one. */
  readonly adapter?: ServerOptions['adapter'];
  /** Who is in each lecture (cluster mode: summed across nodes, ClusterPresence); default this process's own count. */
  readonly presence?: (io: TypedServer) => PresenceSender;
}

export type EventLimits = Record<'student' | 'instructor', { burst: number; perSecond: number }>;

/** Events a socket may send: a burst, then a steady rate. Beyond it, acks say 429 and nothing runs. */
export const DEFAULT_EVENT_LIMITS: EventLimits = { student: { burst: 30, perSecond: 10 }, instructor: { burst: 200, perSecond: 100 } };

/**
 * Attaches socket.io to the HTTP server and wires its parts: the handshake (server/realtime/
 * handshake.ts), each lecture's broadcasts and presence, and one handler per client event, each
 * validating its payload with the protocol's schema and acknowledging whatever goes wrong.
 */
export function attachRealtime(
  httpServer: HttpServer,
  {
    registry,
    guessGuard,
    clock,
    eventLimits = DEFAULT_EVENT_LIMITS,
    origins = {},
    maxSocketBufferBytes = DEFAULT_MAX_SOCKET_BUFFER_BYTES,
    snapshotIntervalMs = DEFAULT_SNAPSHOT_INTERVAL_MS,
    trustProxy = TRUST_NO_PROXY,
    maxSocketsPerAddress,
    clientIds,
    metrics,
    adapter,
    presence: makePresence = (server) => new PresenceBroadcasts(server),
  }: RealtimeOptions,
): TypedServer {
  const io: TypedServer = new Server(httpServer, {
    maxHttpBufferSize: LIMITS.maxPayloadBytes,
    perMessageDeflate: false,
    serveClient: false,
    // A WebSocket ignores CORS: a foreign page's handshake is refused here (403), polling or websocket.
    allowRequest: allowSameSite(origins),
    ...(adapter ? { adapter } : {}),
  });
  const limiters = {
    student: new RateLimiter(clock, eventLimits.student.burst, eventLimits.student.perSecond),
    instructor: new RateLimiter(clock, eventLimits.instructor.burst, eventLimits.instructor.perSecond),
  };
  const students = new StudentSockets();
  const presence = makePresence(io);
  const broadcasts = new LectureBroadcasts(io, maxSocketBufferBytes, metrics);
  const snapshots = new SnapshotSpacing(clock, snapshotIntervalMs);

  io.use(handshake({ registry, guessGuard, trustProxy, clientIds, students, maxSocketsPerAddress }));

  // Before the handler below, so the identity precedes the snapshot and the count is exact.
  io.on('connection', (socket: TypedSocket) => {
    socket.emit('identity', { clientId: socket.data.clientId });
    students.track(socket);
  });

  // socket.io runs connection handlers without a catch: what they throw would end the process.
  io.on('connection', (socket: TypedSocket) => {
    try {
      serve(socket);
    } catch (err) {
      lectureLog(socket.data.lectureId).error({ err }, 'opening a connection failed');
      socket.disconnect(true);
    }
  });

  const serve = (socket: TypedSocket) => {
    // The handshake is built; keeping the HTTP upgrade request alive costs KBs per student (socket.io's memory guide).
    (socket.conn as unknown as { request: unknown }).request = null;
    // In memory: the handshake's get has just loaded it.
    const room = registry.inMemory(socket.data.lectureId);
    if (!room) return void socket.disconnect(true);
    broadcasts.follow(room);
    welcome(socket, room, snapshots).catch((err: unknown) => {
      room.log.error({ err }, 'welcoming a socket failed');
      socket.disconnect(true);
    });
    presence.schedule(room.id);

    const { role } = socket.data;
    const limiter = limiters[role];
    limitEvents(socket, limiter, eventLimits[role].perSecond);

    socket.on('command', (raw: unknown, ack: unknown) => answer('command', ack, () => runCommand(raw, socket.data.role, room, registry), room.log));
    socket.on('sync', (raw: unknown, ack: unknown) => {
      if (typeof ack !== 'function') return;
      const context = { room, socketId: socket.id, snapshots, snapshotIntervalMs, dropIfBehind: () => dropIfBehind(socket, maxSocketBufferBytes) };
      answer('sync', ack, () => answerSync(raw, context), room.log);
    });
    socket.on('prediction:submit', (raw: unknown, ack: unknown) =>
      answer('student event', ack, () => submitPrediction(raw, socket.data, room, maxSocketsPerAddress), room.log),
    );
    socket.on('flag', (raw: unknown, ack: unknown) => answer('student event', ack, () => flagTarget(raw, socket.data, room), room.log));

    socket.on('disconnect', () => {
      limiter.forget(socket.id);
      snapshots.forget(socket.id);
      presence.schedule(room.id);
    });
  };

  io.engine.on('close', () => presence.close());
  return io;
}
