/**
 * A question nobody misses: a phone student scrolled to the bottom gets the question as a bar at
 * the bottom of the screen, announced; one tap puts the caret in the answer field; `0,25` is read
 * as 0.25; after sending, the bar says what was sent (announced too). Real server, real Chromium.
 */
import { describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { Snapshot } from '../../shared/protocol/snapshot.js';
import type { TestServer } from '../support/server.js';
import { command, createLecture, eventually, onServer, openPage, withServerAndBrowser } from './support.js';

let server: TestServer;
let browser: Browser;
withServerAndBrowser((s, b) => ([server, browser] = [s, b]));

const live = (page: Page) => page.locator('[data-testid="connection-status"][data-status="live"]').waitFor();
const byTestId = (page: Page, id: string) => page.locator(`[data-testid="${id}"]`);

async function state(id: string): Promise<Snapshot> {
  return (await (await fetch(`${server.url}/api/lectures/${id}/state`)).json()) as Snapshot;
}

/** Inside the viewport and not covered (what is at its centre is it or inside it, through shadow roots). */
function seen(page: Page, id: string) {
  return byTestId(page, id).evaluate((el) => {
    const r = el.getBoundingClientRect();
    let hit: Element | null = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    while (hit?.shadowRoot) {
      const deeper = hit.shadowRoot.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
      if (!deeper || deeper === hit) break;
      hit = deeper;
    }
    const inView = r.top >= 0 && r.bottom <= innerHeight && r.left >= 0 && r.right <= innerWidth;
    const host = (el.getRootNode() as ShadowRoot).host;
    return inView && hit !== null && (hit === el || el.contains(hit) || host?.contains(hit) || hit === host);
  });
}

describe('the question bar', () => {
  it('reaches a phone student scrolled to the bottom; one tap to the field; 0,25 is sent as 0.25 and said so', async () => {
    const lecture = await createLecture(server.url, { title: 'Questions' });
    const student = await openPage(browser, onServer(server.url, lecture.studentUrl), { phone: true });
    try {
      const { page } = student;
      await live(page);
      await page.evaluate(() => window.scrollTo(0, document.scrollingElement!.scrollHeight));
      await command(server.url, lecture, { type: 'ask', tensor: 'C_act', index: [0] });
      await eventually(() => seen(page, 'question-bar-text'), 3_000).toBe(true);
      expect(await byTestId(page, 'question-bar-text').textContent()).toContain('predict C_act');
      await eventually(() => byTestId(page, 'question-announcement').textContent()).toBe('Question: predict C_act');
      const box = (await byTestId(page, 'question-bar-answer').boundingBox())!;
      expect(Math.min(box.width, box.height)).toBeGreaterThanOrEqual(24);

      await byTestId(page, 'question-bar-answer').tap();
      await eventually(() => page.evaluate(() => {
        let el: Element | null = document.activeElement;
        while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
        return el?.getAttribute('data-testid') ?? null;
      })).toBe('prediction-input');
      expect(await seen(page, 'prediction-input')).toBe(true);
      await page.keyboard.type('0,25');
      await page.keyboard.press('Enter');
      await eventually(() => byTestId(page, 'question-bar-text').textContent()).toContain('✓ sent 0.2500 — change until the reveal');
      await eventually(() => byTestId(page, 'question-announcement').textContent()).toContain('Answer sent: 0.2500');

      await command(server.url, lecture, { type: 'reveal' });
      await eventually(async () => (await state(lecture.id)).prediction?.stats?.mean).toBe(0.25);
      await eventually(() => byTestId(page, 'question-bar-text').count()).toBe(0);
      student.assertClean();
    } finally {
      await student.close();
    }
  });
});
