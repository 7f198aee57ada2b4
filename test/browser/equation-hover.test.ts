import { describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { TestServer } from '../support/server.js';
import { command, createLecture, eventually, onServer, openPage, type CheckedPage, withServerAndBrowser } from './support.js';

let server: TestServer;
let browser: Browser;

withServerAndBrowser((s, b) => ([server, browser] = [s, b]));

const stageOf = (page: Page) => page.locator('[data-testid="current-stage"]');
/** An equation line by its element's name, as a screen reader hears it. */
const line = (page: Page, name: string) => page.locator(`equation-panel [role="listitem"][aria-label="${name}"]`);
const marked = (page: Page) => page.locator('nn-diagram [data-highlight="true"]');
/** The aria-label of the focused element, through the shadow roots it sits in. */
const focusedLabel = (page: Page) =>
  page.evaluate(() => {
    let el = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    return el?.getAttribute('aria-label') ?? null;
  });
const box = async (page: Page, selector: string) => (await page.locator(selector).boundingBox())!;

/** A student page on a notebook lecture moved on by `stages` steps (or the whole backward pass). */
async function studentAt(commands: ('step' | 'backward')[], stage: string): Promise<CheckedPage> {
  const lecture = await createLecture(server.url, { title: 'Hover' });
  for (const type of commands) await command(server.url, lecture, { type });
  const student = await openPage(browser, onServer(server.url, lecture.studentUrl));
  await student.page.locator('[data-testid="connection-status"][data-status="live"]').waitFor();
  await eventually(() => stageOf(student.page).textContent()).toBe(stage);
  // KaTeX arrives after the first paint and makes the lines taller: a pointer put on a line before
  // then would be over another one after (the plain-text lines come first, lib/lazy-katex.ts).
  await student.page.locator('equation-panel .lines .katex').first().waitFor();
  return student;
}

describe('an equation line and its element in the diagram', () => {
  it('pointing at the line of B_act[2] rings node B2; moving away clears it; nothing moves', async () => {
    const student = await studentAt(['step', 'step', 'step'], 'B_act');
    const page = student.page;
    try {
      await expect.poll(() => line(page, 'B_act[2]').count()).toBe(1);
      const diagramBefore = await box(page, 'nn-diagram svg');
      const lineBefore = await box(page, 'equation-panel [aria-label="B_act[2]"]');
      expect(await marked(page).count()).toBe(0);

      await line(page, 'B_act[2]').hover();
      await eventually(() => marked(page).count()).toBe(1);
      expect(await marked(page).getAttribute('data-node')).toBe('B2');
      expect(await page.locator('nn-diagram [data-node="B2"] rect.ring').count()).toBe(1);
      // The line says it is the one shown.
      expect(await line(page, 'B_act[2]').getAttribute('data-highlight')).toBe('true');
      // Marking moves nothing: not the diagram, not the line.
      expect(await box(page, 'nn-diagram svg')).toEqual(diagramBefore);
      expect(await box(page, 'equation-panel [aria-label="B_act[2]"]')).toEqual(lineBefore);
      if (process.env.SCREENSHOTS) await page.locator('lecture-view').screenshot({ path: `${process.env.SCREENSHOTS}/equation-hover-node.png` });

      // Another line moves the ring; leaving the lines clears it.
      await line(page, 'B_act[4]').hover();
      await eventually(() => marked(page).getAttribute('data-node')).toBe('B4');
      await page.mouse.move(2, 2);
      await eventually(() => marked(page).count()).toBe(0);
      expect(await page.locator('equation-panel [data-highlight]').count()).toBe(0);
      student.assertClean();
    } finally {
      await student.close();
    }
  });

  it('the keyboard does the same: Tab onto a line rings its node, Tab off clears it', async () => {
    const student = await studentAt(['step', 'step', 'step'], 'B_act');
    const page = student.page;
    try {
      await expect.poll(() => line(page, 'B_act[1]').count()).toBe(1);
      await line(page, 'B_act[1]').focus();
      await eventually(() => marked(page).getAttribute('data-node')).toBe('B1');
      await page.keyboard.press('Tab');
      await eventually(() => marked(page).getAttribute('data-node')).toBe('B2');
      expect(await focusedLabel(page)).toBe('B_act[2]');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Tab');
      await eventually(() => marked(page).getAttribute('data-node')).toBe('B4');
      // Past the last line: focus leaves the equations, and the mark goes.
      await page.keyboard.press('Tab');
      await eventually(() => marked(page).count()).toBe(0);
      student.assertClean();
    } finally {
      await student.close();
    }
  });

  it('at dL_dW the line of ∂L/∂W[1,2] marks the edge W₁₂; pointing at node B3 at B_act marks its line', async () => {
    const student = await studentAt(['backward'], '∂L/∂W');
    const page = student.page;
    try {
      await expect.poll(() => line(page, '∂L/∂W[1,2]').count()).toBe(1);
      await line(page, '∂L/∂W[1,2]').hover();
      await eventually(() => marked(page).count()).toBe(1);
      expect(await marked(page).getAttribute('data-edge')).toBe('W₁₂');
      expect(await page.locator('nn-diagram [data-edge="W₁₂"] line.halo').count()).toBe(1);
      if (process.env.SCREENSHOTS) await page.locator('lecture-view').screenshot({ path: `${process.env.SCREENSHOTS}/equation-hover-edge.png` });
      await line(page, '∂L/∂W[3,4]').hover();
      await eventually(() => marked(page).getAttribute('data-edge')).toBe('W₃₄');
      await page.mouse.move(2, 2);
      await eventually(() => marked(page).count()).toBe(0);
      student.assertClean();
    } finally {
      await student.close();
    }

    // The reverse: a node under the pointer marks its line in the equations.
    const other = await studentAt(['step', 'step', 'step'], 'B_act');
    try {
      await other.page.locator('nn-diagram [data-node="B3"]').hover();
      await eventually(() => other.page.locator('equation-panel [data-highlight="true"]').getAttribute('aria-label')).toBe('B_act[3]');
      await other.page.mouse.move(2, 2);
      await eventually(() => other.page.locator('equation-panel [data-highlight="true"]').count()).toBe(0);
      other.assertClean();
    } finally {
      await other.close();
    }
  });
});
