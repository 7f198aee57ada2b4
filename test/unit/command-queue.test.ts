/**
 * The per-room queue: CommandQueue on its own (one task at a time across awaits, in order, a
 * failure does not stop it), then LectureRoom over a store whose every call takes a while, as a
 * network database's does: commands, answers and flags sent at once are applied one at a time
 * in the order they were sent, with seq contiguous; a stop reaches a running training at once;
 * two first loads of a lecture share one (and a failed one is tried again).
 */
import { describe, expect, it } from 'vitest';
import type { Command } from '../../shared/protocol/commands.js';
import { CommandQueue } from '../../server/command-queue.js';
import { LectureRegistry } from '../../server/lectures.js';
import { DEFAULT_LECTURE_LIMITS } from '../../server/lecture-quota.js';
import type { RoomDeps } from '../../server/lecture-room.js';
import type { LoadedEvent, RandomSource, StoredEvent } from '../../server/ports.js';
import { TrainingSlots } from '../../server/training-slots.js';
import { MemoryStore } from '../support/memory-store.js';

const tick = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A MemoryStore whose calls each take 0–3 ms, and that says whether two appends ever overlapped. */
class SlowStore extends MemoryStore {
  appending = 0;
  overlapped = false;
  eventReads = 0;
  /** The next getLecture fails (a database that is briefly unreachable). */
  failNextGet = false;
  private n = 0;

  constructor() {
    super(() => tick(this.n++ % 4));
  }

  override async appendEvent(lectureId: string, event: StoredEvent, options?: { clearFlags?: boolean }): Promise<number> {
    if (++this.appending > 1) this.overlapped = true;
    try {
      return await super.appendEvent(lectureId, event, options);
    } finally {
      this.appending--;
    }
  }

  override async getLecture(id: string) {
    if (this.failNextGet) {
      this.failNextGet = false;
      throw new Error('the database is unreachable');
    }
    return super.getLecture(id);
  }

  override async events(lectureId: string, afterSeq?: number): Promise<LoadedEvent[]> {
    this.eventReads++;
    return super.events(lectureId, afterSeq);
  }
}

function deps(store: MemoryStore): RoomDeps {
  let x = 7;
  const random: RandomSource = { bytes: (n) => Uint8Array.from({ length: n }, () => (x = (x * 1103515245 + 12345) >>> 0) >>> 24) };
  return { store, clock: { now: () => 1_700_000_000_000 }, random, trainings: new TrainingSlots(4), limits: DEFAULT_LECTURE_LIMITS };
}

describe('CommandQueue', () => {
  it('runs one task at a time, each to its end across its awaits, in the order queued', async () => {
    const queue = new CommandQueue();
    const log: string[] = [];
    const task = (name: string, ms: number) => async () => {
      log.push(`${name} starts`);
      await tick(ms);
      log.push(`${name} ends`);
      return name;
    };
    const results = Promise.all([queue.run(task('a', 5)), queue.run(task('b', 0)), queue.run(() => 'c')]);
    expect(queue.pending).toBe(3);
    expect(await results).toEqual(['a', 'b', 'c']);
    expect(log).toEqual(['a starts', 'a ends', 'b starts', 'b ends']);
    await tick(0);
    expect(queue.pending).toBe(0);
  });

  it('goes on after a task that throws or rejects, which rejects only its own promise', async () => {
    const queue = new CommandQueue();
    const thrown = queue.run(() => {
      throw new Error('thrown');
    });
    const rejected = queue.run(async () => {
      await tick(1);
      throw new Error('rejected');
    });
    const after = queue.run(() => 'after');
    await expect(thrown).rejects.toThrow('thrown');
    await expect(rejected).rejects.toThrow('rejected');
    expect(await after).toBe('after');
  });
});

describe('a lecture room over a slow store', () => {
  it('applies commands, answers and flags sent at once one at a time, in the order sent, seq contiguous', async () => {
    const store = new SlowStore();
    const registry = new LectureRegistry(deps(store));
    const { room } = await registry.create({ title: 'Queue', listed: false, preset: 'notebook', learningRate: 1 });
    // Distinct values, so the stored log shows which command went where.
    const rates: Command[] = Array.from({ length: 30 }, (_, i) => ({ type: 'setLearningRate', value: (i + 1) / 100 }));
    const sent = [
      ...rates.slice(0, 10).map((c) => room.command(c)),
      room.command({ type: 'ask', tensor: 'B', index: [1] }),
      ...['s1', 's2', 's3'].map((who, i) => room.submitAnswer(who, i)),
      room.flag('s1', { type: 'stage', stage: 'B' }, true),
      ...rates.slice(10, 20).map((c) => room.command(c)),
      room.command({ type: 'reveal' }),
      ...rates.slice(20).map((c) => room.command(c)),
    ];
    const results = await Promise.all(sent);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(store.overlapped).toBe(false);
    const events = await store.events(room.id);
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 32 }, (_, i) => i + 1));
    const applied = events.map((e) => (e.command.type === 'setLearningRate' ? e.command.value : e.command.type));
    expect(applied).toEqual([...rates.slice(0, 10).map((c) => (c as { value: number }).value), 'ask', ...rates.slice(10, 20).map((c) => (c as { value: number }).value), 'reveal', ...rates.slice(20).map((c) => (c as { value: number }).value)]);
    // Every answer sent before the reveal was counted by it; the flag was stored in its turn.
    expect(events.find((e) => e.command.type === 'reveal')!.reveal).toMatchObject({ count: 3, mean: 1 });
    expect(Object.values(room.flagCounts().counts)).toEqual([1]);
    expect(results.slice(0, 10)).toEqual(Array.from({ length: 10 }, (_, i) => ({ ok: true, seq: i + 1 })));
    expect(room.seq).toBe(32);
  });

  it('lets a stop reach a running training at once, serves flags meanwhile, and refuses the commands queued behind it', async () => {
    const store = new SlowStore();
    const registry = new LectureRegistry(deps(store));
    const { room } = await registry.create({ title: 'Stop', listed: false, preset: 'notebook', learningRate: 1 });
    await room.command({ type: 'step' });
    await room.command({ type: 'step' });
    const training = room.command({ type: 'train', epochs: 1_000_000 });
    while ((room.snapshot().training?.epochsDone ?? 0) === 0) await tick(2);
    const queued = [room.command({ type: 'step' }), room.command({ type: 'setLearningRate', value: 0.5 })];
    // A student's flag is stored in its turn while the training runs.
    expect(await room.flag('s1', { type: 'stage', stage: 'B' }, true)).toEqual({ ok: true });
    expect(room.snapshot().training).not.toBeNull();
    const stopped = await room.command({ type: 'stop' });
    expect(stopped).toEqual({ ok: true, seq: 2 });
    expect(await training).toEqual({ ok: true, seq: 3 });
    for (const refused of await Promise.all(queued)) expect(refused).toMatchObject({ ok: false, status: 409, error: expect.stringMatching(/^training is running/) });
    const [train] = await store.events(room.id, 2);
    expect(train.command.type === 'train' && train.command.epochsRun < 1_000_000).toBe(true);
    // Once it has been committed, commands run again.
    expect(await room.command({ type: 'step' })).toEqual({ ok: true, seq: 4 });
  });

  it('loads a lecture once when two ask for it at once, and tries again after a failed load', async () => {
    const store = new SlowStore();
    const first = new LectureRegistry(deps(store));
    const { room } = await first.create({ title: 'Twice', listed: false, preset: 'notebook', learningRate: 1 });
    await room.command({ type: 'step' });
    const restarted = new LectureRegistry(deps(store));
    store.failNextGet = true;
    await expect(Promise.all([restarted.get(room.id), restarted.get(room.id)])).rejects.toThrow('the database is unreachable');
    const reads = store.eventReads;
    const [a, b] = await Promise.all([restarted.get(room.id), restarted.get(room.id)]);
    expect(a).toBeDefined();
    expect(a).toBe(b);
    expect(store.eventReads - reads).toBe(1);
    expect(await restarted.get(room.id)).toBe(a);
    expect(a!.snapshot()).toEqual(room.snapshot());
    expect(await restarted.get('NOSUCH')).toBeUndefined();
  });
});
