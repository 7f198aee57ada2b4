/**
 * The instructor console on the screens lectures are given on: Step in sight and among the first
 * Tab stops, a fresh lecture saying what to do first, the projector display in its own window,
 * and the class link on the server's public base (PUBLIC_URL), its QR code decoded from pixels.
 */
import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import { startServer, type TestServer } from '../support/server.js';
import { LectureClient } from '../support/clients.js';
import { axeViolations, command, createLecture, eventually, launchBrowser, onServer, openPage, seen } from './support.js';

// jsqr is CommonJS with a `default` export: its types name the function there.
const jsQR = jsQRModule.default;
const SHOTS = '/tmp/shots-console';
const PUBLIC_URL = 'http://class.example:8080';

let server: TestServer;
/** A server that believes it is PUBLIC_URL, as one behind a proxy does. */
let publicServer: TestServer;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  // With PUBLIC_URL set only its host may open sockets; the test's page is on 127.0.0.1, so it is
  // allowed as an extra origin (ALLOWED_ORIGINS), once its port is known: the policy reads the list
  // at each handshake.
  const allowedOrigins: string[] = [];
  [server, publicServer, browser] = await Promise.all([
    startServer(),
    startServer({ app: { publicUrl: PUBLIC_URL, allowedOrigins } }),
    launchBrowser(),
  ]);
  allowedOrigins.push(publicServer.url);
});
afterAll(async () => {
  await browser?.close();
  await Promise.all([server?.close(), publicServer?.close()]);
});

const live = (page: Page) => page.locator('[data-testid="connection-status"][data-status="live"]').waitFor();
const stageOf = (page: Page) => page.locator('[data-testid="current-stage"]');


/** The test id (or tag) of the element that has focus, through shadow roots. */
function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    let active = document.activeElement;
    while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
    return active instanceof HTMLElement ? active.dataset.testid ?? active.tagName.toLowerCase() : '';
  });
}

describe('the console of a new lecture', () => {
  for (const [width, height] of [
    [1366, 768],
    [1280, 800],
  ] as const) {
    it(`at ${width}×${height}: Step is in sight, uncovered, within the first 8 Tab stops; the first-step hint goes after Step; → still steps`, async () => {
      const lecture = await createLecture(server.url, { title: 'A new lecture' });
      const p = await openPage(browser, onServer(server.url, lecture.instructorUrl), { width, height });
      const { page } = p;
      try {
        await live(page);
        const step = page.locator('[data-testid="step"]');
        await eventually(() => step.isEnabled()).toBe(true);
        expect(await seen(step)).toMatchObject({ inViewport: true, hit: true });
        const hint = page.locator('[data-testid="first-step-hint"]');
        expect(await hint.textContent()).toContain('Press Step (→) to run the first stage');
        expect((await seen(hint)).inViewport).toBe(true);
        await page.screenshot({ path: `${SHOTS}/console-${width}x${height}-new.png` });
        // This test server listens on 127.0.0.1 without PUBLIC_URL: its links open on this computer only, and the panel says so.
        expect(await page.locator('[data-testid="local-link-warning"]').textContent()).toContain('Only this computer can open this link');

        const stops: string[] = [];
        for (let i = 0; i < 8 && stops.at(-1) !== 'step'; i++) {
          await page.keyboard.press('Tab');
          stops.push(await focused(page));
        }
        expect(stops, `Tab stops from page load: ${stops.join(', ')}`).toContain('step');

        // Still in sight with the page scrolled to the tensors: the bar stays at the top.
        await page.locator('tensor-panel').evaluate((el) => el.scrollIntoView());
        expect(await seen(step)).toMatchObject({ inViewport: true, hit: true });
        // What the page scrolls into view (a spotlight, a focused cell) lands below the bar, not under it.
        const weight = page.locator('[data-testid="cell-W-0"]');
        await weight.evaluate((el) => el.scrollIntoView());
        expect(await seen(weight)).toMatchObject({ inViewport: true, hit: true });

        await step.click();
        await eventually(() => stageOf(page).textContent()).toBe('input');
        await eventually(() => hint.count()).toBe(0);
        await page.locator('body').press('ArrowRight');
        await eventually(() => stageOf(page).textContent()).toBe('B');
        p.assertClean();
      } finally {
        await p.close();
      }
    });
  }

  it('"Open projector display" and P open /lecture/<id>/projector in its own named window', async () => {
    const lecture = await createLecture(server.url);
    const p = await openPage(browser, onServer(server.url, lecture.instructorUrl), { width: 1366, height: 768 });
    const { page } = p;
    try {
      await live(page);
      const [popup] = await Promise.all([page.waitForEvent('popup'), page.getByRole('button', { name: /^Open projector display/ }).click()]);
      await popup.waitForURL((url) => url.pathname === `/lecture/${lecture.id}/projector`);
      expect(await popup.evaluate(() => window.name)).toBe(`backprop-projector-${lecture.id}`);
      expect(new URL(popup.url()).hash).toBe('');
      await popup.close();

      await page.bringToFront();
      const [again] = await Promise.all([page.waitForEvent('popup'), page.locator('body').press('p')]);
      await again.waitForURL((url) => url.pathname === `/lecture/${lecture.id}/projector`);
      await again.close();
      // The old in-page projector mode is gone: the console keeps its own size.
      expect(await page.evaluate(() => document.documentElement.classList.contains('projector'))).toBe(false);
      p.assertClean();
    } finally {
      await p.close();
    }
  });

  it('Point (and S) turns pointing on and off; what lecture-view asks to spotlight is sent; Esc clears it, and only then stops pointing', async () => {
    const lecture = await createLecture(server.url);
    const p = await openPage(browser, onServer(server.url, lecture.instructorUrl), { width: 1366, height: 768 });
    const { page } = p;
    const spotlightOf = async () => (await (await fetch(`${server.url}/api/lectures/${lecture.id}/state`)).json()).spotlight;
    try {
      await live(page);
      const point = page.locator('[data-testid="point"]');
      const view = page.locator('lecture-view');
      expect(await point.getAttribute('aria-pressed')).toBe('false');
      await point.click();
      expect(await point.getAttribute('aria-pressed')).toBe('true');
      expect(await view.evaluate((el) => (el as unknown as { pointing: boolean }).pointing)).toBe(true);
      await page.locator('body').press('s');
      expect(await point.getAttribute('aria-pressed')).toBe('false');
      expect(await view.evaluate((el) => (el as unknown as { pointing: boolean }).pointing)).toBe(false);
      await page.locator('body').press('s');

      // lecture-view's request (what a pointing click on W[2,3] emits) becomes the lecture's spotlight.
      await view.evaluate((el) =>
        el.dispatchEvent(new CustomEvent('bp-spotlight', { detail: { target: { type: 'element', tensor: 'W', index: [2, 3] } }, bubbles: true, composed: true })),
      );
      await eventually(spotlightOf).toEqual({ type: 'element', tensor: 'W', index: [2, 3] });
      await page.locator('[data-testid="cell-W-11"][data-spotlit]').waitFor();
      await page.locator('body').press('Escape');
      await eventually(spotlightOf).toBe(null);
      expect(await point.getAttribute('aria-pressed')).toBe('true');
      // And for real: while pointing, a click on the weight W[2,3] (row 2, column 3 of 3×4) spotlights it.
      await page.locator('[data-testid="cell-W-11"]').click();
      await eventually(spotlightOf).toEqual({ type: 'element', tensor: 'W', index: [2, 3] });
      // The instructor presses Esc on the mark they see (the frame reaches the console after the server has it).
      await page.locator('[data-testid="cell-W-11"][data-spotlit]').waitFor();
      await page.locator('body').press('Escape');
      await eventually(spotlightOf).toBe(null);
      // The console has the cleared spotlight too, so the next Esc is not another clear.
      await eventually(() => view.evaluate((el) => (el as unknown as { snapshot: { spotlight: unknown } }).snapshot.spotlight)).toBe(null);
      await page.locator('body').press('Escape');
      expect(await point.getAttribute('aria-pressed')).toBe('false');
      p.assertClean();
    } finally {
      await p.close();
    }
  });

  it('at 1366×768 an open question shows the instructor the answers as they come in (count and histogram), in sight without scrolling', async () => {
    const lecture = await createLecture(server.url);
    await command(server.url, lecture, { type: 'step' });
    await command(server.url, lecture, { type: 'ask', tensor: 'C_act', index: [0] });
    const p = await openPage(browser, onServer(server.url, lecture.instructorUrl), { width: 1366, height: 768 });
    const { page } = p;
    const students = await Promise.all([1, 2, 3].map((i) => LectureClient.connect(server.url, { lectureId: lecture.id, clientId: server.clientId(`console-student-${i}`) })));
    try {
      await live(page);
      const count = page.locator('[data-testid="prediction-count"]');
      await eventually(() => count.textContent()).toBe('0');
      for (const [i, value] of [0.2, 0.5, 0.55].entries()) {
        expect(await students[i].socket.emitWithAck('prediction:submit', { value })).toEqual({ ok: true });
        await eventually(() => count.textContent()).toBe(String(i + 1));
      }
      expect(await seen(count)).toMatchObject({ inViewport: true, hit: true });
      expect(await seen(page.locator('prediction-histogram'))).toMatchObject({ inViewport: true, hit: true });
      expect(await seen(page.locator('[data-testid="step"]'))).toMatchObject({ inViewport: true, hit: true });
      await page.screenshot({ path: `${SHOTS}/console-1366x768-question.png` });
      p.assertClean();
    } finally {
      for (const s of students) s.close();
      await p.close();
    }
  });

  it('has no WCAG 2.1 AA violations, fresh and after a few steps; looks right at four screen sizes', async () => {
    const lecture = await createLecture(server.url, { title: 'Accessible' });
    const p = await openPage(browser, onServer(server.url, lecture.instructorUrl), { width: 1366, height: 768 });
    const { page } = p;
    try {
      await live(page);
      await page.locator('share-panel .qr svg').waitFor();
      expect(await axeViolations(page)).toEqual([]);
      for (let i = 0; i < 3; i++) await command(server.url, lecture, { type: 'step' });
      await eventually(() => stageOf(page).textContent()).toBe('B_act');
      expect(await axeViolations(page)).toEqual([]);
      for (const [width, height] of [
        [1366, 768],
        [1280, 800],
        [1024, 768],
        [1920, 1080],
      ] as const) {
        await page.setViewportSize({ width, height });
        const step = page.locator('[data-testid="step"]');
        expect(await seen(step), `Step at ${width}×${height}`).toMatchObject({ inViewport: true, hit: true });
        await page.screenshot({ path: `${SHOTS}/console-${width}x${height}-B_act.png` });
      }
      p.assertClean();
    } finally {
      await p.close();
    }
  });
});

describe('the class link with PUBLIC_URL', () => {
  it(`names ${PUBLIC_URL} in the share panel's link, its QR code and the instructor link`, async () => {
    const lecture = await createLecture(publicServer.url, { title: 'Behind a proxy' });
    const p = await openPage(browser, onServer(publicServer.url, lecture.instructorUrl), { width: 1366, height: 768 });
    const { page } = p;
    try {
      await live(page);
      const link = page.locator('[data-testid="student-url"]');
      await eventually(() => link.textContent()).toBe(`${PUBLIC_URL}/lecture/${lecture.id}`);
      expect(await link.getAttribute('href')).toBe(`${PUBLIC_URL}/lecture/${lecture.id}`);

      // What a phone's camera would read: the QR code's pixels, decoded.
      const png = PNG.sync.read(await page.locator('[data-testid="share-qr"]').screenshot());
      const decoded = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
      expect(decoded?.data).toBe(`${PUBLIC_URL}/lecture/${lecture.id}`);
      expect(await page.locator('[data-testid="local-link-warning"]').count()).toBe(0);

      await page.locator('[data-testid="instructor-link"] summary').click();
      expect(await page.locator('[data-testid="instructor-url"]').textContent()).toBe(`${PUBLIC_URL}/lecture/${lecture.id}/instructor#token=${lecture.instructorToken}`);
      await page.screenshot({ path: `${SHOTS}/console-public-url.png` });
      p.assertClean();
    } finally {
      await p.close();
    }
  });
});
