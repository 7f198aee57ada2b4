/**
 * The cluster's guards (server/cluster/redis-guards.ts) against a real Redis, on one manual clock
 * with the in-memory guards of one process: any sequence of failures, requests and waits gets the
 * very same answers from both, so spreading them over nodes changes nothing. Their keys name no
 * user text and expire; with Redis away they answer from the node's own counters, never throw,
 * and say so once.
 */
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardKey, redisGuards } from '../../server/cluster/redis-guards.js';
import { localGuards, type GuardLimits, type Guards } from '../../server/guards.js';
import { captureLogs } from '../support/logs.js';
import { startRedis, type RedisServer } from '../support/redis.js';
import { ManualClock } from '../support/server.js';

const LIMITS: GuardLimits = { guessesPerMinute: 3, creationsPerHour: 4, commands: { burst: 5, perSecond: 2 } };

let server: RedisServer;
let redis: Redis;

beforeAll(async () => {
  server = await startRedis();
  // As the bus's publisher connects (server/cluster/bus.ts): no offline queue, so an outage fails at once.
  redis = new Redis(server.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: (times) => Math.min(50 * times, 1_000), lazyConnect: true });
  redis.on('error', () => undefined);
  await redis.connect();
});

afterAll(async () => {
  redis?.disconnect();
  await server?.close();
});

type Step = { kind: 'guess' | 'create' | 'command'; key: number } | { kind: 'wait'; ms: number };

/**
 * Bursts: a few requests of one kind on one of two keys, then a wait, short (a delay of a few
 * seconds runs out, a little credit comes back) or long (the key is back at rest).
 */
const steps: fc.Arbitrary<Step[]> = fc
  .array(
    fc.record({
      kind: fc.constantFrom('guess' as const, 'create' as const, 'command' as const),
      key: fc.integer({ min: 0, max: 1 }),
      times: fc.integer({ min: 1, max: 8 }),
      ms: fc.oneof({ arbitrary: fc.integer({ min: 0, max: 4_000 }), weight: 3 }, { arbitrary: fc.integer({ min: 0, max: 20 * 60_000 }), weight: 1 }),
    }),
    { minLength: 5, maxLength: 40, size: 'max' },
  )
  .map((bursts) => bursts.flatMap(({ kind, key, times, ms }): Step[] => [...Array.from({ length: times }, () => ({ kind, key })), { kind: 'wait', ms }]));

/** One step's answer from a set of guards (the clock moves outside). */
async function answer(guards: Guards, s: Exclude<Step, { kind: 'wait' }>, prefix: string): Promise<number> {
  const key = `${prefix} ${s.key}`;
  if (s.kind === 'guess') return guards.guesses.fail(key);
  return (s.kind === 'create' ? guards.creations : guards.httpCommands).take(key);
}

describe('the cluster guards in Redis', () => {
  it('answer every sequence of guesses, creations, commands and waits exactly as one process’s guards do', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(steps, async (sequence) => {
        // Keys of their own for each run: Redis keeps what an earlier run counted.
        const prefix = `run-${run++}`;
        const clock = new ManualClock();
        const local = localGuards(clock, LIMITS);
        const shared = redisGuards(redis, clock, LIMITS);
        for (const s of sequence) {
          if (s.kind === 'wait') {
            clock.advance(s.ms);
            continue;
          }
          expect(await answer(shared, s, prefix)).toBe(await answer(local, s, prefix));
        }
      }),
      { numRuns: 100 },
    );
  });

  it('give the policy’s answers for the cases the issue names: free guesses, then a doubling delay, the hour’s creations', async () => {
    const clock = new ManualClock();
    const { guesses, creations, httpCommands } = redisGuards(redis, clock, LIMITS);
    const fails: number[] = [];
    for (let i = 0; i < 7; i++) fails.push(await guesses.fail('named 1'));
    expect(fails).toEqual([0, 0, 0, 0, 2, 4, 8]);
    clock.advance(8_000);
    expect(await guesses.fail('named 1')).toBe(0);
    const takes: number[] = [];
    for (let i = 0; i < 5; i++) takes.push(await creations.take('named 2'));
    expect(takes).toEqual([0, 0, 0, 0, 900]);
    for (let i = 0; i < 5; i++) expect(await httpCommands.take('named 3')).toBe(0);
    expect(await httpCommands.take('named 3')).toBe(1);
  });

  it('keep no user text in Redis, and every key expires once it carries nothing', async () => {
    const clock = new ManualClock();
    const guards = redisGuards(redis, clock, LIMITS);
    const hostile = `code ${'\u0000\r\n*3$3SET'.repeat(2_000)}`;
    await guards.guesses.fail(hostile);
    await guards.creations.take(hostile);
    await guards.httpCommands.take(hostile);
    const keys = [guardKey('guess', hostile), guardKey('creations', hostile), guardKey('commands', hostile)];
    for (const key of keys) expect(key).toMatch(/^bpl:(guess|creations|commands):[\w-]{22}$/);
    expect(await redis.exists(...keys)).toBe(3);
    // A guess is forgotten once its credit is back (a minute here) and any delay is over; a creation once the hour's bucket is full again.
    const [guess, creation, command] = await Promise.all(keys.map((k) => redis.pttl(k)));
    expect(guess).toBeGreaterThan(0);
    expect(guess).toBeLessThanOrEqual(60_000 / LIMITS.guessesPerMinute + 1_000);
    expect(creation).toBeGreaterThan(0);
    expect(creation).toBeLessThanOrEqual(3_600_000 / LIMITS.creationsPerHour + 1_000);
    expect(command).toBeGreaterThan(0);
    expect(command).toBeLessThanOrEqual(1_000 / LIMITS.commands.perSecond + 1_000);
    const all = await redis.keys('*');
    for (const key of all) expect(key).not.toContain('SET');
  });

  it('count on the node’s own counters while Redis is away (logged once, nothing thrown), and in Redis again once it is back', async () => {
    const clock = new ManualClock();
    const guards = redisGuards(redis, clock, LIMITS);
    expect(await guards.guesses.fail('outage 1')).toBe(0);
    const logs = captureLogs();
    try {
      await server.stop();
      const fails: number[] = [];
      for (let i = 0; i < 6; i++) fails.push(await guards.guesses.fail('outage 2'));
      // The same policy, counted here: three free failures, one heard that starts the delay, then refused.
      expect(fails).toEqual([0, 0, 0, 0, 2, 4]);
      const takes: number[] = [];
      for (let i = 0; i < 5; i++) takes.push(await guards.creations.take('outage 3'));
      expect(takes).toEqual([0, 0, 0, 0, 900]);
      expect(logs.lines.filter((l) => /cannot reach Redis/.test(l.msg))).toHaveLength(1);
      // Started again empty: the scripts are sent whole again (NOSCRIPT), and the counts are Redis's.
      await server.start();
      await until(() => redis.status === 'ready');
      expect(await guards.guesses.fail('outage 2')).toBe(0);
      expect(logs.lines.filter((l) => /count in Redis again/.test(l.msg))).toHaveLength(1);
      expect(await redis.exists(guardKey('guess', 'outage 2'))).toBe(1);
    } finally {
      logs.restore();
    }
  });
});

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
