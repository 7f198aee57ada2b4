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
export class PresenceBroadcasts {
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
    const { io } = this;
    const members = [...(io.sockets.adapter.rooms.get(lectureId) ?? [])].map((id) => io.sockets.sockets.get(id)?.data);
    const { presence, names } = countPresence(members);
    io.to(lectureId).except(instructorsOf(lectureId)).emit('presence', presence);
    io.to(instructorsOf(lectureId)).emit('presence', { ...presence, names });
  }
}
