import type { Presence, SocketData } from '../../shared/protocol/socket.js';
import { instructorsOf, type TypedServer } from './socket-io.js';

/** Presence goes to the whole room: at most once a second, however fast a class joins. */
export const PRESENCE_DEBOUNCE_MS = 1000;

/**
 * Who is in a lecture's room: instructors, projector displays, and students counted once per
 * client id (a student with two tabs open is one student), with the names they gave, sorted.
 */
export function countPresence(members: Iterable<SocketData | undefined>): { presence: Presence; names: string[] } {
  let instructors = 0;
  let projectors = 0;
  const students = new Set<string>();
  const names: string[] = [];
  for (const data of members) {
    if (data?.role === 'instructor') instructors++;
    else if (data?.display === 'projector') projectors++;
    else if (data?.role === 'student' && !students.has(data.clientId)) {
      students.add(data.clientId);
      if (data.name) names.push(data.name);
    }
  }
  return { presence: { students: students.size, instructors, projectors }, names: names.sort((a, b) => a.localeCompare(b)) };
}

/** Sends each lecture's presence a moment after its room changed; the instructors also get the names. */
export class PresenceBroadcasts implements PresenceSender {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly io: TypedServer,
    private readonly debounceMs = PRESENCE_DEBOUNCE_MS,
  ) {}

  schedule(lectureId: string): void {
    if (this.timers.has(lectureId)) return;
    this.timers.set(
      lectureId,
      setTimeout(() => {
        this.timers.delete(lectureId);
        this.send(lectureId);
      }, this.debounceMs),
    );
  }

  /** Cancels what is scheduled (the server is closing). */
  close(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
  }

  private send(lectureId: string): void {
    const { presence, names } = countPresence(localMembers(this.io, lectureId));
    emitPresence(this.io, lectureId, presence, names);
  }
}

/** What the handshake recorded of each socket of a lecture's room on this process. */
export function localMembers(io: TypedServer, lectureId: string): (SocketData | undefined)[] {
  return [...(io.sockets.adapter.rooms.get(lectureId) ?? [])].map((id) => io.sockets.sockets.get(id)?.data);
}

/** Sends presence to this process's sockets of a lecture; the instructors also get the names. */
export function emitPresence(io: TypedServer, lectureId: string, presence: Presence, names: readonly string[]): void {
  io.local.to(lectureId).except(instructorsOf(lectureId)).emit('presence', presence);
  io.local.to(instructorsOf(lectureId)).emit('presence', { ...presence, names: [...names] });
}

/** What realtime.ts needs of presence: told when a lecture's room changed, stopped with the server. */
export interface PresenceSender {
  schedule(lectureId: string): void;
  close(): void;
}
