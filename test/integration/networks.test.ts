/**
 * Networks beyond the notebook, end to end: the instructor changes the data and the architecture
 * over socket.io, steps a 2-8-8-1 tanh network on the spiral set through every stage, trains it,
 * uploads a CSV; students hold the server's exact state throughout, and the numbers are checked
 * against the definition of the gradient (finite differences), not against the engine itself.
 */
import { describe, expect, it } from 'vitest';
import { makeDataset } from '../../shared/datasets/spec.js';
import type { MlpConfig } from '../../shared/engine/mlp/config.js';
import { packData } from '../../shared/engine/mlp/data.js';
import { mlpMeanLoss } from '../../shared/engine/mlp/gradcheck.js';
import { mlpLayout } from '../../shared/engine/mlp/layout.js';
import type { Snapshot } from '../../shared/protocol/snapshot.js';
import type { TrainingProgress } from '../../shared/protocol/socket.js';
import { useServer } from '../support/suite.js';
import { createLecture, http } from '../support/clients.js';

const suite = useServer();
const { connect, state } = suite;

const SPIRAL = { kind: 'points', set: 'spiral', count: 120, noise: 0.1, trainFraction: 0.5, seed: 3 } as const;
const TANH_8_8 = { hidden: [{ units: 8, activation: 'tanh' }, { units: 8, activation: 'tanh' }], biases: true } as const;

/** Parameters of a snapshot in the engine's layout order (what mlpMeanLoss reads). */
function paramsOf(s: Snapshot, config: MlpConfig) {
  const { layers } = mlpLayout(config);
  return {
    weights: layers.map((n) => [...s.tensors[n.W].data]),
    biases: config.biases ? layers.map((n) => [...s.tensors[n.b!].data]) : null,
  };
}

/** ∂L/∂p by central differences of the loss on one row, for every element of parameter `name`. */
function numericGradient(s: Snapshot, name: string, row: number): number[] {
  const config = s.network;
  const { layers } = mlpLayout(config);
  const data = packData(makeDataset(s.dataset).train, config.inputs);
  const layer = layers.findIndex((n) => n.W === name || n.b === name);
  const isBias = layers[layer].b === name;
  const h = 1e-6;
  return s.tensors[name].data.map((_, i) => {
    const at = (delta: number) => {
      const p = paramsOf(s, config);
      (isBias ? p.biases![layer] : p.weights[layer])[i] += delta;
      return mlpMeanLoss(config, p, data, row, 1);
    };
    return (at(h) - at(-h)) / (2 * h);
  });
}

describe('a 2-8-8-1 tanh network on the spiral set, over socket.io', () => {
  it('steps through every stage; students hold the server\'s exact numbers, and the gradients are the loss\'s', async () => {
    const { id, instructorToken } = await createLecture(suite.server.url, { learningRate: 0.3 });
    const instructor = await connect({ lectureId: id, token: instructorToken });
    const students = [await connect({ lectureId: id }), await connect({ lectureId: id })];

    expect(await instructor.command({ type: 'setDataset', dataset: SPIRAL, seed: 11 })).toMatchObject({ ok: true });
    expect(await instructor.command({ type: 'setNetwork', network: { ...TANH_8_8, loss: 'crossEntropy' }, seed: 7 })).toMatchObject({ ok: true });
    const start = await state(id);
    expect(start.network).toEqual({
      inputs: 2,
      hidden: [{ units: 8, activation: 'tanh' }, { units: 8, activation: 'tanh' }],
      output: { units: 1, activation: 'sigmoid' },
      loss: 'crossEntropy',
      biases: true,
      batch: 1,
    });
    expect(start.preset).toBe('random');
    expect(start.seed).toBe(7);
    expect(Object.keys(start.tensors).sort()).toEqual(['W1', 'W2', 'W3', 'b1', 'b2', 'b3']);
    expect(start.tensors.W2.shape).toEqual([8, 8]);

    const stages = mlpLayout(start.network).stages.map((s) => s.stage);
    expect(stages).toEqual(
      'input Z1 A1 Z2 A2 Z3 A3 L dL_dZ3 dL_dW3 dL_db3 dL_dA2 dA2_dZ2 dL_dZ2 dL_dW2 dL_db2 dL_dA1 dA1_dZ1 dL_dZ1 dL_dW1 dL_db1 update'.split(' '),
    );
    const seqAtStart = start.seq;
    for (const [i, stage] of stages.entries()) {
      expect(await instructor.command({ type: 'step' })).toMatchObject({ ok: true });
      const server = await state(id);
      expect(server.stage).toBe(stage);
      for (const s of students) expect(await s.atSeq(seqAtStart + i + 1)).toEqual(server);
    }

    // The pass, checked against the definitions (row 0 of the spiral's training split).
    const end = await state(id);
    const row = makeDataset(SPIRAL).train[0];
    expect(end.tensors.A0.data).toEqual(row.x);
    expect(end.tensors.y.data).toEqual([row.y]);
    const { W1, b1, Z1, A1, A3, L } = end.tensors;
    for (let j = 0; j < 8; j++) {
      const z = row.x[0] * start.tensors.W1.data[j] + row.x[1] * start.tensors.W1.data[8 + j] + start.tensors.b1.data[j];
      expect(Z1.data[j]).toBeCloseTo(z, 12);
      expect(A1.data[j]).toBeCloseTo(Math.tanh(z), 12);
    }
    const yHat = A3.data[0];
    expect(L.data[0]).toBeCloseTo(-(row.y * Math.log(yHat) + (1 - row.y) * Math.log(1 - yHat)), 10);
    // Gradients at the weights the pass ran with (before the update) equal finite differences of the loss.
    for (const name of ['W1', 'b1', 'W2', 'b2', 'W3', 'b3']) {
      const numeric = numericGradient(start, name, 0);
      end.tensors[`dL_d${name}`].data.forEach((g, i) => expect(g).toBeCloseTo(numeric[i], 6));
    }
    // The update: P ← P − η·dL/dP, with η = 0.3.
    W1.data.forEach((w, i) => expect(w).toBeCloseTo(start.tensors.W1.data[i] - 0.3 * end.tensors.dL_dW1.data[i], 14));
    b1.data.forEach((b, i) => expect(b).toBeCloseTo(start.tensors.b1.data[i] - 0.3 * end.tensors.dL_db1.data[i], 14));
  });

  it('trains with a test loss after every epoch, reports progress under the network\'s names, and learns the training set', async () => {
    const { id, instructorToken } = await createLecture(suite.server.url, { learningRate: 0.05 });
    const instructor = await connect({ lectureId: id, token: instructorToken });
    const student = await connect({ lectureId: id });
    const progress: TrainingProgress[] = [];
    student.socket.on('progress', (p) => progress.push(p));

    await instructor.command({ type: 'setDataset', dataset: { kind: 'points', set: 'circle', count: 200, noise: 0, trainFraction: 0.5, seed: 1 }, seed: 5 });
    await instructor.command({ type: 'setNetwork', network: { hidden: [{ units: 6, activation: 'tanh' }], biases: true, loss: 'crossEntropy' }, seed: 5 });
    expect(await instructor.command({ type: 'train', epochs: 300 })).toMatchObject({ ok: true });
    const s = await state(id);
    expect(s.lossCount).toBe(300);
    expect(s.testLossHistory).toHaveLength(300);
    expect(s.lossHistory.at(-1)!).toBeLessThan(s.lossHistory[0] / 4);
    expect(s.testLossHistory.at(-1)!).toBeLessThan(s.testLossHistory[0] / 4);
    expect(await student.atSeq(s.seq)).toEqual(s);
    for (const p of progress) expect(Object.keys(p.params).sort()).toEqual(['W1', 'W2', 'b1', 'b2']);

    // The exports name the same parameters; loss.csv has a test column.
    const weights = await http(suite.server.url, 'GET', `/api/lectures/${id}/export/weights.json`);
    expect(weights.json.W1).toHaveLength(2);
    expect(weights.json.b2).toEqual(s.tensors.b2.data);
    expect(weights.json.network).toEqual(s.network);
    const csv = await http(suite.server.url, 'GET', `/api/lectures/${id}/export/loss.csv`);
    expect(csv.text.split('\n')[0]).toBe('epoch,loss,test_loss');
    expect(csv.text.split('\n')[300]).toBe(`300,${s.lossHistory[299]},${s.testLossHistory[299]}`);
    const notebook = await http(suite.server.url, 'GET', `/api/lectures/${id}/export.ipynb`);
    expect(notebook.status).toBe(200);
    expect(notebook.json.nbformat).toBe(4);
  });

  it('undoes a change of network and of data exactly, back to the notebook\'s numbers', async () => {
    const { id, instructorToken } = await createLecture(suite.server.url);
    const instructor = await connect({ lectureId: id, token: instructorToken });
    for (const c of [{ type: 'step' }, { type: 'step' }, { type: 'step' }] as const) await instructor.command(c);
    const notebook = await state(id);
    expect(notebook.tensors.B_act.data[0]).toBeCloseTo(0.8014, 4);
    await instructor.command({ type: 'setDataset', dataset: { kind: 'truthTable', table: 'xor' } });
    await instructor.command({ type: 'setNetwork', network: TANH_8_8 });
    expect((await state(id)).network.inputs).toBe(2);
    await instructor.command({ type: 'back' });
    await instructor.command({ type: 'back' });
    const back = await state(id);
    expect({ ...back, seq: 0, undoDepth: 0 }).toEqual({ ...notebook, seq: 0, undoDepth: 0 });
  });

  it('refuses what does not fit the lecture\'s network with a clear error, changing nothing', async () => {
    const { id, instructorToken } = await createLecture(suite.server.url);
    const instructor = await connect({ lectureId: id, token: instructorToken });
    const before = await state(id);
    const cases: [unknown, number, string][] = [
      [{ type: 'setWeight', tensor: 'W1', index: [0, 0], value: 1 }, 400, 'W1 is not a weight of this network'],
      [{ type: 'selectSample', index: 8 }, 400, 'row 8 is outside the data'],
      [{ type: 'ask', tensor: 'Z1', index: [0] }, 400, 'this network has no tensor Z1'],
      [{ type: 'setNetwork', network: { hidden: [{ units: 4, activation: 'sigmoid' }], output: { activation: 'linear' }, loss: 'crossEntropy' } }, 400, 'cross-entropy needs a sigmoid output'],
      [{ type: 'setNetwork', network: { hidden: [{ units: 5, activation: 'sigmoid' }] }, preset: 'notebook' }, 409, "the notebook's weights fit only a 3-4-1 network"],
      // A table travels by upload (the HTTP command API still takes the old inline form); the socket names the route.
      [{ type: 'setDataset', dataset: { kind: 'csv', text: 'x,y\n1,2\n3,oops\n' } }, 400, 'a CSV is not sent inline: upload the file'],
      [{ type: 'setDataset', dataset: { kind: 'csv', digest: 'e'.repeat(64) } }, 400, 'upload the CSV first'],
    ];
    for (const [command, status, message] of cases) {
      const ack = await instructor.command(command);
      expect(ack, JSON.stringify(command)).toMatchObject({ ok: false, status });
      expect((ack as { error: string }).error).toContain(message);
    }
    const flag = await instructor.socket.timeout(5000).emitWithAck('flag', { target: { type: 'stage', stage: 'Z1' }, on: true });
    expect(flag).toMatchObject({ ok: false });
    expect(await state(id)).toEqual(before);
  });
});

describe('CSV upload', () => {
  const upload = (id: string, token: string | undefined, body: string, query = '') =>
    fetch(`${suite.server.url}/api/lectures/${id}/dataset.csv${query}`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body,
    }).then(async (r) => ({ status: r.status, json: await r.json() }));

  it('switches the lecture to the uploaded table, and every student gets it', async () => {
    const { id, instructorToken } = await createLecture(suite.server.url);
    const student = await connect({ lectureId: id });
    const rows = Array.from({ length: 40 }, (_, i) => `${(i % 7) / 7},${(i % 5) / 5},${i % 3 === 0 ? 1 : 0}`);
    const res = await upload(id, instructorToken, `width,height,label\n${rows.join('\n')}\n`, '?name=boxes.csv&trainFraction=0.75');
    expect(res).toEqual({ status: 200, json: { ok: true, seq: 1, digest: expect.stringMatching(/^[0-9a-f]{64}$/), rows: 40, features: 2 } });
    const s = await state(id);
    expect(s.dataset).toMatchObject({ kind: 'csv', name: 'boxes.csv', trainFraction: 0.75 });
    const dataset = makeDataset(s.dataset);
    expect(dataset.featureNames).toEqual(['width', 'height']);
    expect(dataset.train).toHaveLength(30);
    expect(dataset.test).toHaveLength(10);
    expect(s.network.inputs).toBe(2);
    expect(await student.atSeq(1)).toEqual(s);
  });

  it.each([
    ['a text cell', 'a,b,y\n1,2,0\n3,abc,1\n', 'line 3, column 2'],
    ['a missing value', 'a,b,y\n1,,0\n', 'line 2, column 2'],
    ['a ragged row', 'a,b,y\n1,2,0\n1,2\n', 'line 3'],
    ['more than 10,000 rows', `a,y\n${'1,0\n'.repeat(10_001)}`, 'the file has 10,001 data rows; at most 10,000'],
    ['more than 16 features', `${Array.from({ length: 18 }, (_, i) => `c${i}`).join(',')}\n${Array(18).fill(1).join(',')}\n`, '16'],
    ['nothing at all', '', 'empty'],
  ])('refuses %s with the line and column, changing nothing', async (_what, body, message) => {
    const { id, instructorToken } = await createLecture(suite.server.url);
    const before = await state(id);
    const res = await upload(id, instructorToken, body);
    expect(res.status).toBe(400);
    expect(res.json.error).toContain(message);
    expect(await state(id)).toEqual(before);
  });

  it('names each problem\'s line and column in the body, needs the instructor token, and bounds the size', async () => {
    const { id, instructorToken } = await createLecture(suite.server.url);
    const bad = await upload(id, instructorToken, 'a,b,y\n1,2,0\nx,2,1\n');
    expect(bad.json.issues).toEqual([expect.objectContaining({ line: 3, column: 1 })]);
    expect((await upload(id, undefined, 'a,y\n1,0\n')).status).toBe(401);
    expect((await upload(id, 'wrong-token', 'a,y\n1,0\n')).status).toBe(401);
    const huge = await upload(id, instructorToken, `a,y\n${'0.123456789,1\n'.repeat(170_000)}`);
    expect(huge.status).toBe(413);
  });

  it('refuses regression targets for cross-entropy with a reason', async () => {
    const { id, instructorToken } = await createLecture(suite.server.url);
    const instructor = await connect({ lectureId: id, token: instructorToken });
    await instructor.command({ type: 'setNetwork', network: { hidden: [{ units: 4, activation: 'sigmoid' }], loss: 'crossEntropy' } });
    const res = await upload(id, instructorToken, 'a,y\n1,2.5\n2,3.5\n');
    expect(res.status).toBe(409);
    expect(res.json.error).toContain('binary cross-entropy needs targets between 0 and 1');
  });
});
