/**
 * The notebook export round trip: the exported .ipynb's code cells, run in order by plain python3
 * with numpy, leave W and V equal to the lecture's weights at the moment of export, to 1e-9.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../support/server.js';
import { createLecture, http } from '../support/clients.js';

/** The first Python that has numpy (.ci/run installs Debian's python3-numpy when none has). */
function pythonWithNumpy(): string {
  for (const candidate of ['python3', '/usr/bin/python3']) {
    const r = spawnSync(candidate, ['-c', 'import numpy'], { stdio: 'ignore' });
    if (r.status === 0) return candidate;
  }
  throw new Error('no python3 with numpy: install it (apt-get install -y python3-numpy)');
}

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

function runCells(notebook: Notebook): { W: number[][]; V: number[][] } {
  const program = notebook.cells
    .filter((c) => c.cell_type === 'code')
    .map((c) => c.source.join(''))
    .join('\n\n');
  const out = execFileSync(pythonWithNumpy(), ['-c', `${program}\n\nimport json\nprint(json.dumps({"W": W.tolist(), "V": V.tolist()}))`], { encoding: 'utf8', timeout: 60_000 });
  return JSON.parse(out.trim().split('\n').at(-1)!);
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
