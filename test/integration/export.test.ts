/**
 * The notebook export round trip: the exported .ipynb's code cells, run in order by plain python3
 * with numpy, leave the parameters (W and V for the notebook's network; W1, b1, … for any other)
 * equal to the lecture's at the moment of export, to 1e-9.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../support/server.js';
import { createLecture, http } from '../support/clients.js';

/** Debian's python3 with its numpy: `npm test` installs python3-numpy when missing (scripts/ensure-test-deps.mjs). */
const PYTHON = '/usr/bin/python3';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.close();
});

interface Notebook {
  nbformat: number;
  cells: { cell_type: string; source: string[] }[];
}

/** Runs the code cells in order, then `trailer`; returns everything printed, line by line. */
function runPython(notebook: Notebook, trailer: string): string[] {
  const program = notebook.cells
    .filter((c) => c.cell_type === 'code')
    .map((c) => c.source.join(''))
    .join('\n\n');
  const out = execFileSync(PYTHON, ['-c', `${program}\n\nimport json\n${trailer}`], { encoding: 'utf8', timeout: 60_000 });
  return out.trim().split('\n');
}

function runCells(notebook: Notebook): { W: number[][]; V: number[][] } {
  return JSON.parse(runPython(notebook, 'print(json.dumps({"W": W.tolist(), "V": V.tolist()}))').at(-1)!);
}

async function command(id: string, token: string, body: object) {
  const res = await http(server.url, 'POST', `/api/lectures/${id}/commands`, body, token);
  expect(res.status, JSON.stringify(res.json)).toBe(200);
  return res.json;
}

describe('export', () => {
  it('a notebook whose code reproduces the lecture\'s weights to 1e-9', async () => {
    const { id, instructorToken: token } = await createLecture(server.url, { title: 'Export me' });
    await command(id, token, { type: 'update' });
    await command(id, token, { type: 'update' });
    await command(id, token, { type: 'back' }); // undone: must not be in the notebook
    await command(id, token, { type: 'forward' });
    await command(id, token, { type: 'setLearningRate', value: 0.5 });
    await command(id, token, { type: 'update' });
    await command(id, token, { type: 'selectSample', index: 6 });
    await command(id, token, { type: 'update' });
    await command(id, token, { type: 'setWeight', tensor: 'V', index: [2, 0], value: -0.75 });
    await command(id, token, { type: 'train', epochs: 150 });
    for (let i = 0; i < 20; i++) await command(id, token, { type: 'step' });
    const state = (await http(server.url, 'GET', `/api/lectures/${id}/state`)).json;

    const res = await fetch(`${server.url}/api/lectures/${id}/export.ipynb`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain(`backprop-live-${id}.ipynb`);
    const notebook = (await res.json()) as Notebook;
    expect(notebook.nbformat).toBe(4);
    const text = JSON.stringify(notebook);
    for (const name of ['A', 'W', 'B', 'B_act', 'V', 'C', 'C_act', 'L', 'dL_dV', 'dL_dW']) expect(text).toMatch(new RegExp(`\\b${name} = `));
    expect(text).toContain('# Train');

    const { W, V } = runCells(notebook);
    W.flat().forEach((w, k) => expect(Math.abs(w - state.tensors.W.data[k])).toBeLessThan(1e-9));
    V.flat().forEach((v, k) => expect(Math.abs(v - state.tensors.V.data[k])).toBeLessThan(1e-9));
  });

  it('a random-preset lecture with a reset replays from its seeded weights', async () => {
    const { id, instructorToken: token } = await createLecture(server.url, { preset: 'random', seed: 77 });
    await command(id, token, { type: 'train', epochs: 30 });
    await command(id, token, { type: 'reset', preset: 'random', seed: 8 });
    await command(id, token, { type: 'update' });
    const state = (await http(server.url, 'GET', `/api/lectures/${id}/state`)).json;
    const { W, V } = runCells((await http(server.url, 'GET', `/api/lectures/${id}/export.ipynb`)).json);
    W.flat().forEach((w, k) => expect(Math.abs(w - state.tensors.W.data[k])).toBeLessThan(1e-9));
    V.flat().forEach((v, k) => expect(Math.abs(v - state.tensors.V.data[k])).toBeLessThan(1e-9));
  });

  it('the weights as JSON and the exact loss history as CSV', async () => {
    const { id, instructorToken: token } = await createLecture(server.url);
    await command(id, token, { type: 'train', epochs: 3 });
    const state = (await http(server.url, 'GET', `/api/lectures/${id}/state`)).json;
    const weights = (await http(server.url, 'GET', `/api/lectures/${id}/export/weights.json`)).json;
    expect(weights.W.flat()).toEqual(state.tensors.W.data);
    expect(weights.V).toEqual(state.tensors.V.data.map((v: number) => [v]));
    const csv = await (await fetch(`${server.url}/api/lectures/${id}/export/loss.csv`)).text();
    const rows = csv.trim().split('\n');
    expect(rows[0]).toBe('epoch,loss');
    expect(rows.slice(1).map((r) => Number(r.split(',')[1]))).toEqual(state.lossHistory);
    expect((await http(server.url, 'GET', '/api/lectures/QQQQQQ/export.ipynb')).status).toBe(404);
  });
});

/** What the generated notebook leaves: every parameter, the difference it printed, and the held-out loss when there are held-out rows. */
interface MlpRun {
  params: Record<string, number[] | number[][]>;
  printedDifference: number;
  testLoss: number | null;
}

function runMlpNotebook(notebook: Notebook): MlpRun {
  const out = runPython(
    notebook,
    'print(json.dumps({"params": {k: v.tolist() for k, v in params.items()}, "testLoss": float(test_loss(params)) if "test_loss" in globals() else None}))',
  );
  const { params, testLoss } = JSON.parse(out.at(-1)!);
  const printed = out.find((line) => line.startsWith('largest difference from the lecture:'));
  return { params, testLoss, printedDifference: Number(printed?.split(':')[1]) };
}

/** Exports the lecture, runs the notebook and checks every parameter against the lecture's state now. */
async function expectNotebookReproduces(id: string): Promise<{ notebook: Notebook; run: MlpRun; state: any }> {
  const state = (await http(server.url, 'GET', `/api/lectures/${id}/state`)).json;
  const res = await http(server.url, 'GET', `/api/lectures/${id}/export.ipynb`);
  expect(res.status, res.text.slice(0, 300)).toBe(200);
  const notebook = res.json as Notebook;
  expect(notebook.nbformat).toBe(4);
  const run = runMlpNotebook(notebook);
  const names = Object.keys(state.tensors).filter((name) => /^[Wb]\d+$/.test(name));
  expect(Object.keys(run.params).sort()).toEqual(names.sort());
  for (const name of names) {
    const got = [run.params[name]].flat(2);
    const want: number[] = state.tensors[name].data;
    expect(got).toHaveLength(want.length);
    got.forEach((v, k) => expect(Math.abs(v - want[k]), `${name}[${k}]`).toBeLessThan(1e-9));
  }
  expect(run.printedDifference).toBeLessThan(1e-9);
  return { notebook, run, state };
}

describe('export of any network', () => {
  it('a 2-8-8-1 tanh network with biases and cross-entropy on the spiral set, with its held-out rows', async () => {
    const { id, instructorToken: token } = await createLecture(server.url, { title: 'Spiral' });
    await command(id, token, { type: 'setDataset', dataset: { kind: 'points', set: 'spiral', count: 80, noise: 0.1, trainFraction: 0.75, seed: 2 } });
    const hidden = [
      { units: 8, activation: 'tanh' },
      { units: 8, activation: 'tanh' },
    ];
    await command(id, token, { type: 'setNetwork', network: { hidden, output: { activation: 'sigmoid' }, loss: 'crossEntropy', biases: true, batch: 1 }, seed: 11 });
    await command(id, token, { type: 'setLearningRate', value: 0.1 });
    for (let i = 0; i < 3; i++) await command(id, token, { type: 'step' });
    await command(id, token, { type: 'forward' });
    await command(id, token, { type: 'backward' });
    await command(id, token, { type: 'update' });
    await command(id, token, { type: 'update' });
    await command(id, token, { type: 'setWeight', tensor: 'b2', index: [3], value: 0.25 });
    await command(id, token, { type: 'update' });
    await command(id, token, { type: 'back' }); // undone: must not be in the notebook
    await command(id, token, { type: 'selectSample', index: 57 });
    for (let i = 0; i < 5; i++) await command(id, token, { type: 'update' }); // wraps to row 0: a new epoch
    await command(id, token, { type: 'train', epochs: 30 });

    const { notebook, run, state } = await expectNotebookReproduces(id);
    const text = JSON.stringify(notebook);
    for (const name of ['A0', 'Z1', 'A1', 'Z2', 'A2', 'Z3', 'A3', 'L', 'dL_dZ3', 'dL_dW3', 'dL_db3', 'dL_dA2', 'dA2_dZ2', 'dL_dZ1', 'dL_dW1', 'X_test']) {
      expect(text).toMatch(new RegExp(`\\b${name} = `));
    }
    expect(text).toContain("params['b2'][3] = 0.25");
    expect(text).not.toContain('dL_dA3'); // cross-entropy: the output's δ comes straight from ŷ − y
    // The held-out loss after the 30th epoch, as the lecture measured it with the same parameters.
    expect(Math.abs(run.testLoss! - state.testLossHistory.at(-1))).toBeLessThan(1e-9);
  });

  it('a mini-batch ReLU network with a linear output and ½(y − ŷ)² on an uploaded CSV of regression targets', async () => {
    const { id, instructorToken: token } = await createLecture(server.url, { title: 'Houses' });
    const rows = Array.from({ length: 37 }, (_, i) => {
      const [a, b, c] = [(i % 7) / 7, ((i * 3) % 11) / 11, Math.sin(i)];
      return `${a},${b},${c.toFixed(4)},${(2 * a - b + 0.5 * c * c).toFixed(5)}`;
    });
    const upload = await fetch(`${server.url}/api/lectures/${id}/dataset.csv?name=houses.csv&trainFraction=0.8`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', authorization: `Bearer ${token}` },
      body: `size,age,slope,price\n${rows.join('\n')}\n`,
    });
    expect(upload.status).toBe(200);
    const hidden = [
      { units: 6, activation: 'relu' },
      { units: 4, activation: 'relu' },
    ];
    await command(id, token, { type: 'setNetwork', network: { hidden, output: { activation: 'linear' }, loss: 'halfSquaredError', biases: true, batch: 5 }, preset: 'random', seed: 5 });
    await command(id, token, { type: 'setLearningRate', value: 0.05 });
    for (let i = 0; i < 3; i++) await command(id, token, { type: 'update' });
    await command(id, token, { type: 'selectSample', index: 27 }); // rows 27–29: the epoch's short last batch (30 training rows)
    await command(id, token, { type: 'update' });
    await command(id, token, { type: 'forward' });
    await command(id, token, { type: 'step' });
    await command(id, token, { type: 'train', epochs: 20 });
    await command(id, token, { type: 'setWeight', tensor: 'W2', index: [1, 2], value: -0.5 });
    for (let i = 0; i < 4; i++) await command(id, token, { type: 'update' });
    await command(id, token, { type: 'reset', preset: 'random', seed: 9 });
    await command(id, token, { type: 'setLearningRate', value: 0.02 });
    for (let i = 0; i < 8; i++) await command(id, token, { type: 'update' });
    await command(id, token, { type: 'backward' });

    const { notebook, state } = await expectNotebookReproduces(id);
    expect(state.network.batch).toBe(5);
    const text = JSON.stringify(notebook);
    expect(text).toContain('BATCH = 5');
    expect(text).toContain('A0.T @ dL_dZ1 / k');
    // The column names, as string literals (user text never reaches code otherwise).
    const code = notebook.cells.filter((c) => c.cell_type === 'code').map((c) => c.source.join(''));
    expect(code).toContainEqual(expect.stringMatching(/^FEATURES = \["size", "age", "slope"\]\nTARGET = "price"\nX = /));
  });

  it('a full-batch sigmoid network on XOR', async () => {
    const { id, instructorToken: token } = await createLecture(server.url, { title: 'XOR' });
    await command(id, token, { type: 'setDataset', dataset: { kind: 'truthTable', table: 'xor' } });
    await command(id, token, { type: 'setNetwork', network: { hidden: [{ units: 3, activation: 'sigmoid' }], biases: true, batch: 'full' }, preset: 'random', seed: 4 });
    await command(id, token, { type: 'setLearningRate', value: 2 });
    for (let i = 0; i < 3; i++) await command(id, token, { type: 'update' });
    await command(id, token, { type: 'train', epochs: 200 });
    await command(id, token, { type: 'setWeight', tensor: 'W1', index: [0, 1], value: 1.5 });
    for (let i = 0; i < 4; i++) await command(id, token, { type: 'step' });

    const { notebook } = await expectNotebookReproduces(id);
    expect(JSON.stringify(notebook)).toContain('BATCH = len(X)');
  });
});
