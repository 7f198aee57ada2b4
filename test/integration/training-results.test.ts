/**
 * A lecture's trainings are recorded with what they produced, so nothing that rebuilds a lecture
 * (a restart, an export) trains again; a lecture's training is bounded by its hourly quota; the
 * server runs a few trainings at once and queues the rest; idle lectures leave memory.
 *
 * On the code before these tests, a restart or an export re-ran every recorded `train` on the
 * event loop (the spy below counted the rows), a lecture could train without limit, and every
 * training ran at once.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MlpTrainer } from '../../shared/engine/mlp/train.js';
import type { Snapshot } from '../../shared/protocol/snapshot.js';
import { startServer, type StartOptions, type TestServer } from '../support/server.js';
import { createLecture, http, LectureClient } from '../support/clients.js';

const servers: TestServer[] = [];
const clients: LectureClient[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  while (clients.length) clients.pop()!.close();
  while (servers.length) await servers.pop()!.close();
});

async function start(options: StartOptions = {}): Promise<TestServer> {
  const server = await startServer(options);
  servers.push(server);
  return server;
}

const command = (server: TestServer, id: string, token: string, body: object) => http(server.url, 'POST', `/api/lectures/${id}/commands`, body, token);
const state = async (server: TestServer, id: string): Promise<Snapshot> => (await http(server.url, 'GET', `/api/lectures/${id}/state`)).json;

describe('a recorded training', () => {
  it('is never trained again: a restart and an export rebuild the lecture exactly from what it produced', async () => {
    const first = await start();
    const { id, instructorToken } = await createLecture(first.url);
    // A network on 2-D points with a test split, so the test losses are recorded too.
    const setup = [
      { type: 'setDataset', dataset: { kind: 'points', set: 'circle', count: 200, noise: 0.1, trainFraction: 0.8, seed: 3 } },
      { type: 'setNetwork', network: { hidden: [{ units: 8, activation: 'tanh' }, { units: 8, activation: 'tanh' }], biases: true, batch: 10 } },
      { type: 'train', epochs: 300 },
      { type: 'step' },
      { type: 'train', epochs: 120 },
      { type: 'back' },
      { type: 'train', epochs: 40 },
    ];
    for (const c of setup) expect((await command(first, id, instructorToken, c)).status, JSON.stringify(c)).toBe(200);
    const before = await state(first, id);
    const loss = (await http(first.url, 'GET', `/api/lectures/${id}/loss`)).json;
    expect(loss).toHaveLength(340);
    const dataDir = first.dataDir;
    await first.app.close();
    servers.pop();

    const rows = vi.spyOn(MlpTrainer.prototype, 'runRows');
    const epochs = vi.spyOn(MlpTrainer.prototype, 'runEpochs');
    const second = await start({ dataDir });
    expect(await state(second, id)).toEqual(before);
    expect((await http(second.url, 'GET', `/api/lectures/${id}/loss`)).json).toEqual(loss);
    const exported = await http(second.url, 'GET', `/api/lectures/${id}/export.ipynb`);
    expect(exported.status).toBe(200);
    expect(exported.json.cells.length).toBeGreaterThan(5);
    expect(rows).not.toHaveBeenCalled();
    expect(epochs).not.toHaveBeenCalled();
    second.store.close();
  });
});

describe("a lecture's hourly training quota", () => {
  it('refuses a training beyond it with 429, Retry-After and the epochs left, and lets it train again an hour later', async () => {
    let now = Date.UTC(2026, 0, 1);
    const clock = { now: () => now };
    const server = await start({ clock, app: { lectureLimits: { epochsPerHour: 1000 } } });
    const { id, instructorToken } = await createLecture(server.url);
    expect((await command(server, id, instructorToken, { type: 'train', epochs: 600 })).status).toBe(200);
    const refused = await fetch(`${server.url}/api/lectures/${id}/commands`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${instructorToken}` },
      body: JSON.stringify({ type: 'train', epochs: 600 }),
    });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await refused.json()).error).toMatch(/1,000 epochs an hour and has 400 left/);
    expect((await state(server, id)).epoch).toBe(600);
    expect((await command(server, id, instructorToken, { type: 'train', epochs: 400 })).status).toBe(200);
    now += 3_600_001;
    expect((await command(server, id, instructorToken, { type: 'train', epochs: 600 })).status).toBe(200);
  });

  it('is counted from the recording, so a restart does not reset it', async () => {
    const clock = { now: () => Date.UTC(2026, 0, 1) };
    const first = await start({ clock, app: { lectureLimits: { epochsPerHour: 500 } } });
    const { id, instructorToken } = await createLecture(first.url);
    expect((await command(first, id, instructorToken, { type: 'train', epochs: 500 })).status).toBe(200);
    await first.app.close();
    first.store.close();
    servers.pop();
    const second = await start({ dataDir: first.dataDir, clock, app: { lectureLimits: { epochsPerHour: 500 } } });
    expect((await command(second, id, instructorToken, { type: 'train', epochs: 1 })).status).toBe(429);
  });
});

describe('trainings across lectures', () => {
  it('run at most the cap at once; the others wait their turn, say so, and can be stopped while waiting', async () => {
    const server = await start({ app: { maxConcurrentTrainings: 1 } });
    const a = await createLecture(server.url);
    const b = await createLecture(server.url);
    const instructorA = await LectureClient.connect(server.url, { lectureId: a.id, token: a.instructorToken });
    const instructorB = await LectureClient.connect(server.url, { lectureId: b.id, token: b.instructorToken });
    clients.push(instructorA, instructorB);
    const queued = new Promise<number>((resolve) => instructorB.socket.on('progress', (p) => p.queued && resolve(p.queued)));
    // A network slow enough to train that A is still running when B asks.
    expect(await instructorA.command({ type: 'setNetwork', network: { hidden: [16, 16, 16, 16].map((units) => ({ units, activation: 'tanh' })) } })).toMatchObject({ ok: true });
    const trainingA = instructorA.command({ type: 'train', epochs: 100_000 });
    await new Promise<void>((running) => instructorA.socket.once('progress', () => running()));
    const trainingB = instructorB.command({ type: 'train', epochs: 50 });
    expect(await queued).toBe(1);
    expect((await state(server, b.id)).training).toMatchObject({ queued: 1, epochsDone: 0 });
    // Stopped while it waits: it never runs, and the lecture records a training of 0 epochs.
    expect(await instructorB.command({ type: 'stop' })).toMatchObject({ ok: true });
    expect(await trainingB).toMatchObject({ ok: true, seq: 1 });
    expect((await state(server, b.id)).epoch).toBe(0);
    expect(await instructorA.command({ type: 'stop' })).toMatchObject({ ok: true });
    expect(await trainingA).toMatchObject({ ok: true, seq: 2 });
    // With A done, B trains at once.
    expect(await instructorB.command({ type: 'train', epochs: 50 })).toMatchObject({ ok: true, seq: 2 });
    expect((await state(server, b.id)).epoch).toBe(50);
  });
});

describe('idle lectures', () => {
  it('leave memory when nobody uses them and come back exactly when asked for', async () => {
    let now = Date.UTC(2026, 0, 1);
    const server = await start({ clock: { now: () => now }, app: { idleLectureMs: 60_000 } });
    const idle = await createLecture(server.url);
    const watched = await createLecture(server.url);
    for (const c of [{ type: 'step' }, { type: 'train', epochs: 20 }, { type: 'step' }]) await command(server, idle.id, idle.instructorToken, c);
    const before = await state(server, idle.id);
    const student = await LectureClient.connect(server.url, { lectureId: watched.id });
    clients.push(student);
    now += 120_000;
    expect(server.app.evictIdleLectures()).toBe(1);
    expect(server.app.registry.loaded).toBe(1);
    expect(await state(server, idle.id)).toEqual(before);
    // A lecture that came back is live again: its frames reach its students.
    const late = await LectureClient.connect(server.url, { lectureId: idle.id });
    clients.push(late);
    expect((await command(server, idle.id, idle.instructorToken, { type: 'step' })).status).toBe(200);
    await late.atSeq(before.seq + 1);
  });
});
