/**
 * The teaching notebook's mistakes where they happen: the instructor turns "Notebook's mistakes"
 * on in the console, and the equation panel of every student, of the projector display and of a
 * phone shows the notebook's own line beside the correct one, both with this moment's numbers,
 * readable and in sight; off, or on another network, they are gone.
 */
import { mkdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import type { TestServer } from '../support/server.js';
import { axeViolations, type CheckedPage, command, createLecture, eventually, onServer, openPage, withServerAndBrowser } from './support.js';

const SHOTS = '/tmp/shots-errata';
mkdirSync(SHOTS, { recursive: true });

let server: TestServer;
let browser: Browser;

withServerAndBrowser((s, b) => ([server, browser] = [s, b]));

const live = (page: Page) => page.locator('[data-testid="connection-status"][data-status="live"]').waitFor();
const stageOf = (page: Page) => page.locator('[data-testid="current-stage"]');
const note = (page: Page) => page.locator('errata-note [data-testid="errata-note"]');
const notebookLine = (page: Page) => page.locator('errata-note [data-testid="erratum-notebook"] .line');
const correctLine = (page: Page) => page.locator('errata-note [data-testid="erratum-correct"] .line');
const toggle = (page: Page) => page.getByRole('button', { name: "Notebook's mistakes" });

/** What a person reads in a KaTeX line: its drawn text (not the MathML for screen readers), without spacing characters. */
const drawn = (line: Locator) => line.evaluate((el) => (el.querySelector('.katex-html')?.textContent ?? '').replace(/[\s\u200b]/g, ''));

/**
 * Where an element is as a person sees it: inside the viewport, what is drawn at its centre is it
 * (through shadow roots), the computed font size of its KaTeX, and whether it is cut off at the side.
 */
async function seen(locator: Locator) {
  return locator.evaluate((el) => {
    const r = el.getBoundingClientRect();
    const inViewport = r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth && r.width > 0 && r.height > 0;
    const [x, y] = [r.left + r.width / 2, r.top + r.height / 2];
    let hit: Element | null = document.elementFromPoint(x, y);
    while (hit?.shadowRoot) {
      const inner = hit.shadowRoot.elementFromPoint(x, y);
      if (!inner || inner === hit) break;
      hit = inner;
    }
    const katex = el.querySelector('.katex') ?? el;
    return {
      inViewport,
      hit: hit !== null && (hit === el || el.contains(hit)),
      fontSize: parseFloat(getComputedStyle(katex).fontSize),
      clipped: el.scrollWidth > el.clientWidth + 1,
    };
  });
}

/** Brings the element into view as a student scrolling to it would, then reads what they see. */
async function scrolledTo(locator: Locator) {
  await locator.scrollIntoViewIfNeeded();
  return seen(locator);
}

/** Steps a lecture (over HTTP, as a second instructor device would) until it is at `stage`. */
async function stepTo(lecture: Awaited<ReturnType<typeof createLecture>>, stage: string): Promise<void> {
  for (let k = 0; k < 20; k++) {
    const s = await command(server.url, lecture, { type: 'step' });
    if (s.stage === stage) return;
  }
  throw new Error(`never reached ${stage}`);
}

async function closeAll(...pages: (CheckedPage | undefined)[]): Promise<void> {
  await Promise.all(pages.map((p) => p?.close()));
}

describe("the notebook's mistakes, where they happen", () => {
  it("the instructor turns them on in the console; a student at ∂L/∂C_act sees the notebook's value and the correct one; off hides them", async () => {
    const lecture = await createLecture(server.url, { title: 'Errata' });
    let consolePage: CheckedPage | undefined;
    let student: CheckedPage | undefined;
    try {
      consolePage = await openPage(browser, onServer(server.url, lecture.instructorUrl), { width: 1366, height: 768 });
      student = await openPage(browser, onServer(server.url, lecture.studentUrl), { width: 1280, height: 720 });
      await Promise.all([live(consolePage.page), live(student.page)]);
      const desk = consolePage.page;
      const page = student.page;

      await expect.poll(() => toggle(desk).getAttribute('aria-pressed')).toBe('false');
      await toggle(desk).click();
      await eventually(() => toggle(desk).getAttribute('aria-pressed')).toBe('true');

      await stepTo(lecture, 'dL_dC_act');
      await eventually(() => stageOf(page).textContent()).toBe('∂L/∂C_act');
      await note(page).waitFor();
      // The notebook's line, with this moment's value, and the correct one: as text and as drawn.
      expect(await notebookLine(page).getAttribute('data-text')).toBe('dl_dC_act = y = 1');
      expect(await correctLine(page).getAttribute('data-text')).toBe('∂L/∂C_act = C_act − y = −0.2033');
      await eventually(() => drawn(notebookLine(page))).toBe('dl_dC_act=y=1');
      await eventually(() => drawn(correctLine(page))).toMatch(/=−0\.2033$/);
      expect(await page.locator('errata-note [data-testid="erratum-why"]').textContent()).toContain('C_act − y');
      // In sight once scrolled to, uncovered, not cut off, as big as the equation lines.
      for (const line of [notebookLine(page), correctLine(page)]) {
        const s = await scrolledTo(line);
        expect(s).toMatchObject({ inViewport: true, hit: true, clipped: false });
        expect(s.fontSize).toBeGreaterThanOrEqual(18);
      }
      await page.locator('equation-panel').screenshot({ path: `${SHOTS}/student-dL_dC_act-1280x720.png` });
      expect(await axeViolations(page)).toEqual([]);

      // Off again: gone from the student's panel; the equation's own lines stay.
      await toggle(desk).click();
      await eventually(() => toggle(desk).getAttribute('aria-pressed')).toBe('false');
      await eventually(() => note(page).count()).toBe(0);
      expect(await page.locator('equation-panel [role="listitem"]').count()).toBeGreaterThan(0);
      consolePage.assertClean();
      student.assertClean();
    } finally {
      await closeAll(consolePage, student);
    }
  });

  it('on a network other than the notebook’s the console does not offer them, and no view shows them', async () => {
    const lecture = await createLecture(server.url, { title: 'Errata, another network' });
    await command(server.url, lecture, { type: 'setErrata', on: true });
    let consolePage: CheckedPage | undefined;
    let student: CheckedPage | undefined;
    try {
      consolePage = await openPage(browser, onServer(server.url, lecture.instructorUrl), { width: 1366, height: 768 });
      student = await openPage(browser, onServer(server.url, lecture.studentUrl), { width: 1280, height: 720 });
      await Promise.all([live(consolePage.page), live(student.page)]);
      await expect.poll(() => toggle(consolePage!.page).count()).toBe(1);

      await command(server.url, lecture, {
        type: 'setNetwork',
        network: {
          hidden: [{ units: 4, activation: 'tanh' }],
          output: { units: 1, activation: 'sigmoid' },
          loss: 'halfSquaredError',
          biases: false,
          batch: 1,
        },
      });
      await eventually(() => toggle(consolePage!.page).count()).toBe(0);
      // The setting is still on (a class setting), but the other network has no notebook to correct.
      await command(server.url, lecture, { type: 'forward' });
      await stepTo(lecture, 'dL_dW1');
      await eventually(() => stageOf(student!.page).textContent()).toBe('∂L/∂W1');
      expect(await note(student.page).count()).toBe(0);
      expect(await note(consolePage.page).count()).toBe(0);
      consolePage.assertClean();
      student.assertClean();
    } finally {
      await closeAll(consolePage, student);
    }
  });

  it('on a phone (375×812, touch), at every stage the notebook got wrong, both lines are readable in sight and nothing is wider than the screen', async () => {
    const lecture = await createLecture(server.url, { title: 'Errata on a phone' });
    await command(server.url, lecture, { type: 'setErrata', on: true });
    await command(server.url, lecture, { type: 'forward' });
    const phone = await openPage(browser, onServer(server.url, lecture.studentUrl), { phone: true });
    const page = phone.page;
    try {
      await live(page);
      for (const stage of ['dL_dC_act', 'dL_dV', 'dL_dW', 'update']) {
        await stepTo(lecture, stage);
        await eventually(() => note(page).getAttribute('data-stage')).toBe(stage);
        const lines = [...(await notebookLine(page).all()), ...(await correctLine(page).all())];
        expect(lines.length).toBeGreaterThanOrEqual(2);
        for (const line of lines) {
          const s = await scrolledTo(line);
          expect(s, `${stage}: ${await line.getAttribute('data-text')}`).toMatchObject({ inViewport: true, hit: true, clipped: false });
          expect(s.fontSize).toBeGreaterThanOrEqual(14);
        }
        expect(await page.evaluate(() => document.scrollingElement!.scrollWidth)).toBeLessThanOrEqual(375);
        await note(page).screenshot({ path: `${SHOTS}/phone-${stage}.png` });
      }
      phone.assertClean();
    } finally {
      await phone.close();
    }
  });

  it('a replay shows them where they were shown: at ∂L/∂C_act after they were turned on, not before', async () => {
    const lecture = await createLecture(server.url, { title: 'Errata replayed' });
    await command(server.url, lecture, { type: 'forward' }); // seq 1
    await stepTo(lecture, 'dL_dC_act'); // seq 2
    await command(server.url, lecture, { type: 'setErrata', on: true }); // seq 3
    for (const [seq, shown] of [
      [2, false],
      [3, true],
    ] as const) {
      const replay = await openPage(browser, `${server.url}/replay/${lecture.id}?seq=${seq}`, { width: 1280, height: 720 });
      try {
        await eventually(() => stageOf(replay.page).textContent()).toBe('∂L/∂C_act');
        if (shown) {
          await note(replay.page).waitFor();
          expect(await notebookLine(replay.page).getAttribute('data-text')).toBe('dl_dC_act = y = 1');
          expect(await correctLine(replay.page).getAttribute('data-text')).toBe('∂L/∂C_act = C_act − y = −0.2033');
        } else {
          await replay.page.locator('equation-panel [role="listitem"]').first().waitFor();
          expect(await note(replay.page).count()).toBe(0);
        }
        replay.assertClean();
      } finally {
        await replay.close();
      }
    }
  });

  it("with the errata shown, the projector at ∂L/∂C_act shows the notebook's value and the correct one, in sight on one screen", async () => {
    const lecture = await createLecture(server.url, { title: 'Errata on the wall' });
    await command(server.url, lecture, { type: 'setErrata', on: true });
    await stepTo(lecture, 'dL_dC_act');
    for (const [width, height] of [
      [1280, 720],
      [1024, 768],
      [1920, 1080],
    ] as const) {
      const projector = await openPage(browser, `${server.url}/lecture/${lecture.id}/projector`, { width, height });
      const page = projector.page;
      try {
        await note(page).waitFor();
        await page.evaluate(() => document.fonts.ready);
        expect(await notebookLine(page).getAttribute('data-text')).toBe('dl_dC_act = y = 1');
        expect(await correctLine(page).getAttribute('data-text')).toBe('∂L/∂C_act = C_act − y = −0.2033');
        await eventually(() => drawn(correctLine(page))).toMatch(/=−0\.2033$/);
        // No scrolling on the wall: the note and both lines are in the viewport as it is.
        expect(await seen(note(page)), `${width}×${height}`).toMatchObject({ inViewport: true });
        for (const line of [notebookLine(page), correctLine(page)]) {
          const s = await seen(line);
          expect(s, `${width}×${height}`).toMatchObject({ inViewport: true, hit: true, clipped: false });
          // The projector's substituted lines are 24 px at 1280×720 and grow with the screen.
          expect(s.fontSize).toBeGreaterThanOrEqual(24 * Math.min(width / 1280, height / 720) - 0.5);
        }
        expect(await page.evaluate(() => document.scrollingElement!.scrollHeight <= innerHeight)).toBe(true);
        await page.screenshot({ path: `${SHOTS}/projector-dL_dC_act-${width}x${height}.png` });
        projector.assertClean();
      } finally {
        await projector.close();
      }
    }
  });
});
