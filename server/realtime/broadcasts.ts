import type { ServerToClientEvents } from '../../shared/protocol/socket.js';
import type { LiveLecture } from '../live-lecture.js';
import { dropIfBehind } from '../send-buffer.js';
import type { FrameMetrics } from '../metrics.js';
import { instructorsOf, type TypedServer } from './socket-io.js';

/** The events a lecture sends to its whole room. */
type RoomEvent = 'frame' | 'progress' | 'prediction:reveal';

/** Relays what each lecture room publishes to the sockets of its socket.io rooms. */
export class LectureBroadcasts {
  /** Rooms whose events are broadcast; weak, so a lecture the registry forgot can be collected. */
  private readonly followed = new WeakSet<LiveLecture>();

  constructor(
    private readonly io: TypedServer,
    private readonly maxSocketBufferBytes: number,
    /** Counts frames broadcast and the sockets they went to (/metrics). */
    private readonly metrics?: FrameMetrics,
  ) {}

  /** Starts relaying a room's events (once per room object). */
  follow(room: LiveLecture): void {
    // The same room object: an evicted lecture comes back as a new room, which is followed anew.
    if (this.followed.has(room)) return;
    this.followed.add(room);
    const { io } = this;
    room.subscribe({
      frame: (frame) => {
        this.broadcast(room.id, 'frame', frame);
        // After the broadcast dropped the sockets too far behind: they catch up instead.
        this.metrics?.frameBroadcast(io.sockets.adapter.rooms.get(room.id)?.size ?? 0);
      },
      progress: (progress) => this.broadcast(room.id, 'progress', progress),
      predictionUpdate: (update) => {
        io.local.to(instructorsOf(room.id)).emit('prediction:update', update);
        io.local.to(room.id).except(instructorsOf(room.id)).emit('prediction:count', { askSeq: update.askSeq, count: update.count });
      },
      predictionReveal: (reveal) => this.broadcast(room.id, 'prediction:reveal', reveal),
      flags: (flags) => io.local.to(instructorsOf(room.id)).emit('flags', flags),
    });
  }

  /**
   * A broadcast to a lecture's room that no slow reader can make the server buffer without bound:
   * a socket already holding more than the limit is dropped first (it reconnects and catches up).
   * socket.io still encodes the message once for the room.
   */
  private broadcast<E extends RoomEvent>(lectureId: string, event: E, ...payload: Parameters<ServerToClientEvents[E]>): void {
    for (const id of this.io.sockets.adapter.rooms.get(lectureId) ?? []) {
      const socket = this.io.sockets.sockets.get(id);
      if (socket) dropIfBehind(socket, this.maxSocketBufferBytes);
    }
    this.io.local.to(lectureId).emit(event, ...payload);
  }
}
