/**
 * Crash safety with a real process: the server runs as a child, gets `kill -9`, and a new
 * process on the same DATA_DIR (or DATABASE_URL, on PostgreSQL) must bring every lecture back
 * exactly, with its recording. The same assertions on both stores.
 */
import { describe, expect, it } from 'vitest';
import { createLecture, http, LectureClient } from '../support/clients.js';
import { useChildServers } from '../support/child-server.js';
import { STORES } from '../support/stores.js';

describe.each(STORES)('kill -9 and restart on %s', (store) => {
  const servers = useChildServers('backprop-crash-', { store });
  const startChild = () => servers.start();
  const kill9 = servers.kill9;

  it('brings back every lecture with its exact state and complete recording', async () => {
    let { url, child } = await startChild();
    const a = await createLecture(url, { title: 'A' });
    const b = await createLecture(url, { title: 'B', preset: 'random', seed: 5, listed: false });
    const commandsA = [{ type: 'forward' }, { type: 'backward' }, { type: 'update' }, { type: 'train', epochs: 50 }, { type: 'step' }, { type: 'back' }, { type: 'step' }, { type: 'step' }];
    for (const c of commandsA) expect((await http(url, 'POST', `/api/lectures/${a.id}/commands`, c, a.instructorToken)).status).toBe(200);
    for (const c of [{ type: 'setLearningRate', value: 0.3 }, { type: 'update' }, { type: 'reset' }])
      expect((await http(url, 'POST', `/api/lectures/${b.id}/commands`, c, b.instructorToken)).status).toBe(200);
    // C leaves the notebook: an uploaded table with a test split, then a network of its own.
    const c = await createLecture(url, { title: 'C' });
    const csv = `u,v,label\n${Array.from({ length: 30 }, (_, i) => `${i / 30},${(i * 7) % 11},${i % 2}`).join('\n')}\n`;
    const upload = await fetch(`${url}/api/lectures/${c.id}/dataset.csv?name=t.csv&trainFraction=0.7`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', authorization: `Bearer ${c.instructorToken}` },
      body: csv,
    });
    expect(upload.status).toBe(200);
    const commandsC = [
      { type: 'setNetwork', network: { hidden: [{ units: 5, activation: 'relu' }, { units: 3, activation: 'tanh' }], biases: true, loss: 'crossEntropy', batch: 4 } },
      { type: 'forward' },
      { type: 'train', epochs: 20 },
      { type: 'step' },
      { type: 'setDataset', dataset: { kind: 'points', set: 'gaussians', count: 40, trainFraction: 0.5, seed: 3 } },
      { type: 'back' },
    ];
    for (const command of commandsC) expect((await http(url, 'POST', `/api/lectures/${c.id}/commands`, command, c.instructorToken)).status).toBe(200);

    const before = {
      a: (await http(url, 'GET', `/api/lectures/${a.id}/state`)).json,
      b: (await http(url, 'GET', `/api/lectures/${b.id}/state`)).json,
      c: (await http(url, 'GET', `/api/lectures/${c.id}/state`)).json,
      recA: (await http(url, 'GET', `/api/lectures/${a.id}/recording`)).json,
      recC: (await http(url, 'GET', `/api/lectures/${c.id}/recording`)).json,
      list: (await http(url, 'GET', '/api/lectures')).json,
    };
    await kill9(child);

    ({ url, child } = await startChild());
    expect((await http(url, 'GET', `/api/lectures/${a.id}/state`)).json).toEqual(before.a);
    expect((await http(url, 'GET', `/api/lectures/${b.id}/state`)).json).toEqual(before.b);
    expect((await http(url, 'GET', `/api/lectures/${a.id}/recording`)).json).toEqual(before.recA);
    expect((await http(url, 'GET', `/api/lectures/${c.id}/state`)).json).toEqual(before.c);
    expect(before.c.testLossHistory).toHaveLength(20);
    expect((await http(url, 'GET', `/api/lectures/${c.id}/recording`)).json).toEqual(before.recC);
    expect((await http(url, 'GET', '/api/lectures')).json).toEqual(before.list);

    // The restored lecture goes on: undo history and the instructor token survive too.
    const back = await http(url, 'POST', `/api/lectures/${a.id}/commands`, { type: 'back' }, a.instructorToken);
    expect(back.status).toBe(200);
    expect(back.json.seq).toBe(before.a.seq + 1);
    await kill9(child);
  });

  it('after a kill during training, comes back at the last acknowledged state', async () => {
    let { url, child } = await startChild();
    const lecture = await createLecture(url);
    await http(url, 'POST', `/api/lectures/${lecture.id}/commands`, { type: 'forward' }, lecture.instructorToken);
    const acknowledged = (await http(url, 'GET', `/api/lectures/${lecture.id}/state`)).json;

    const student = await LectureClient.connect(url, { lectureId: lecture.id });
    const progressed = new Promise<void>((r) => student.socket.once('progress', () => r()));
    const training = http(url, 'POST', `/api/lectures/${lecture.id}/commands`, { type: 'train', epochs: 100_000 }, lecture.instructorToken).catch(() => null);
    await progressed;
    student.close();
    await kill9(child);
    expect(await training).toBeNull(); // never acknowledged

    ({ url, child } = await startChild());
    const restored = (await http(url, 'GET', `/api/lectures/${lecture.id}/state`)).json;
    expect(restored).toEqual(acknowledged);
    const recording = (await http(url, 'GET', `/api/lectures/${lecture.id}/recording`)).json;
    expect(recording.events.map((e: { seq: number }) => e.seq)).toEqual([1]);
    // And it trains fine afterwards.
    const trained = await http(url, 'POST', `/api/lectures/${lecture.id}/commands`, { type: 'train', epochs: 10 }, lecture.instructorToken);
    expect(trained.json).toMatchObject({ seq: 2, epoch: 10, stage: 'idle' });
    await kill9(child);
  });
});
