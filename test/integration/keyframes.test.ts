/**
 * Keyframes on both stores, with the real server: the store keeps them (the two latest of each
 * format), a restarted server loads a lecture from its latest keyframe and folds only the events
 * after it, and the lecture it brings back is the one folding every event from the start makes,
 * bit for bit, for every later command too (`back` down the whole undo stack). A keyframe of
 * another layout or event format, or one that does not read back, is passed over.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LectureStore, StoredKeyframe } from '../../server/ports.js';
import { EVENT_FORMAT_VERSION } from '../../shared/lecture/event-format.js';
import { encodeKeyframe, KEYFRAME_FORMAT } from '../../shared/lecture/keyframe.js';
import { createLecture as newLecture, evolve, undoDepth, type LectureState } from '../../shared/lecture/decider.js';
import { applyCommand } from '../../shared/lecture/apply.js';
import { toSnapshot } from '../../shared/lecture/views.js';
import type { Command } from '../../shared/protocol/commands.js';
import { createLecture, LectureClient } from '../support/clients.js';
import { startServer, type TestServer } from '../support/server.js';
import { captureLogs, restoreLogs } from '../support/logs.js';
import { freshStore, STORES } from '../support/stores.js';

const mine = { format: KEYFRAME_FORMAT, eventFormat: EVENT_FORMAT_VERSION };
const steps = (n: number) => Array.from({ length: n }, () => ({ type: 'step' }));
const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

describe.each(STORES)('the keyframes a store keeps, on %s', (kind) => {
  it('reads back exactly, the latest of a format before a seq, and keeps the two latest of each format', async () => {
    const fresh = await freshStore(kind);
    const store = await fresh.open();
    try {
      await store.createLecture({ id: 'KFKFKF', title: 'k', createdAt: 1, listed: false, tokenHash: 'h', preset: 'notebook', seed: 0, learningRate: 1 });
      const bytes = (seq: number) => Uint8Array.from({ length: 1000 + seq }, (_, i) => (i * 31 + seq) & 0xff);
      const kf = (seq: number, over: Partial<StoredKeyframe> = {}): StoredKeyframe => ({ seq, ...mine, usage: `{"events":${seq}}`, state: bytes(seq), ...over });
      expect(await store.latestKeyframe('KFKFKF', mine)).toBeUndefined();
      await store.putKeyframe('KFKFKF', kf(10, { format: KEYFRAME_FORMAT + 1 }));
      for (const seq of [3, 7, 9]) await store.putKeyframe('KFKFKF', kf(seq));
      const latest = await store.latestKeyframe('KFKFKF', mine);
      expect(latest && { ...latest, state: Buffer.from(latest.state) }).toEqual({ ...kf(9), state: Buffer.from(bytes(9)) });
      expect((await store.latestKeyframe('KFKFKF', { ...mine, beforeSeq: 9 }))?.seq).toBe(7);
      // Only the two latest of this format are kept: 3 is gone, the other format's stays.
      expect(await store.latestKeyframe('KFKFKF', { ...mine, beforeSeq: 7 })).toBeUndefined();
      expect((await store.latestKeyframe('KFKFKF', { ...mine, format: KEYFRAME_FORMAT + 1 }))?.seq).toBe(10);
      expect(await store.latestKeyframe('KFKFKF', { ...mine, eventFormat: EVENT_FORMAT_VERSION + 1 })).toBeUndefined();
      // One at the same seq replaces it.
      await store.putKeyframe('KFKFKF', kf(9, { state: bytes(2), usage: '{}' }));
      const replaced = await store.latestKeyframe('KFKFKF', mine);
      expect(replaced!.usage).toBe('{}');
      expect(same(replaced!.state, bytes(2))).toBe(true);
    } finally {
      await store.close();
      fresh.dispose();
    }
  });
});

describe.each(STORES)('a lecture restarted from its keyframe, on %s', (store) => {
  const dirs: string[] = [];
  const servers: TestServer[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.close();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
    vi.restoreAllMocks();
    restoreLogs();
  });

  const start = async (dataDir: string) => {
    const server = await startServer({ dataDir, store, eventLimits: { student: { burst: 30, perSecond: 10 }, instructor: { burst: 100_000, perSecond: 100_000 } } });
    servers.push(server);
    return server;
  };

  /** A server with a lecture that ran `script` over socket.io; the lecture's state once its keyframes are stored. */
  async function lectureAfter(script: readonly unknown[]) {
    const dataDir = mkdtempSync(join(tmpdir(), 'backprop-keyframes-'));
    dirs.push(dataDir);
    const server = await start(dataDir);
    const { id, instructorToken } = await createLecture(server.url, { title: 'Keyframes', preset: 'notebook' });
    const instructor = await LectureClient.connect(server.url, { lectureId: id, token: instructorToken });
    for (const command of script) {
      const ack = await instructor.command(command);
      if (!ack.ok) throw new Error(`${JSON.stringify(command)}: ${ack.error}`);
    }
    instructor.close();
    const room = (await server.app.registry.get(id))!;
    await room.settled();
    return { dataDir, server, id, live: room.state };
  }

  /** Restarts on the same data; the lecture loaded there, and the seq after which its load read events. */
  async function restart(server: TestServer, dataDir: string, id: string) {
    await server.close();
    servers.splice(servers.indexOf(server), 1);
    const again = await start(dataDir);
    const afterSeqs: number[] = [];
    const events = again.store.events.bind(again.store);
    again.store.events = (lectureId, afterSeq) => (afterSeqs.push(afterSeq ?? 0), events(lectureId, afterSeq));
    const room = (await again.app.registry.get(id))!;
    return { again, room, afterSeq: afterSeqs[0] };
  }

  /** The lecture as folding every stored event from the start makes it. */
  async function foldedFromStart(s: LectureStore, id: string): Promise<LectureState> {
    const r = (await s.getLecture(id))!;
    const first = newLecture({ lectureId: r.id, title: r.title, preset: r.preset, seed: r.seed, learningRate: r.learningRate });
    return (await s.events(id)).reduce(evolve, first);
  }

  const SCRIPT = [
    ...steps(60),
    { type: 'train', epochs: 300 },
    ...steps(25),
    { type: 'back' },
    { type: 'back' },
    { type: 'setWeight', tensor: 'W', index: [0, 1], value: 0.25 },
    { type: 'train', epochs: 120 },
    { type: 'ask', tensor: 'C_act', index: [0] },
    ...steps(160),
    { type: 'back' },
    ...steps(7),
  ];

  it('comes back from its latest keyframe, folding only the events after it, as the fold from the start makes it', async () => {
    const { dataDir, server, id, live } = await lectureAfter(SCRIPT);
    expect(live.seq).toBe(SCRIPT.length);
    const stored = (await server.store.latestKeyframe(id, mine))!;
    expect(stored.seq).toBe(256);
    const { again, room, afterSeq } = await restart(server, dataDir, id);
    expect(afterSeq).toBe(256);
    const folded = await foldedFromStart(again.store, id);
    expect(same(encodeKeyframe(room.state), encodeKeyframe(live))).toBe(true);
    expect(same(encodeKeyframe(room.state), encodeKeyframe(folded))).toBe(true);

    // Every later command (to the loaded room), back down the whole undo stack, as the folded lecture answers it.
    let expected = folded;
    const depth = undoDepth(folded);
    expect(depth).toBeGreaterThan(200);
    for (const command of [{ type: 'train', epochs: 30 }, ...steps(3), ...Array.from({ length: depth + 4 }, () => ({ type: 'back' }))] as Command[]) {
      const ours = applyCommand(expected, command, { now: 0, newSeed: () => 1 });
      const result = await room.command(command);
      expect(result.ok).toBe(ours.ok);
      if (!ours.ok) continue;
      expected = ours.next;
      expect(JSON.stringify(room.snapshot())).toBe(JSON.stringify(toSnapshot(expected)));
    }
    expect(undoDepth(room.state)).toBe(0);
    expect(same(encodeKeyframe(room.state), encodeKeyframe(expected))).toBe(true);
  });

  it('passes over a keyframe of another layout or event format, and one that does not read back', async () => {
    const { dataDir, server, id, live } = await lectureAfter([...steps(255), { type: 'train', epochs: 50 }, ...steps(4)]);
    const good = (await server.store.latestKeyframe(id, mine))!;
    expect(good.seq).toBe(256);
    const corrupt = good.state.slice();
    corrupt[corrupt.length >> 1] ^= 0x40;
    await server.store.putKeyframe(id, { ...good, seq: 257, state: corrupt });
    await server.store.putKeyframe(id, { ...good, seq: 258, eventFormat: EVENT_FORMAT_VERSION + 1, state: Uint8Array.of(1, 2, 3) });
    await server.store.putKeyframe(id, { ...good, seq: 259, format: KEYFRAME_FORMAT + 1, state: Uint8Array.of(4, 5, 6) });
    const logged = captureLogs();
    const { room, afterSeq } = await restart(server, dataDir, id);
    expect(afterSeq).toBe(256);
    expect(logged.lines.some((l) => l.level === 'error' && l.lecture === id && l.msg.includes('keyframe at seq 257 is passed over') && l.err?.stack)).toBe(true);
    expect(same(encodeKeyframe(room.state), encodeKeyframe(live))).toBe(true);
  });

  it('folds from the start when no keyframe reads back', async () => {
    const { dataDir, server, id, live } = await lectureAfter([...steps(255), { type: 'train', epochs: 20 }, ...steps(3)]);
    const good = (await server.store.latestKeyframe(id, mine))!;
    await server.store.putKeyframe(id, { ...good, state: good.state.subarray(0, good.state.length - 8) });
    await server.store.putKeyframe(id, { ...good, seq: 7, usage: 'not json' });
    captureLogs();
    const { room, afterSeq } = await restart(server, dataDir, id);
    expect(afterSeq).toBe(0);
    expect(same(encodeKeyframe(room.state), encodeKeyframe(live))).toBe(true);
  });
});
