import { randomBytes } from 'node:crypto';
import type { OwnerReply } from './messages.js';

/** One request's replies as they arrive (accepted, then done), read one at a time with a timeout. */
export interface ReplyStream {
  next(timeoutMs: number): Promise<OwnerReply | null>;
  close(): void;
}

/**
 * The requests this process has sent to lectures' owners and is waiting on, by request id; a reply
 * to a request nobody waits for any more (answered already, or given up) is dropped.
 */
export class OwnerRequests {
  private readonly open = new Map<string, { queue: OwnerReply[]; wake: (() => void) | null }>();

  /** A fresh request id and the stream of its replies. */
  start(): { rid: string; replies: ReplyStream } {
    const rid = randomBytes(9).toString('base64url');
    const entry = { queue: [] as OwnerReply[], wake: null as (() => void) | null };
    this.open.set(rid, entry);
    const replies: ReplyStream = {
      next: async (timeoutMs) => {
        if (!entry.queue.length) {
          let timer: NodeJS.Timeout | undefined;
          await new Promise<void>((resolve) => {
            entry.wake = resolve;
            timer = setTimeout(resolve, timeoutMs);
          });
          clearTimeout(timer);
          entry.wake = null;
        }
        return entry.queue.shift() ?? null;
      },
      close: () => {
        this.open.delete(rid);
        entry.wake?.();
      },
    };
    return { rid, replies };
  }

  /** A reply from an owner. */
  received(reply: OwnerReply | null): void {
    if (!reply || typeof reply.rid !== 'string') return;
    const entry = this.open.get(reply.rid);
    if (!entry) return;
    entry.queue.push(reply);
    entry.wake?.();
  }
}
