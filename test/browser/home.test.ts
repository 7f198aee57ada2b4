import { describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { TestServer } from '../support/server.js';
import { eventually, openPage, withServerAndBrowser } from './support.js';

let server: TestServer;
let browser: Browser;

withServerAndBrowser((s, b) => ([server, browser] = [s, b]));


describe('start page', () => {
  it('creates a lecture and opens its console; a student joins by typing the code loosely', async () => {
    const home = await openPage(browser, `${server.url}/`);
    try {
      await home.page.getByLabel('Title').fill('From the form');
      // Not listed unless asked.
      const listed = home.page.getByLabel('List this lecture on the start page');
      expect(await listed.isChecked()).toBe(false);
      await listed.check();
      await home.page.getByRole('button', { name: 'Create and open the console' }).click();
      await home.page.locator('[data-testid="join-code"]').waitFor();
      const url = new URL(home.page.url());
      expect(url.pathname).toMatch(/^\/lecture\/[2-9A-HJKMNP-Z]{6}\/instructor$/);
      expect(url.hash).toBe('');
      const id = url.pathname.split('/')[2];
      home.assertClean();

      const student = await openPage(browser, `${server.url}/`);
      try {
        const typed = `${id.slice(0, 3).toLowerCase()}-${id.slice(3).toLowerCase()}`;
        await student.page.getByLabel('Lecture code').fill(typed);
        await student.page.getByRole('button', { name: 'Join' }).click();
        await eventually(() => student.page.locator('[data-testid="connection-status"]').getAttribute('data-status')).toBe('live');
        expect(new URL(student.page.url()).pathname).toBe(`/lecture/${id}`);
        // The lecture is listed for replay on the start page.
        await student.page.goto(`${server.url}/`);
        await eventually(() => student.page.locator('[data-testid="lecture-list"]').textContent()).toContain('From the form');
        student.assertClean();
      } finally {
        await student.close();
      }
    } finally {
      await home.close();
    }
  });

  it('lists lectures a page at a time, newest first', async () => {
    for (let i = 0; i < 25; i++) {
      const res = await fetch(`${server.url}/api/lectures`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: `Paged ${i}`, listed: true }) });
      expect(res.status).toBe(201);
    }
    const home = await openPage(browser, `${server.url}/`);
    try {
      const items = home.page.locator('[data-testid="lecture-list"] li');
      await eventually(() => items.count()).toBe(20);
      await home.page.getByRole('button', { name: 'More lectures' }).click();
      await eventually(() => items.count()).toBeGreaterThan(25);
      const titles = await items.locator('.title').allTextContents();
      const paged = titles.filter((t) => t.startsWith('Paged '));
      expect(new Set(paged).size).toBe(25);
      home.assertClean();
    } finally {
      await home.close();
    }
  });

  it('explains a code that cannot be one', async () => {
    const home = await openPage(browser, `${server.url}/`);
    try {
      await home.page.getByLabel('Lecture code').fill('hello');
      await home.page.getByRole('button', { name: 'Join' }).click();
      await eventually(() => home.page.getByRole('alert').textContent()).toContain('is not a lecture code');
      expect(new URL(home.page.url()).pathname).toBe('/');
      home.assertClean();
    } finally {
      await home.close();
    }
  });
});
