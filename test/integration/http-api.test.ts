import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOTEBOOK_MLP_CONFIG } from '../../shared/engine/mlp/config.js';
import { mlpLayout } from '../../shared/engine/mlp/layout.js';
import type { Recording } from '../../shared/protocol/http.js';
import { applyFrame, type Snapshot } from '../../shared/protocol/snapshot.js';
import { startServer, type TestServer } from '../support/server.js';
import { createLecture, http } from '../support/clients.js';
import notebook from '../fixtures/notebook-values.json' with { type: 'json' };

/** The notebook network's 14 stages, in order (every new lecture starts on it). */
const STAGES = mlpLayout(NOTEBOOK_MLP_CONFIG).stages.map((s) => s.stage);

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.close();
});

const close = (a: readonly number[], b: readonly number[], tol = 1e-7) => a.every((x, i) => Math.abs(x - b[i]) <= tol);

describe('the notebook walk-through over HTTP', () => {
  it('creates a lecture, steps through every stage of a pass and records it', async () => {
    const created = await createLecture(server.url, { title: 'Backprop 101', preset: 'notebook' });
    expect(created.id).toMatch(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{6}$/);
    expect(created.studentUrl).toBe(`${server.url}/lecture/${created.id}`);
    expect(created.instructorUrl).toBe(`${server.url}/lecture/${created.id}/instructor#token=${created.instructorToken}`);

    const initial = await http(server.url, 'GET', `/api/lectures/${created.id}/state`);
    expect(initial.status).toBe(200);
    expect(initial.json).toMatchObject({ lectureId: created.id, seq: 0, stage: 'idle', sampleIndex: 0, epoch: 0, learningRate: 1, lossHistory: [] });
    expect(Object.keys(initial.json.tensors).sort()).toEqual(['V', 'W']);

    const stages: string[] = [];
    let last: Snapshot = initial.json;
    for (const _ of STAGES) {
      const res = await http(server.url, 'POST', `/api/lectures/${created.id}/commands`, { type: 'step' }, created.instructorToken);
      expect(res.status).toBe(200);
      expect(res.json.seq).toBe(last.seq + 1);
      last = res.json;
      stages.push(last.stage);
      if (last.stage === 'L') {
        const printed = notebook.printed_forward_sample0;
        expect(last.tensors.A!.data).toEqual(printed.A);
        expect(close(last.tensors.B!.data, printed.B)).toBe(true);
        expect(close(last.tensors.B_act!.data, printed.B_act)).toBe(true);
        expect(close(last.tensors.C_act!.data, printed.C_act)).toBe(true);
        expect(close(last.tensors.L!.data, printed.L)).toBe(true);
        expect(last.tensors.dL_dV).toBeUndefined(); // not computed yet in this pass
      }
    }
    expect(stages).toEqual([...STAGES]);
    expect(last.tensors.W!.data).not.toEqual(initial.json.tensors.W.data);

    const recording = (await http(server.url, 'GET', `/api/lectures/${created.id}/recording`)).json as Recording;
    expect(recording.lecture).toMatchObject({ id: created.id, title: 'Backprop 101', eventCount: 14 });
    expect(recording.events.map((e) => e.seq)).toEqual(Array.from({ length: 14 }, (_, i) => i + 1));
    expect(recording.events.every((e) => e.command.type === 'step' && typeof e.at === 'number')).toBe(true);
    // Replay without the engine: fold the frames over the initial snapshot.
    const replayed = recording.events.reduce((s, e) => applyFrame(s, e.frame), recording.lecture.initial);
    expect(replayed).toEqual(last);
    expect(JSON.stringify(recording)).not.toContain(created.instructorToken);
  });

  it('lists listed lectures without secrets and hides unlisted ones', async () => {
    const listed = await createLecture(server.url, { title: 'Listed', listed: true });
    // Not listed unless asked: the list shows a stranger's title to every visitor.
    const hidden = await createLecture(server.url, { title: 'Hidden' });
    const res = await http(server.url, 'GET', '/api/lectures');
    expect(res.status).toBe(200);
    const ids = res.json.map((l: { id: string }) => l.id);
    expect(ids).toContain(listed.id);
    expect(ids).not.toContain(hidden.id);
    const entry = res.json.find((l: { id: string }) => l.id === listed.id);
    expect(Object.keys(entry).sort()).toEqual(['createdAt', 'eventCount', 'id', 'title']);
    expect(res.text).not.toContain(listed.instructorToken);
    // The unlisted one is reachable by its code, typed loosely.
    const byCode = await http(server.url, 'GET', `/api/lectures/${hidden.id.toLowerCase().slice(0, 3)}-${hidden.id.toLowerCase().slice(3)}/state`);
    expect(byCode.status).toBe(200);
    expect(byCode.json.title).toBe('Hidden');
  });

  it('uses the random preset with a seed reproducibly', async () => {
    const a = await createLecture(server.url, { preset: 'random', seed: 31337, learningRate: 0.5 });
    const b = await createLecture(server.url, { preset: 'random', seed: 31337 });
    const sa = (await http(server.url, 'GET', `/api/lectures/${a.id}/state`)).json;
    const sb = (await http(server.url, 'GET', `/api/lectures/${b.id}/state`)).json;
    expect(sa.tensors.W).toEqual(sb.tensors.W);
    expect(sa.learningRate).toBe(0.5);
    expect(sa.seed).toBe(31337);
  });
});

describe('refusals', () => {
  it('answers 401, 400, 404 and 409 with a message, and changes nothing', async () => {
    const { id, instructorToken } = await createLecture(server.url);
    const path = `/api/lectures/${id}/commands`;
    const before = (await http(server.url, 'GET', `/api/lectures/${id}/state`)).json;

    const noToken = await http(server.url, 'POST', path, { type: 'step' });
    expect(noToken.status).toBe(401);
    expect(noToken.json.error).toMatch(/instructor token/);
    const wrongToken = await http(server.url, 'POST', path, { type: 'step' }, 'not-the-token');
    expect(wrongToken.status).toBe(401);
    const malformed = await http(server.url, 'POST', path, '{"type": "step"', instructorToken);
    expect(malformed.status).toBe(400);
    expect(malformed.json.error).toMatch(/malformed JSON/);
    const unknownType = await http(server.url, 'POST', path, { type: 'jump' }, instructorToken);
    expect(unknownType.status).toBe(400);
    expect(unknownType.json.error).toMatch(/unknown command type "jump"/);
    const badEpochs = await http(server.url, 'POST', path, { type: 'train', epochs: 1e9 }, instructorToken);
    expect(badEpochs.status).toBe(400);
    expect(badEpochs.json.error).toMatch(/epochs/);
    const nothingToUndo = await http(server.url, 'POST', path, { type: 'back' }, instructorToken);
    expect(nothingToUndo.status).toBe(409);
    expect(nothingToUndo.json.error).toBe('nothing to undo');
    const huge = await http(server.url, 'POST', path, { type: 'step', pad: 'x'.repeat(100_000) }, instructorToken);
    expect(huge.status).toBe(413);
    const unknownLecture = await http(server.url, 'POST', '/api/lectures/ZZZZZZ/commands', { type: 'step' }, instructorToken);
    expect(unknownLecture.status).toBe(404);
    expect((await http(server.url, 'GET', '/api/lectures/ZZZZZZ/state')).status).toBe(404);
    expect((await http(server.url, 'GET', '/api/lectures/not-a-code/recording')).status).toBe(404);

    const after = (await http(server.url, 'GET', `/api/lectures/${id}/state`)).json;
    expect(after).toEqual(before);
  });

  it('validates lecture creation', async () => {
    for (const [body, message] of [
      [{ preset: 'big' }, 'preset'],
      [{ learningRate: -1 }, 'learningRate'],
      [{ seed: 1.5 }, 'seed'],
      [{ title: 'x'.repeat(500) }, 'title'],
      [{ listed: 'yes' }, 'listed'],
      [{ surprise: true }, 'unknown field "surprise"'],
    ] as const) {
      const res = await http(server.url, 'POST', '/api/lectures', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.error).toContain(message);
    }
  });

  it('answers 409 for a pass that is already past the stage', async () => {
    const { id, instructorToken } = await createLecture(server.url);
    const path = `/api/lectures/${id}/commands`;
    expect((await http(server.url, 'POST', path, { type: 'backward' }, instructorToken)).json.stage).toBe('dL_dW');
    const again = await http(server.url, 'POST', path, { type: 'forward' }, instructorToken);
    expect(again.status).toBe(409);
    expect(again.json.error).toMatch(/forward pass already ran/);
  });
});
