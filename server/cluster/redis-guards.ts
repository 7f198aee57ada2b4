import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { creationBucket, GuessGuard, guessPolicy, RateLimiter, type GuardLimits, type Guards, type GuessCounter, type SharedLimiter } from '../guards.js';
import { log } from '../log.js';
import type { Clock } from '../ports.js';
import { rejectAfter } from '../time-bounds.js';

/**
 * GuessGuard.fail in Lua, run atomically by Redis on one hash per key (credit, at, strikes, until),
 * with the same arithmetic in the same order, so a key's answers are those one process would give
 * however its failures are spread over the nodes. The hash expires once it is back at rest (the
 * delay over and the credit refilled): Redis holds a key no longer than it carries information.
 * KEYS[1]: the key; ARGV: now (ms), free, refill per ms, longest delay (ms). Returns the seconds to
 * answer 429 with, or 0.
 */
const GUESS_LUA = `
local now, free, refill, maxDelay = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local credit, strikes, untilAt = free, 0, 0
local known = redis.call('HMGET', KEYS[1], 'credit', 'at', 'strikes', 'until')
if known[1] then
  credit = math.min(free, tonumber(known[1]) + math.max(0, now - tonumber(known[2])) * refill)
  strikes, untilAt = tonumber(known[3]), tonumber(known[4])
end
local delayed = now < untilAt
local answer = 0
if not delayed and credit >= free then strikes = 0 end
if not delayed and credit >= 1 then
  credit = credit - 1
else
  strikes = strikes + 1
  local delay = math.min(maxDelay, 1000 * 2 ^ math.min(strikes - 1, 30))
  untilAt = now + delay
  if delayed then answer = math.ceil(delay / 1000) end
end
redis.call('HSET', KEYS[1], 'credit', string.format('%.17g', credit), 'at', string.format('%.17g', now), 'strikes', strikes, 'until', string.format('%.17g', untilAt))
local rest = untilAt - now
if refill > 0 then rest = math.max(rest, (free - credit) / refill) else rest = 86400000 end
redis.call('PEXPIRE', KEYS[1], math.ceil(math.min(rest, 86400000)) + 1000)
return answer
`;

/**
 * RateLimiter.take (then retryAfter) in Lua on one hash per key (tokens, at), the same arithmetic in
 * the same order; the hash expires once the bucket is full again. KEYS[1]: the key; ARGV: now (ms),
 * capacity, per second. Returns 0 when a token was taken, else the seconds until there is one.
 */
const BUCKET_LUA = `
local now, capacity, perSecond = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local tokens = capacity
local known = redis.call('HMGET', KEYS[1], 'tokens', 'at')
if known[1] then tokens = math.min(capacity, tonumber(known[1]) + (math.max(0, now - tonumber(known[2])) / 1000) * perSecond) end
local answer = 0
if tokens >= 1 then tokens = tokens - 1 else answer = math.ceil((1 - tokens) / perSecond) end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens), 'at', string.format('%.17g', now))
redis.call('PEXPIRE', KEYS[1], math.ceil(math.min((capacity - tokens) / perSecond * 1000, 86400000)) + 1000)
return answer
`;

/** Longer than this without an answer, Redis counts as away and the node counts by itself. */
const REDIS_TIMEOUT_MS = 500;

/**
 * The Redis key for a guard's key: namespaced, and hashed, so that whatever a client chose (an
 * address, a lecture id) never reaches Redis as text and the key's length is bounded.
 */
export function guardKey(namespace: 'guess' | 'creations' | 'commands', key: string): string {
  return `bpl:${namespace}:${createHash('sha256').update(key).digest('base64url').slice(0, 22)}`;
}

/** A Lua script run by its SHA1 (EVALSHA), sent again whole when Redis does not know it (a restarted Redis). */
class Script {
  private readonly sha: string;

  constructor(private readonly lua: string) {
    this.sha = createHash('sha1').update(lua).digest('hex');
  }

  async run(redis: Redis, key: string, args: readonly (string | number)[]): Promise<number> {
    try {
      return Number(await redis.evalsha(this.sha, 1, key, ...args));
    } catch (e) {
      if (!(e instanceof Error) || !e.message.startsWith('NOSCRIPT')) throw e;
      return Number(await redis.eval(this.lua, 1, key, ...args));
    }
  }
}

const guessScript = new Script(GUESS_LUA);
const bucketScript = new Script(BUCKET_LUA);

/** Rejects after `ms` (the call itself goes on; its count, if it lands, is one more failure counted). */
const within = <T>(promise: Promise<T>, ms: number): Promise<T> => rejectAfter(promise, ms, `Redis did not answer within ${ms} ms`);

/**
 * Counts in Redis while it answers, and on this node's own counters while it does not: the guards
 * fail safe (a right code or token never depends on them, and nothing is refused for want of
 * Redis), the outage is logged once when it starts and once when it ends.
 */
class RedisOrLocal {
  private away = false;

  constructor(private readonly redis: Redis) {}

  async count(remote: (redis: Redis) => Promise<number>, local: () => number): Promise<number> {
    try {
      if (this.redis.status !== 'ready') throw new Error(`Redis is ${this.redis.status}`);
      const answer = await within(remote(this.redis), REDIS_TIMEOUT_MS);
      if (this.away) log.info('the guess guard and rate limits count in Redis again, across the nodes');
      this.away = false;
      return answer;
    } catch (e) {
      if (!this.away) log.warn({ err: e instanceof Error ? e.message : String(e) }, "the guess guard and rate limits cannot reach Redis; this node counts by itself until it is back");
      this.away = true;
      return local();
    }
  }
}

/** A guess counter whose counts every node shares (GuessGuard's policy, in Redis). */
function redisGuesses(counts: RedisOrLocal, clock: Clock, free: number): GuessCounter {
  const { refillPerMs, maxDelayMs } = guessPolicy({ free });
  const fallback = new GuessGuard(clock, { free });
  const args = [String(free), String(refillPerMs), String(maxDelayMs)];
  return {
    fail: (key) => counts.count((redis) => guessScript.run(redis, guardKey('guess', key), [String(clock.now()), ...args]), () => fallback.fail(key)),
  };
}

/** A token bucket per key whose tokens every node shares (RateLimiter's arithmetic, in Redis). */
function redisLimiter(counts: RedisOrLocal, clock: Clock, namespace: 'creations' | 'commands', capacity: number, perSecond: number): SharedLimiter {
  const fallback = new RateLimiter(clock, capacity, perSecond);
  const args = [String(capacity), String(perSecond)];
  return {
    capacity,
    perSecond,
    take: (key) => counts.count((redis) => bucketScript.run(redis, guardKey(namespace, key), [String(clock.now()), ...args]), () => (fallback.take(key) ? 0 : fallback.retryAfter(key))),
  };
}

/**
 * A cluster node's guards: the guess guard, lecture creations per address and HTTP commands per
 * lecture counted in Redis (the node's publisher connection), the same numbers as one process's.
 */
export function redisGuards(redis: Redis, clock: Clock, limits: GuardLimits): Guards {
  const counts = new RedisOrLocal(redis);
  const creations = creationBucket(limits.creationsPerHour);
  return {
    guesses: redisGuesses(counts, clock, limits.guessesPerMinute),
    creations: redisLimiter(counts, clock, 'creations', creations.capacity, creations.perSecond),
    httpCommands: redisLimiter(counts, clock, 'commands', limits.commands.burst, limits.commands.perSecond),
  };
}
