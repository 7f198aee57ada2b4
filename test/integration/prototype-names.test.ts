/**
 * Names that are properties of every JavaScript object (`constructor`, `toString`, `__proto__`, …)
 * sent wherever the protocol takes a name: each is refused with a clear error, nothing changes, and
 * the server goes on serving. On the code before this test, `flag {tensor: "constructor"}` killed the
 * process (a plain-object lookup found Object.prototype.constructor) and `ask` answered 500.
 */
import { describe, expect, it } from 'vitest';
import type { Command } from '../../shared/protocol/commands.js';
import { useServer } from '../support/suite.js';
import { createLecture, http } from '../support/clients.js';
import { PROTOTYPE_NAMES } from '../support/hostile.js';


// Hundreds of refused messages a second: the per-socket rate limit is lifted (abuse.test.ts tests it).
const fast = { burst: 1e6, perSecond: 1e6 };
const suite = useServer({ eventLimits: { student: fast, instructor: fast }, guessesPerMinute: 1e6 });

/** Messages that take a name, each carrying `name` where the name goes. */
function commandsNaming(name: string): unknown[] {
  return [
    { type: name },
    { type: 'ask', tensor: name, index: [0] },
    { type: 'ask', tensor: name, index: [0, 0] },
    { type: 'setWeight', tensor: name, index: [0, 0], value: 1 },
    { type: 'setWeight', tensor: name, index: [0], value: 1 },
    { type: 'reset', preset: name },
    { type: 'setPacing', mode: name },
    { type: 'setNetwork', network: { hidden: [{ units: 2, activation: name }] } },
    { type: 'setNetwork', network: { hidden: [{ units: 2, activation: 'tanh' }], loss: name } },
    { type: 'setNetwork', network: JSON.parse(`{"${name}": {"inputs": 2}, "hidden": [{"units": 2, "activation": "tanh"}]}`) },
    { type: 'setDataset', dataset: { kind: name } },
    { type: 'setDataset', dataset: { kind: 'truthTable', table: name } },
    { type: 'setDataset', dataset: { kind: 'points', set: name } },
  ];
}

const flagsNaming = (name: string) => [
  { target: { type: 'element', tensor: name, index: [0] }, on: true },
  { target: { type: 'element', tensor: name, index: [0, 0] }, on: true },
  { target: { type: 'element', tensor: name, index: [0] }, on: false },
  { target: { type: 'stage', stage: name }, on: true },
  { target: { type: name, stage: name }, on: true },
];

describe('a name that every object has', () => {
  it('is refused with a reason in every command, flag, sync and route, in every part of a pass, and changes nothing', async () => {
    const { id, instructorToken } = await createLecture(suite.server.url);
    const instructor = await suite.connect({ lectureId: id, token: instructorToken });
    const student = await suite.connect({ lectureId: id });
    // Idle, mid-forward, mid-backward and after an update: the lookups differ in each.
    for (const steps of [0, 3, 6, 6]) {
      for (let i = 0; i < steps; i++) expect((await instructor.command({ type: 'step' })).ok).toBe(true);
      const before = await suite.state(id);
      for (const name of PROTOTYPE_NAMES) {
        for (const command of commandsNaming(name)) {
          const ack = await instructor.command(command as Command);
          expect(ack, JSON.stringify(command)).toMatchObject({ ok: false, status: 400 });
          expect((ack as { error: string }).error.length).toBeGreaterThan(5);
          const res = await http(suite.server.url, 'POST', `/api/lectures/${id}/commands`, command, instructorToken);
          expect(res.status, JSON.stringify(command)).toBe(400);
          expect(res.json.error).toEqual(expect.any(String));
        }
        for (const request of flagsNaming(name)) {
          const ack = await student.socket.timeout(5000).emitWithAck('flag', request as never);
          expect(ack, JSON.stringify(request)).toMatchObject({ ok: false, status: 400 });
        }
        const sync = await student.socket.timeout(5000).emitWithAck('sync', { lastSeq: name } as never);
        expect(sync).toMatchObject({ error: expect.any(String) });
        const answer = await student.socket.timeout(5000).emitWithAck('prediction:submit', JSON.parse(`{"value": 1, "${name}": 1}`));
        expect(answer).toMatchObject({ ok: false });
        for (const path of [`/api/lectures/${name}/state`, `/api/lectures/${encodeURIComponent(name)}/export.ipynb`, `/api/lectures/${encodeURIComponent(name)}/owner`]) {
          expect((await http(suite.server.url, 'GET', path)).status).toBe(404);
        }
        for (const path of [`/api/datasets/${encodeURIComponent(name)}.csv`, `/api/lectures?before=${encodeURIComponent(name)}`, `/api/lectures?limit=${encodeURIComponent(name)}`]) {
          const res = await http(suite.server.url, 'GET', path);
          expect(res.status, path).toBe(400);
          expect(res.json.error).toEqual(expect.any(String));
        }
      }
      const after = await suite.state(id);
      expect(after).toEqual(before);
    }
    // Still serving, and still the same lecture for everyone.
    expect(await instructor.command({ type: 'step' })).toMatchObject({ ok: true });
    await student.atSeq((await suite.state(id)).seq);
    expect(student.errors).toEqual([]);
  });

  it('is refused at the handshake as a lecture code, and accepted as a display name shown as text', async () => {
    const { id } = await createLecture(suite.server.url);
    for (const name of PROTOTYPE_NAMES) {
      const student = await suite.connect({ lectureId: id, name, clientId: name.replace(/[^\w-]/g, 'x') || 'x' });
      expect(student.state?.lectureId).toBe(id);
    }
  });
});
