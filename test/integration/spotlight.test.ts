/**
 * The shared spotlight and the errata setting over socket.io against the real server: what the
 * instructor points at reaches every student in a frame, is checked against the network, is the
 * instructor's alone, outlives `back`, ends with the pass, and survives a restart and a replay.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createLecture as createState, evolve, type LectureEvent } from '../../shared/lecture/decider.js';
import type { SpotlightTarget } from '../../shared/protocol/collab.js';
import type { Snapshot } from '../../shared/protocol/snapshot.js';
import { startServer, type StartOptions, type TestServer } from '../support/server.js';
import { createLecture, http, LectureClient } from '../support/clients.js';
import { PROTOTYPE_NAMES } from '../support/hostile.js';

const servers: TestServer[] = [];
const clients: LectureClient[] = [];
afterEach(async () => {
  while (clients.length) clients.pop()!.close();
  while (servers.length) await servers.pop()!.close();
});

async function start(options: StartOptions = {}): Promise<TestServer> {
  const server = await startServer(options);
  servers.push(server);
  return server;
}

async function connect(server: TestServer, auth: Parameters<typeof LectureClient.connect>[1]): Promise<LectureClient> {
  const c = await LectureClient.connect(server.url, auth);
  clients.push(c);
  return c;
}

/** A lecture with its instructor and one student connected. */
async function lecture(server: TestServer) {
  const { id, instructorToken } = await createLecture(server.url);
  const instructor = await connect(server, { lectureId: id, token: instructorToken });
  const student = await connect(server, { lectureId: id, clientId: server.clientId('student') });
  return { id, instructorToken, instructor, student };
}

const W23: SpotlightTarget = { type: 'element', tensor: 'W', index: [2, 3] };
const state = async (server: TestServer, id: string): Promise<Snapshot> => (await http(server.url, 'GET', `/api/lectures/${id}/state`)).json;

describe('the spotlight', () => {
  it("reaches every student in the command's frame and is in the snapshot of whoever joins later", async () => {
    const server = await start();
    const { id, instructor, student } = await lecture(server);
    const framed = new Promise<unknown>((resolve) => student.socket.once('frame', (f) => resolve(f.spotlight)));
    const ack = await instructor.command({ type: 'spotlight', target: W23 });
    expect(ack).toMatchObject({ ok: true });
    expect(await framed).toEqual(W23);
    expect((await student.atSeq(1)).spotlight).toEqual(W23);
    const late = await connect(server, { lectureId: id, clientId: server.clientId('late') });
    expect(late.state!.spotlight).toEqual(W23);

    const stage: SpotlightTarget = { type: 'stage', stage: 'B_act' };
    await instructor.command({ type: 'spotlight', target: stage });
    expect((await student.atSeq(2)).spotlight).toEqual(stage);
    await instructor.command({ type: 'spotlight', target: null });
    expect((await student.atSeq(3)).spotlight).toBeNull();
  });

  it("is the instructor's alone: a student's spotlight is refused with 403 and changes nothing", async () => {
    const server = await start();
    const { id, student } = await lecture(server);
    const ack = await student.command({ type: 'spotlight', target: W23 });
    expect(ack).toMatchObject({ ok: false, status: 403 });
    const after = await state(server, id);
    expect(after.seq).toBe(0);
    expect(after.spotlight).toBeNull();
  });

  it('is checked against the network like a question: a target it does not have is a 400 that changes nothing', async () => {
    const server = await start();
    const { id, instructor } = await lecture(server);
    const bad: unknown[] = [
      { type: 'element', tensor: 'W', index: [3, 0] },
      { type: 'element', tensor: 'W', index: [0] },
      { type: 'element', tensor: 'W1', index: [0, 0] },
      { type: 'stage', stage: 'Z1' },
      { type: 'stage', stage: 'W' },
      { type: 'element', tensor: 'W', index: [0, 0], extra: 1 },
      { type: 'nodes' },
      'W',
      ...PROTOTYPE_NAMES.flatMap((name) => [
        { type: 'element', tensor: name, index: [0] },
        { type: 'stage', stage: name },
      ]),
    ];
    for (const target of bad) {
      const ack = await instructor.command({ type: 'spotlight', target });
      expect(ack, JSON.stringify(target)).toMatchObject({ ok: false, status: 400 });
      if (!ack.ok) expect(ack.error, JSON.stringify(target)).toMatch(/\w{6}/);
    }
    const { seq, spotlight } = await state(server, id);
    expect({ seq, spotlight }).toEqual({ seq: 0, spotlight: null });
    // A tensor the pass has not computed yet is still a thing to point at (the class is about to see it).
    expect(await instructor.command({ type: 'spotlight', target: { type: 'element', tensor: 'B_act', index: [2] } })).toMatchObject({ ok: true });
  });

  it('is not undone by back, and ends when the next pass begins', async () => {
    const server = await start();
    const { id, instructor, student } = await lecture(server);
    await instructor.command({ type: 'step' });
    await instructor.command({ type: 'step' });
    await instructor.command({ type: 'spotlight', target: W23 });
    expect(await instructor.command({ type: 'back' })).toMatchObject({ ok: true, seq: 4 });
    const afterBack = await student.atSeq(4);
    expect(afterBack.stage).toBe('input');
    expect(afterBack.spotlight).toEqual(W23);

    // Through the pass: the spotlight stays while the pass goes on.
    let seq = 4;
    const stages: string[] = [];
    do {
      const ack = await instructor.command({ type: 'step' });
      expect(ack.ok).toBe(true);
      seq++;
      const s = await student.atSeq(seq);
      stages.push(s.stage);
      expect(s.spotlight, `at ${s.stage}`).toEqual(W23);
    } while (stages[stages.length - 1] !== 'update');

    const cleared = new Promise<unknown>((resolve) => student.socket.once('frame', (f) => resolve(f)));
    await instructor.command({ type: 'step' });
    expect(await cleared).toMatchObject({ stage: 'input', spotlight: null });
    expect((await state(server, id)).spotlight).toBeNull();
  });

  it("after a complete pass, the class's own commands keep it (and a student's flags): only the next pass ends them", async () => {
    // Before: at `update` every stage counted as run from `input`, so an ask, a pacing change or the
    // spotlight itself ended the pass's spotlight and flags at once.
    const server = await start();
    const { id, instructor, student } = await lecture(server);
    await instructor.command({ type: 'update' });
    expect((await state(server, id)).stage).toBe('update');
    await instructor.command({ type: 'spotlight', target: W23 });
    expect((await state(server, id)).spotlight).toEqual(W23);
    expect(await student.socket.timeout(5000).emitWithAck('flag', { target: { type: 'stage', stage: 'dL_dW' }, on: true })).toEqual({ ok: true });
    await instructor.command({ type: 'setPacing', mode: 'follow' });
    await instructor.command({ type: 'ask', tensor: 'B_act', index: [0] });
    expect((await state(server, id)).spotlight).toEqual(W23);
    const flags = new Promise<unknown>((resolve) => instructor.socket.once('flags', (f) => resolve(f.counts)));
    instructor.socket.disconnect().connect();
    expect(await flags).toEqual({ 'stage:dL_dW': 1 });
    await instructor.until(() => instructor.socket.connected);
    await instructor.command({ type: 'step' });
    expect((await state(server, id)).spotlight).toBeNull();
  });

  it('ends with the network it pointed into', async () => {
    const server = await start();
    const { id, instructor } = await lecture(server);
    await instructor.command({ type: 'spotlight', target: W23 });
    const changed = await instructor.command({ type: 'setNetwork', network: { hidden: [{ units: 2, activation: 'tanh' }] } });
    expect(changed).toMatchObject({ ok: true });
    expect((await state(server, id)).spotlight).toBeNull();
  });

  it('survives a restart, and a replay folded from the recording shows it at its event', async () => {
    const first = await start();
    const { id, instructor } = await lecture(first);
    await instructor.command({ type: 'step' });
    await instructor.command({ type: 'spotlight', target: W23 });
    await instructor.command({ type: 'step' });
    const before = await state(first, id);
    instructor.close();
    await first.app.close();
    servers.pop();

    const second = await start({ dataDir: first.dataDir });
    expect(await state(second, id)).toEqual(before);
    const recording = (await http(second.url, 'GET', `/api/lectures/${id}/recording`)).json as { lecture: Parameters<typeof createState>[0]; events: LectureEvent[] };
    let folded = createState(recording.lecture);
    const seen: (SpotlightTarget | null)[] = [];
    for (const event of recording.events) {
      folded = evolve(folded, event);
      seen.push(folded.spotlight);
    }
    expect(seen).toEqual([null, W23, W23]);
  });
});

describe('the errata setting', () => {
  it('is recorded for the class, kept by back, and only offered on the notebook network', async () => {
    const server = await start();
    const { id, instructor, student } = await lecture(server);
    expect(student.state!.errata).toBe(false);
    expect(await instructor.command({ type: 'setErrata', on: true })).toMatchObject({ ok: true });
    expect((await student.atSeq(1)).errata).toBe(true);
    await instructor.command({ type: 'step' });
    await instructor.command({ type: 'back' });
    expect((await student.atSeq(3)).errata).toBe(true);
    expect(await instructor.command({ type: 'setErrata', on: 'yes' })).toMatchObject({ ok: false, status: 400 });
    expect(await student.command({ type: 'setErrata', on: false })).toMatchObject({ ok: false, status: 403 });

    await instructor.command({ type: 'setNetwork', network: { hidden: [{ units: 2, activation: 'tanh' }] } });
    const refused = await instructor.command({ type: 'setErrata', on: true });
    expect(refused).toMatchObject({ ok: false, status: 409 });
    if (!refused.ok) expect(refused.error).toMatch(/notebook/);
    expect(await instructor.command({ type: 'setErrata', on: false })).toMatchObject({ ok: true });
    expect((await state(server, id)).errata).toBe(false);
  });
});
