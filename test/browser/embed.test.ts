/**
 * Issue 16: the embeddable player. A page on another site (a second HTTP server on another port,
 * reached as `localhost` while the app is `127.0.0.1`: another origin and another site) frames
 * /embed/:id, which renders, plays and fits a frame; every other page refuses to be framed. The
 * frame runs with its storage refused, as a browser blocking third-party storage does.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Frame, Page } from 'playwright-core';
import type { CreatedLecture } from '../../shared/protocol/http.js';
import type { TestServer } from '../support/server.js';
import { axeViolations, command, createLecture, eventually, onServer, openPage, seen, withServerAndBrowser } from './support.js';

let server: TestServer;
let browser: Browser;
let lecture: CreatedLecture;
let other: Server;
let otherUrl: string;

withServerAndBrowser((s, b) => ([server, browser] = [s, b]));

/**
 * The other site: `/frame?src=…&width=…&height=…` is a page holding one iframe of `src`; `/frames?src=…&src=…`
 * one iframe per src. Each iframe's load event is counted in `window.loaded`, blocked or not.
 */
function startOtherSite(): Promise<Server> {
  const site = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const attr = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
    const width = Number(url.searchParams.get('width') ?? 800);
    const height = Number(url.searchParams.get('height') ?? 500);
    const frames = url.searchParams
      .getAll('src')
      .map((src, i) => `<iframe src="${attr(src)}" width="${width}" height="${height}" allow="autoplay" title="Framed page ${i + 1}" onload="window.loaded = (window.loaded || 0) + 1"></iframe>`)
      .join('\n');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html lang="en"><head><title>A course page</title><style>body{margin:8px}iframe{border:0;display:block}</style></head><body><main><h1>A course page</h1>${frames}</main></body></html>`);
  });
  return new Promise((resolve) => site.listen(0, '127.0.0.1', () => resolve(site)));
}

beforeAll(async () => {
  other = await startOtherSite();
  otherUrl = `http://localhost:${(other.address() as AddressInfo).port}`;
  expect(new URL(otherUrl).origin).not.toBe(new URL(server.url).origin);
  lecture = await createLecture(server.url, { title: 'Framed "lecture" <b>' });
  for (const type of ['step', 'step', 'step', 'forward', 'backward'] as const) await command(server.url, lecture, { type });
});

afterAll(async () => {
  await new Promise((resolve) => other?.close(resolve));
});

/** A page of the other site framing `paths` of the app; storage refused inside the app's frames, as third-party storage is. */
async function openFraming(paths: string[], size: { width: number; height: number } = { width: 800, height: 500 }) {
  const query = new URLSearchParams(paths.map((p) => ['src', server.url + p]));
  query.set('width', String(size.width));
  query.set('height', String(size.height));
  const p = await openPage(browser, 'about:blank', { width: size.width + 60, height: size.height + 160 });
  const appOrigin = new URL(server.url).origin;
  await p.context.addInitScript((origin: string) => {
    if (location.origin !== origin || window === window.top) return;
    const refuse = () => {
      throw new DOMException('third-party storage is blocked', 'SecurityError');
    };
    for (const name of ['localStorage', 'sessionStorage', 'indexedDB'] as const) Object.defineProperty(window, name, { get: refuse });
    Object.defineProperty(Document.prototype, 'cookie', { get: refuse, set: refuse });
  }, appOrigin);
  await p.page.goto(`${otherUrl}/frames?${query}`);
  await eventually(() => p.page.evaluate(() => (window as { loaded?: number }).loaded ?? 0)).toBe(paths.length);
  return p;
}

/** The child frame that was asked to show `path` (a blocked one is Chromium's error page, at another URL). */
function frameOf(page: Page, index: number): Promise<Frame | null> {
  return page.locator('iframe').nth(index).elementHandle().then((h) => h?.contentFrame() ?? null);
}

describe('the embed page, framed by another site', () => {
  it('renders the lesson and its player inside the frame, and plays', async () => {
    const p = await openFraming([`/embed/${lecture.id}`]);
    try {
      const frame = (await frameOf(p.page, 0))!;
      expect(new URL(frame.url()).pathname).toBe(`/embed/${lecture.id}`);
      const stage = frame.locator('[data-testid="current-stage"]');
      await eventually(() => stage.textContent()).toBe('not started');
      const play = frame.getByRole('button', { name: 'Play' });
      expect(await seen(play)).toMatchObject({ inViewport: true, hit: true });
      expect(await seen(stage)).toMatchObject({ inViewport: true, hit: true });
      await play.click();
      // Pressing play in the frame moves the lesson on: the recording's last state is the backward pass's end.
      await eventually(() => stage.textContent(), 20_000).toBe('∂L/∂W');
      expect(await frame.locator('[data-testid="cell-B_act-0"]').textContent()).toBe('0.8014');
      // No site chrome in the frame: no brand header, no "Watch live".
      expect(await frame.getByRole('link', { name: 'Watch live' }).count()).toBe(0);
      p.assertClean();
    } finally {
      await p.close();
    }
  });

  it('refuses to be any other page: the frame stays empty and the response says frame-ancestors none', async () => {
    const refused = ['/', `/lecture/${lecture.id}`, `/lecture/${lecture.id}/instructor`, `/lecture/${lecture.id}/projector`, `/replay/${lecture.id}`];
    // The embed page in the same host page, last: proves the check below does see a page that loads.
    const paths = [...refused, `/embed/${lecture.id}`];
    const headers = new Map<string, { csp: string; xfo: string | undefined }>();
    const p = await openPage(browser, 'about:blank', { width: 900, height: 700 });
    p.page.on('response', (res) => {
      const url = new URL(res.url());
      if (url.origin === new URL(server.url).origin && res.request().resourceType() === 'document') {
        headers.set(url.pathname, { csp: res.headers()['content-security-policy'] ?? '', xfo: res.headers()['x-frame-options'] });
      }
    });
    try {
      const query = new URLSearchParams(paths.map((path) => ['src', server.url + path]));
      await p.page.goto(`${otherUrl}/frames?${query}`);
      await eventually(() => p.page.evaluate(() => (window as { loaded?: number }).loaded ?? 0)).toBe(paths.length);
      const embed = (await frameOf(p.page, refused.length))!;
      await eventually(() => embed.locator('[data-testid="current-stage"]').count()).toBe(1);
      for (const [i, path] of refused.entries()) {
        const frame = await frameOf(p.page, i);
        // Chromium puts its error page in the frame's place: never the app's document.
        expect(frame?.url(), path).not.toContain(new URL(server.url).host);
        expect(await frame?.locator('bp-app').count(), path).not.toBe(1);
        expect(headers.get(new URL(server.url + path).pathname), path).toMatchObject({ xfo: 'DENY' });
        expect(headers.get(new URL(server.url + path).pathname)?.csp, path).toContain("frame-ancestors 'none'");
      }
      expect(headers.get(`/embed/${lecture.id}`)).toMatchObject({ xfo: undefined });
      expect(headers.get(`/embed/${lecture.id}`)?.csp).toContain('frame-ancestors *');
      // Each refusal is Chromium's console error; nothing else went wrong.
      expect(p.errors.every((e) => /frame-ancestors|X-Frame-Options|Refused to (display|frame)/.test(e)), p.errors.join('\n')).toBe(true);
    } finally {
      await p.close();
    }
  });

  for (const size of [
    { width: 375, height: 812 },
    { width: 800, height: 500 },
  ]) {
    it(`fits a ${size.width}×${size.height} frame: the player's controls and the current stage are in view, uncovered`, async () => {
      const p = await openFraming([`/embed/${lecture.id}?seq=3`], size);
      try {
        const frame = (await frameOf(p.page, 0))!;
        const stage = frame.locator('[data-testid="current-stage"]');
        await eventually(() => stage.textContent()).toBe('B_act');
        for (const control of [frame.getByRole('button', { name: 'Play' }), frame.getByRole('slider').first(), stage]) {
          expect(await seen(control)).toMatchObject({ inViewport: true, hit: true });
        }
        await p.page.screenshot({ path: `/tmp/embed-${size.width}x${size.height}.png` });
        p.assertClean();
      } finally {
        await p.close();
      }
    });
  }

  it('has no WCAG 2.1 AA violations at either size', async () => {
    for (const size of [
      { width: 375, height: 812 },
      { width: 800, height: 500 },
    ]) {
      const p = await openPage(browser, `${server.url}/embed/${lecture.id}?seq=3`, size);
      try {
        await eventually(() => p.page.locator('[data-testid="current-stage"]').textContent()).toBe('B_act');
        expect(await axeViolations(p.page), `${size.width}×${size.height}`).toEqual([]);
        p.assertClean();
      } finally {
        await p.close();
      }
    }
  });
});

describe('the Embed dialog of the replay', () => {
  it('gives the <iframe> of this moment on the public address, copies it, closes with Esc and gives focus back', async () => {
    const embedded = await createLecture(server.url, { title: 'Embedded <i>' });
    // Real pauses around the second event, so its moment has a time of its own for ?t= to name.
    for (const i of [1, 2, 3]) {
      if (i > 1) await new Promise((resolve) => setTimeout(resolve, 2100));
      await command(server.url, embedded, { type: 'step' });
    }
    const { publicUrl } = (await (await fetch(`${server.url}/api/site`)).json()) as { publicUrl: string };
    const p = await openPage(browser, `${server.url}/replay/${embedded.id}?seq=2`);
    try {
      await p.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
      const stage = p.page.locator('[data-testid="current-stage"]');
      await eventually(() => stage.textContent()).toBe('B');
      await p.page.getByTestId('player-menu').click();
      await p.page.getByTestId('menu-embed').click();
      const dialog = p.page.getByRole('dialog', { name: 'Embed this replay' });
      await eventually(() => dialog.isVisible()).toBe(true);
      const code = dialog.getByTestId('embed-code');
      await eventually(() => code.inputValue()).toContain('<iframe');
      expect(await seen(code)).toMatchObject({ inViewport: true, hit: true });
      const snippet = await code.inputValue();
      const match = new RegExp(`^<iframe src="${publicUrl}/embed/${embedded.id}\\?t=([0-9:.]+)" width="800" height="500" allow="autoplay" title="Backprop Live replay: Embedded &#60;i&#62;"></iframe>$`).exec(snippet);
      expect(match, snippet).not.toBeNull();
      expect(await axeViolations(p.page)).toEqual([]);

      await dialog.getByRole('button', { name: 'Copy HTML' }).click();
      await eventually(() => dialog.getByTestId('embed-copy').textContent()).toContain('Copied');
      expect(await p.page.evaluate(() => navigator.clipboard.readText())).toBe(snippet);

      // Unticked, it starts at the beginning.
      await dialog.getByRole('checkbox', { name: /Start at/ }).uncheck();
      expect(await code.inputValue()).toContain(`src="${publicUrl}/embed/${embedded.id}" `);

      await p.page.keyboard.press('Escape');
      await eventually(() => dialog.isVisible()).toBe(false);
      const focused = await p.page.evaluate(() => {
        let el: Element | null = document.activeElement;
        while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
        return el?.getAttribute('data-testid') ?? el?.tagName ?? null;
      });
      expect(focused).toBe('player-menu');
      p.assertClean();

      // The snippet's address opens the embed at the moment it was taken.
      const framed = await openPage(browser, onServer(server.url, new URL(match![0].split('"')[1]).href));
      try {
        await eventually(() => framed.page.locator('[data-testid="current-stage"]').textContent()).toBe('B');
        framed.assertClean();
      } finally {
        await framed.close();
      }
    } finally {
      await p.close();
    }
  });
});
