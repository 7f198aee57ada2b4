/**
 * The instructor's bookmark (issue 16): a button in the console's bar, in sight on both laptop
 * sizes, and the M key open a field filled with where the lecture is; Enter records a `bookmark`
 * with the label typed (the console's keys stay quiet while typing), Esc records nothing, a label
 * refused (an empty one; any during a training, in the server's words) says why beside the field. The recording holds it, `back` does not take it away, and
 * the replay's chapter list names it and seeks there. Real server, real Chromium.
 */
import { mkdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { Recording } from '../../shared/protocol/http.js';
import type { TestServer } from '../support/server.js';
import { axeViolations, command, createLecture, eventually, onServer, openPage, seen, withServerAndBrowser } from './support.js';

const SHOTS = '/tmp/shots-bookmark';
mkdirSync(SHOTS, { recursive: true });

let server: TestServer;
let browser: Browser;
withServerAndBrowser((s, b) => ([server, browser] = [s, b]));

const live = (page: Page) => page.locator('[data-testid="connection-status"][data-status="live"]').waitFor();
const stageOf = (page: Page) => page.locator('[data-testid="current-stage"]').first();
const bookmarkButton = (page: Page) => page.getByRole('button', { name: /^Bookmark/ });
const labelField = (page: Page) => page.getByRole('textbox', { name: 'Bookmark' });
const confirmation = (page: Page) => page.locator('[data-testid="bookmark-done"]');

async function recording(id: string): Promise<Recording> {
  const res = await fetch(`${server.url}/api/lectures/${id}/recording`);
  expect(res.status).toBe(200);
  return (await res.json()) as Recording;
}

const bookmarksIn = (r: Recording) => r.events.filter((e) => e.command.type === 'bookmark').map((e) => ({ seq: e.seq, command: e.command }));

/** The focused element's test id, or its tag and id, through shadow roots. */
function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    let active = document.activeElement;
    while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
    if (!(active instanceof HTMLElement)) return '';
    return active.dataset.testid ?? `${active.tagName.toLowerCase()}#${active.id}`;
  });
}

describe('a bookmark dropped live in the console', () => {
  it('M opens the field, Enter records the label typed, back leaves it, and the replay lists it as a chapter that seeks there', async () => {
    const lecture = await createLecture(server.url, { title: 'Bookmarked' });
    const desk = await openPage(browser, onServer(server.url, lecture.instructorUrl), { width: 1366, height: 768 });
    try {
      const page = desk.page;
      await live(page);
      // In the bar, in sight and uncovered on both laptop sizes.
      for (const size of [{ width: 1366, height: 768 }, { width: 1280, height: 720 }]) {
        await page.setViewportSize(size);
        expect(await seen(bookmarkButton(page))).toMatchObject({ inViewport: true, hit: true });
      }
      await page.screenshot({ path: `${SHOTS}/console-1280x720.png` });
      // The key list names M.
      await page.keyboard.press('?');
      await eventually(() => page.locator('[data-testid="key-help"] dl').innerText()).toContain('Bookmark this moment');
      await page.keyboard.press('Escape');

      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('ArrowRight');
      await eventually(() => stageOf(page).textContent()).toBe('B');

      // M: the field, focused, filled with where the lecture is and selected (typing replaces it).
      await page.keyboard.press('m');
      await eventually(() => focused(page)).toBe('input#bookmark-label');
      expect(await labelField(page).inputValue()).toBe('Sample 0 at B');
      expect(await labelField(page).evaluate((el: HTMLInputElement) => [el.selectionStart, el.selectionEnd])).toEqual([0, 'Sample 0 at B'.length]);
      expect(await seen(labelField(page))).toMatchObject({ inViewport: true, hit: true });
      expect(await seen(page.getByRole('button', { name: /^Drop/ }))).toMatchObject({ inViewport: true, hit: true });
      await page.screenshot({ path: `${SHOTS}/console-field-1280x720.png` });
      expect(await axeViolations(page)).toEqual([]);

      // Typed letters are the label's, not the console's keys (f, b, n, m, s, t would step, record, point, train).
      const label = 'Why bother: fun, not maths';
      await page.keyboard.type(label);
      expect(await labelField(page).inputValue()).toBe(label);
      await page.keyboard.press('Enter');
      await eventually(() => confirmation(page).textContent()).toBe(`Bookmarked: ${label}`);
      expect(await confirmation(page).getAttribute('role')).toBe('status');
      expect(await seen(confirmation(page))).toMatchObject({ inViewport: true, hit: true });
      expect(await labelField(page).count()).toBe(0);
      await eventually(() => focused(page)).toBe('bookmark');
      expect(await stageOf(page).textContent()).toBe('B');
      expect(await page.locator('[data-testid="narration-status"]').count()).toBe(0);
      await page.screenshot({ path: `${SHOTS}/console-bookmarked-1280x720.png` });
      expect(await axeViolations(page)).toEqual([]);

      let r = await recording(lecture.id);
      expect(bookmarksIn(r)).toEqual([{ seq: 3, command: { type: 'bookmark', label } }]);
      expect(r.events.map((e) => e.command.type)).toEqual(['step', 'step', 'bookmark']);

      // Back undoes the step before it, not the bookmark: the recording keeps it.
      await page.keyboard.press('ArrowLeft');
      await eventually(() => stageOf(page).textContent()).toBe('input');
      r = await recording(lecture.id);
      expect(r.events.map((e) => e.command.type)).toEqual(['step', 'step', 'bookmark', 'back']);
      expect(bookmarksIn(r)).toEqual([{ seq: 3, command: { type: 'bookmark', label } }]);

      // The button opens the field too; Enter at once takes the label it offers (where the lecture is now).
      await bookmarkButton(page).click();
      await eventually(() => focused(page)).toBe('input#bookmark-label');
      expect(await labelField(page).inputValue()).toBe('Sample 0 at input');
      await page.keyboard.press('Enter');
      await eventually(() => confirmation(page).textContent()).toBe('Bookmarked: Sample 0 at input');

      // Esc records nothing and gives the keys back.
      await page.keyboard.press('m');
      await eventually(() => focused(page)).toBe('input#bookmark-label');
      await page.keyboard.type('never sent');
      await page.keyboard.press('Escape');
      expect(await labelField(page).count()).toBe(0);
      await eventually(() => focused(page)).toBe('bookmark');
      expect((await recording(lecture.id)).events).toHaveLength(5);

      // A label with nothing to read is refused with the protocol's sentence, beside the field, which stays.
      await page.keyboard.press('m');
      await eventually(() => focused(page)).toBe('input#bookmark-label');
      await page.keyboard.type('   ');
      await page.keyboard.press('Enter');
      const refusal = page.locator('[data-testid="bookmark-error"]');
      await eventually(() => refusal.textContent()).toBe('bookmark: label: label must have at least one visible character');
      expect(await labelField(page).getAttribute('aria-invalid')).toBe('true');
      expect(await seen(refusal)).toMatchObject({ inViewport: true, hit: true });
      await page.screenshot({ path: `${SHOTS}/console-refused-1280x720.png` });
      expect(await axeViolations(page)).toEqual([]);
      await page.keyboard.press('Escape');
      expect((await recording(lecture.id)).events).toHaveLength(5);

      desk.assertClean();
    } finally {
      await desk.close();
    }

    // The replay: both bookmarks are chapters by their labels; the first seeks to its event.
    const replay = await openPage(browser, `${server.url}/replay/${lecture.id}`, { width: 1366, height: 768 });
    try {
      const page = replay.page;
      const position = page.locator('[data-testid="replay-position"]');
      await eventually(() => position.textContent()).toContain('event 0 of 5');
      const chapter = page.getByRole('button', { name: new RegExp(`^Why bother: fun, not maths`) });
      expect(await page.getByRole('button', { name: /^Sample 0 at input/ }).count()).toBe(1);
      expect(await seen(chapter)).toMatchObject({ inViewport: true, hit: true });
      await chapter.click();
      await eventually(() => position.textContent()).toContain('event 3 of 5');
      expect(await stageOf(page).textContent()).toBe('B');
      expect(await chapter.getAttribute('aria-current')).toBe('true');
      await page.screenshot({ path: `${SHOTS}/replay-bookmark-1366x768.png` });
      expect(await axeViolations(page)).toEqual([]);
      replay.assertClean();
    } finally {
      await replay.close();
    }
  });

  it("while a training runs the server refuses every command but stop: the field shows the server's sentence and keeps the label; after Stop, Enter records it", async () => {
    // A training that lasts: 200 rows through two hidden layers of 8, one row a step, 100,000 epochs.
    const lecture = await createLecture(server.url, { title: 'Bookmarked while training' });
    await command(server.url, lecture, { type: 'setDataset', dataset: { kind: 'points', set: 'circle', count: 400, noise: 0, trainFraction: 0.5, seed: 7 } });
    await command(server.url, lecture, {
      type: 'setNetwork',
      network: { hidden: [8, 8].map((units) => ({ units, activation: 'tanh' as const })), output: { units: 1, activation: 'sigmoid' }, loss: 'crossEntropy', biases: true, batch: 1 },
      preset: 'random',
      seed: 3,
    });
    const desk = await openPage(browser, onServer(server.url, lecture.instructorUrl), { width: 1280, height: 720 });
    try {
      const page = desk.page;
      await live(page);
      const refusal = page.locator('[data-testid="bookmark-error"]');
      await page.locator('#epochs').fill('100000');
      await page.getByTestId('train').click();
      await page.getByTestId('stop').waitFor();
      // The bookmark stays in reach while the training's buttons are off.
      expect(await bookmarkButton(page).isEnabled()).toBe(true);
      await page.keyboard.press('m');
      await eventually(() => focused(page)).toBe('input#bookmark-label');
      await page.keyboard.type('During training');
      await page.keyboard.press('Enter');
      await eventually(() => refusal.textContent()).toMatch(/^training is running \(\d+\/100000 epochs\); send stop to end it$/);
      expect(await labelField(page).inputValue()).toBe('During training');
      expect(await seen(refusal)).toMatchObject({ inViewport: true, hit: true });
      await page.getByTestId('stop').click();
      await eventually(() => page.getByTestId('stop').count()).toBe(0);
      await labelField(page).press('Enter');
      await eventually(() => confirmation(page).textContent()).toBe('Bookmarked: During training');
      expect(await refusal.count()).toBe(0);
      const events = (await recording(lecture.id)).events;
      expect(events.map((e) => e.command.type)).toEqual(['setDataset', 'setNetwork', 'train', 'bookmark']);
      expect(events.at(-1)!.command).toEqual({ type: 'bookmark', label: 'During training' });
      desk.assertClean();
    } finally {
      await desk.close();
    }
  });
});
