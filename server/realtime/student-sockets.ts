import { OpenCounts } from '../guards.js';
import type { TypedSocket } from './socket-io.js';

/** Students' sockets open per address and lecture, for the cap MAX_SOCKETS_PER_ADDRESS. */
export class StudentSockets {
  private readonly open = new OpenCounts();

  count(address: string, lectureId: string): number {
    return this.open.count(key(address, lectureId));
  }

  /** Counts an admitted student's socket until it disconnects (instructors are not counted). */
  track(socket: TypedSocket): void {
    if (socket.data.role !== 'student') return;
    const k = key(socket.data.address, socket.data.lectureId);
    this.open.open(k);
    socket.once('disconnect', () => this.open.close(k));
  }
}

const key = (address: string, lectureId: string) => `${address} ${lectureId}`;
