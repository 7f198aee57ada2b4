import { CONNECT_ERRORS, HandshakeSchema, type ConnectErrorCode } from '../../shared/protocol/socket.js';
import { LIMITS } from '../../shared/protocol/limits.js';
import { PROTOCOL_VERSION } from '../../shared/protocol/version.js';
import { normalizeJoinCode } from '../../shared/protocol/join-code.js';
import { withoutUnprintable } from '../../shared/datasets/safe-text.js';
import { guessKeys, type GuessCounter } from '../guards.js';
import { addressKey, clientAddress, type ProxyTrust } from '../client-address.js';
import type { ClientIds } from '../client-ids.js';
import type { LectureDirectory } from '../live-lecture.js';
import type { StudentSockets } from './student-sockets.js';
import type { TypedSocket } from './socket-io.js';
import { lectureLog, log } from '../log.js';

/** What the handshake checks a socket against. */
export interface HandshakeOptions {
  readonly registry: LectureDirectory;
  readonly guessGuard: GuessCounter;
  readonly trustProxy: ProxyTrust;
  readonly clientIds: ClientIds;
  readonly students: StudentSockets;
  /** Students' sockets one address may have open on one lecture (MAX_SOCKETS_PER_ADDRESS). */
  readonly maxSocketsPerAddress: number;
}

type Next = (err?: Error) => void;

/** A refused handshake: socket.io hands `data.code` to the client's `connect_error`. */
export function refuse(code: ConnectErrorCode, message: string): Error {
  return Object.assign(new Error(message), { data: { code } });
}

/**
 * Display names are shown as text only: without what no title may hold either (control, format and
 * separator characters, lone surrogates: the rule of shared/datasets/safe-text.ts), trimmed, and
 * capped by characters, so a cap never cuts an emoji in half.
 */
export function cleanName(name: string | undefined): string {
  return [...withoutUnprintable(name ?? '').trim()].slice(0, LIMITS.maxNameLength).join('').trim();
}

/**
 * The socket.io middleware that admits a socket to its lecture: with the right token it is the
 * instructor, with a wrong one it is refused, without one it is a student. socket.io runs
 * middleware without a catch (what it throws would end the process), so whatever goes wrong
 * opening one lecture refuses that one socket.
 */
export function handshake(options: HandshakeOptions): (socket: TypedSocket, next: Next) => void {
  return (socket, next) => {
    admit(socket, next, options).catch((err: unknown) => {
      loggerOf(socket).error({ err }, 'handshake failed');
      next(refuse(CONNECT_ERRORS.unavailable, 'the server could not open this lecture; it will be tried again'));
    });
  };
}

/** The logger of the lecture a handshake names, when it names one by a code. */
function loggerOf(socket: TypedSocket) {
  const { lectureId } = (socket.handshake.auth ?? {}) as { lectureId?: unknown };
  const id = typeof lectureId === 'string' ? normalizeJoinCode(lectureId) : null;
  return id ? lectureLog(id) : log;
}

async function admit(socket: TypedSocket, next: Next, { registry, guessGuard, trustProxy, clientIds, students, maxSocketsPerAddress }: HandshakeOptions): Promise<void> {
  const parsed = HandshakeSchema.safeParse(socket.handshake.auth);
  if (!parsed.success) return next(refuse(CONNECT_ERRORS.badHandshake, 'the handshake needs auth {protocol, lectureId}'));
  const auth = parsed.data;
  // Here, while the handshake's request is still held (the connection handler lets it go).
  const address = addressKey(clientAddress(socket.request, trustProxy));
  // Only failures count, and only failures are refused: a right code or token always gets in.
  const failed = async (key: string, code: ConnectErrorCode, message: string) => {
    const wait = await guessGuard.fail(key);
    if (wait > 0) return next(refuse(CONNECT_ERRORS.tooManyAttempts, `too many failed attempts from this address; a right one still works, a wrong one is heard again in ${wait} s`));
    next(refuse(code, message));
  };
  if (auth.protocol !== PROTOCOL_VERSION) {
    return next(refuse(CONNECT_ERRORS.protocol, `protocol ${auth.protocol} is not supported; this server speaks ${PROTOCOL_VERSION} (reload the page)`));
  }
  const id = normalizeJoinCode(auth.lectureId);
  const room = id ? await registry.get(id) : undefined;
  if (!room) return failed(guessKeys.code(address), CONNECT_ERRORS.unknownLecture, `no lecture with code "${auth.lectureId.slice(0, 12)}"`);
  if (auth.token !== undefined && !registry.isInstructor(room, auth.token)) {
    return failed(guessKeys.token(address, room.id), CONNECT_ERRORS.badToken, 'the instructor token is not valid for this lecture');
  }
  const role = auth.token !== undefined ? 'instructor' : 'student';
  if (role === 'student' && students.count(address, room.id) >= maxSocketsPerAddress) {
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
    ...(auth.lastSeq !== undefined ? { lastSeq: auth.lastSeq } : {}),
  };
  next();
}
