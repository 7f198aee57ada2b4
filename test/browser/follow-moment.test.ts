/**
 * A phone student follows the moment: in follow pacing, after each of the 14 steps of the
 * notebook's pass, the current stage's equation (with its numbers) is in view even though the
 * student had scrolled to the bottom; in free pacing a pill offers it instead and brings it on
 * tap; a screen reader hears the stage. Real server, real Chromium at 375×812 (touch, mobile UA).
 */
import { describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { TestServer } from '../support/server.js';
import { command, createLecture, eventually, onServer, openPage, withServerAndBrowser } from './support.js';

let server: TestServer;
let browser: Browser;
withServerAndBrowser((s, b) => ([server, browser] = [s, b]));

const live = (page: Page) => page.locator('[data-testid="connection-status"][data-status="live"]').waitFor();

/** Whether the equation panel of `stage` has its title and its first substituted line inside the viewport. */
function equationInView(page: Page, stage: string) {
  return page.evaluate((stage) => {
    const find = (root: ParentNode): Element | null => {
      const hit = root.querySelector(`[data-testid="equation-panel"][data-stage="${stage}"]`);
      if (hit) return hit;
      for (const el of root.querySelectorAll('*')) {
        const inner = el.shadowRoot && find(el.shadowRoot);
        if (inner) return inner;
      }
      return null;
    };
    const panel = find(document);
    if (!panel) return 'no panel for this stage';
    const top = panel.getBoundingClientRect().top;
    const line = panel.querySelector('.line') ?? panel.querySelector('.formula');
    const bottom = line!.getBoundingClientRect().bottom;
    return top >= -1 && bottom <= innerHeight ? 'in view' : `top ${Math.round(top)}, first line ends at ${Math.round(bottom)} of ${innerHeight}`;
  }, stage);
}

const toBottom = (page: Page) => page.evaluate(() => window.scrollTo(0, document.scrollingElement!.scrollHeight));

describe('following the moment on a phone', () => {
  it('follow pacing: after every step of the pass the equation is back in view, and the stage is announced', async () => {
    const lecture = await createLecture(server.url, { title: 'Follow' });
    await command(server.url, lecture, { type: 'setPacing', mode: 'follow' });
    const student = await openPage(browser, onServer(server.url, lecture.studentUrl), { phone: true, reducedMotion: 'no-preference' });
    try {
      const { page } = student;
      await live(page);
      for (let step = 1; step <= 14; step++) {
        await toBottom(page);
        const { stage } = await command(server.url, lecture, { type: 'step' });
        await eventually(async () => `${stage}: ${await equationInView(page, stage)}`, 5_000).toBe(`${stage}: in view`);
        if (stage === 'B_act') await eventually(() => page.locator('[data-testid="stage-announcement"]').textContent()).toBe('Stage B_act');
      }
      student.assertClean();
    } finally {
      await student.close();
    }
  });

  it('free pacing: the page stays where the student is, and a pill brings the stage back on tap', async () => {
    const lecture = await createLecture(server.url, { title: 'Free' });
    const student = await openPage(browser, onServer(server.url, lecture.studentUrl), { phone: true });
    try {
      const { page } = student;
      await live(page);
      await command(server.url, lecture, { type: 'step' });
      await toBottom(page);
      const { stage } = await command(server.url, lecture, { type: 'step' });
      const pill = page.locator('[data-testid="moment-pill"]');
      await eventually(() => pill.textContent()).toBe('↑ B just ran');
      // Not taken there: free pacing leaves the page where the student is.
      expect(await equationInView(page, stage)).not.toBe('in view');
      await pill.tap();
      await eventually(() => equationInView(page, stage)).toBe('in view');
      await eventually(() => pill.count()).toBe(0);
      student.assertClean();
    } finally {
      await student.close();
    }
  });
});
