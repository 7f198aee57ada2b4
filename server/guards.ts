import { timingSafeEqual, createHash } from 'node:crypto';
import type { Clock } from './ports.js';

/** Keys a limiter remembers at most; beyond it the least limited are forgotten first. */
export const DEFAULT_MAX_KEYS = 10_000;
/** Entries that carry no more information (refilled, expired) are dropped this often. */
const SWEEP_MS = 60_000;

/**
 * A map of limiter entries that stays bounded without forgetting who matters: a sweep drops
 * entries back at rest, and when it is full anyway the least bad tenth goes (never the key just
 * touched), so a full map still limits a new key and still remembers the worst offenders.
 */
class BoundedEntries<E> {
  private readonly entries = new Map<string, E>();
  private lastSweep: number;

  constructor(
    private readonly clock: Clock,
    private readonly maxKeys: number,
    /** True when the entry says nothing a fresh one would not (it can be forgotten). */
    private readonly atRest: (entry: E, now: number) => boolean,
    /** Higher is worse; the lowest are evicted first. */
    private readonly badness: (entry: E, now: number) => number,
  ) {
    this.lastSweep = clock.now();
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): E | undefined {
    return this.entries.get(key);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  set(key: string, entry: E): void {
    this.entries.set(key, entry);
    const now = this.clock.now();
    if (now - this.lastSweep >= SWEEP_MS || this.entries.size > this.maxKeys) this.sweep(now, key);
  }

  private sweep(now: number, keep: string): void {
    this.lastSweep = now;
    for (const [key, entry] of this.entries) if (key !== keep && this.atRest(entry, now)) this.entries.delete(key);
    if (this.entries.size <= this.maxKeys) return;
    // Full of live entries: evict the least bad tenth in one go (amortised O(log n) per key).
    const target = Math.floor(this.maxKeys * 0.9);
    const ranked = [...this.entries].filter(([key]) => key !== keep).sort((a, b) => this.badness(a[1], now) - this.badness(b[1], now));
    for (const [key] of ranked.slice(0, this.entries.size - target)) this.entries.delete(key);
  }
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * A token bucket per key: `capacity` events at once, refilled at `perSecond`. Keys are sockets
 * (flooding), lectures or addresses; memory stays bounded (BoundedEntries).
 */
export class RateLimiter {
  private readonly buckets: BoundedEntries<Bucket>;

  constructor(
    private readonly clock: Clock,
    readonly capacity: number,
    readonly perSecond: number,
    maxKeys = DEFAULT_MAX_KEYS,
  ) {
    this.buckets = new BoundedEntries(clock, maxKeys, (b, now) => this.tokensAt(b, now) >= capacity, (b, now) => -this.tokensAt(b, now));
  }

  /** Takes one token; false when the key has none left. */
  take(key: string): boolean {
    const b = this.refilled(key);
    const ok = b.tokens >= 1;
    if (ok) b.tokens -= 1;
    this.buckets.set(key, b);
    return ok;
  }

  forget(key: string): void {
    this.buckets.delete(key);
  }

  /** Seconds until the key has a token again (0: it has one now). */
  retryAfter(key: string): number {
    const b = this.buckets.get(key);
    if (!b) return 0;
    const tokens = this.tokensAt(b, this.clock.now());
    return tokens >= 1 ? 0 : Math.ceil((1 - tokens) / this.perSecond);
  }

  /** How many keys it remembers (for tests of its bound). */
  get size(): number {
    return this.buckets.size;
  }

  private tokensAt(b: Bucket, now: number): number {
    return Math.min(this.capacity, b.tokens + ((now - b.at) / 1000) * this.perSecond);
  }

  private refilled(key: string): Bucket {
    const now = this.clock.now();
    const b = this.buckets.get(key);
    return b ? { tokens: this.tokensAt(b, now), at: now } : { tokens: this.capacity, at: now };
  }
}

export interface GuessGuardOptions {
  /** Failures allowed before any delay (default 20)... */
  readonly free?: number;
  /** ...given back at this rate per minute (default: `free`). */
  readonly perMinute?: number;
  /** The longest delay, in seconds (default 60). */
  readonly maxDelaySeconds?: number;
  readonly maxKeys?: number;
}

interface Strikes {
  /** Free failures left (refilled over time). */
  credit: number;
  at: number;
  /** Failures beyond the free ones since the key was last at rest: the k of the 2^k-second delay. */
  strikes: number;
  /** Until then a further failure is refused without being heard. */
  until: number;
}

/** GuessGuard's numbers from its options, with their defaults (the Redis guard computes with the very same ones). */
export function guessPolicy(options: GuessGuardOptions): { free: number; refillPerMs: number; maxDelayMs: number } {
  const free = options.free ?? 20;
  return { free, refillPerMs: (options.perMinute ?? free) / 60_000, maxDelayMs: (options.maxDelaySeconds ?? 60) * 1000 };
}

/**
 * Slows down guessing without ever locking anyone out: only failing attempts count, and only
 * failing attempts are refused. A right code or token always gets in, so a student who mistyped
 * the code thirty times, or a class behind the NAT of someone guessing, is never turned away.
 * After `free` failures a key's further failures each start a delay of 2^k seconds (up to
 * `maxDelaySeconds`); a failure during a delay is answered 429 (not heard) and doubles it.
 * Keys are an address (codes, the create key) or an address and a lecture (tokens).
 */
export class GuessGuard {
  private readonly entries: BoundedEntries<Strikes>;
  private readonly free: number;
  private readonly refillPerMs: number;
  private readonly maxDelayMs: number;

  constructor(
    private readonly clock: Clock,
    options: GuessGuardOptions = {},
  ) {
    ({ free: this.free, refillPerMs: this.refillPerMs, maxDelayMs: this.maxDelayMs } = guessPolicy(options));
    this.entries = new BoundedEntries(
      clock,
      options.maxKeys ?? DEFAULT_MAX_KEYS,
      (s, now) => now >= s.until && this.creditAt(s, now) >= this.free,
      (s, now) => s.strikes * this.free + (this.free - this.creditAt(s, now)),
    );
  }

  /**
   * Records a failed attempt. Returns 0 when it is answered as usual (404, 401), else the seconds
   * until the key's failures are heard again (answer 429 with Retry-After): a failure while a
   * delay runs is refused, and doubles the delay.
   */
  fail(key: string): number {
    const now = this.clock.now();
    const known = this.entries.get(key);
    const s: Strikes = known ? { ...known, credit: this.creditAt(known, now), at: now } : { credit: this.free, at: now, strikes: 0, until: 0 };
    const delayed = now < s.until;
    if (!delayed && s.credit >= this.free) s.strikes = 0;
    if (!delayed && s.credit >= 1) {
      s.credit -= 1;
      this.entries.set(key, s);
      return 0;
    }
    s.strikes += 1;
    const delayMs = Math.min(this.maxDelayMs, 1000 * 2 ** Math.min(s.strikes - 1, 30));
    s.until = now + delayMs;
    this.entries.set(key, s);
    return delayed ? Math.ceil(delayMs / 1000) : 0;
  }

  /** How many keys it remembers (for tests of its bound). */
  get size(): number {
    return this.entries.size;
  }

  private creditAt(s: Strikes, now: number): number {
    return Math.min(this.free, s.credit + (now - s.at) * this.refillPerMs);
  }
}

/**
 * Failed guesses counted under a key (guessKeys) with GuessGuard's policy, in this process
 * (localGuards) or in Redis for every node of a cluster (server/cluster/redis-guards.ts), so that
 * N nodes do not give a guesser N times the guesses. `fail` resolves as GuessGuard.fail answers.
 */
export interface GuessCounter {
  fail(key: string): Promise<number>;
}

/** A token bucket per key that every node of a cluster draws from (lecture creations per address, HTTP commands per lecture). */
export interface SharedLimiter {
  readonly capacity: number;
  readonly perSecond: number;
  /** Takes a token and resolves 0, or resolves the seconds until the key has one (and takes none). */
  take(key: string): Promise<number>;
}

/** The numbers of the guess guard and the HTTP rate limits (AppOptions' guessesPerMinute, creationsPerHour, the instructor's event limits). */
export interface GuardLimits {
  readonly guessesPerMinute: number;
  readonly creationsPerHour: number;
  readonly commands: { readonly burst: number; readonly perSecond: number };
}

/** What the handshake and the API count failures and requests with. */
export interface Guards {
  readonly guesses: GuessCounter;
  /** Lectures created, per address. */
  readonly creations: SharedLimiter;
  /** Commands sent over HTTP, per lecture (the budget an instructor's socket has). */
  readonly httpCommands: SharedLimiter;
}

/** The limiter of `limits.creations`: its whole hour at once, then refilled evenly. */
export const creationBucket = (creationsPerHour: number) => ({ capacity: creationsPerHour, perSecond: creationsPerHour / 3600 });

/** A RateLimiter behind the shared interface (one process; and a cluster node's counts while Redis is away). */
export function localLimiter(limiter: RateLimiter): SharedLimiter {
  return {
    capacity: limiter.capacity,
    perSecond: limiter.perSecond,
    take: async (key) => (limiter.take(key) ? 0 : limiter.retryAfter(key)),
  };
}

/** One process's guards: counted in memory, as they always were. */
export function localGuards(clock: Clock, limits: GuardLimits): Guards {
  const guard = new GuessGuard(clock, { free: limits.guessesPerMinute });
  const creations = creationBucket(limits.creationsPerHour);
  return {
    guesses: { fail: async (key) => guard.fail(key) },
    creations: localLimiter(new RateLimiter(clock, creations.capacity, creations.perSecond)),
    httpCommands: localLimiter(new RateLimiter(clock, limits.commands.burst, limits.commands.perSecond)),
  };
}

/** Guess-guard keys: codes and the create key per address, tokens per address and lecture. */
export const guessKeys = {
  code: (address: string) => `code ${address}`,
  createKey: (address: string) => `create ${address}`,
  token: (address: string, lectureId: string) => `token ${address} ${lectureId}`,
};

/** Open sockets per key (address and lecture), for a cap on how many one machine may open. */
export class OpenCounts {
  private readonly counts = new Map<string, number>();

  count(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  open(key: string): void {
    this.counts.set(key, this.count(key) + 1);
  }

  close(key: string): void {
    const left = this.count(key) - 1;
    if (left > 0) this.counts.set(key, left);
    else this.counts.delete(key);
  }
}

export function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
