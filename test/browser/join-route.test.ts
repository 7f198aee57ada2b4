/**
 * Joining as people type it (issue 12), in Chromium on a 375×812 phone (touch, mobile user agent):
 * `host/pww-mcd` lands on that lecture's page, and an unknown address shows our own 404 page,
 * readable (≥ 16 px), in view, with a join box that works without any script and axe-clean.
 */
import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { TestServer } from '../support/server.js';
import { axeViolations, createLecture, openPage, seen, withServerAndBrowser } from './support.js';

const SHOTS = '/tmp/shots-loading';
mkdirSync(SHOTS, { recursive: true });

let server: TestServer;
let browser: Browser;
withServerAndBrowser((s, b) => {
  server = s;
  browser = b;
});

/** How people read a code off the projector and type it: lower case, with the hyphen. */
const typed = (id: string) => `${id.slice(0, 3)}-${id.slice(3)}`.toLowerCase();


describe('joining as people type it, on a phone', () => {
  it('host/pww-mcd opens that lecture’s page', async () => {
    const lecture = await createLecture(server.url);
    const phone = await openPage(browser, `${server.url}/${typed(lecture.id)}`, { phone: true });
    try {
      expect(new URL(phone.page.url()).pathname).toBe(`/lecture/${lecture.id}`);
      const code = phone.page.getByTestId('lecture-code');
      await expect.poll(() => code.textContent(), { timeout: 15_000 }).toBe(`${lecture.id.slice(0, 3)}-${lecture.id.slice(3)}`);
      await phone.page.locator('[data-testid="connection-status"][data-status="live"]').waitFor({ timeout: 15_000 });
      await phone.page.screenshot({ path: `${SHOTS}/typed-code-375x812.png` });
      phone.assertClean();
    } finally {
      await phone.close();
    }
  });

  it('an unknown address shows the friendly 404 page, readable, whose join box leads to the lecture', async () => {
    const lecture = await createLecture(server.url);
    const phone = await openPage(browser, 'about:blank', { phone: true });
    try {
      const response = await phone.page.goto(`${server.url}/nope/nope`);
      expect(response?.status()).toBe(404);
      // The browser reports the page's own 404 once, and nothing else (no favicon fetched, no script).
      expect(phone.errors).toEqual(['console: Failed to load resource: the server responded with a status of 404 (Not Found)']);
      phone.errors.splice(0);
      const { page } = phone;
      const heading = page.getByRole('heading', { level: 1 });
      await expect.poll(() => heading.textContent()).toBe('There is no page here');
      const field = page.getByLabel('Join a lecture');
      for (const [name, el] of [
        ['heading', heading],
        ['sentence', page.locator('p').first()],
        ['join box', field],
        ['join button', page.getByRole('button', { name: 'Join' })],
        ['home link', page.getByRole('link', { name: /home page/ })],
      ] as const) {
        const view = await seen(el);
        expect(view.inViewport && view.hit, `${name} in view and uncovered`).toBe(true);
        expect(view.fontPx, `${name} font size`).toBeGreaterThanOrEqual(16);
      }
      // The page is as wide as the phone: nothing scrolls sideways.
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth)).toBe(true);
      await page.screenshot({ path: `${SHOTS}/not-found-375x812.png` });
      expect(await axeViolations(page)).toEqual([]);

      await field.tap();
      await field.fill(typed(lecture.id));
      await page.getByRole('button', { name: 'Join' }).tap();
      await page.waitForURL(`**/lecture/${lecture.id}`);
      await expect.poll(() => page.getByTestId('lecture-code').textContent(), { timeout: 15_000 }).toBe(`${lecture.id.slice(0, 3)}-${lecture.id.slice(3)}`);
      phone.assertClean();
    } finally {
      await phone.close();
    }
  });
});
