import type { Redis } from 'ioredis';
import type { Presence } from '../../shared/protocol/socket.js';
import { log } from '../log.js';
import { countPresence, emitPresence, localMembers, PRESENCE_DEBOUNCE_MS, type PresenceSender } from '../realtime/presence.js';
import type { TypedServer } from '../realtime/socket-io.js';

/** A node's count in a lecture's presence hash is believed for this long after it was written (a dead node's students leave the count). */
const FRESH_MS = 4_000;
/** Names an instructor is sent at most (a very large class's list is a summary, not a roll). */
const MAX_NAMES = 2_000;

const presenceKey = (lectureId: string) => `bpl:presence:{${lectureId}}`;

interface NodeCount extends Presence {
  readonly names: readonly string[];
  readonly at: number;
}

/**
 * Presence across the cluster without asking every node for its sockets (never `fetchSockets()`,
 * which serialises every socket of every node and waits for the slowest): once a second, each node
 * writes its own counts of each lecture it has sockets of into the lecture's Redis hash (a field
 * per process), reads the others', sums those fresh enough, and sends the sum to its own sockets
 * when it changed. A dead node's field goes stale and its students leave the count within seconds.
 * (Times are the nodes' clocks: kept in step by NTP, as a cluster's machines are.)
 */
export class ClusterPresence implements PresenceSender {
  private readonly tracked = new Set<string>();
  private readonly sent = new Map<string, string>();
  private readonly timer: NodeJS.Timeout;
  private running = false;

  constructor(
    private readonly io: TypedServer,
    private readonly redis: Redis,
    private readonly instance: string,
  ) {
    this.timer = setInterval(() => void this.tick(), PRESENCE_DEBOUNCE_MS);
    this.timer.unref();
  }

  schedule(lectureId: string): void {
    this.tracked.add(lectureId);
  }

  close(): void {
    clearInterval(this.timer);
  }

  private async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      await Promise.all([...this.tracked].map((id) => this.exchange(id)));
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'presence could not be exchanged through Redis; it is tried again in a second');
    } finally {
      this.running = false;
    }
  }

  private async exchange(lectureId: string): Promise<void> {
    const members = localMembers(this.io, lectureId);
    const key = presenceKey(lectureId);
    if (members.length === 0) {
      // Nobody here any more: the others' counts no longer concern this node, and ours is taken out.
      this.tracked.delete(lectureId);
      this.sent.delete(lectureId);
      await this.redis.hdel(key, this.instance);
      return;
    }
    const { presence, names } = countPresence(members);
    const mine: NodeCount = { ...presence, names, at: Date.now() };
    const [, , all] = (await this.redis.multi().hset(key, this.instance, JSON.stringify(mine)).pexpire(key, 60_000).hgetall(key).exec()) ?? [];
    const fields = (all?.[1] ?? {}) as Record<string, string>;
    const sum = { students: 0, instructors: 0, projectors: 0 };
    const everyone = new Set<string>();
    const now = Date.now();
    for (const text of Object.values(fields)) {
      const count = parseCount(text);
      if (!count || now - count.at > FRESH_MS) continue;
      sum.students += count.students;
      sum.instructors += count.instructors;
      sum.projectors += count.projectors;
      for (const name of count.names) if (everyone.size < MAX_NAMES) everyone.add(name);
    }
    const sortedNames = [...everyone].sort((a, b) => a.localeCompare(b));
    const text = JSON.stringify([sum, sortedNames]);
    if (this.sent.get(lectureId) === text) return;
    this.sent.set(lectureId, text);
    emitPresence(this.io, lectureId, sum, sortedNames);
  }
}

/** A node's count as written by ClusterPresence, or null for anything else. */
function parseCount(text: string): NodeCount | null {
  try {
    const c = JSON.parse(text) as Partial<NodeCount>;
    const ok = [c.students, c.instructors, c.projectors, c.at].every((n) => typeof n === 'number' && Number.isFinite(n)) && Array.isArray(c.names);
    return ok ? { students: c.students!, instructors: c.instructors!, projectors: c.projectors!, at: c.at!, names: c.names!.filter((n): n is string => typeof n === 'string') } : null;
  } catch {
    return null;
  }
}
