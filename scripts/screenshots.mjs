#!/usr/bin/env node
/**
 * Screenshots of the built app for the docs: node scripts/screenshots.mjs (after npm run build).
 * Starts the built server (dist/server/main.js) on a free port with a temporary DATA_DIR,
 * drives a lecture to the middle of a backward pass after some training, asks the class to
 * predict an element (a phone student and a few socket.io students answer, some flag what
 * lost them), and writes docs/screenshots/{student-phone-first,student-phone-question,student,student-phone,instructor,student-sandbox,instructor-flags,replay,replay-phone}.png;
 * then a 2-8-8-1 tanh network on the spiral set: {network-spiral,network-boundary,instructor-setup}.png
 * with Debian's Chromium: the phone with the question answered, the console with the answers
 * coming in and the flags, the laptop student after the reveal. Before all that, the lecture hall:
 * the projector display of a notebook lecture at B_act at 1280×720 and 1920×1080 and after a
 * question's reveal ({projector,projector-1920,projector-revealed}.png), and a fresh lecture's
 * console at 1366×768 (console.png).
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { io } from 'socket.io-client';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'docs', 'screenshots');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** A port free on 127.0.0.1 now (the pages' own origin must be known to allow it beside PUBLIC_URL). */
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer().once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

async function startServer() {
  const dataDir = mkdtempSync(join(tmpdir(), 'backprop-shots-'));
  const port = await freePort();
  const child = spawn(process.execPath, [join(root, 'dist/server/main.js')], {
    // The links and QR codes a classroom's server hands out (an address on the room's network), not this
    // loopback one; the pages themselves are opened on loopback, so that origin is allowed too.
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      CREATE_KEY: '',
      PUBLIC_URL: 'http://192.168.1.20:3000',
      ALLOWED_ORIGINS: `http://127.0.0.1:${port}`,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let started = false;
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = /listening on http:\/\/[^:]+:(\d+)/.exec(out);
      // Only once: later output (the shutdown message) must not remove close()'s exit listener.
      if (m && !started) {
        started = true;
        child.removeAllListeners('exit');
        resolve({
          url: `http://127.0.0.1:${m[1]}`,
          async close() {
            await new Promise((done) => {
              child.once('exit', done);
              child.kill('SIGTERM');
            });
            rmSync(dataDir, { recursive: true, force: true });
          },
        });
      }
    });
  });
}

async function api(base, path, body, token) {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

const local = (base, url) => {
  const u = new URL(url);
  return `${base}${u.pathname}${u.hash}`;
};

const server = await startServer();
let sockets = [];
const browser = await chromium.launch({
  executablePath: chromiumPath,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  mkdirSync(outDir, { recursive: true });
  const lecture = await api(server.url, '/api/lectures', { title: 'Backpropagation, lecture 1', preset: 'notebook', learningRate: 1 });
  const cmd = (c) => api(server.url, `/api/lectures/${lecture.id}/commands`, c, lecture.instructorToken);
  // A walk through the first pass, some training, then into the next backward pass.
  // With real pauses between them, as a lecture has: the replay's clock, timeline and chapters show them.
  const pause = () => new Promise((resolve) => setTimeout(resolve, 700));
  for (const type of ['step', 'step', 'step', 'forward', 'backward', 'update']) await pause().then(() => cmd({ type }));
  // A named chapter the instructor dropped, for the replay's chapter list.
  await pause().then(() => cmd({ type: 'bookmark', label: 'Why train: the loss after one update' }));
  await pause().then(() => cmd({ type: 'train', epochs: 300 }));
  await pause().then(() => cmd({ type: 'selectSample', index: 2 }));
  await pause().then(() => cmd({ type: 'forward' }));
  let atBackward;
  for (let i = 0; i < 4; i++) atBackward = await pause().then(() => cmd({ type: 'step' })); // → ∂L/∂B_act

  const ready = async (page) => {
    await page.locator('lecture-view [data-testid="equation-panel"]').waitFor();
    await page.evaluate(() => document.fonts.ready);
  };
  const open = async (url, name, viewport) => {
    const context = await browser.newContext({ viewport, deviceScaleFactor: 1, reducedMotion: 'reduce' });
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error(`${name}: page error: ${e.message}`));
    page.on('console', (m) => m.type() === 'error' && console.error(`${name}: console: ${m.text()}`));
    await page.goto(url);
    await ready(page);
    return { page, context };
  };
  /** A phone as students hold it: 375×812, touch, a mobile browser's user agent, drawn at 2x. */
  const openPhone = async (url, name) => {
    const context = await browser.newContext({
      viewport: { width: 375, height: 812 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
      reducedMotion: 'reduce',
    });
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error(`${name}: page error: ${e.message}`));
    page.on('console', (m) => m.type() === 'error' && console.error(`${name}: console: ${m.text()}`));
    await page.goto(url);
    await ready(page);
    // The formulas are typeset once KaTeX has loaded.
    await page.locator('lecture-view [data-testid="equation-panel"] .katex').first().waitFor();
    return { page, context };
  };
  const save = async (page, name) => {
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    await page.screenshot({ path: join(outDir, name) });
    console.log(`wrote docs/screenshots/${name}`);
  };
  const studentUrl = local(server.url, lecture.studentUrl);

  // The lecture hall: a fresh lecture's console on the instructor's laptop.
  const fresh = await api(server.url, '/api/lectures', { title: 'Backpropagation, lecture 2', preset: 'notebook' });
  const laptopConsole = await open(local(server.url, fresh.instructorUrl), 'console.png', { width: 1366, height: 768 });
  await laptopConsole.page.locator('[data-testid="step"]').waitFor();
  await save(laptopConsole.page, 'console.png');
  await laptopConsole.context.close();

  // The projector display of a notebook lecture at B_act, then with a question revealed.
  const hall = await api(server.url, '/api/lectures', { title: 'Backpropagation, lecture 1', preset: 'notebook' });
  const hcmd = (c) => api(server.url, `/api/lectures/${hall.id}/commands`, c, hall.instructorToken);
  for (let i = 0; i < 3; i++) await hcmd({ type: 'step' }); // input, B, B_act
  const projectorAt = async (name, viewport) => {
    const context = await browser.newContext({ viewport, deviceScaleFactor: 1, reducedMotion: 'reduce' });
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error(`${name}: page error: ${e.message}`));
    page.on('console', (m) => m.type() === 'error' && console.error(`${name}: console: ${m.text()}`));
    await page.goto(`${server.url}/lecture/${hall.id}/projector`);
    await page.locator('equation-panel [data-testid="equation-panel"]').waitFor();
    await page.evaluate(() => document.fonts.ready);
    return { page, context };
  };
  for (const [name, viewport] of [['projector.png', { width: 1280, height: 720 }], ['projector-1920.png', { width: 1920, height: 1080 }]]) {
    const shot = await projectorAt(name, viewport);
    await save(shot.page, name);
    await shot.context.close();
  }

  // The class: a few students over socket.io, some named.
  const { protocol } = await (await fetch(`${server.url}/api/health`)).json();
  const names = ['Ada', 'Grace', '', 'Alan', 'Katherine', ''];
  sockets = await Promise.all(
    names.map(
      (name, i) =>
        new Promise((resolve, reject) => {
          const socket = io(server.url, { transports: ['websocket'], auth: { protocol, lectureId: lecture.id, clientId: `shot-${i}`, ...(name ? { name } : {}) } });
          socket.once('snapshot', () => resolve(socket));
          socket.once('connect_error', reject);
        }),
    ),
  );

  // The phone's first screen: the header, the student's row, the strip and the current equation with its numbers.
  const firstScreen = await openPhone(studentUrl, 'student-phone-first.png');
  await save(firstScreen.page, 'student-phone-first.png');
  await firstScreen.context.close();

  await cmd({ type: 'ask', tensor: 'dL_dB', index: [1] });
  const answers = [0.012, -0.004, 0.02, 0.008, 0.031, 0.0];
  await Promise.all(sockets.map((s, i) => s.emitWithAck('prediction:submit', { value: answers[i] })));
  const flags = [
    { type: 'element', tensor: 'dL_dB_act', index: [1] },
    { type: 'element', tensor: 'dL_dB_act', index: [1] },
    { type: 'element', tensor: 'dL_dB_act', index: [1] },
    { type: 'stage', stage: 'dL_dB_act' },
    { type: 'element', tensor: 'B_act', index: [3] },
  ];
  await Promise.all(flags.map((target, i) => sockets[i].emitWithAck('flag', { target, on: true })));

  // A phone student scrolled down to the tensors gets the question as a bar at the bottom of the screen.
  const phone = await openPhone(studentUrl, 'student-phone.png');
  await phone.page.locator('tensor-panel').evaluate((el) => el.scrollIntoView());
  await phone.page.locator('[data-testid="question-bar-text"]').waitFor();
  await save(phone.page, 'student-phone-question.png');
  // Then answers the open question, and has flagged a stage.
  await phone.page.evaluate(() => window.scrollTo(0, 0));
  await phone.page.getByLabel(/Your prediction for/).fill('0.015');
  await phone.page.locator('[data-testid="prediction-submit"]').click();
  await phone.page.locator('[data-testid="prediction-mine"]').waitFor();
  await phone.page.locator('[data-testid="flag-stage-dL_dB_act"]').click();
  await save(phone.page, 'student-phone.png');

  // A laptop student answers too, before the reveal.
  const laptop = await open(studentUrl, 'student.png', { width: 1280, height: 800 });
  await laptop.page.getByLabel(/Your prediction for/).fill('0.01');
  await laptop.page.locator('[data-testid="prediction-submit"]').click();
  await laptop.page.locator('[data-testid="prediction-mine"]').waitFor();

  // The instructor's console: answers coming in, the class's flags.
  const console_ = await open(local(server.url, lecture.instructorUrl), 'instructor.png', { width: 1920, height: 1080 });
  await console_.page.locator('[data-testid="step"]').waitFor();
  await console_.page.waitForFunction(() => {
    const find = (root, sel) => {
      const hit = root.querySelector(sel);
      if (hit) return hit;
      for (const el of root.querySelectorAll('*')) if (el.shadowRoot) {
        const inner = find(el.shadowRoot, sel);
        if (inner) return inner;
      }
      return null;
    };
    return (
      find(document, '[data-testid="prediction-count"]')?.textContent === '8' &&
      find(document, '[data-testid="flag-count-dL_dB_act-1"]') &&
      find(document, '[data-testid="watching"]')?.textContent.includes('8 watching')
    );
  });
  await save(console_.page, 'instructor.png');
  // The same console on a laptop, at the tensors: the flags as heat marks on the cells and the diagram.
  await console_.page.setViewportSize({ width: 1280, height: 800 });
  await console_.page.locator('nn-diagram').evaluate((el) => el.scrollIntoView());
  await save(console_.page, 'instructor-flags.png');

  // The stage computing ∂L/∂B runs: everyone sees the reveal; the laptop student sees how far off they were.
  await cmd({ type: 'step' }); // ∂B_act/∂B
  await cmd({ type: 'step' }); // ∂L/∂B: reveals
  await laptop.page.locator('[data-testid="prediction-diff"]').waitFor();
  await save(laptop.page, 'student.png');

  // The same student tries it in a sandbox: a weight changed, stepped on.
  await laptop.page.locator('[data-testid="sandbox"]').click();
  await laptop.page.getByRole('button', { name: /^Edit V\[2\]/ }).click();
  await laptop.page.getByLabel('New value of V[2]').fill('-1.5');
  await laptop.page.getByLabel('New value of V[2]').press('Enter');
  await laptop.page.getByRole('button', { name: 'Backward', exact: true }).click();
  await laptop.page.locator('[data-testid="current-stage"]').filter({ hasText: '∂L/∂W' }).waitFor();
  await save(laptop.page, 'student-sandbox.png');

  for (const p of [phone, laptop, console_]) await p.context.close();

  // The hall's projector after a question: three students answered, the instructor revealed.
  await hcmd({ type: 'ask', tensor: 'C_act', index: [0] });
  await Promise.all(
    [0.62, 0.75, 0.81].map(
      (value, i) =>
        new Promise((resolve, reject) => {
          const socket = io(server.url, { transports: ['websocket'], auth: { protocol, lectureId: hall.id, clientId: `hall-${i}` } });
          sockets.push(socket);
          socket.once('connect_error', reject);
          socket.once('snapshot', () => socket.emitWithAck('prediction:submit', { value }).then(resolve, reject));
        }),
    ),
  );
  await hcmd({ type: 'reveal' });
  const revealed = await projectorAt('projector-revealed.png', { width: 1280, height: 720 });
  await revealed.page.locator('[data-testid="question-mean"]').waitFor();
  await save(revealed.page, 'projector-revealed.png');
  await revealed.context.close();

  // The replay at the second backward pass: the thin bar, the lesson, the chapters beside it (their current one marked).
  const replay = await open(`${server.url}/replay/${lecture.id}?seq=${atBackward.seq}`, 'replay.png', { width: 1366, height: 768 });
  await replay.page.locator('[data-testid="chapter"][aria-current="true"]').waitFor();
  await save(replay.page, 'replay.png');
  await replay.context.close();
  // On a phone: the bar over the lesson, the chapters a disclosure (opened here) naming the current one.
  const replayPhone = await openPhone(`${server.url}/replay/${lecture.id}?seq=${atBackward.seq}`, 'replay-phone.png');
  await replayPhone.page.locator('[data-testid="chapters"] summary').click();
  await save(replayPhone.page, 'replay-phone.png');
  await replayPhone.context.close();

  // Beyond the notebook: a 2-8-8-1 tanh network on the spiral, trained, then in its backward pass.
  const spiral = await api(server.url, '/api/lectures', { title: 'Spirals, lecture 4', preset: 'random', learningRate: 0.03 });
  const scmd = (c) => api(server.url, `/api/lectures/${spiral.id}/commands`, c, spiral.instructorToken);
  await scmd({ type: 'setDataset', dataset: { kind: 'points', set: 'spiral', count: 400, noise: 0.05, trainFraction: 0.5, seed: 3 } });
  await scmd({ type: 'setNetwork', network: { hidden: [{ units: 8, activation: 'tanh' }, { units: 8, activation: 'tanh' }], biases: true, loss: 'crossEntropy' }, seed: 4 });
  await scmd({ type: 'train', epochs: 600 });
  await scmd({ type: 'selectSample', index: 17 });
  await scmd({ type: 'forward' });
  for (let i = 0; i < 3; i++) await scmd({ type: 'step' }); // → ∂L/∂b3
  const net = await open(local(server.url, spiral.studentUrl), 'network-spiral.png', { width: 1280, height: 1000 });
  await net.page.locator('decision-boundary').waitFor();
  await net.page.locator('nn-diagram').evaluate((el) => el.scrollIntoView());
  await save(net.page, 'network-spiral.png');
  await net.page.locator('decision-boundary').evaluate((el) => el.scrollIntoView());
  await save(net.page, 'network-boundary.png');
  await net.context.close();
  const setup = await open(local(server.url, spiral.instructorUrl), 'instructor-setup.png', { width: 1280, height: 900 });
  await setup.page.getByRole('button', { name: /Network & data/ }).click();
  await setup.page.locator('network-setup').evaluate((el) => el.scrollIntoView());
  await save(setup.page, 'instructor-setup.png');
  await setup.context.close();
} finally {
  // Open sockets would keep this process alive (they reconnect) after a failure.
  for (const s of sockets) s.disconnect();
  await browser.close();
  await server.close();
}
