import type { LiveLecture } from '../live-lecture.js';
import type { SnapshotSpacing } from '../send-buffer.js';
import { instructorsOf, type TypedSocket } from './socket-io.js';

/**
 * Puts an admitted socket in its lecture's rooms and sends it what it needs to follow: what it
 * missed since the handshake's `lastSeq` (or a snapshot), then what its role sees of the open
 * prediction and of the flags. Joining and sending happen in one tick, so no frame falls between:
 * frames the store had to provide are brought level with the lecture (upToDate) in that tick.
 */
export async function welcome(socket: TypedSocket, room: LiveLecture, snapshots: SnapshotSpacing): Promise<void> {
  const { lastSeq } = socket.data;
  const found = lastSeq !== undefined ? room.catchUp(lastSeq) : ({ type: 'snapshot', snapshot: room.snapshot() } as const);
  const missed = found instanceof Promise ? room.upToDate(await found, lastSeq ?? 0) : found;
  if (socket.disconnected) return;
  socket.join(room.id);
  if (socket.data.role === 'instructor') socket.join(instructorsOf(room.id));
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
