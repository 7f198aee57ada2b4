/**
 * The replay with the instructor's voice (issue 16): a narration of 10 s (a tone Debian's ffmpeg
 * encodes as Opus in WebM, uploaded through the narration API in two chunks with a 2 s pause
 * between them, as a paused recording would have it) under a lecture stepped while it ran.
 * Seeking the timeline to an event's time puts the audio at that event's offset in the take (the
 * pause taken out) and shows that event's state; Play plays the audio, which then drives the state;
 * `?t=` opens there. Real server, real Chromium, real audio decoding.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { Command } from '../../shared/protocol/commands.js';
import type { CreatedLecture, Recording } from '../../shared/protocol/http.js';
import type { TestServer } from '../support/server.js';
import { axeViolations, command, createLecture, eventually, openPage, withServerAndBrowser } from './support.js';
import { audioState, byTestId, positionText, slider } from './replay-support.js';

let server: TestServer;
let browser: Browser;
withServerAndBrowser((s, b) => ([server, browser] = [s, b]));

const MIME = 'audio/webm;codecs=opus';
/** The take's two chunks: 5 s of audio each, the second begun after a 2 s pause. */
const FIRST_MS = 5000;
const PAUSE_MS = 2000;

const dir = mkdtempSync(join(tmpdir(), 'bp-narration-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let lecture: CreatedLecture;
let startedAt: number;
/** Each event's lecture time since the take started (ms). */
let offsets: number[];

/** Sends a command at `ms` after the take started (waiting for it). */
async function commandAt(ms: number, cmd: Command): Promise<void> {
  await sleep(Math.max(0, startedAt + ms - Date.now()));
  await command(server.url, lecture, cmd);
}

beforeAll(async () => {
  const file = join(dir, 'tone.webm');
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=10', '-c:a', 'libopus', file]);
  const audio = readFileSync(file);
  lecture = await createLecture(server.url, { title: 'Narrated' });
  const auth = { authorization: `Bearer ${lecture.instructorToken}` };
  const takeRes = await fetch(`${server.url}/api/lectures/${lecture.id}/narration/takes`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ mime: MIME }) });
  expect(takeRes.status).toBe(201);
  const take = (await takeRes.json()) as { take: number; startedAt: number };
  startedAt = take.startedAt;
  // Steps in the first chunk's 5 s, one in the pause, one in the second chunk.
  await commandAt(800, { type: 'step' });
  await commandAt(2000, { type: 'step' });
  await commandAt(3500, { type: 'step' });
  await commandAt(FIRST_MS + PAUSE_MS / 2, { type: 'forward' });
  await commandAt(FIRST_MS + PAUSE_MS + 1500, { type: 'backward' });
  // The tone's bytes as two chunks: the stream is their concatenation, whatever the split.
  const half = Math.floor(audio.length / 2);
  const chunks = [
    { index: 0, at: 0, audioAt: 0, duration: FIRST_MS, data: audio.subarray(0, half) },
    { index: 1, at: FIRST_MS + PAUSE_MS, audioAt: FIRST_MS, duration: 10_000 - FIRST_MS, data: audio.subarray(half) },
  ];
  for (const c of chunks) {
    const res = await fetch(`${server.url}/api/lectures/${lecture.id}/narration/takes/${take.take}/chunks/${c.index}?at=${c.at}&audioAt=${c.audioAt}&duration=${c.duration}`, {
      method: 'PUT',
      headers: { ...auth, 'content-type': MIME },
      body: c.data,
    });
    expect(res.status).toBe(201);
  }
  const recording = (await (await fetch(`${server.url}/api/lectures/${lecture.id}/recording`)).json()) as Recording;
  offsets = recording.events.map((e) => e.at - startedAt);
}, 30_000);

/** Where an event's lecture time is heard in the take: the pause taken out after the first chunk. */
const audioOffset = (ms: number) => (ms < FIRST_MS ? ms : ms - PAUSE_MS) / 1000;

describe('a replay with narration', () => {
  it('seeking to an event puts the audio at its offset and shows its state, before and after a pause in the take', async () => {
    const p = await openPage(browser, `${server.url}/replay/${lecture.id}`);
    try {
      await eventually(() => positionText(p.page)).toContain('event 0 of 5');
      // The timeline starts with the narration (before the first event) and spans its 10 s and the pause.
      expect(Number(await slider(p.page).getAttribute('max'))).toBeCloseTo(10_000 + PAUSE_MS, -1);
      for (const k of [2, 3, 5]) {
        await slider(p.page).fill(String(offsets[k - 1]));
        await eventually(() => positionText(p.page)).toContain(`event ${k} of 5`);
        await eventually(async () => Math.abs((await audioState(p.page))!.time - audioOffset(offsets[k - 1]))).toBeLessThan(0.3);
      }
      const a = (await audioState(p.page))!;
      expect(a.src).toMatch(new RegExp(`/api/lectures/${lecture.id}/narration/takes/\\d+$`));
      expect(a.paused).toBe(true);
      expect(await byTestId(p.page, 'current-stage').textContent()).toBe('∂L/∂W');
      // The narration is in the menu's downloads.
      await p.page.getByRole('button', { name: /^More/ }).click();
      expect(await p.page.getByRole('menuitem', { name: /^Narration \(00:10\)$/ }).getAttribute('href')).toMatch(/\?download=1$/);
      expect(await p.page.getByRole('menuitemcheckbox', { name: 'Narration' }).getAttribute('aria-checked')).toBe('true');
      expect(await axeViolations(p.page)).toEqual([]);
      p.assertClean();
    } finally {
      await p.close();
    }
  });

  it('plays the voice, at the speed asked with the pitch kept, and the state follows the audio', async () => {
    const p = await openPage(browser, `${server.url}/replay/${lecture.id}?seq=1`);
    try {
      await eventually(() => positionText(p.page)).toContain('event 1 of 5');
      await p.page.locator('#speed').selectOption('2');
      await p.page.getByRole('button', { name: 'Play' }).click();
      await eventually(async () => (await audioState(p.page))!.paused).toBe(false);
      const a = (await audioState(p.page))!;
      expect(a.rate).toBe(2);
      expect(a.preservesPitch).toBe(true);
      // The audio runs, and the events come in order as it reaches them.
      await eventually(() => positionText(p.page), 15_000).toContain('event 3 of 5');
      const heard = (await audioState(p.page))!.time;
      expect(heard).toBeGreaterThanOrEqual(audioOffset(offsets[2]) - 0.3);
      // Through the pause (no audio: the lecture's clock) and on into the second chunk.
      await eventually(() => positionText(p.page), 15_000).toContain('event 5 of 5');
      await eventually(async () => (await audioState(p.page))!.time, 15_000).toBeGreaterThan(audioOffset(offsets[4]) - 0.3);
      // Nothing said the voice could not be heard.
      expect(await p.page.getByRole('alert').count()).toBe(0);
      await p.page.getByRole('button', { name: 'Pause' }).click();
      await eventually(async () => (await audioState(p.page))!.paused).toBe(true);
      p.assertClean();
    } finally {
      await p.close();
    }
  });

  it('?t= opens at that moment with the audio there, paused', async () => {
    const t = ((offsets[2] + 300) / 1000).toFixed(1);
    const p = await openPage(browser, `${server.url}/replay/${lecture.id}?t=${t}`);
    try {
      await eventually(() => positionText(p.page)).toContain('event 3 of 5');
      await eventually(async () => Math.abs((await audioState(p.page))!.time - Number(t))).toBeLessThan(0.3);
      expect((await audioState(p.page))!.paused).toBe(true);
      p.assertClean();
    } finally {
      await p.close();
    }
  });
});
