#!/usr/bin/env node
/**
 * Screenshots of the built app for the docs: node scripts/screenshots.mjs (after npm run build).
 * Starts the built server (dist/server/main.js) on a free port with a temporary DATA_DIR,
 * drives a lecture to the middle of a backward pass after some training, and writes
 * docs/screenshots/{student,student-phone,instructor,replay}.png with Debian's Chromium.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'docs', 'screenshots');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

function startServer() {
  const dataDir = mkdtempSync(join(tmpdir(), 'backprop-shots-'));
  const child = spawn(process.execPath, [join(root, 'dist/server/main.js')], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, CREATE_KEY: '' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = /listening on http:\/\/[^:]+:(\d+)/.exec(out);
      if (m) {
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
const browser = await chromium.launch({
  executablePath: chromiumPath,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  mkdirSync(outDir, { recursive: true });
  const lecture = await api(server.url, '/api/lectures', { title: 'Backpropagation, lecture 1', preset: 'notebook', learningRate: 1 });
  const cmd = (c) => api(server.url, `/api/lectures/${lecture.id}/commands`, c, lecture.instructorToken);
  // A walk through the first pass, some training, then into the next backward pass.
  for (const type of ['step', 'step', 'step', 'forward', 'backward', 'update']) await cmd({ type });
  await cmd({ type: 'train', epochs: 300 });
  await cmd({ type: 'selectSample', index: 2 });
  await cmd({ type: 'forward' });
  for (let i = 0; i < 4; i++) await cmd({ type: 'step' }); // → ∂L/∂B_act

  const shoot = async (url, name, viewport, prepare) => {
    const context = await browser.newContext({ viewport, deviceScaleFactor: 1, reducedMotion: 'reduce' });
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error(`${name}: page error: ${e.message}`));
    page.on('console', (m) => m.type() === 'error' && console.error(`${name}: console: ${m.text()}`));
    await page.goto(url);
    await page.locator('lecture-view [data-testid="equation-panel"]').waitFor();
    await page.evaluate(() => document.fonts.ready);
    if (prepare) await prepare(page);
    await page.screenshot({ path: join(outDir, name) });
    await context.close();
    console.log(`wrote docs/screenshots/${name}`);
  };

  await shoot(local(server.url, lecture.studentUrl), 'student.png', { width: 1280, height: 800 });
  await shoot(local(server.url, lecture.studentUrl), 'student-phone.png', { width: 375, height: 812 });
  await shoot(local(server.url, lecture.instructorUrl), 'instructor.png', { width: 1920, height: 1080 }, async (page) => {
    await page.locator('[data-testid="step"]').waitFor();
    await page.keyboard.press('p');
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  });
  await shoot(`${server.url}/replay/${lecture.id}?seq=5`, 'replay.png', { width: 1280, height: 800 });
} finally {
  await browser.close();
  await server.close();
}
