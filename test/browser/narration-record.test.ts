/**
 * Recording narration in the console, with Chromium's fake microphone (a tone): the instructor
 * presses Record narration, steps the notebook's forward pass for about ten seconds and stops;
 * the server then holds Opus audio of that length (read back by Debian's ffprobe), the class saw
 * "🎙 recording" only while it was recorded, and the console's control is in sight on a laptop.
 * The same lecture's replay plays it: seeking to a step puts the audio at that step's offset into
 * the take and shows the stage the class saw then, and its "Copy link to this moment" reopens there.
 * Pause leaves the paused time out of the audio; the cap's 413 stops recording with the server's
 * sentence; a refused microphone says so and changes nothing.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { parseMoment } from '../../shared/protocol/moment-link.js';
import type { Recording } from '../../shared/protocol/http.js';
import { startServer, type TestServer } from '../support/server.js';
import { audioState, chooseInMenu, positionText, slider } from './replay-support.js';
import { axeViolations, type CheckedPage, command, createLecture, eventually, launchBrowser, onServer, openPage, seen, withServerAndBrowser } from './support.js';
import type { Command } from '../../shared/protocol/commands.js';

const SHOTS = '/tmp/shots-narration';
mkdirSync(SHOTS, { recursive: true });

let server: TestServer;
let browser: Browser;

withServerAndBrowser((s, b) => ([server, browser] = [s, b]), { fakeMicrophone: 'allowed' });

const live = (page: Page) => page.locator('[data-testid="connection-status"][data-status="live"]').waitFor();
const recordButton = (page: Page) => page.getByRole('button', { name: 'Record narration' });
const stopButton = (page: Page) => page.getByRole('button', { name: 'Stop recording' });
const narrationStatus = (page: Page) => page.locator('[data-testid="narration-status"]');
const badge = (page: Page) => page.locator('[data-testid="narration-badge"]');
const stageOf = (page: Page) => page.locator('[data-testid="current-stage"]').first();

interface NarrationJson {
  takes: { take: number; mime: string; startedAt: number; durationMs: number; bytes: number; chunks: { index: number; at: number; audioAt: number; duration: number; bytes: number }[] }[];
  bytes: number;
  maxBytes: number;
}

async function narrationJson(base: string, id: string): Promise<NarrationJson> {
  const res = await fetch(`${base}/api/lectures/${id}/narration.json`);
  expect(res.status).toBe(200);
  return (await res.json()) as NarrationJson;
}

/** The narration's audio as ffprobe reads it: the codec, and the last packet's time (a MediaRecorder's WebM names no duration). */
async function probeNarration(base: string, id: string): Promise<{ codec: string; seconds: number; contentType: string | null }> {
  const res = await fetch(`${base}/api/lectures/${id}/narration`);
  expect(res.status).toBe(200);
  const dir = mkdtempSync(join(tmpdir(), 'narration-'));
  try {
    const file = join(dir, 'narration.webm');
    writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    const probe = (entries: string) => execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'a:0', '-show_entries', entries, '-of', 'csv=p=0', file], { encoding: 'utf8' });
    const codec = probe('stream=codec_name').trim();
    const times = probe('packet=pts_time').trim().split('\n').map(Number);
    return { codec, seconds: times.at(-1)!, contentType: res.headers.get('content-type') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

type Take = NarrationJson['takes'][number];

/**
 * Where lecture time `at` (ms on the server's clock) is heard in the take's stream, in seconds, from
 * narration.json alone: the chunk recorded at that moment, and how far into it.
 */
function heardAt(take: Take, at: number): number {
  const t = at - take.startedAt;
  const chunk = take.chunks.filter((c) => c.at <= t).at(-1);
  expect(chunk, `a chunk recorded at ${t} ms into the take`).toBeDefined();
  expect(t).toBeLessThan(chunk!.at + chunk!.duration);
  return (chunk!.audioAt + t - chunk!.at) / 1000;
}

/** A control as a person sees it: in the viewport, not covered. */
async function inSight(page: Page, name: string) {
  const s = await seen(page.getByRole('button', { name }));
  return { name, inViewport: s.inViewport, hit: s.hit };
}

describe('recording narration in the console', () => {
  it('records ten seconds while the instructor steps the forward pass: the server holds Opus audio of that length, the class sees "🎙 recording" only meanwhile; the replay plays it in step with the events', async () => {
    const lecture = await createLecture(server.url, { title: 'Narrated' });
    let desk: CheckedPage | undefined;
    let student: CheckedPage | undefined;
    let replay: CheckedPage | undefined;
    try {
      desk = await openPage(browser, onServer(server.url, lecture.instructorUrl), { width: 1366, height: 768 });
      student = await openPage(browser, onServer(server.url, lecture.studentUrl), { width: 1280, height: 720 });
      await Promise.all([live(desk.page), live(student.page)]);
      const console_ = desk.page;
      const pupil = student.page;

      // Off by default, in sight on both laptop sizes; the class sees no badge.
      expect(await inSight(console_, 'Record narration')).toEqual({ name: 'Record narration', inViewport: true, hit: true });
      await console_.setViewportSize({ width: 1280, height: 720 });
      expect(await inSight(console_, 'Record narration')).toEqual({ name: 'Record narration', inViewport: true, hit: true });
      expect(await badge(pupil).count()).toBe(0);
      expect(await axeViolations(console_)).toEqual([]);

      await recordButton(console_).click();
      await eventually(() => narrationStatus(console_).textContent()).toContain('Recording narration');
      const started = Date.now();
      // The class is told, readably, where it looks anyway.
      await eventually(() => badge(pupil).count()).toBe(1);
      // "🎙 recording": the microphone drawn (an emoji font is not on every computer), then the word.
      expect((await badge(pupil).innerText()).trim()).toMatch(/^recording\b/);
      expect(await badge(pupil).locator('svg.mic').boundingBox()).toMatchObject({ width: expect.any(Number) });
      expect((await badge(pupil).locator('svg.mic').boundingBox())!.width).toBeGreaterThanOrEqual(12);
      const b = await seen(badge(pupil));
      expect(b).toMatchObject({ inViewport: true, hit: true });
      expect(b.fontPx).toBeGreaterThanOrEqual(14);
      expect(await pupil.getByRole('status').filter({ hasText: 'recording' }).count()).toBe(1);

      // The recording controls, in sight at both sizes.
      for (const size of [{ width: 1280, height: 720 }, { width: 1366, height: 768 }]) {
        await console_.setViewportSize(size);
        expect(await inSight(console_, 'Pause')).toMatchObject({ inViewport: true, hit: true });
        expect(await inSight(console_, 'Stop recording')).toMatchObject({ inViewport: true, hit: true });
      }
      await console_.screenshot({ path: `${SHOTS}/console-recording-1366x768.png` });
      await pupil.screenshot({ path: `${SHOTS}/student-recording-1280x720.png` });
      expect(await axeViolations(console_)).toEqual([]);
      expect(await axeViolations(pupil)).toEqual([]);

      // The forward pass with the keyboard, a step every 1.2 s of the recording, then Stop at ten seconds.
      const elapsed = () => Date.now() - started;
      let previous = '';
      /** The stage the class saw after each step, in order. */
      const stagesSeen: string[] = [];
      for (let k = 1; k <= 7 && elapsed() < 8500; k++) {
        await console_.keyboard.press('ArrowRight');
        await eventually(() => stageOf(pupil).textContent()).not.toBe(previous);
        previous = (await stageOf(pupil).textContent()) ?? '';
        stagesSeen.push(previous);
        await console_.waitForTimeout(Math.max(0, k * 1200 - elapsed()));
      }
      expect(previous).not.toBe('idle');
      await console_.waitForTimeout(Math.max(0, 10_000 - elapsed()));
      await stopButton(console_).click();
      const recorded = elapsed();
      expect(Math.abs(recorded - 10_000)).toBeLessThan(500);
      await eventually(() => recordButton(console_).count()).toBe(1);
      await eventually(() => badge(pupil).count()).toBe(0);

      // One take of Opus in WebM, its chunks in order and every one stored; ten seconds of audio.
      const narration = await narrationJson(server.url, lecture.id);
      expect(narration.takes).toHaveLength(1);
      const take = narration.takes[0]!;
      expect(take.mime).toBe('audio/webm;codecs=opus');
      expect(take.chunks.map((c) => c.index)).toEqual(take.chunks.map((_, i) => i));
      expect(take.chunks.length).toBeGreaterThanOrEqual(3);
      const audio = take.chunks.reduce((sum, c) => sum + c.duration, 0);
      expect(Math.abs(audio - recorded)).toBeLessThan(1000);
      // Without a pause, a chunk's audio starts where its wall time does (within the clocks' rounding).
      for (const c of take.chunks) expect(Math.abs(c.at - c.audioAt)).toBeLessThan(300);
      const probed = await probeNarration(server.url, lecture.id);
      expect(probed.codec).toBe('opus');
      expect(probed.contentType).toMatch(/^audio\/webm/);
      expect(Math.abs(probed.seconds - 10)).toBeLessThanOrEqual(1);
      desk.assertClean();
      student.assertClean();
      await Promise.all([desk.close(), student.close()]);
      desk = student = undefined;

      // The replay of the same lecture plays that take. Seeking the timeline to a step's time (the
      // timeline starts at the first event or the first audio, whichever came first; no pause is
      // shortened while the voice speaks) puts the audio at the step's offset into the take and
      // shows the stage the class saw after that step.
      const recording = (await (await fetch(`${server.url}/api/lectures/${lecture.id}/recording`)).json()) as Recording;
      const steps = recording.events.filter((e) => e.command.type === 'step');
      expect(steps).toHaveLength(stagesSeen.length);
      const origin = Math.min(recording.events[0]!.at, take.startedAt + take.chunks[0]!.at);
      const last = recording.events.length;
      replay = await openPage(browser, `${server.url}/replay/${lecture.id}`, { width: 1366, height: 768 });
      const player = replay.page;
      await replay.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
      await eventually(() => positionText(player)).toMatch(new RegExp(`\\bevent \\d+ of ${last}\\b`));
      await eventually(async () => (await audioState(player))?.src ?? '').toMatch(new RegExp(`/api/lectures/${lecture.id}/narration/takes/${take.take}$`));
      for (const k of [1, Math.floor(steps.length / 2), steps.length - 1]) {
        const step = steps[k]!;
        await slider(player).fill(String(step.at - origin));
        await eventually(() => positionText(player)).toMatch(new RegExp(`\\bevent ${step.seq} of ${last}\\b`));
        expect(await stageOf(player).textContent()).toBe(stagesSeen[k]);
        await eventually(async () => Math.abs((await audioState(player))!.time - heardAt(take, step.at))).toBeLessThan(0.3);
      }
      expect((await audioState(player))!.paused).toBe(true);
      await player.screenshot({ path: `${SHOTS}/replay-recorded-1366x768.png` });
      expect(await axeViolations(player)).toEqual([]);

      // "Copy link to this moment" names a ?t= that opens there: the same step and stage, the audio at that moment of the take.
      const shownSeq = steps.at(-1)!.seq;
      await chooseInMenu(player, 'copy-link');
      await eventually(() => player.locator('[data-testid="replay-note"]').textContent()).toMatch(/^Link copied: /);
      const link = await player.evaluate(() => navigator.clipboard.readText());
      expect(link).toMatch(new RegExp(`^${server.url}/replay/${lecture.id}\\?t=\\d\\d:\\d\\d(\\.\\d+)?$`));
      const moment = parseMoment(new URL(link).searchParams.get('t'))!;
      await player.goto(link);
      await eventually(() => positionText(player)).toMatch(new RegExp(`\\bevent ${shownSeq} of ${last}\\b`));
      expect(await stageOf(player).textContent()).toBe(stagesSeen.at(-1));
      await eventually(async () => Math.abs((await audioState(player))!.time - heardAt(take, origin + moment))).toBeLessThan(0.3);
      expect((await audioState(player))!.paused).toBe(true);
      replay.assertClean();
    } finally {
      await Promise.all([desk?.close(), student?.close(), replay?.close()]);
    }
  });

  it("Pause leaves the paused time out of the audio and takes the badge off the class's and the projector's screens; Resume puts it back", async () => {
    const lecture = await createLecture(server.url, { title: 'Narrated with a pause' });
    let desk: CheckedPage | undefined;
    let projector: CheckedPage | undefined;
    let phone: CheckedPage | undefined;
    try {
      desk = await openPage(browser, onServer(server.url, lecture.instructorUrl), { width: 1280, height: 720 });
      projector = await openPage(browser, `${server.url}/lecture/${lecture.id}/projector`, { width: 1920, height: 1080 });
      phone = await openPage(browser, onServer(server.url, lecture.studentUrl), { phone: true });
      await Promise.all([live(desk.page), phone.page.locator('[data-testid="connection-status"][data-status="live"]').waitFor()]);
      await projector.page.locator('[data-testid="projector"]').waitFor();
      const console_ = desk.page;

      // N records (the key list says so), N again pauses, N resumes.
      await console_.keyboard.press('?');
      await eventually(() => console_.locator('[data-testid="key-help"] dl').innerText()).toContain('Narration: record, pause or resume');
      await console_.keyboard.press('Escape');
      await console_.keyboard.press('n');
      await eventually(() => narrationStatus(console_).textContent()).toContain('Recording narration');
      const started = Date.now();
      await eventually(() => badge(projector!.page).count()).toBe(1);
      await eventually(() => badge(phone!.page).count()).toBe(1);
      expect(await seen(badge(projector.page))).toMatchObject({ inViewport: true, hit: true });
      // On a phone the badge stays in the header's two lines, and the lesson's stage is still on the first screen.
      const phoneBadge = await seen(badge(phone.page));
      expect(phoneBadge).toMatchObject({ inViewport: true, hit: true });
      await phone.page.screenshot({ path: `${SHOTS}/phone-recording-375x812.png` });
      const header = await phone.page.locator('lecture-page header').evaluate((el) => el.getBoundingClientRect().height);
      expect(header).toBeLessThanOrEqual(56);
      expect(await seen(stageOf(phone.page))).toMatchObject({ inViewport: true, hit: true });
      await projector.page.screenshot({ path: `${SHOTS}/projector-recording-1920x1080.png` });
      expect(await axeViolations(phone.page)).toEqual([]);
      expect(await axeViolations(projector.page)).toEqual([]);

      await console_.waitForTimeout(Math.max(0, 4000 - (Date.now() - started)));
      await console_.keyboard.press('n');
      const paused = Date.now();
      await eventually(() => narrationStatus(console_).textContent()).toContain('Narration paused');
      await eventually(() => badge(projector!.page).count()).toBe(0);
      await eventually(() => badge(phone!.page).count()).toBe(0);
      await console_.screenshot({ path: `${SHOTS}/console-paused-1280x720.png` });
      expect(await axeViolations(console_)).toEqual([]);
      await console_.waitForTimeout(Math.max(0, 3000 - (Date.now() - paused)));
      await console_.getByRole('button', { name: 'Resume' }).click();
      const resumed = Date.now();
      await eventually(() => badge(phone!.page).count()).toBe(1);
      await console_.waitForTimeout(3000);
      await stopButton(console_).click();
      const recorded = paused - started + (Date.now() - resumed);
      await eventually(() => recordButton(console_).count()).toBe(1);
      await eventually(() => badge(phone!.page).count()).toBe(0);

      // The audio is the time recorded, the pause left out; the chunk after the pause starts that much later on the wall than in the audio.
      const take = (await narrationJson(server.url, lecture.id)).takes[0]!;
      const audio = take.chunks.reduce((sum, c) => sum + c.duration, 0);
      expect(Math.abs(audio - recorded)).toBeLessThan(1000);
      const last = take.chunks.at(-1)!;
      expect(Math.abs(last.at - last.audioAt - (resumed - paused))).toBeLessThan(1000);
      expect(last.audioAt + last.duration).toBe(audio);
      const probed = await probeNarration(server.url, lecture.id);
      expect(probed.codec).toBe('opus');
      expect(Math.abs(probed.seconds * 1000 - recorded)).toBeLessThanOrEqual(1000);
      for (const p of [desk, projector, phone]) p.assertClean();
    } finally {
      await Promise.all([desk?.close(), projector?.close(), phone?.close()]);
    }
  });
});

describe('recording while a training runs', () => {
  it("starts recording during a long training: the server takes only stop meanwhile, and the class's badge shows once the training has ended", async () => {
    const lecture = await createLecture(server.url, { title: 'Narrated during a training' });
    // A training that outlasts the test unless stopped: 2-8-8-1 tanh on 500 spiral points.
    await command(server.url, lecture, { type: 'setDataset', dataset: { kind: 'points', set: 'spiral', count: 500, noise: 0.1, trainFraction: 1, seed: 3 }, seed: 11 } as Command);
    await command(server.url, lecture, { type: 'setNetwork', network: { hidden: [{ units: 8, activation: 'tanh' }, { units: 8, activation: 'tanh' }], loss: 'crossEntropy', biases: true }, seed: 7 } as unknown as Command);
    let desk: CheckedPage | undefined;
    let phone: CheckedPage | undefined;
    try {
      desk = await openPage(browser, onServer(server.url, lecture.instructorUrl), { width: 1366, height: 768 });
      phone = await openPage(browser, onServer(server.url, lecture.studentUrl), { phone: true });
      await Promise.all([live(desk.page), live(phone.page)]);
      const training = command(server.url, lecture, { type: 'train', epochs: 100_000 } as Command).catch((e: Error) => e);
      await eventually(async () => (await (await fetch(`${server.url}/api/lectures/${lecture.id}/state`)).json()).training !== null).toBe(true);
      await desk.page.keyboard.press('n');
      await eventually(() => narrationStatus(desk!.page).textContent()).toContain('Recording narration');
      // Refused while the training runs: no badge yet.
      await desk.page.waitForTimeout(1500);
      expect(await badge(phone.page).count()).toBe(0);
      await command(server.url, lecture, { type: 'stop' } as Command);
      await training;
      // Sent again by the console once the lecture takes commands: the class sees it is being recorded.
      await eventually(() => badge(phone!.page).count(), 10_000).toBe(1);
      await stopButton(desk.page).click();
      await eventually(() => badge(phone!.page).count()).toBe(0);
      for (const p of [desk, phone]) p.assertClean();
    } finally {
      await Promise.all([desk?.close(), phone?.close()]);
    }
  });
});

describe('when the connection drops while recording', () => {
  it('the chunks recorded meanwhile wait in the page, retried until the connection is back: every chunk is stored once, in order, no audio lost', async () => {
    const lecture = await createLecture(server.url, { title: 'Narrated offline' });
    const desk = await openPage(browser, onServer(server.url, lecture.instructorUrl), { width: 1366, height: 768 });
    try {
      await live(desk.page);
      await recordButton(desk.page).click();
      await eventually(() => narrationStatus(desk.page).textContent()).toContain('Recording narration');
      const started = Date.now();
      await desk.context.setOffline(true);
      // At least two chunks (3 s each) are cut while offline: the console says they wait.
      const waiting = desk.page.getByRole('status').filter({ hasText: 'waiting to upload' });
      await eventually(() => waiting.count(), 15_000).toBe(1);
      await eventually(() => waiting.textContent(), 15_000).toMatch(/^[2-9] chunks waiting to upload; retrying…$/);
      expect(await seen(waiting)).toMatchObject({ inViewport: true, hit: true });
      expect(await axeViolations(desk.page)).toEqual([]);
      await desk.context.setOffline(false);
      await eventually(() => waiting.count(), 20_000).toBe(0);
      await stopButton(desk.page).click();
      const recorded = Date.now() - started;
      await eventually(() => recordButton(desk.page).count(), 20_000).toBe(1);

      const take = (await narrationJson(server.url, lecture.id)).takes[0]!;
      expect(take.chunks.map((c) => c.index)).toEqual(take.chunks.map((_, i) => i));
      const audio = take.chunks.reduce((sum, c) => sum + c.duration, 0);
      expect(Math.abs(audio - recorded)).toBeLessThan(1000);
      const probed = await probeNarration(server.url, lecture.id);
      expect(probed.codec).toBe('opus');
      expect(Math.abs(probed.seconds * 1000 - recorded)).toBeLessThanOrEqual(1000);
      // The failed uploads are the browser's to report (net::ERR_INTERNET_DISCONNECTED); the page itself threw nothing.
      expect(desk.errors.filter((e) => !/ERR_INTERNET_DISCONNECTED|Failed to load resource/.test(e))).toEqual([]);
    } finally {
      await desk.close();
    }
  });

  it('an upload that fails while the browser stays online (the connection reset) is tried again after a backoff, until it is stored, after Stop too', async () => {
    const lecture = await createLecture(server.url, { title: 'Narrated through resets' });
    const desk = await openPage(browser, onServer(server.url, lecture.instructorUrl), { width: 1366, height: 768 });
    try {
      await live(desk.page);
      // Every chunk upload is cut off on its way for a while; the browser never says it is offline.
      let cut = 0;
      const chunks = `**/api/lectures/${lecture.id}/narration/takes/*/chunks/*`;
      await desk.page.route(chunks, (route) => {
        cut += 1;
        return route.abort('connectionreset');
      });
      await recordButton(desk.page).click();
      await eventually(() => narrationStatus(desk.page).textContent()).toContain('Recording narration');
      const started = Date.now();
      await eventually(() => cut, 15_000).toBeGreaterThanOrEqual(3);
      // Stopped while still cut off: no new chunk comes to set the uploads going again, only the backoff's timer.
      await stopButton(desk.page).click();
      const recorded = Date.now() - started;
      await eventually(() => narrationStatus(desk.page).textContent()).toContain('Saving the narration…');
      const waiting = desk.page.getByRole('status').filter({ hasText: 'waiting to upload' });
      await eventually(() => waiting.textContent()).toMatch(/^[2-9] chunks waiting to upload; retrying…$/);
      await desk.page.unroute(chunks);
      await eventually(() => recordButton(desk.page).count(), 20_000).toBe(1);
      expect(await waiting.count()).toBe(0);
      const take = (await narrationJson(server.url, lecture.id)).takes[0]!;
      expect(take.chunks.map((c) => c.index)).toEqual(take.chunks.map((_, i) => i));
      expect(Math.abs(take.chunks.reduce((sum, c) => sum + c.duration, 0) - recorded)).toBeLessThan(1000);
      expect((await probeNarration(server.url, lecture.id)).codec).toBe('opus');
      expect(desk.errors.filter((e) => !/ERR_CONNECTION_RESET|Failed to load resource/.test(e))).toEqual([]);
    } finally {
      await desk.close();
    }
  });
});

describe('when narration cannot be recorded', () => {
  let capped: TestServer;
  let refusing: Browser;
  beforeAll(async () => {
    [capped, refusing] = await Promise.all([startServer({ app: { narrationMaxBytes: 100_000 } }), launchBrowser({ fakeMicrophone: 'refused' })]);
  });
  afterAll(async () => {
    await refusing?.close();
    await capped?.close();
  });

  it("over the lecture's cap the upload's 413 stops recording with the server's sentence, and the class's badge goes off", async () => {
    const lecture = await createLecture(capped.url, { title: 'Capped' });
    const desk = await openPage(browser, onServer(capped.url, lecture.instructorUrl), { width: 1366, height: 768 });
    const phone = await openPage(browser, onServer(capped.url, lecture.studentUrl), { phone: true });
    try {
      await live(desk.page);
      await recordButton(desk.page).click();
      await eventually(() => badge(phone.page).count()).toBe(1);
      // A chunk is about 3 s of Opus (some 40 kB of the fake tone): the cap lets one or two in, then the server refuses one.
      const error = desk.page.locator('[data-testid="narration-error"] span');
      await eventually(() => error.count(), 30_000).toBe(1);
      expect(await error.textContent()).toMatch(/^Recording stopped: .*capped at 100000 bytes.*\. What was recorded before it is kept\.$/);
      expect(await seen(error)).toMatchObject({ inViewport: true, hit: true });
      await eventually(() => badge(phone.page).count()).toBe(0);
      expect(await recordButton(desk.page).isEnabled()).toBe(true);
      const narration = await narrationJson(capped.url, lecture.id);
      expect(narration.bytes).toBeLessThanOrEqual(100_000);
      expect(narration.takes[0]!.chunks.length).toBeGreaterThanOrEqual(1);
      await desk.page.screenshot({ path: `${SHOTS}/console-over-cap-1366x768.png` });
      expect(await axeViolations(desk.page)).toEqual([]);
      // The 413 is the server's answer, not a failure of the page: the console reports no error of its own.
      expect(desk.errors.filter((e) => !/413/.test(e))).toEqual([]);
      phone.assertClean();
    } finally {
      await Promise.all([desk.close(), phone.close()]);
    }
  });

  it('a refused microphone says what to do, and nothing else changes: no take on the server, no badge', async () => {
    const lecture = await createLecture(capped.url, { title: 'No microphone' });
    const desk = await openPage(refusing, onServer(capped.url, lecture.instructorUrl), { width: 1366, height: 768 });
    const student = await openPage(refusing, onServer(capped.url, lecture.studentUrl), { width: 1280, height: 720 });
    try {
      await Promise.all([live(desk.page), live(student.page)]);
      await recordButton(desk.page).click();
      const error = desk.page.locator('[data-testid="narration-error"] span');
      await eventually(() => error.count()).toBe(1);
      expect(await error.textContent()).toBe(
        'The browser was not allowed to use the microphone. Allow it for this site (the icon in the address bar) and press Record narration again.',
      );
      expect(await seen(error)).toMatchObject({ inViewport: true, hit: true });
      expect(await recordButton(desk.page).isEnabled()).toBe(true);
      expect((await narrationJson(capped.url, lecture.id)).takes).toEqual([]);
      const snapshot = (await (await fetch(`${capped.url}/api/lectures/${lecture.id}/state`)).json()) as { narrating?: boolean; seq: number };
      expect(snapshot.narrating).toBe(false);
      expect(snapshot.seq).toBe(0);
      expect(await badge(student.page).count()).toBe(0);
      expect(await axeViolations(desk.page)).toEqual([]);
      desk.assertClean();
      student.assertClean();
    } finally {
      await Promise.all([desk.close(), student.close()]);
    }
  });
});
