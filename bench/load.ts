/**
 * Load: how long a long lecture takes to come back from the store (a restart, an evicted lecture
 * asked for again, a takeover by another node). The lecture is built through the real registry,
 * rooms and store (SQLite in a temp directory; PostgreSQL on a throwaway server this bench starts):
 * 50 trainings of 10,000 epochs and 5,000 steps of the notebook network, so the store holds its
 * events and the keyframes the rooms kept. Each load is a fresh registry on the same store: from the
 * latest keyframe (what the server does), and, for comparison, folding every event from the start
 * (a store that hides its keyframes, as an older server's database has none).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { LectureRegistry } from '../server/lectures.js';
import { DEFAULT_LECTURE_LIMITS } from '../server/lecture-quota.js';
import type { LectureStore } from '../server/ports.js';
import { PostgresStore } from '../server/postgres-store.js';
import { SqliteStore } from '../server/sqlite-store.js';
import { TrainingSlots } from '../server/training-slots.js';
import { EVENT_FORMAT_VERSION } from '../shared/lecture/event-format.js';
import { encodeKeyframe, KEYFRAME_FORMAT } from '../shared/lecture/keyframe.js';
import type { Command } from '../shared/protocol/commands.js';
import { withPostgres } from './lib/postgres.js';
import type { BenchStore } from './lib/targets.js';
import { percentile, round, table } from './lib/stats.js';

export interface LoadCase {
  readonly store: BenchStore;
  readonly events: number;
  /** The keyframe the load started from: its seq and size. */
  readonly keyframeSeq: number;
  readonly keyframeBytes: number;
  /** Encoding the loaded state, median of 5 (what each keyframe costs the room's turn, before the store's write). */
  readonly encodeMs: number;
  /** Cold loads (a new registry each time): p50 and max, from the keyframe and from the start. */
  readonly keyframeLoadP50Ms: number;
  readonly keyframeLoadMaxMs: number;
  readonly foldLoadP50Ms: number;
  readonly foldLoadMaxMs: number;
  readonly buildS: number;
}

export interface LoadResult {
  readonly trainings: number;
  readonly epochs: number;
  readonly steps: number;
  readonly reps: number;
  readonly cases: LoadCase[];
}

const registryOn = (store: LectureStore) =>
  new LectureRegistry({ store, clock: { now: () => Date.now() }, random: { bytes: (n) => randomBytes(n) }, trainings: new TrainingSlots(4), limits: DEFAULT_LECTURE_LIMITS });

/** The store as an older server's database: the same events, no keyframes. */
function withoutKeyframes(store: LectureStore): LectureStore {
  return new Proxy(store, {
    get(target, name, receiver) {
      if (name === 'latestKeyframe') return async () => undefined;
      const value = Reflect.get(target, name, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/**
 * The long lecture: a training of `epochs`, then `steps / trainings` steps, over and over. It ends
 * in steps, so a load decodes the keyframe of the last training and folds the steps after it.
 */
async function buildLecture(store: LectureStore, trainings: number, epochs: number, steps: number): Promise<string> {
  const registry = registryOn(store);
  const { room } = await registry.create({ title: 'load bench', listed: false, preset: 'notebook' });
  const per = Math.round(steps / trainings);
  for (let t = 0; t < trainings; t++) {
    const r = await room.command({ type: 'train', epochs } as Command);
    if (!r.ok) throw new Error(`train: ${r.error}`);
    for (let s = 0; s < per; s++) {
      const r = await room.command({ type: 'step' } as Command);
      if (!r.ok) throw new Error(`step: ${r.error}`);
    }
  }
  await registry.close();
  return room.id;
}

async function timedLoad(store: LectureStore, id: string): Promise<{ ms: number; seq: number }> {
  const registry = registryOn(store);
  const t0 = performance.now();
  const room = await registry.get(id);
  const ms = performance.now() - t0;
  if (!room) throw new Error(`lecture ${id} did not load`);
  return { ms, seq: room.seq };
}

async function measure(kind: BenchStore, store: LectureStore, o: { trainings: number; epochs: number; steps: number; reps: number }): Promise<LoadCase> {
  const t0 = performance.now();
  const id = await buildLecture(store, o.trainings, o.epochs, o.steps);
  const buildS = (performance.now() - t0) / 1000;
  const keyframe = (await store.latestKeyframe(id, { format: KEYFRAME_FORMAT, eventFormat: EVENT_FORMAT_VERSION }))!;
  const fromKeyframe: number[] = [];
  const fromStart: number[] = [];
  let seq = 0;
  // Interleaved, so both see the same machine; the first of each warms the code (not counted).
  for (let i = 0; i <= o.reps; i++) {
    const k = await timedLoad(store, id);
    const f = await timedLoad(withoutKeyframes(store), id);
    if (k.seq !== f.seq) throw new Error(`the keyframe load is at seq ${k.seq}, the fold at ${f.seq}`);
    seq = k.seq;
    if (i === 0) continue;
    fromKeyframe.push(k.ms);
    fromStart.push(f.ms);
  }
  const room = (await registryOn(store).get(id))!;
  const encodes: number[] = [];
  for (let i = 0; i < 5; i++) {
    const e0 = performance.now();
    encodeKeyframe(room.state);
    encodes.push(performance.now() - e0);
  }
  const encodeMs = percentile(encodes, 50);
  return {
    store: kind,
    events: seq,
    keyframeSeq: keyframe.seq,
    keyframeBytes: keyframe.state.length,
    encodeMs: round(encodeMs, 1),
    keyframeLoadP50Ms: round(percentile(fromKeyframe, 50), 1),
    keyframeLoadMaxMs: round(Math.max(...fromKeyframe), 1),
    foldLoadP50Ms: round(percentile(fromStart, 50), 1),
    foldLoadMaxMs: round(Math.max(...fromStart), 1),
    buildS: round(buildS, 1),
  };
}

export async function runLoad(options: { stores: readonly BenchStore[]; reps: number; trainings?: number; epochs?: number; steps?: number }): Promise<LoadResult> {
  const o = { trainings: options.trainings ?? 50, epochs: options.epochs ?? 10_000, steps: options.steps ?? 5_000, reps: options.reps };
  console.log(`\n== load: a lecture of ${o.trainings} trainings of ${o.epochs.toLocaleString('en')} epochs and ${o.steps.toLocaleString('en')} steps, cold loads ==`);
  const cases: LoadCase[] = [];
  for (const kind of options.stores) {
    if (kind === 'sqlite') {
      const dir = mkdtempSync(join(tmpdir(), 'backprop-bench-load-'));
      const store = new SqliteStore(join(dir, 'backprop-live.sqlite'));
      try {
        cases.push(await measure(kind, store, o));
      } finally {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      }
    } else {
      cases.push(
        await withPostgres(async (pg) => {
          const store = await PostgresStore.open(await pg.createDatabase('bench_load'));
          try {
            return await measure(kind, store, o);
          } finally {
            await store.close();
          }
        }),
      );
    }
  }
  console.log(
    table(
      cases.map((c) => ({
        store: c.store,
        events: c.events,
        'keyframe at': c.keyframeSeq,
        'keyframe MB': round(c.keyframeBytes / 1e6, 2),
        'encode ms': c.encodeMs,
        'from keyframe p50/max ms': `${c.keyframeLoadP50Ms} / ${c.keyframeLoadMaxMs}`,
        'from the start p50/max ms': `${c.foldLoadP50Ms} / ${c.foldLoadMaxMs}`,
        'built in s': c.buildS,
      })),
    ),
  );
  return { ...o, cases };
}
