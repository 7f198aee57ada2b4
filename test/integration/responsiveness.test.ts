/**
 * One hostile lecture does not freeze the others. The server runs as its own process; a lecture
 * with the largest network on a 10,000-row table that has trained is exported, loaded cold after a
 * restart and trained again, all at once, while another lecture's /state is asked for every few
 * milliseconds: p99 of those answers stays under half a second (about 7 ms here on a quiet machine;
 * how fast it is lives in `npm run bench`, this test is about not freezing).
 *
 * Before training results were recorded, the cold load and the export each re-ran every recorded
 * training on the event loop (seconds for this lecture), and every answer waited behind them. The
 * bound is far above a quiet machine's figure so that a CI machine running other suites at once
 * (one stall of 685 ms was seen under a load average of 11 on 2 cores) does not fail it, and far
 * below the seconds a freeze costs.
 */
import { describe, expect, it } from 'vitest';
import { CSV_LIMITS } from '../../shared/datasets/csv.js';
import { MLP_LIMITS } from '../../shared/engine/mlp/config.js';
import { createLecture, http } from '../support/clients.js';
import { useChildServers } from '../support/child-server.js';

const servers = useChildServers('backprop-responsive-');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The largest table an instructor may upload: 10,000 rows of 16 features and a 0/1 target. */
function largestCsv(): string {
  const features = MLP_LIMITS.maxInputs;
  const header = [...Array.from({ length: features }, (_, j) => `x${j}`), 'y'].join(',');
  const rows = Array.from({ length: CSV_LIMITS.maxRows }, (_, i) => {
    const xs = Array.from({ length: features }, (_, j) => ((Math.sin(i * 12.9898 + j * 78.233) * 43758.5453) % 1).toFixed(4));
    return [...xs, i % 2].join(',');
  });
  return `${header}\n${rows.join('\n')}\n`;
}

async function trainFor(url: string, id: string, token: string, ms: number): Promise<void> {
  const training = http(url, 'POST', `/api/lectures/${id}/commands`, { type: 'train', epochs: 100_000 }, token);
  await sleep(ms);
  expect((await http(url, 'POST', `/api/lectures/${id}/commands`, { type: 'stop' }, token)).status).toBe(200);
  expect((await training).status).toBe(200);
}

describe('a hostile lecture beside a quiet one', () => {
  it('keeps the quiet lecture answering (p99 under 500 ms, not seconds) while it is exported, loaded cold and trained at once', { timeout: 120_000 }, async () => {
    let { url, child } = await servers.start();
    const quiet = await createLecture(url, { title: 'quiet' });
    const hostile = await createLecture(url, { title: 'hostile' });
    const upload = await fetch(`${url}/api/lectures/${hostile.id}/dataset.csv?name=big.csv`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', authorization: `Bearer ${hostile.instructorToken}` },
      body: largestCsv(),
    });
    expect(upload.status, await upload.clone().text()).toBe(200);
    const widest = Array.from({ length: MLP_LIMITS.maxHiddenLayers }, () => ({ units: MLP_LIMITS.maxUnits, activation: 'tanh' }));
    const network = await http(url, 'POST', `/api/lectures/${hostile.id}/commands`, { type: 'setNetwork', network: { hidden: widest, biases: true } }, hostile.instructorToken);
    expect(network.status).toBe(200);
    await trainFor(url, hostile.id, hostile.instructorToken, 1500);
    await trainFor(url, hostile.id, hostile.instructorToken, 1500);
    expect((await http(url, 'GET', `/api/lectures/${hostile.id}/state`)).json.epoch).toBeGreaterThan(0);

    // Restart: the hostile lecture will be loaded cold by the first request that names it.
    await servers.kill9(child);
    ({ url, child } = await servers.start());
    expect((await http(url, 'GET', `/api/lectures/${quiet.id}/state`)).status).toBe(200);

    const latencies: number[] = [];
    let measuring = true;
    const probe = (async () => {
      while (measuring) {
        const t0 = performance.now();
        const res = await http(url, 'GET', `/api/lectures/${quiet.id}/state`);
        latencies.push(performance.now() - t0);
        expect(res.status).toBe(200);
        await sleep(5);
      }
    })();
    await sleep(200);
    const attack = Promise.all([
      http(url, 'GET', `/api/lectures/${hostile.id}/export.ipynb`),
      trainFor(url, hostile.id, hostile.instructorToken, 3000),
      sleep(500).then(() => http(url, 'GET', `/api/lectures/${hostile.id}/export.ipynb`)),
    ]);
    const [exported] = await attack;
    expect(exported.status).toBe(200);
    await sleep(200);
    measuring = false;
    await probe;

    latencies.sort((a, b) => a - b);
    const p99 = latencies[Math.floor(latencies.length * 0.99)];
    console.log(`quiet lecture /state: ${latencies.length} answers, p50 ${latencies[latencies.length >> 1].toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${latencies.at(-1)!.toFixed(1)} ms`);
    expect(latencies.length).toBeGreaterThan(100);
    expect(p99).toBeLessThan(500);
  });
});
