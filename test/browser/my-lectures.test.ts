/**
 * "Your lectures": the browser keeps the lectures it created (code, title, instructor token), so
 * closing the tab does not lose control of one; the console shows the instructor link right after
 * creating; a wrong or missing token says what to do; corrupt storage breaks nothing.
 */
import { describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { TestServer } from '../support/server.js';
import { axeViolations, createLecture, eventually, openPage, withServerAndBrowser } from './support.js';

let server: TestServer;
let browser: Browser;

withServerAndBrowser((s, b) => ([server, browser] = [s, b]));

const KEY = 'backprop-live:my-lectures';
const SHOTS = '/tmp/shots-console';

const live = (page: Page) => page.locator('[data-testid="connection-status"][data-status="live"]').waitFor();
const stageOf = (page: Page) => page.locator('[data-testid="current-stage"]');

/** A new tab in the same browser (same localStorage, its own sessionStorage), failing on any error. */
async function newTab(context: BrowserContext, url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (msg) => msg.type() === 'error' && errors.push(msg.text()));
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto(url);
  return { page, errors };
}

/** Creates a lecture with the home page's own form; resolves with its code once the console is live. */
async function createWithForm(page: Page, title: string): Promise<string> {
  await page.getByLabel('Title').fill(title);
  await page.getByRole('button', { name: 'Create and open the console' }).click();
  await page.waitForURL(/\/lecture\/[2-9A-HJKMNP-Z]{6}\/instructor$/);
  await live(page);
  return new URL(page.url()).pathname.split('/')[2];
}

describe('Your lectures', () => {
  it('a lecture created on the home page is listed after its tab is closed; Open console works; Forget removes it', async () => {
    const first = await openPage(browser, `${server.url}/`, { width: 1366, height: 768 });
    const { context } = first;
    try {
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
      const id = await createWithForm(first.page, 'Kept in this browser');

      // Right after creating: the instructor link, open, with the sentence and a working Copy.
      const link = first.page.locator('[data-testid="instructor-link"]');
      expect(await link.evaluate((el) => (el as HTMLDetailsElement).open)).toBe(true);
      expect(await link.textContent()).toContain('Keep this link: it is the only way to control this lecture from another browser.');
      const url = await first.page.locator('[data-testid="instructor-url"]').textContent();
      expect(url).toMatch(new RegExp(`^${server.url}/lecture/${id}/instructor#token=[A-Za-z0-9_-]{43}$`));
      await first.page.locator('[data-testid="copy-instructor"]').click();
      expect(await first.page.evaluate(() => navigator.clipboard.readText())).toBe(url);
      // The token left the address bar all the same.
      expect(first.page.url()).not.toContain('token');
      await first.page.screenshot({ path: `${SHOTS}/console-just-created.png` });
      first.assertClean();
      await first.page.close();

      const home = await newTab(context, `${server.url}/`);
      const item = home.page.locator(`[data-testid="my-lecture-${id}"]`);
      await eventually(() => item.textContent()).toContain('Kept in this browser');
      const open = item.getByRole('link', { name: /^Open console/ });
      // On the server's public base once it has answered (until then the links are relative, on this page's origin).
      await eventually(() => open.getAttribute('href')).toBe(url);
      expect(await item.getByRole('link', { name: /^Projector/ }).getAttribute('href')).toBe(`${server.url}/lecture/${id}/projector`);
      expect(await item.getByRole('link', { name: /^Replay/ }).getAttribute('href')).toBe(`${server.url}/replay/${id}`);
      expect(await axeViolations(home.page)).toEqual([]);
      await home.page.screenshot({ path: `${SHOTS}/home-your-lectures.png`, fullPage: true });

      await open.click();
      await live(home.page);
      expect(new URL(home.page.url()).pathname).toBe(`/lecture/${id}/instructor`);
      // Not created just now in this tab: the link is one click away, not open.
      expect(await home.page.locator('[data-testid="instructor-link"]').evaluate((el) => (el as HTMLDetailsElement).open)).toBe(false);
      await home.page.getByRole('button', { name: /^Step/ }).click();
      await eventually(() => stageOf(home.page).textContent()).toBe('input');

      // Forget asks first; "Keep it" keeps it, "Yes, forget it" removes it from this browser.
      await home.page.goto(`${server.url}/`);
      await item.getByRole('button', { name: /^Forget/ }).click();
      await home.page.getByRole('button', { name: 'Keep it' }).click();
      expect(await item.count()).toBe(1);
      await item.getByRole('button', { name: /^Forget/ }).click();
      expect(await axeViolations(home.page)).toEqual([]);
      await home.page.getByRole('button', { name: 'Yes, forget it' }).click();
      await eventually(() => item.count()).toBe(0);
      expect(await home.page.evaluate((key) => localStorage.getItem(key), KEY)).not.toContain(id);
      await home.page.reload();
      await home.page.getByRole('button', { name: 'Join' }).waitFor();
      expect(await home.page.locator(`[data-testid="my-lecture-${id}"]`).count()).toBe(0);
      expect(home.errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('a stored token that is wrong shows the error view with the Your lectures offer; no token at all says who can control it', async () => {
    const home = await openPage(browser, `${server.url}/`, { width: 1280, height: 800 });
    const { context } = home;
    try {
      const id = await createWithForm(home.page, 'Token edited');
      await home.page.evaluate(
        ([key, id]) => {
          const list = JSON.parse(localStorage.getItem(key)!) as { id: string; token: string }[];
          for (const l of list) if (l.id === id) l.token = 'A'.repeat(43);
          localStorage.setItem(key, JSON.stringify(list));
        },
        [KEY, id],
      );
      // A new tab: no sessionStorage copy, so the token comes from the browser's list.
      const tab = await newTab(context, `${server.url}/lecture/${id}/instructor`);
      const refused = tab.page.locator('[data-testid="refused"]');
      await eventually(() => refused.textContent()).toContain('This instructor link is not valid');
      expect(await refused.textContent()).toContain('Only the browser that created this lecture, or someone with its instructor link, can control it.');
      const offer = tab.page.locator('[data-testid="your-lectures-offer"]');
      expect(await offer.getByRole('link', { name: 'Your lectures' }).getAttribute('href')).toBe('/');
      expect(await axeViolations(tab.page)).toEqual([]);
      await tab.page.close();
    } finally {
      await context.close();
    }

    // Another browser, no token for this lecture: plain words, a student view, no offer.
    const lecture = await createLecture(server.url);
    const stranger = await openPage(browser, `${server.url}/lecture/${lecture.id}/instructor`);
    try {
      const refused = stranger.page.locator('[data-testid="refused"]');
      await eventually(() => refused.textContent()).toContain('Only the browser that created this lecture, or someone with its instructor link, can control it.');
      expect(await refused.getByRole('link', { name: 'student view' }).getAttribute('href')).toBe(`/lecture/${lecture.id}`);
      expect(await stranger.page.locator('[data-testid="your-lectures-offer"]').count()).toBe(0);
      stranger.assertClean();
    } finally {
      await stranger.close();
    }
  });

  it('corrupt or foreign storage does not break the home page: what parses is listed, the rest is skipped', async () => {
    const lecture = await createLecture(server.url, { title: 'Survivor' });
    const p = await openPage(browser, `${server.url}/`);
    try {
      await p.page.evaluate((key) => localStorage.setItem(key, '{not json'), KEY);
      await p.page.reload();
      await p.page.getByRole('button', { name: 'Join' }).waitFor();
      expect(await p.page.locator('[data-testid="my-lectures"]').count()).toBe(0);
      await p.page.getByLabel('Title').waitFor();

      const entries = [
        { id: lecture.id, title: 'Survivor', token: lecture.instructorToken, createdAt: 1 },
        { id: '__proto__', title: 'x', token: lecture.instructorToken, createdAt: 2 },
        { id: 'ABCDEF', title: 'no token', createdAt: 3 },
        'a string',
        null,
      ];
      await p.page.evaluate(([key, json]) => localStorage.setItem(key, json), [KEY, JSON.stringify(entries)]);
      await p.page.reload();
      const items = p.page.locator('[data-testid="my-lectures"] li');
      await eventually(() => items.count()).toBe(1);
      expect(await items.textContent()).toContain('Survivor');
      p.assertClean();
    } finally {
      await p.close();
    }
  });

  it('with storage refused (a private mode), the home page still creates a lecture and its console works', async () => {
    const p = await openPage(browser, 'about:blank');
    try {
      // What a browser that refuses storage does: reading localStorage throws.
      await p.context.addInitScript(() => {
        Object.defineProperty(window, 'localStorage', {
          get() {
            throw new DOMException('The user denied storage', 'SecurityError');
          },
        });
      });
      await p.page.goto(`${server.url}/`);
      const id = await createWithForm(p.page, 'Nowhere to keep it');
      expect(await p.page.locator('[data-testid="instructor-link"]').textContent()).toContain('Keep this link');
      await p.page.getByRole('button', { name: /^Step/ }).click();
      await eventually(() => stageOf(p.page).textContent()).toBe('input');
      await p.page.goto(`${server.url}/`);
      await p.page.getByRole('button', { name: 'Join' }).waitFor();
      expect(await p.page.locator('[data-testid="my-lectures"]').count()).toBe(0);
      expect(id).toMatch(/^[2-9A-HJKMNP-Z]{6}$/);
      p.assertClean();
    } finally {
      await p.close();
    }
  });
});
