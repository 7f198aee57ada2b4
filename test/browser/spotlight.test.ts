/**
 * The shared spotlight in real browsers: the instructor points at W[2,3] (the protocol's 0-based
 * index; W[3,4] as people read it) and a phone student scrolled to the bottom of the page sees that
 * weight brought into view, marked, uncovered; the replay at that event shows it; the instructor
 * points from the console with the mouse and the keyboard. Also what else a pass takes with it: a
 * question a student answered that ends unrevealed says so. Real server, real Chromium.
 */
import { describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { SpotlightTarget } from '../../shared/protocol/collab.js';
import type { Snapshot } from '../../shared/protocol/snapshot.js';
import type { TestServer } from '../support/server.js';
import { command, createLecture, eventually, onServer, openPage, withServerAndBrowser } from './support.js';

let server: TestServer;
let browser: Browser;
withServerAndBrowser((s, b) => ([server, browser] = [s, b]));

const W23: SpotlightTarget = { type: 'element', tensor: 'W', index: [2, 3] };
/** W is 3×4: element [2,3] is cell 11. */
const W23_CELL = '[data-testid="cell-W-11"]';
const live = (page: Page) => page.locator('[data-testid="connection-status"][data-status="live"]').waitFor();

async function state(id: string): Promise<Snapshot> {
  return (await (await fetch(`${server.url}/api/lectures/${id}/state`)).json()) as Snapshot;
}

/**
 * Where the element stands to a person: inside the viewport, not covered by anything (what is at
 * its centre is it or inside it, through shadow roots), and marked as the spotlight.
 */
async function seen(page: Page, selector: string) {
  return page.locator(selector).evaluate((el) => {
    const r = el.getBoundingClientRect();
    const x = r.left + r.width / 2;
    const y = r.top + r.height / 2;
    let hit: Element | null = document.elementFromPoint(x, y);
    while (hit?.shadowRoot) {
      const deeper = hit.shadowRoot.elementFromPoint(x, y);
      if (!deeper || deeper === hit) break;
      hit = deeper;
    }
    // Folded away (a closed <details>) is not in view, wherever its empty box is.
    const inView = el.checkVisibility() && r.top >= 0 && r.bottom <= innerHeight && r.left >= 0 && r.right <= innerWidth;
    return { inView, uncovered: hit !== null && (hit === el || el.contains(hit)), spotlit: el.hasAttribute('data-spotlit') };
  });
}

describe('the spotlight', () => {
  it("brings the instructor's weight into a phone student's view, marked, and a replay at that event shows it", async () => {
    const lecture = await createLecture(server.url, { title: 'Spotlight' });
    const student = await openPage(browser, onServer(server.url, lecture.studentUrl), { phone: true });
    try {
      const { page } = student;
      await live(page);
      // On a phone W is folded under "All tensors": the spotlight opens the fold.
      await page.locator(W23_CELL).waitFor({ state: 'attached' });
      // A student scrolled down a page that has finished arriving (KaTeX comes after the first paint
      // and makes the equations taller): neither the cell nor the diagram's edge W₃₄ is in view.
      await page.locator('equation-panel .katex').first().waitFor();
      await page.evaluate(() => window.scrollTo(0, document.scrollingElement!.scrollHeight));
      await eventually(async () => (await seen(page, W23_CELL)).inView).toBe(false);
      expect((await seen(page, 'g.edge[data-edge="W₃₄"]')).inView).toBe(false);

      const pointed = await command(server.url, lecture, { type: 'spotlight', target: W23 });
      expect(pointed.spotlight).toEqual(W23);
      // Brought into view (instantly: reduced motion; the smooth path is followed in follow-moment.test.ts).
      await eventually(() => seen(page, W23_CELL), 5_000).toEqual({ inView: true, uncovered: true, spotlit: true });
      await expect.poll(() => page.locator('[data-testid="spotlight-announcement"]').textContent()).toBe('Spotlight on W[3,4]');
      // The diagram's edge W₃₄ carries the mark too.
      expect(await page.locator('g.edge[data-spotlit]').getAttribute('data-edge')).toBe('W₃₄');

      await command(server.url, lecture, { type: 'spotlight', target: null });
      await eventually(() => page.locator('[data-spotlit]').count()).toBe(0);
      student.assertClean();
    } finally {
      await student.close();
    }

    const replay = await openPage(browser, `${server.url}/replay/${lecture.id}?seq=1`);
    try {
      await replay.page.locator(`${W23_CELL}[data-spotlit]`).waitFor();
      expect((await seen(replay.page, `${W23_CELL}`)).spotlit).toBe(true);
      replay.assertClean();
    } finally {
      await replay.close();
    }
    expect((await state(lecture.id)).seq).toBe(2);
  });

  it('the instructor points from the console with the mouse and the keyboard; the projector display marks it', async () => {
    const lecture = await createLecture(server.url, { title: 'Pointing' });
    const console = await openPage(browser, onServer(server.url, lecture.instructorUrl), { width: 1366, height: 768 });
    const projector = await openPage(browser, `${server.url}/lecture/${lecture.id}/projector`, { width: 1280, height: 720 });
    try {
      const { page } = console;
      await live(page);
      await page.keyboard.press('ArrowRight');
      await eventually(async () => (await state(lecture.id)).stage).toBe('input');
      await page.keyboard.press('s');
      await expect.poll(() => page.locator('[data-testid="point"]').getAttribute('aria-pressed')).toBe('true');

      // The mouse: a weight's cell (which, pointing, spotlights instead of opening the editor).
      await page.locator('[data-testid="point-W-11"]').click();
      await eventually(async () => (await state(lecture.id)).spotlight).toEqual(W23);
      expect(await page.locator('[data-testid="cell-W-11"] input').count()).toBe(0);
      await projector.page.locator('g.edge[data-spotlit]').waitFor();
      expect(await projector.page.locator('g.edge[data-spotlit]').getAttribute('data-edge')).toBe('W₃₄');
      const halo = await projector.page.locator('g.edge[data-spotlit] .spot-halo').boundingBox();
      expect(halo).not.toBeNull();
      expect(halo!.y).toBeGreaterThanOrEqual(0);
      expect(halo!.y + halo!.height).toBeLessThanOrEqual(720);

      // The keyboard: a node of the diagram, focused, and Enter.
      await page.locator('g.node[data-node="B2"]').focus();
      await page.keyboard.press('Enter');
      await eventually(async () => (await state(lecture.id)).spotlight).toEqual({ type: 'element', tensor: 'B_act', index: [1] });
      await projector.page.locator('g.node[data-node="B2"][data-spotlit] .spot-ring').waitFor();

      // A stage chip, then Esc takes the spotlight away.
      await page.locator('[data-testid="point-stage-C_act"]').click();
      await eventually(async () => (await state(lecture.id)).spotlight).toEqual({ type: 'stage', stage: 'C_act' });
      await projector.page.locator('li[data-stage="C_act"][data-spotlit]').waitFor();
      await page.keyboard.press('Escape');
      await eventually(async () => (await state(lecture.id)).spotlight).toBeNull();
      await eventually(() => projector.page.locator('[data-spotlit]').count()).toBe(0);
      console.assertClean();
      projector.assertClean();
    } finally {
      await console.close();
      await projector.close();
    }
  });
});

describe('a question that ends with its pass', () => {
  it('a question the student answered that ends without a reveal (the network was trained) says so', async () => {
    const lecture = await createLecture(server.url, { title: 'Ended question' });
    const student = await openPage(browser, onServer(server.url, lecture.studentUrl), { phone: true });
    try {
      const { page } = student;
      await live(page);
      await command(server.url, lecture, { type: 'ask', tensor: 'C_act', index: [0] });
      await page.locator('[data-testid="prediction-input"]').fill('0.5');
      await page.locator('[data-testid="prediction-submit"]').click();
      await page.locator('[data-testid="prediction-mine"]').waitFor();
      await command(server.url, lecture, { type: 'train', epochs: 3 });
      await eventually(() => page.locator('[data-testid="notice"]').textContent()).toContain('The question on C_act ended without a reveal (Train 3 epochs)');
      expect(await page.locator('[data-testid="prediction-card"]').count()).toBe(0);
      expect((await state(lecture.id)).prediction).toBeNull();
      student.assertClean();
    } finally {
      await student.close();
    }
  });
});
