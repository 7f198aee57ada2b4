import { SyncRequestSchema, type CatchUp, type SyncRefusal } from '../../shared/protocol/socket.js';
import type { LiveLecture } from '../live-lecture.js';
import type { SnapshotSpacing } from '../send-buffer.js';

/** What answering one socket's `sync` needs. */
export interface SyncContext {
  readonly room: Pick<LiveLecture, 'catchUp'>;
  readonly socketId: string;
  readonly snapshots: Pick<SnapshotSpacing, 'waitFor' | 'sent'>;
  readonly snapshotIntervalMs: number;
  /** Drops the socket if it has too much unread waiting; says whether it did. */
  readonly dropIfBehind: () => boolean;
}

/**
 * The answer to a `sync` event: what came after `lastSeq`, a snapshot at most once per interval
 * (sooner, 429 with `retryAfter`), 400 for a malformed request, and nothing at all for a socket
 * that does not read its answers (it is dropped, and catches up when it reconnects). At once when
 * memory holds what it missed; else once the store has read it (LectureRoom.catchUp).
 */
export function answerSync(raw: unknown, context: SyncContext): CatchUp | SyncRefusal | undefined | Promise<CatchUp | SyncRefusal | undefined> {
  const request = SyncRequestSchema.safeParse(raw);
  if (!request.success) return { error: 'sync needs {lastSeq: integer}', status: 400 };
  if (context.dropIfBehind()) return undefined;
  const missed = context.room.catchUp(request.data.lastSeq);
  return missed instanceof Promise ? missed.then((m) => spaced(m, context)) : spaced(missed, context);
}

/** A catch-up as sent: a snapshot only when this socket's last one is old enough. */
function spaced(missed: CatchUp, { socketId, snapshots, snapshotIntervalMs }: SyncContext): CatchUp | SyncRefusal {
  if (missed.type === 'snapshot') {
    const retryAfter = snapshots.waitFor(socketId);
    if (retryAfter > 0) return { error: `a snapshot was sent less than ${snapshotIntervalMs / 1000} s ago; sync again in ${retryAfter} s`, status: 429, retryAfter };
    snapshots.sent(socketId);
  }
  return missed;
}
