/**
 * The strict Content-Security-Policy (server/security-headers.ts) against the real client in
 * Chromium: every page the app has, with KaTeX equations, the QR code, the decision boundary's
 * canvas, the loss chart and the websocket, runs with zero violations.
 */
import { describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { Command } from '../../shared/protocol/commands.js';
import type { CreatedLecture } from '../../shared/protocol/http.js';
import type { TestServer } from '../support/server.js';
import { command, createLecture, eventually, onServer, openPage, type CheckedPage, withServerAndBrowser } from './support.js';

let server: TestServer;
let browser: Browser;

withServerAndBrowser((s, b) => ([server, browser] = [s, b]));

declare global {
  interface Window {
    cspViolations?: string[];
  }
}

/** A checked page (console errors fail it) that also records every CSP violation event, from the first script on. */
async function openWatched(url: string): Promise<CheckedPage & { violations(): Promise<string[]>; consoleCsp: string[] }> {
  const p = await openPage(browser, 'about:blank');
  const consoleCsp: string[] = [];
  p.page.on('console', (msg) => {
    if (/Content Security Policy/i.test(msg.text())) consoleCsp.push(`${msg.type()}: ${msg.text()}`);
  });
  await p.page.addInitScript(() => {
    window.cspViolations = [];
    // Capture phase on the document: violations inside shadow roots are composed and reach it.
    document.addEventListener(
      'securitypolicyviolation',
      (e) => window.cspViolations!.push(`${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber}) ${e.sample}`),
      true,
    );
  });
  await p.page.goto(url);
  return { ...p, consoleCsp, violations: () => p.page.evaluate(() => window.cspViolations ?? []) };
}

/** No violation reported by the page or the console, and no console error. */
async function expectNoViolations(p: Awaited<ReturnType<typeof openWatched>>): Promise<void> {
  expect(await p.violations()).toEqual([]);
  expect(p.consoleCsp).toEqual([]);
  p.assertClean();
}

const live = (page: Page) => page.locator('[data-testid="connection-status"][data-status="live"]').waitFor();

/** KaTeX's own fonts (loaded document-wide from 'self') are in use, not a fallback. */
const katexFontsLoaded = (page: Page) =>
  page.evaluate(async () => {
    await document.fonts.ready;
    return [...document.fonts].filter((f) => f.family.replace(/"/g, '').startsWith('KaTeX') && f.status === 'loaded').length;
  });

describe('the strict CSP in Chromium', () => {
  it('is enforced: an injected inline script does not run and is reported (so the checks below can fail)', async () => {
    const p = await openWatched(`${server.url}/`);
    try {
      await p.page.locator('[data-testid="create"]').waitFor();
      const ran = await p.page.evaluate(() => {
        const s = document.createElement('script');
        s.textContent = 'window.injectedRan = true';
        document.head.append(s);
        return (window as unknown as { injectedRan?: boolean }).injectedRan === true;
      });
      expect(ran).toBe(false);
      await eventually(async () => (await p.violations()).join('\n')).toContain('script-src-elem blocked inline');
    } finally {
      await p.close();
    }
  });

  it('the home page, and creating a lecture from it into the instructor console with its QR code', async () => {
    const p = await openWatched(`${server.url}/`);
    try {
      const { page } = p;
      await page.locator('[data-testid="create"]').click();
      await page.waitForURL(/\/lecture\/[A-Z0-9]+\/instructor#token=/);
      await live(page);
      await expect.poll(() => page.locator('share-panel .qr svg').count()).toBe(1);
      await expectNoViolations(p);
    } finally {
      await p.close();
    }
  });

  it('the instructor console and a student stepping through a pass with its equations', async () => {
    const lecture = await createLecture(server.url, { title: 'CSP' });
    const instructor = await openWatched(onServer(server.url, lecture.instructorUrl));
    const student = await openWatched(onServer(server.url, lecture.studentUrl));
    try {
      await live(instructor.page);
      await live(student.page);
      for (const type of ['step', 'step', 'step', 'forward', 'backward', 'update'] as const) await command(server.url, lecture, { type });
      await eventually(() => student.page.locator('[data-testid="current-stage"]').textContent()).not.toBe('not started');
      await eventually(() => student.page.locator('equation-panel .katex').count()).toBeGreaterThan(0);
      await eventually(() => katexFontsLoaded(student.page)).toBeGreaterThan(0);
      await expectNoViolations(instructor);
      await expectNoViolations(student);
    } finally {
      await instructor.close();
      await student.close();
    }
  });

  it('a lecture on a 2-D set, its decision boundary after a pass', async () => {
    const lecture = await createLecture(server.url, { title: 'Circle' });
    const setup: Command[] = [
      { type: 'setDataset', dataset: { kind: 'points', set: 'circle', count: 100, noise: 0, trainFraction: 0.5, seed: 1 } } as Command,
      { type: 'forward' },
      { type: 'backward' },
      { type: 'update' },
    ];
    for (const c of setup) await command(server.url, lecture, c);
    const student = await openWatched(onServer(server.url, lecture.studentUrl));
    try {
      await live(student.page);
      await student.page.locator('decision-boundary canvas').first().waitFor();
      await eventually(() => student.page.locator('decision-boundary').getAttribute('data-train-accuracy')).not.toBeNull();
      await expectNoViolations(student);
    } finally {
      await student.close();
    }
  });

  it('the replay page, played to its end', async () => {
    const lecture: CreatedLecture = await createLecture(server.url, { title: 'Replayed' });
    for (const type of ['forward', 'backward'] as const) await command(server.url, lecture, { type });
    const p = await openWatched(`${server.url}/replay/${lecture.id}`);
    try {
      const position = p.page.locator('[data-testid="replay-position"]');
      await eventually(() => position.textContent()).toContain('event 0 of 2');
      await p.page.getByRole('button', { name: 'Play' }).click();
      await eventually(() => position.textContent(), 15_000).toContain('event 2 of 2');
      await eventually(() => p.page.locator('equation-panel .katex').count()).toBeGreaterThan(0);
      await expectNoViolations(p);
    } finally {
      await p.close();
    }
  });

  it('the error pages a mistyped address gets', async () => {
    for (const path of ['/lecture/%zz', '/no-such-page']) {
      const p = await openWatched(server.url + path);
      try {
        await expect(p.page.getByRole('link', { name: /home page/ }).count()).resolves.toBe(1);
        expect(await p.violations()).toEqual([]);
        expect(p.consoleCsp).toEqual([]);
      } finally {
        await p.close();
      }
    }
  });
});
