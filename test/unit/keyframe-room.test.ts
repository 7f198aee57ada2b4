/**
 * Where LectureRoom keeps keyframes, over an in-memory store: every 256
 * events, never before the command's answer (a keyframe write still under way delays no
 * acknowledgement), and a store that fails to keep one refuses nothing (the failure is logged). A
 * registry on the same store then loads from the latest keyframe and folds only what follows.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LectureRegistry } from '../../server/lectures.js';
import { DEFAULT_LECTURE_LIMITS } from '../../server/lecture-quota.js';
import type { RoomDeps } from '../../server/lecture-room.js';
import type { StoredKeyframe } from '../../server/ports.js';
import { TrainingSlots } from '../../server/training-slots.js';
import { EVENT_FORMAT_VERSION } from '../../shared/lecture/event-format.js';
import { encodeKeyframe, KEYFRAME_FORMAT } from '../../shared/lecture/keyframe.js';
import type { Command } from '../../shared/protocol/commands.js';
import { MemoryStore } from '../support/memory-store.js';
import { captureLogs, restoreLogs } from '../support/logs.js';

const mine = { format: KEYFRAME_FORMAT, eventFormat: EVENT_FORMAT_VERSION };
const deps = (store: MemoryStore): RoomDeps => ({
  store,
  clock: { now: () => 1_700_000_000_000 },
  random: { bytes: (n) => new Uint8Array(n).fill(7) },
  trainings: new TrainingSlots(4),
  limits: DEFAULT_LECTURE_LIMITS,
});

async function lecture(store: MemoryStore) {
  const registry = new LectureRegistry(deps(store));
  const { room } = await registry.create({ title: 'Keyframes', listed: false, preset: 'notebook', learningRate: 1 });
  const send = async (command: Command) => {
    const result = await room.command(command);
    if (!result.ok) throw new Error(result.error);
    return result;
  };
  return { registry, room, send };
}

afterEach(() => {
  vi.restoreAllMocks();
  restoreLogs();
});

describe('keyframes a room keeps', () => {
  it('every 256 events, a training among them or not; a new registry loads from the latest and folds the rest', async () => {
    const store = new MemoryStore();
    const kept: number[] = [];
    const put = store.putKeyframe.bind(store);
    store.putKeyframe = (id: string, k: StoredKeyframe) => (kept.push(k.seq), put(id, k));
    const { registry, room, send } = await lecture(store);
    for (let i = 0; i < 10; i++) await send({ type: 'step' });
    await send({ type: 'train', epochs: 30 });
    for (let i = 0; i < 250; i++) await send({ type: 'step' });
    await room.settled();
    expect(kept).toEqual([256]);
    const live = room.state;
    await registry.close();

    const afterSeqs: number[] = [];
    const events = store.events.bind(store);
    store.events = (id, afterSeq) => (afterSeqs.push(afterSeq ?? 0), events(id, afterSeq));
    const loaded = (await new LectureRegistry(deps(store)).get(room.id))!;
    expect(afterSeqs).toEqual([256]);
    expect(loaded.seq).toBe(261);
    expect(Buffer.from(encodeKeyframe(loaded.state)).equals(Buffer.from(encodeKeyframe(live)))).toBe(true);

    // The quota counts on from the keyframe's usage: every event before it is counted, unread.
    const capped = (await new LectureRegistry({ ...deps(store), limits: { ...DEFAULT_LECTURE_LIMITS, maxEvents: 262 } }).get(room.id))!;
    expect(await capped.command({ type: 'step' })).toEqual({ ok: true, seq: 262 });
    expect(await capped.command({ type: 'step' })).toMatchObject({ ok: false, status: 413 });
  });

  it('answers a command before its keyframe is stored; later commands wait for the write in their turns', async () => {
    const store = new MemoryStore();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const put = store.putKeyframe.bind(store);
    store.putKeyframe = async (id: string, k: StoredKeyframe) => {
      await gate;
      return put(id, k);
    };
    const { room, send } = await lecture(store);
    for (let i = 0; i < 255; i++) await send({ type: 'step' });
    expect(await send({ type: 'train', epochs: 10 })).toEqual({ ok: true, seq: 256 });
    expect(await store.latestKeyframe(room.id, mine)).toBeUndefined();
    const step = send({ type: 'step' });
    release();
    expect(await step).toEqual({ ok: true, seq: 257 });
    expect((await store.latestKeyframe(room.id, mine))?.seq).toBe(256);
  });

  it('refuses nothing when the store fails to keep one: the failure is logged, the lecture goes on', async () => {
    const store = new MemoryStore();
    store.putKeyframe = async () => {
      throw new Error('disk full');
    };
    const logged = captureLogs();
    const { room, send } = await lecture(store);
    for (let i = 0; i < 255; i++) await send({ type: 'step' });
    expect(await send({ type: 'train', epochs: 10 })).toEqual({ ok: true, seq: 256 });
    expect(await send({ type: 'step' })).toEqual({ ok: true, seq: 257 });
    await room.settled();
    expect(logged.lines.some((l) => l.level === 'error' && l.lecture === room.id && l.msg.includes('keyframe at seq 256 was not stored') && l.err?.message === 'disk full')).toBe(true);
    // Without keyframes, a load folds from the start.
    const loaded = (await new LectureRegistry(deps(store)).get(room.id))!;
    expect(loaded.seq).toBe(257);
  });
});
