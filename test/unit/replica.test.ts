/**
 * A cluster node's replica of a lecture (server/cluster/replica.ts) over an in-memory store (a real
 * LectureStore): frames that follow are applied, repeats dropped, and a frame that does not follow
 * or a head ahead of the replica is filled from the store in order, so the replica ends equal to the
 * owner's snapshot; catch-ups come from its own frames.
 */
import { describe, expect, it } from 'vitest';
import type { Frame } from '../../shared/protocol/snapshot.js';
import { LectureRegistry } from '../../server/lectures.js';
import { DEFAULT_LECTURE_LIMITS } from '../../server/lecture-quota.js';
import type { RandomSource } from '../../server/ports.js';
import { TrainingSlots } from '../../server/training-slots.js';
import { LectureReplica } from '../../server/cluster/replica.js';
import { log } from '../../server/log.js';
import { MemoryStore } from '../support/memory-store.js';

async function lectureWithFrames(steps: number) {
  let x = 7;
  const random: RandomSource = { bytes: (n) => Uint8Array.from({ length: n }, () => (x = (x * 1103515245 + 12345) >>> 0) >>> 24) };
  const store = new MemoryStore();
  const registry = new LectureRegistry({ store, clock: { now: () => 1_700_000_000_000 }, random, trainings: new TrainingSlots(1), limits: DEFAULT_LECTURE_LIMITS });
  const { room } = await registry.create({ preset: 'notebook', listed: false });
  // The replica starts from the lecture as the store held it before the commands.
  const before = await registry.read(room.id);
  const frames: Frame[] = [];
  room.subscribe({ frame: (f) => frames.push(f), progress: () => undefined, predictionUpdate: () => undefined, predictionReveal: () => undefined, flags: () => undefined });
  for (let i = 0; i < steps; i++) expect(await room.command({ type: 'step' })).toMatchObject({ ok: true });
  return { store, room, before: before!, frames };
}

/** Resolves once the replica has reached `seq` (a fill reads the store asynchronously). */
async function reached(replica: LectureReplica, seq: number): Promise<void> {
  for (let i = 0; i < 200 && replica.seq < seq; i++) await new Promise((r) => setTimeout(r, 2));
}

describe('a node\'s replica of a lecture', () => {
  it('applies frames that follow, drops repeats, and tells its listeners each frame once, in order', async () => {
    const { store, room, before, frames } = await lectureWithFrames(4);
    const replica = new LectureReplica(before, store, log);
    const heard: number[] = [];
    replica.subscribe({ frame: (f) => heard.push(f.seq), progress: () => undefined, predictionUpdate: () => undefined, predictionReveal: () => undefined, flags: () => undefined });
    for (const f of [frames[0], frames[1], frames[1], frames[0], frames[2], frames[3]]) replica.offerFrame(f);
    expect(heard).toEqual([1, 2, 3, 4]);
    expect(replica.snapshot()).toEqual(room.snapshot());
  });

  it('fills a gap from the store before the frame after it, and a head ahead of it from the store alone', async () => {
    const { store, room, before, frames } = await lectureWithFrames(4);
    const replica = new LectureReplica(before, store, log);
    const heard: number[] = [];
    replica.subscribe({ frame: (f) => heard.push(f.seq), progress: () => undefined, predictionUpdate: () => undefined, predictionReveal: () => undefined, flags: () => undefined });
    // Frames 1–2 lost on the way: frame 3 arrives first, then 4; the store gives 1 and 2 first, each frame is applied once.
    replica.offerFrame(frames[2]);
    replica.offerFrame(frames[3]);
    await reached(replica, 4);
    expect(heard).toEqual([1, 2, 3, 4]);
    // Two more commands whose frames never arrive: only the owner's head says so.
    for (let i = 0; i < 2; i++) await room.command({ type: 'step' });
    replica.head(6);
    await reached(replica, 6);
    expect(heard).toEqual([1, 2, 3, 4, 5, 6]);
    expect(replica.snapshot()).toEqual(room.snapshot());
    // A frame already filled, arriving late, changes nothing.
    replica.offerFrame(frames[5]);
    expect(heard).toEqual([1, 2, 3, 4, 5, 6]);
    // A reconnect that holds seq 3 gets frames 4–6 from the replica's own memory.
    const missed = replica.catchUp(3);
    expect(missed).toMatchObject({ type: 'frames' });
    expect(!(missed instanceof Promise) && missed.type === 'frames' && missed.frames.map((f) => f.seq)).toEqual([4, 5, 6]);
  });
});
