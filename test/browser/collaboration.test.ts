/**
 * Collaboration in the browser: predictions asked from the console and answered by students,
 * a student's private rewind and sandbox (proved never to reach the server), follow pacing, and
 * "I'm lost here" flags seen by the instructor. Real server, real Chromium, no fixed sleeps.
 */
import { describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { Recording } from '../../shared/protocol/http.js';
import type { Snapshot } from '../../shared/protocol/snapshot.js';
import { startServer, type TestServer } from '../support/server.js';
import { command, createLecture, eventually, onServer, openPage, type CheckedPage, withServerAndBrowser } from './support.js';

let server: TestServer;
let browser: Browser;

withServerAndBrowser((s, b) => ([server, browser] = [s, b]));


const byTestId = (page: Page, id: string) => page.locator(`[data-testid="${id}"]`);
const stageOf = (page: Page) => byTestId(page, 'current-stage');
const live = (page: Page) => page.locator('[data-testid="connection-status"][data-status="live"]').waitFor();

async function state(id: string): Promise<Snapshot> {
  return (await (await fetch(`${server.url}/api/lectures/${id}/state`)).json()) as Snapshot;
}

async function recording(id: string): Promise<Recording> {
  return (await (await fetch(`${server.url}/api/lectures/${id}/recording`)).json()) as Recording;
}

/** Opens pages and closes them all at the end, failing on any console error. */
async function withPages(run: (open: (url: string, width?: number) => Promise<CheckedPage>) => Promise<void>): Promise<void> {
  const pages: CheckedPage[] = [];
  try {
    await run(async (url, width) => {
      const p = await openPage(browser, url, width ? { width, height: 812 } : {});
      pages.push(p);
      return p;
    });
    for (const p of pages) p.assertClean();
  } finally {
    await Promise.all(pages.map((p) => p.close()));
  }
}

describe('predictions', () => {
  it('the instructor asks from the console, two students answer, a forward pass reveals: actual, difference, class mean', async () => {
    const lecture = await createLecture(server.url, { title: 'Predict' });
    await withPages(async (open) => {
      const instructor = await open(onServer(server.url, lecture.instructorUrl));
      // One student joins on a phone from the start page, with the code and a name; one by the link.
      const phone = await open(`${server.url}/`, 375);
      await phone.page.getByLabel('Lecture code').fill(lecture.id.toLowerCase());
      await phone.page.getByLabel(/Your name/).fill('Ada <b>L</b>');
      await phone.page.getByRole('button', { name: 'Join' }).click();
      const students = [await open(onServer(server.url, lecture.studentUrl)), phone];
      for (const p of [instructor, ...students]) await live(p.page);
      await eventually(() => byTestId(instructor.page, 'watching').textContent()).toContain('2 watching');
      // Names reach the instructor only, as text.
      await byTestId(instructor.page, 'class-names').locator('summary').click();
      await eventually(() => byTestId(instructor.page, 'class-names').locator('li').allTextContents()).toEqual(['Ada <b>L</b>']);
      expect(await byTestId(students[0].page, 'class-names').count()).toBe(0);

      await instructor.page.getByRole('button', { name: /^Step/ }).click();
      await eventually(() => stageOf(instructor.page).textContent()).toBe('input');
      // "Ask the class" lists only tensors this pass has not computed; C_act is among them.
      await instructor.page.getByLabel('Ask the class', { exact: true }).selectOption('C_act');
      await byTestId(instructor.page, 'ask').click();

      const answers = [0.5, 0.9];
      for (const [i, s] of students.entries()) {
        await eventually(() => byTestId(s.page, 'prediction-prompt').textContent()).toBe('Predict C_act');
        await s.page.getByLabel('Your prediction for C_act').fill(String(answers[i]));
        await byTestId(s.page, 'prediction-submit').click();
        await eventually(() => byTestId(s.page, 'prediction-mine').textContent()).toContain(answers[i].toFixed(4));
      }
      // A student may change their mind until the reveal: the latest answer counts.
      await students[1].page.getByLabel('Your prediction for C_act').fill('0.8');
      await byTestId(students[1].page, 'prediction-submit').click();
      await eventually(() => byTestId(students[1].page, 'prediction-mine').textContent()).toContain('0.8000');
      answers[1] = 0.8;
      await eventually(() => byTestId(instructor.page, 'prediction-count').textContent()).toBe('2');
      // Both students' browsers are on this machine: two answers from one address.
      await eventually(() => byTestId(instructor.page, 'prediction-addresses').textContent()).toBe('1');

      await instructor.page.getByRole('button', { name: /Forward pass/ }).click();
      await eventually(() => stageOf(instructor.page).textContent()).toBe('L');
      const actual = (await state(lecture.id)).tensors.C_act!.data[0];
      const fmt = (x: number) => x.toFixed(4).replace('-', '−');
      for (const [i, s] of students.entries()) {
        await eventually(() => byTestId(s.page, 'prediction-actual').textContent()).toBe(fmt(actual));
        const diff = answers[i] - actual;
        expect(await byTestId(s.page, 'prediction-diff').textContent()).toContain(diff > 0 ? `+${fmt(diff)}` : fmt(diff));
        expect(await byTestId(s.page, 'prediction-mean').textContent()).toBe(fmt((answers[0] + answers[1]) / 2));
        expect(await byTestId(s.page, 'prediction-count').textContent()).toBe('2');
      }
      expect(await byTestId(instructor.page, 'prediction-actual').textContent()).toBe(fmt(actual));

      // A reload is the same student (client id and answer kept in localStorage).
      await students[0].page.reload();
      await eventually(() => byTestId(students[0].page, 'prediction-diff').textContent()).toContain(fmt(answers[0] - actual));
      // The phone has no horizontal page scroll with the result on screen.
      expect(await students[1].page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);

      // The replay shows the question at its place (event 2, the ask) and the reveal after the forward pass.
      const replay = await open(`${server.url}/replay/${lecture.id}?seq=2`);
      await eventually(() => byTestId(replay.page, 'prediction-card').getAttribute('data-status')).toBe('open');
      expect(await byTestId(replay.page, 'prediction-prompt').textContent()).toBe('Predict C_act');
      await replay.page.locator('body').press('ArrowRight');
      await eventually(() => byTestId(replay.page, 'prediction-actual').textContent()).toBe(fmt(actual));
      expect(await byTestId(replay.page, 'prediction-mean').textContent()).toBe(fmt((answers[0] + answers[1]) / 2));
    });
  });
});

describe('private rewind', () => {
  it('a student looks back at an earlier event while the lecture goes on, then returns to live', async () => {
    const lecture = await createLecture(server.url);
    for (let i = 0; i < 3; i++) await command(server.url, lecture, { type: 'step' }); // input, B, B_act
    await withPages(async (open) => {
      const s = await open(onServer(server.url, lecture.studentUrl));
      const { page } = s;
      await eventually(() => stageOf(page).textContent()).toBe('B_act');
      expect(await byTestId(page, 'cell-B_act-0').textContent()).toBe('0.8014');

      await byTestId(page, 'rewind').click();
      await eventually(() => stageOf(page).textContent()).toBe('B');
      expect(await byTestId(page, 'behind').getAttribute('data-behind')).toBe('1');
      expect(await page.locator('[data-testid="tensor-B_act"]').getAttribute('data-pending')).toBe('true');
      expect(await byTestId(page, 'cell-B-1').textContent()).toBe('0.7274');
      // ← steps further back, privately.
      await page.locator('body').press('ArrowLeft');
      await eventually(() => stageOf(page).textContent()).toBe('input');
      expect(await byTestId(page, 'behind').textContent()).toContain('2 events behind');

      // The instructor steps on: the student stays where they are, further behind.
      await command(server.url, lecture, { type: 'step' });
      await command(server.url, lecture, { type: 'step' });
      await eventually(() => byTestId(page, 'behind').getAttribute('data-behind')).toBe('4');
      expect(await stageOf(page).textContent()).toBe('input');
      // → walks forward through events that arrived while looking back.
      for (const stage of ['B', 'B_act', 'C']) {
        await page.locator('body').press('ArrowRight');
        await eventually(() => stageOf(page).textContent()).toBe(stage);
      }
      expect(await byTestId(page, 'behind').getAttribute('data-behind')).toBe('1');

      await page.locator('body').press('l');
      await eventually(() => stageOf(page).textContent()).toBe('C_act');
      expect(await byTestId(page, 'rewind-banner').count()).toBe(0);
      expect(await byTestId(page, 'cell-C_act-0').getAttribute('data-value')).toBe(String((await state(lecture.id)).tensors.C_act!.data[0]));
    });
  });
});

describe('sandbox', () => {
  it('a student forks, edits a weight and steps locally while the lecture moves on; nothing reaches the server', async () => {
    const lecture = await createLecture(server.url);
    await command(server.url, lecture, { type: 'step' });
    await withPages(async (open) => {
      const s = await open(onServer(server.url, lecture.studentUrl));
      const { page } = s;
      const sent: string[] = [];
      page.on('websocket', (ws) => ws.on('framesent', (f) => sent.push(typeof f.payload === 'string' ? f.payload : f.payload.toString())));
      // The page connected before the listener: reload so its socket is watched from the start.
      await page.reload();
      await eventually(() => stageOf(page).textContent()).toBe('input');
      // The listener does see this page's socket: the handshake (socket.io CONNECT, "40{…}") with its auth.
      await eventually(() => sent.some((f) => f.startsWith('40') && f.includes('lectureId'))).toBe(true);
      const before = await state(lecture.id);
      const eventsBefore = (await recording(lecture.id)).events.length;

      await byTestId(page, 'sandbox').click();
      await byTestId(page, 'sandbox-bar').waitFor();
      await page.getByRole('button', { name: /^Edit W\[1,1\]/ }).click();
      await page.getByLabel('New value of W[1,1]').fill('3');
      await page.getByLabel('New value of W[1,1]').press('Enter');
      await eventually(() => byTestId(page, 'cell-W-0').textContent()).toBe('3.0000');
      expect(await stageOf(page).textContent()).toBe('not started');
      for (const stage of ['input', 'B']) {
        await byTestId(page, 'sandbox-step').click();
        await eventually(() => stageOf(page).textContent()).toBe(stage);
      }
      await page.getByRole('button', { name: 'Forward', exact: true }).click();
      await eventually(() => stageOf(page).textContent()).toBe('L');
      await byTestId(page, 'sandbox-back').click();
      await eventually(() => stageOf(page).textContent()).toBe('B');
      await page.getByRole('button', { name: 'Forward', exact: true }).click();
      await eventually(() => stageOf(page).textContent()).toBe('L');

      // Nothing the student did reached the server.
      const after = await state(lecture.id);
      expect(after.seq).toBe(before.seq);
      expect(after.tensors.W).toEqual(before.tensors.W);
      expect((await recording(lecture.id)).events.length).toBe(eventsBefore);
      expect(sent.filter((f) => f.includes('command'))).toEqual([]);

      // Meanwhile the lecture moves on; the sandbox shows both, and they differ (W[1,1] = 3 in the student's copy).
      const moved = await command(server.url, lecture, { type: 'forward' });
      const liveC = moved.tensors.C_act!.data[0];
      await eventually(() => byTestId(page, 'compare-live-C_act').textContent()).toBe(liveC.toFixed(4));
      const mine = Number(await byTestId(page, 'compare-mine-C_act').textContent());
      expect(Math.abs(mine - liveC)).toBeGreaterThan(1e-3);
      expect(await stageOf(page).textContent()).toBe('L');
      expect(await byTestId(page, 'cell-W-0').textContent()).toBe('3.0000');

      await byTestId(page, 'back-to-live').click();
      await eventually(() => byTestId(page, 'cell-C_act-0').getAttribute('data-value')).toBe(String(liveC));
      expect(await byTestId(page, 'cell-W-0').getAttribute('data-value')).toBe(String(moved.tensors.W!.data[0]));
      expect(sent.filter((f) => f.includes('command'))).toEqual([]);
    });
  });
});

describe('pacing and flags', () => {
  it('follow mode turns rewind and the sandbox off with the reason; a student flags, the instructor sees it and clears', async () => {
    const lecture = await createLecture(server.url);
    await command(server.url, lecture, { type: 'step' });
    await withPages(async (open) => {
      const instructor = await open(onServer(server.url, lecture.instructorUrl));
      const s = await open(onServer(server.url, lecture.studentUrl));
      await live(instructor.page);
      await live(s.page);

      // A student in the sandbox is brought back when the instructor asks everyone to follow.
      await byTestId(s.page, 'sandbox').click();
      await byTestId(s.page, 'sandbox-bar').waitFor();
      await byTestId(instructor.page, 'pacing-follow').click();
      await eventually(() => byTestId(s.page, 'pacing-note').getAttribute('data-pacing')).toBe('follow');
      expect(await byTestId(s.page, 'pacing-note').textContent()).toContain('looking back and the sandbox are off');
      expect(await byTestId(s.page, 'notice').textContent()).toContain('follow mode');
      expect(await byTestId(s.page, 'rewind').isDisabled()).toBe(true);
      expect(await byTestId(s.page, 'sandbox').isDisabled()).toBe(true);
      await s.page.locator('body').press('ArrowLeft'); // the key does nothing either
      expect(await byTestId(s.page, 'rewind-banner').count()).toBe(0);
      await byTestId(instructor.page, 'pacing-free').click();
      await eventually(() => byTestId(s.page, 'rewind').isDisabled()).toBe(false);

      await command(server.url, lecture, { type: 'step' });
      await command(server.url, lecture, { type: 'step' }); // B_act
      await eventually(() => stageOf(s.page).textContent()).toBe('B_act');
      await byTestId(s.page, 'flag-B_act-1').click();
      await eventually(() => byTestId(s.page, 'flag-B_act-1').getAttribute('aria-pressed')).toBe('true');
      // Keyboard: focus a stage chip and press Enter.
      await byTestId(s.page, 'flag-stage-B').focus();
      await s.page.keyboard.press('Enter');
      await eventually(() => byTestId(s.page, 'flag-stage-B').getAttribute('aria-pressed')).toBe('true');

      await eventually(() => byTestId(instructor.page, 'flag-count-B_act-1').textContent()).toContain('⚑1');
      await eventually(() => byTestId(instructor.page, 'flag-count-stage-B').textContent()).toContain('⚑1');
      expect(await byTestId(instructor.page, 'flag-node-B2').count()).toBe(1);
      expect(await byTestId(instructor.page, 'flag-total').textContent()).toContain('2 flags');

      await byTestId(instructor.page, 'clear-flags').click();
      await eventually(() => byTestId(instructor.page, 'flag-count-B_act-1').count()).toBe(0);
      expect(await byTestId(instructor.page, 'flag-total').textContent()).toContain('0 flags');
      // The student's own marks go too.
      await eventually(() => byTestId(s.page, 'flag-B_act-1').getAttribute('aria-pressed')).toBe('false');
    });
  });

  it('shows a refused flag (429) clearly', async () => {
    const limited = await startServer({ eventLimits: { student: { burst: 1, perSecond: 0.001 }, instructor: { burst: 200, perSecond: 100 } } });
    try {
      const lecture = await createLecture(limited.url);
      await command(limited.url, lecture, { type: 'step' });
      await withPages(async (open) => {
        const s = await open(onServer(limited.url, lecture.studentUrl));
        await eventually(() => stageOf(s.page).textContent()).toBe('input');
        await byTestId(s.page, 'flag-A-0').click();
        await eventually(() => byTestId(s.page, 'flag-A-0').getAttribute('aria-pressed')).toBe('true');
        await byTestId(s.page, 'flag-A-1').click();
        await eventually(() => byTestId(s.page, 'flag-error').textContent()).toContain('Too many');
        expect(await byTestId(s.page, 'flag-A-1').getAttribute('aria-pressed')).toBe('false');
      });
    } finally {
      await limited.close();
    }
  });
});
