import type { LectureRoom } from '../lecture-room.js';
import type { SnapshotSpacing } from '../send-buffer.js';
import { instructorsOf, type TypedSocket } from './socket-io.js';

/**
 * Puts an admitted socket in its lecture's rooms and sends it what it needs to follow: what it
 * missed since the handshake's `lastSeq` (or a snapshot), then what its role sees of the open
 * prediction and of the flags. Joining and sending happen in one tick, so no frame falls between.
 */
export function welcome(socket: TypedSocket, room: LectureRoom, snapshots: SnapshotSpacing): void {
  socket.join(room.id);
  if (socket.data.role === 'instructor') socket.join(instructorsOf(room.id));
  const missed = socket.data.lastSeq !== undefined ? room.catchUp(socket.data.lastSeq) : ({ type: 'snapshot', snapshot: room.snapshot() } as const);
  if (missed.type === 'snapshot') {
    socket.emit('snapshot', missed.snapshot);
    snapshots.sent(socket.id);
  } else for (const frame of missed.frames) socket.emit('frame', frame);
  const update = room.predictionUpdate();
  if (socket.data.role === 'instructor') {
    socket.emit('flags', room.flagCounts());
    if (update) socket.emit('prediction:update', update);
  } else {
    if (update) socket.emit('prediction:count', { askSeq: update.askSeq, count: update.count });
    const mine = room.flagsOf(socket.data.clientId);
    if (mine.length && !socket.data.display) socket.emit('flags:mine', { keys: mine });
  }
}
