/**
 * Issue 12, "Joining as people type it" (the home page): students are most of the start page's
 * visitors, on phones, so "Join a lecture" leads: its code box is in the first screen at 375×812,
 * above "Teaching? Start a lecture" (folded there). Lectures are unlisted unless their
 * instructor lists them: "Lectures open to everyone" shows only those. Axe-clean on both sizes.
 */
import { mkdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { TestServer } from '../support/server.js';
import { axeViolations, createLecture, eventually, openPage, seen, withServerAndBrowser } from './support.js';

let server: TestServer;
let browser: Browser;
withServerAndBrowser((s, b) => ([server, browser] = [s, b]));

const SHOTS = '/tmp/shots-home-join';
mkdirSync(SHOTS, { recursive: true });

/** Controls of the home page smaller than 24×24 CSS px (WCAG 2.2, 2.5.8), as "tag text w×h". */
function smallTargets(page: Page): Promise<string[]> {
  return page.locator('home-page').evaluate((host) =>
    [...host.shadowRoot!.querySelectorAll<HTMLElement>('a, button, input, select, summary')]
      .map((el) => ({ el, r: el.getBoundingClientRect() }))
      .filter(({ r }) => r.width > 0 && (r.width < 24 || r.height < 24))
      .map(({ el, r }) => `${el.tagName} ${(el.textContent ?? '').trim() || el.getAttribute('name')} ${r.width}×${r.height}`),
  );
}

/** The list's rows once it has loaded (its "Loading…" gone). */
async function listedTitles(page: Page): Promise<string[]> {
  const list = page.locator('home-page section[aria-labelledby="list-title"]');
  await eventually(() => list.getByRole('status').count()).toBe(0);
  return list.locator('li .title').allTextContents();
}

describe('the start page on a phone', () => {
  it('leads with the join box, in the first screen and above the folded start form', async () => {
    const phone = await openPage(browser, `${server.url}/`, { phone: true });
    try {
      const code = phone.page.getByLabel('Lecture code');
      await code.waitFor();
      const box = await seen(code);
      expect(box).toMatchObject({ inViewport: true, hit: true });
      expect(box.fontPx).toBeGreaterThanOrEqual(24);
      expect(await seen(phone.page.getByRole('button', { name: 'Join', exact: true }))).toMatchObject({ inViewport: true, hit: true });
      const codeTop = (await code.boundingBox())!.y;
      const teach = phone.page.getByText('Teaching? Start a lecture');
      expect((await teach.boundingBox())!.y).toBeGreaterThan(codeTop);
      // Folded: the start form's fields are not on the screen until the teacher opens it.
      expect(await phone.page.getByLabel('Title').isVisible()).toBe(false);
      await phone.page.screenshot({ path: `${SHOTS}/phone-first-screen.png` });
      expect(await axeViolations(phone.page)).toEqual([]);
      await teach.tap();
      await phone.page.getByLabel('Title').waitFor();
      expect(await phone.page.getByLabel('List this lecture on the start page').isChecked()).toBe(false);
      expect(await axeViolations(phone.page)).toEqual([]);
      expect(await smallTargets(phone.page)).toEqual([]);
      await phone.page.screenshot({ path: `${SHOTS}/phone-teach-open.png`, fullPage: true });
      phone.assertClean();
    } finally {
      await phone.close();
    }
  });
});

describe('lectures open to everyone', () => {
  it('shows a lecture listed by its instructor and not one created unlisted', async () => {
    const hidden = await createLecture(server.url, { title: 'Quietly unlisted' });
    const shown = await createLecture(server.url, { title: 'Open to all', listed: true });
    const api = (await (await fetch(`${server.url}/api/lectures`)).json()) as { id: string }[];
    expect(api.map((l) => l.id)).toContain(shown.id);
    expect(api.map((l) => l.id)).not.toContain(hidden.id);
    for (const size of [{ width: 1366, height: 768 }, { phone: true }]) {
      const home = await openPage(browser, `${server.url}/`, size);
      try {
        await eventually(() => listedTitles(home.page)).toContain('Open to all');
        expect(await listedTitles(home.page)).not.toContain('Quietly unlisted');
        expect(await home.page.getByRole('heading', { name: 'Lectures open to everyone' }).count()).toBe(1);
        await home.page.screenshot({ path: `${SHOTS}/list-${'phone' in size ? 'phone' : size.width}.png`, fullPage: true });
        expect(await axeViolations(home.page)).toEqual([]);
        if ('phone' in size) expect(await smallTargets(home.page)).toEqual([]);
        home.assertClean();
      } finally {
        await home.close();
      }
    }
  });

  it('does not list a lecture created from the form with its box left as it is', async () => {
    const home = await openPage(browser, `${server.url}/`, { width: 1024, height: 768 });
    try {
      // Wide screens open the start form beside the join box, which still comes first (left).
      const title = home.page.getByLabel('Title');
      await title.waitFor();
      const [code, field] = [(await home.page.getByLabel('Lecture code').boundingBox())!, (await title.boundingBox())!];
      expect(field.x).toBeGreaterThan(code.x + code.width);
      await title.fill('Made unlisted from the form');
      await home.page.getByRole('button', { name: 'Create and open the console' }).click();
      await home.page.locator('[data-testid="join-code"]').waitFor();
      const id = new URL(home.page.url()).pathname.split('/')[2];
      const api = (await (await fetch(`${server.url}/api/lectures?limit=100`)).json()) as { id: string }[];
      expect(api.map((l) => l.id)).not.toContain(id);
      home.assertClean();
    } finally {
      await home.close();
    }
  });
});
