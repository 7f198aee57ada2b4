import type { Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import {
  CONNECT_ERRORS,
  describeIssues,
  FlagRequest,
  HandshakeSchema,
  PredictionSubmit,
  type Outcome,
  LIMITS,
  parseCommand,
  PROTOCOL_VERSION,
  type ClientToServerEvents,
  type CommandAck,
  type ConnectErrorCode,
  type Presence,
  type ServerToClientEvents,
  type SocketData,
} from '../shared/index.js';
import { normalizeJoinCode } from './ids.js';
import { guessKeys, OpenCounts, RateLimiter, type GuessGuard } from './guards.js';
import { addressKey, clientAddress, TRUST_NO_PROXY, type ProxyTrust } from './client-address.js';
import type { ClientIds } from './client-ids.js';
import { allowSameSite, type OriginPolicy } from './origins.js';
import type { Clock } from './ports.js';
import type { LectureRoom } from './lecture-room.js';
import type { LectureRegistry } from './lectures.js';
import { DEFAULT_MAX_SOCKET_BUFFER_BYTES, DEFAULT_SNAPSHOT_INTERVAL_MS, dropIfBehind, SnapshotSpacing } from './send-buffer.js';

export type TypedServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
type TypedSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

/** Presence goes to the whole room: at most once a second, however fast a class joins. */
const PRESENCE_DEBOUNCE_MS = 1000;

/** The room of a lecture's instructors (aggregates and names are for their eyes). */
const instructorsOf = (lectureId: string) => `${lectureId}#instructors`;

function refuse(code: ConnectErrorCode, message: string): Error {
  return Object.assign(new Error(message), { data: { code } });
}

/** Display names are shown as text only; trimmed, capped and stripped of control characters. */
function cleanName(name: string | undefined): string {
  return (name ?? '').replace(/[\p{Cc}\p{Cf}]/gu, '').trim().slice(0, LIMITS.maxNameLength);
}

/**
 * The live side of the protocol. A socket joins its lecture's room at the handshake: with the
 * right token it is the instructor, with a wrong one it is refused, without one it is a student.
 */
export interface RealtimeOptions {
  readonly registry: LectureRegistry;
  readonly guessGuard: GuessGuard;
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
}

export type EventLimits = Record<'student' | 'instructor', { burst: number; perSecond: number }>;

/** Events a socket may send: a burst, then a steady rate. Beyond it, acks say 429 and nothing runs. */
export const DEFAULT_EVENT_LIMITS: EventLimits = { student: { burst: 30, perSecond: 10 }, instructor: { burst: 200, perSecond: 100 } };

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
  }: RealtimeOptions,
): TypedServer {
  const io: TypedServer = new Server(httpServer, {
    maxHttpBufferSize: LIMITS.maxPayloadBytes,
    perMessageDeflate: false,
    serveClient: false,
    // A WebSocket ignores CORS: a foreign page's handshake is refused here (403), polling or websocket.
    allowRequest: allowSameSite(origins),
  });
  /** Rooms whose events are broadcast; weak, so a lecture the registry forgot can be collected. */
  const followed = new WeakSet<LectureRoom>();
  const limiters = {
    student: new RateLimiter(clock, eventLimits.student.burst, eventLimits.student.perSecond),
    instructor: new RateLimiter(clock, eventLimits.instructor.burst, eventLimits.instructor.perSecond),
  };
  const presenceTimers = new Map<string, NodeJS.Timeout>();
  /** Students' sockets open per address and lecture (MAX_SOCKETS_PER_ADDRESS). */
  const openStudents = new OpenCounts();
  const socketsKey = (address: string, lectureId: string) => `${address} ${lectureId}`;
  const snapshots = new SnapshotSpacing(clock, snapshotIntervalMs);

  /**
   * A broadcast to a lecture's room that no slow reader can make the server buffer without bound:
   * a socket already holding more than the limit is dropped first (it reconnects and catches up).
   * socket.io still encodes the message once for the room.
   */
  const broadcast = <E extends 'frame' | 'progress' | 'prediction:reveal'>(lectureId: string, event: E, ...payload: Parameters<ServerToClientEvents[E]>) => {
    for (const id of io.sockets.adapter.rooms.get(lectureId) ?? []) {
      const socket = io.sockets.sockets.get(id);
      if (socket) dropIfBehind(socket, maxSocketBufferBytes);
    }
    io.to(lectureId).emit(event, ...payload);
  };

  const schedulePresence = (lectureId: string) => {
    if (presenceTimers.has(lectureId)) return;
    presenceTimers.set(
      lectureId,
      setTimeout(() => {
        presenceTimers.delete(lectureId);
        let instructors = 0;
        let projectors = 0;
        const students = new Set<string>();
        const names: string[] = [];
        for (const id of io.sockets.adapter.rooms.get(lectureId) ?? []) {
          const data = io.sockets.sockets.get(id)?.data;
          if (data?.role === 'instructor') instructors++;
          else if (data?.display === 'projector') projectors++;
          else if (data?.role === 'student' && !students.has(data.clientId)) {
            // A student with two tabs open is one student.
            students.add(data.clientId);
            if (data.name) names.push(data.name);
          }
        }
        const presence: Presence = { students: students.size, instructors, projectors };
        io.to(lectureId).except(instructorsOf(lectureId)).emit('presence', presence);
        io.to(instructorsOf(lectureId)).emit('presence', { ...presence, names: names.sort((a, b) => a.localeCompare(b)) });
      }, PRESENCE_DEBOUNCE_MS),
    );
  };

  const follow = (room: LectureRoom) => {
    // The same room object: an evicted lecture comes back as a new room, which is followed anew.
    if (followed.has(room)) return;
    followed.add(room);
    room.subscribe({
      frame: (frame) => broadcast(room.id, 'frame', frame),
      progress: (progress) => broadcast(room.id, 'progress', progress),
      predictionUpdate: (update) => {
        io.to(instructorsOf(room.id)).emit('prediction:update', update);
        io.to(room.id).except(instructorsOf(room.id)).emit('prediction:count', { askSeq: update.askSeq, count: update.count });
      },
      predictionReveal: (reveal) => broadcast(room.id, 'prediction:reveal', reveal),
      flags: (flags) => io.to(instructorsOf(room.id)).emit('flags', flags),
    });
  };

  // socket.io runs middleware and connection handlers without a catch: what they throw would end
  // the process. Whatever goes wrong opening one lecture refuses (or closes) that one socket.
  io.use((socket, next) => {
    try {
      admit(socket, next);
    } catch (err) {
      console.error('handshake failed', err);
      next(refuse(CONNECT_ERRORS.unavailable, 'the server could not open this lecture; it will be tried again'));
    }
  });

  const admit = (socket: TypedSocket, next: (err?: Error) => void) => {
    const parsed = HandshakeSchema.safeParse(socket.handshake.auth);
    if (!parsed.success) return next(refuse(CONNECT_ERRORS.badHandshake, 'the handshake needs auth {protocol, lectureId}'));
    const auth = parsed.data;
    // Here, while the handshake's request is still held (the connection handler lets it go).
    const address = addressKey(clientAddress(socket.request, trustProxy));
    // Only failures count, and only failures are refused: a right code or token always gets in.
    const failed = (key: string, code: ConnectErrorCode, message: string) => {
      const wait = guessGuard.fail(key);
      if (wait > 0) return next(refuse(CONNECT_ERRORS.tooManyAttempts, `too many failed attempts from this address; a right one still works, a wrong one is heard again in ${wait} s`));
      next(refuse(code, message));
    };
    if (auth.protocol !== PROTOCOL_VERSION) {
      return next(refuse(CONNECT_ERRORS.protocol, `protocol ${auth.protocol} is not supported; this server speaks ${PROTOCOL_VERSION} (reload the page)`));
    }
    const id = normalizeJoinCode(auth.lectureId);
    const room = id ? registry.get(id) : undefined;
    if (!room) return failed(guessKeys.code(address), CONNECT_ERRORS.unknownLecture, `no lecture with code "${auth.lectureId.slice(0, 12)}"`);
    if (auth.token !== undefined && !registry.isInstructor(room, auth.token)) {
      return failed(guessKeys.token(address, room.id), CONNECT_ERRORS.badToken, 'the instructor token is not valid for this lecture');
    }
    const role = auth.token !== undefined ? 'instructor' : 'student';
    if (role === 'student' && openStudents.count(socketsKey(address, room.id)) >= maxSocketsPerAddress) {
      return next(refuse(CONNECT_ERRORS.tooManySockets, `this address already has ${maxSocketsPerAddress} students connected to this lecture (MAX_SOCKETS_PER_ADDRESS)`));
    }
    socket.data = {
      lectureId: room.id,
      role,
      name: auth.display ? '' : cleanName(auth.name),
      // Only an id this server signed: a chosen one would let one machine be many students, or someone else.
      clientId: auth.clientId !== undefined && clientIds.isSigned(auth.clientId) ? auth.clientId : clientIds.issue(),
      address,
      ...(auth.display ? { display: auth.display } : {}),
    };
    next();
  };

  // Before the handler below, so the identity precedes the snapshot and the count is exact.
  io.on('connection', (socket: TypedSocket) => {
    socket.emit('identity', { clientId: socket.data.clientId });
    if (socket.data.role !== 'student') return;
    const key = socketsKey(socket.data.address, socket.data.lectureId);
    openStudents.open(key);
    socket.once('disconnect', () => openStudents.close(key));
  });

  io.on('connection', (socket: TypedSocket) => {
    try {
      serve(socket);
    } catch (err) {
      console.error('opening a connection failed', err);
      socket.disconnect(true);
    }
  });

  const serve = (socket: TypedSocket) => {
    // The handshake is built; keeping the HTTP upgrade request alive costs KBs per student (socket.io's memory guide).
    (socket.conn as unknown as { request: unknown }).request = null;
    const room = registry.get(socket.data.lectureId);
    if (!room) return void socket.disconnect(true);
    follow(room);
    // Joining and sending the state happen in one tick, so no frame can fall between them.
    socket.join(room.id);
    if (socket.data.role === 'instructor') socket.join(instructorsOf(room.id));
    const lastSeq = (socket.handshake.auth as { lastSeq?: number }).lastSeq;
    if (typeof lastSeq === 'number') {
      const missed = room.catchUp(lastSeq);
      if (missed.type === 'snapshot') {
        socket.emit('snapshot', missed.snapshot);
        snapshots.sent(socket.id);
      } else for (const frame of missed.frames) socket.emit('frame', frame);
    } else {
      socket.emit('snapshot', room.snapshot());
      snapshots.sent(socket.id);
    }
    if (socket.data.role === 'instructor') {
      socket.emit('flags', room.flagCounts());
      const update = room.predictionUpdate();
      if (update) socket.emit('prediction:update', update);
    } else {
      const update = room.predictionUpdate();
      if (update) socket.emit('prediction:count', { askSeq: update.askSeq, count: update.count });
      const mine = room.flagsOf(socket.data.clientId);
      if (mine.length && !socket.data.display) socket.emit('flags:mine', { keys: mine });
    }
    schedulePresence(room.id);

    // Flood control before any handler runs: a refused event gets a 429 ack and does nothing.
    const limiter = limiters[socket.data.role];
    socket.use((packet, next) => {
      if (limiter.take(socket.id)) return next();
      const ack = packet[packet.length - 1];
      if (typeof ack === 'function') ack({ ok: false, status: 429, error: `too many messages; at most ${eventLimits[socket.data.role].perSecond} a second` });
    });

    /**
     * Runs a handler so that nothing it throws leaves it: an unexpected error is logged once and
     * acknowledged as a 500, and the process, every other lecture and this socket go on.
     */
    const guarded = (what: string, ack: unknown, run: () => void) => {
      try {
        run();
      } catch (err) {
        console.error(`${what} failed`, err);
        if (typeof ack === 'function') ack({ ok: false, status: 500, error: 'internal error' });
      }
    };

    socket.on('command', async (raw: unknown, ack: unknown) => {
      const reply = (result: CommandAck) => {
        if (typeof ack === 'function') ack(result);
      };
      if (socket.data.role !== 'instructor') {
        return reply({ ok: false, status: 403, error: 'only the instructor can send commands' });
      }
      try {
        const command = parseCommand(raw);
        if (!command.ok) return reply({ ok: false, status: 400, error: command.error });
        const problem = registry.datasetProblem(room, command.value);
        if (problem) return reply({ ok: false, status: 400, error: problem });
        const result = await room.command(command.value);
        reply(result.ok ? { ok: true, seq: result.seq } : { ok: false, status: result.status, error: result.error });
      } catch (err) {
        console.error('command failed', err);
        reply({ ok: false, status: 500, error: 'internal error' });
      }
    });

    socket.on('sync', (raw: unknown, ack: unknown) => {
      if (typeof ack !== 'function') return;
      guarded('sync', ack, () => {
        const lastSeq = (raw as { lastSeq?: unknown } | null)?.lastSeq;
        if (typeof lastSeq !== 'number' || !Number.isInteger(lastSeq)) return ack({ error: 'sync needs {lastSeq: integer}', status: 400 });
        // A socket that does not read its answers gets no more of them.
        if (dropIfBehind(socket, maxSocketBufferBytes)) return;
        const missed = room.catchUp(lastSeq);
        if (missed.type === 'snapshot') {
          const retryAfter = snapshots.waitFor(socket.id);
          if (retryAfter > 0) return ack({ error: `a snapshot was sent less than ${snapshotIntervalMs / 1000} s ago; sync again in ${retryAfter} s`, status: 429, retryAfter });
          snapshots.sent(socket.id);
        }
        ack(missed);
      });
    });

    const studentOnly = (ack: unknown, run: () => Outcome) => {
      const reply = (result: Outcome) => {
        if (typeof ack === 'function') ack(result);
      };
      if (socket.data.role !== 'student') return reply({ ok: false, status: 403, error: 'only students answer and flag' });
      if (socket.data.display) return reply({ ok: false, status: 403, error: 'a projector display shows the lecture; it does not answer or flag' });
      guarded('student event', reply, () => reply(run()));
    };

    socket.on('prediction:submit', (raw: unknown, ack: unknown) =>
      studentOnly(ack, () => {
        const parsed = PredictionSubmit.safeParse(raw);
        if (!parsed.success) return { ok: false, status: 400, error: describeIssues(parsed.error) };
        return room.submitAnswer(socket.data.clientId, parsed.data.value, socket.data.address, maxSocketsPerAddress);
      }),
    );

    socket.on('flag', (raw: unknown, ack: unknown) =>
      studentOnly(ack, () => {
        const parsed = FlagRequest.safeParse(raw);
        if (!parsed.success) return { ok: false, status: 400, error: describeIssues(parsed.error) };
        return room.flag(socket.data.clientId, parsed.data.target, parsed.data.on);
      }),
    );

    socket.on('disconnect', () => {
      limiter.forget(socket.id);
      snapshots.forget(socket.id);
      schedulePresence(room.id);
    });
  };

  io.engine.on('close', () => {
    for (const t of presenceTimers.values()) clearTimeout(t);
  });
  return io;
}
