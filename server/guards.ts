import { timingSafeEqual, createHash } from 'node:crypto';
import type { Clock } from './ports.js';

/**
 * A token bucket per key: `capacity` events at once, refilled at `perSecond`. Keys are sockets
 * (flooding) or addresses; buckets that are full again are forgotten, so memory stays bounded.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly clock: Clock,
    readonly capacity: number,
    readonly perSecond: number,
  ) {}

  /** Takes one token; false when the key has none left. */
  take(key: string): boolean {
    const b = this.refilled(key);
    if (b.tokens < 1) {
      this.buckets.set(key, b);
      return false;
    }
    b.tokens -= 1;
    if (b.tokens >= this.capacity - 1 && this.buckets.size > 10_000) this.buckets.delete(key);
    else this.buckets.set(key, b);
    return true;
  }

  forget(key: string): void {
    this.buckets.delete(key);
  }

  /** Seconds until the key has a token again (0: it has one now). */
  retryAfter(key: string): number {
    if (!this.buckets.has(key)) return 0;
    const b = this.refilled(key);
    return b.tokens >= 1 ? 0 : Math.ceil((1 - b.tokens) / this.perSecond);
  }

  private refilled(key: string): { tokens: number; at: number } {
    const now = this.clock.now();
    const b = this.buckets.get(key) ?? { tokens: this.capacity, at: now };
    b.tokens = Math.min(this.capacity, b.tokens + ((now - b.at) / 1000) * this.perSecond);
    b.at = now;
    return b;
  }
}

/**
 * Slows down guessing: an address whose lecture codes or instructor tokens keep failing is
 * refused for a while (HTTP 429, socket `too-many-attempts`), even with a right guess.
 */
export class GuessGuard {
  private readonly failures: RateLimiter;

  constructor(clock: Clock, options: { allowed?: number; perMinute?: number } = {}) {
    const allowed = options.allowed ?? 20;
    this.failures = new RateLimiter(clock, allowed, (options.perMinute ?? allowed) / 60);
  }

  blocked(address: string): number {
    return this.failures.retryAfter(address);
  }

  fail(address: string): void {
    this.failures.take(address);
  }
}

export function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
