/**
 * A question belongs to its pass: asked and revealed, it ends (snapshot `prediction: null`, and so
 * in every student's copy, which applies the frames) when the next pass begins, or on `train`,
 * `reset`, `selectSample`, `setNetwork` and `setDataset`; one still open ends unrevealed on those
 * that wipe the pass. A question asked after a pass completed is for the next pass and survives
 * that pass's start. Before this rule, a revealed card outlived a training and a change of
 * network, relabelled for a tensor the new network does not have.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Command } from '../../shared/protocol/commands.js';
import type { Snapshot } from '../../shared/protocol/snapshot.js';
import { startServer, type TestServer } from '../support/server.js';
import { createLecture, http, LectureClient } from '../support/clients.js';

const servers: TestServer[] = [];
const clients: LectureClient[] = [];
afterEach(async () => {
  while (clients.length) clients.pop()!.close();
  while (servers.length) await servers.pop()!.close();
});

async function lecture() {
  const server = await startServer();
  servers.push(server);
  const { id, instructorToken } = await createLecture(server.url);
  const connect = async (auth: Parameters<typeof LectureClient.connect>[1]) => {
    const c = await LectureClient.connect(server.url, auth);
    clients.push(c);
    return c;
  };
  const instructor = await connect({ lectureId: id, token: instructorToken });
  const students = [await connect({ lectureId: id, clientId: server.clientId('a') }), await connect({ lectureId: id, clientId: server.clientId('b') })];
  const send = async (command: Command) => {
    const ack = await instructor.command(command);
    if (!ack.ok) throw new Error(`${command.type}: ${ack.error}`);
    await Promise.all(students.map((s) => s.atSeq(ack.seq)));
    return ack.seq;
  };
  const state = async (): Promise<Snapshot> => (await http(server.url, 'GET', `/api/lectures/${id}/state`)).json;
  return { send, state, students };
}

/** Steps until the stage is `stage`. */
async function stepTo(send: (c: Command) => Promise<number>, state: () => Promise<Snapshot>, stage: string) {
  for (let i = 0; i < 30 && (await state()).stage !== stage; i++) await send({ type: 'step' });
  expect((await state()).stage).toBe(stage);
}

const ENDINGS: { name: string; command: Command }[] = [
  { name: 'train', command: { type: 'train', epochs: 2 } },
  { name: 'reset', command: { type: 'reset' } },
  { name: 'selectSample', command: { type: 'selectSample', index: 3 } },
  { name: 'setNetwork', command: { type: 'setNetwork', network: { hidden: [{ units: 2, activation: 'tanh' }] } } as unknown as Command },
  { name: 'setDataset', command: { type: 'setDataset', dataset: { kind: 'truthTable', table: 'xor' } } },
];

describe('a question belongs to its pass', () => {
  it('a revealed question ends when the next pass begins, in the snapshot and in every student', async () => {
    const { send, state, students } = await lecture();
    await send({ type: 'ask', tensor: 'C_act', index: [0] });
    await stepTo(send, state, 'C_act');
    expect((await state()).prediction).toMatchObject({ status: 'revealed', tensor: 'C_act' });
    await stepTo(send, state, 'update');
    expect((await state()).prediction?.status).toBe('revealed');
    await send({ type: 'step' });
    expect((await state()).stage).toBe('input');
    expect((await state()).prediction).toBeNull();
    for (const s of students) expect(s.state!.prediction).toBeNull();
  });

  for (const { name, command } of ENDINGS) {
    it(`a revealed question ends on ${name}`, async () => {
      const { send, state, students } = await lecture();
      await send({ type: 'ask', tensor: 'B_act', index: [1] });
      await send({ type: 'reveal' });
      expect((await state()).prediction?.status).toBe('revealed');
      await send(command);
      expect((await state()).prediction).toBeNull();
      for (const s of students) expect(s.state!.prediction).toBeNull();
    });
  }

  it('an open question ends unrevealed when the pass is wiped (train, reset, another row)', async () => {
    for (const command of [ENDINGS[0].command, ENDINGS[1].command, ENDINGS[2].command]) {
      const { send, state, students } = await lecture();
      await send({ type: 'ask', tensor: 'B_act', index: [1] });
      await send(command);
      expect((await state()).prediction, command.type).toBeNull();
      for (const s of students) expect(s.state!.prediction).toBeNull();
    }
  });

  it("a question asked after a complete pass is the next pass's: its start keeps it, and a forward pass from there reveals it", async () => {
    const { send, state } = await lecture();
    await stepTo(send, state, 'update');
    await send({ type: 'ask', tensor: 'B_act', index: [1] });
    await send({ type: 'step' });
    expect((await state()).stage).toBe('input');
    expect((await state()).prediction).toMatchObject({ status: 'open', tensor: 'B_act' });
    await stepTo(send, state, 'update');
    await send({ type: 'ask', tensor: 'C_act', index: [0] });
    // One command that begins the pass and reveals: the reveal is kept.
    await send({ type: 'forward' });
    expect((await state()).prediction).toMatchObject({ status: 'revealed', tensor: 'C_act' });
  });
});
