/**
 * The phone's first screen is the moment: at 375×812 (touch, mobile UA) a compact header, the
 * student's controls in one row, the stage strip and the current stage's equation with its first
 * substituted line, all without scrolling; the current stage's tensors shown, the rest folded
 * under "All tensors" (open on a laptop); nothing wider than the screen; every control at least
 * 24×24 px. Real server, real Chromium; screenshots in /tmp/shots-phone/.
 */
import { mkdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { Command } from '../../shared/protocol/commands.js';
import type { TestServer } from '../support/server.js';
import { axeViolations, command, createLecture, eventually, onServer, openPage, withServerAndBrowser } from './support.js';

const SHOTS = '/tmp/shots-phone';
mkdirSync(SHOTS, { recursive: true });

let server: TestServer;
let browser: Browser;
withServerAndBrowser((s, b) => ([server, browser] = [s, b]));

const live = (page: Page) => page.locator('[data-testid="connection-status"][data-status="live"]').waitFor();

/** Where the first screen's parts are, in viewport px (after the page settled). */
interface FirstScreen {
  readonly scrollY: number;
  readonly header: number;
  readonly stripBottom: number;
  /** The bottom of the equation panel's first substituted line, or a reason there is none. */
  readonly lineBottom: number | string;
  readonly pageHeight: number;
  readonly scrollWidth: number;
  readonly innerWidth: number;
  readonly innerHeight: number;
}

function firstScreen(page: Page, stage: string): Promise<FirstScreen> {
  return page.evaluate((stage) => {
    const deep = (root: ParentNode, selector: string): Element | null => {
      const hit = root.querySelector(selector);
      if (hit) return hit;
      for (const el of root.querySelectorAll('*')) {
        const inner = el.shadowRoot && deep(el.shadowRoot, selector);
        if (inner) return inner;
      }
      return null;
    };
    const header = deep(document, 'lecture-page')!.shadowRoot!.querySelector('header')!;
    const strip = deep(document, 'stage-strip')!;
    const panel = deep(document, `[data-testid="equation-panel"][data-stage="${stage}"]`);
    const line = panel?.querySelector('.line');
    return {
      scrollY,
      header: header.getBoundingClientRect().height,
      stripBottom: strip.getBoundingClientRect().bottom,
      lineBottom: line ? line.getBoundingClientRect().bottom : panel ? 'no substituted line' : 'no panel for this stage',
      pageHeight: document.scrollingElement!.scrollHeight,
      scrollWidth: document.scrollingElement!.scrollWidth,
      innerWidth,
      innerHeight,
    };
  }, stage);
}

/** Every visible interactive element (through shadow roots) smaller than 24×24 CSS px. */
function smallTargets(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const selector = 'button, a[href], input, select, textarea, summary, [role="button"], [tabindex]:not([tabindex="-1"])';
    const found: Element[] = [];
    const walk = (root: ParentNode) => {
      found.push(...root.querySelectorAll(selector));
      for (const el of root.querySelectorAll('*')) if (el.shadowRoot) walk(el.shadowRoot);
    };
    walk(document);
    return found.flatMap((el) => {
      // Not shown: folded away in a closed <details>, display: none.
      if (!el.checkVisibility()) return [];
      const r = el.getBoundingClientRect();
      if (r.width >= 23.5 && r.height >= 23.5) return [];
      const name = el.getAttribute('data-testid') ?? el.getAttribute('aria-label') ?? el.textContent?.trim().slice(0, 30) ?? el.tagName;
      return [`${el.tagName.toLowerCase()} "${name}" ${Math.round(r.width)}×${Math.round(r.height)}`];
    });
  });
}

/** Whether "All tensors" is open, and which tensors' cards are outside it (shown unfolded). */
function tensorFolds(page: Page) {
  return page.locator('tensor-panel').evaluate((panel) => {
    const root = panel.shadowRoot!;
    const all = root.querySelector<HTMLDetailsElement>('details[data-testid="all-tensors"]');
    const outside = [...root.querySelectorAll<HTMLElement & { name: string }>('tensor-card')].filter((c) => !all?.contains(c)).map((c) => c.name);
    return { present: all !== null, open: all?.open ?? false, outside };
  });
}

const settle = (page: Page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

async function expectFirstScreen(page: Page, stage: string, where: string): Promise<FirstScreen> {
  await page.locator(`equation-panel [data-testid="equation-panel"][data-stage="${stage}"]`).waitFor();
  await page.evaluate(() => document.fonts.ready);
  await settle(page);
  const s = await firstScreen(page, stage);
  expect(s.scrollY, `${where}: the page did not scroll`).toBe(0);
  expect(s.header, `${where}: header height`).toBeLessThanOrEqual(56);
  expect(s.stripBottom, `${where}: the strip's bottom`).toBeLessThanOrEqual(s.innerHeight);
  expect(typeof s.lineBottom === 'number' && s.lineBottom <= s.innerHeight, `${where}: the first substituted line ends at ${s.lineBottom} of ${s.innerHeight}`).toBe(true);
  expect(s.scrollWidth, `${where}: nothing wider than the screen`).toBeLessThanOrEqual(s.innerWidth);
  expect.soft(await smallTargets(page), `${where}: controls under 24×24 px`).toEqual([]);
  return s;
}

describe('the phone layout', () => {
  it('notebook at B_act on a phone: header, strip and equation in the first screen, tensors folded, ≤ 2,500 px; open on a laptop', async () => {
    const lecture = await createLecture(server.url, { title: 'Backpropagation, lecture 1: the notebook network, step by step' });
    for (let i = 0; i < 3; i++) await command(server.url, lecture, { type: 'step' }); // input, B, B_act
    const phone = await openPage(browser, onServer(server.url, lecture.studentUrl), { phone: true });
    try {
      const { page } = phone;
      await live(page);
      await expectFirstScreen(page, 'B_act', 'notebook at B_act');
      const folds = await tensorFolds(page);
      expect(folds).toEqual({ present: true, open: false, outside: ['B_act'] });
      // The gradient check is folded too (waited for: the panels below the first screen may come later).
      expect(await page.locator('gradient-check details[data-testid="gradcheck-fold"]').evaluate((d: HTMLDetailsElement) => d.open)).toBe(false);
      // Folded, the check is not run at all (hundreds of forward passes on a phone); its title still says what it covers.
      expect(await page.locator('[data-testid="gradcheck-max"]').count()).toBe(0);
      expect(await page.locator('gradient-check h2').textContent()).toContain('sample 0, h = 0.00001');
      await page.locator('loss-chart section').waitFor();
      await page.locator('dataset-table table').waitFor();
      await settle(page);
      const { pageHeight } = await firstScreen(page, 'B_act');
      expect(pageHeight, 'page height on the phone').toBeLessThanOrEqual(2_500);
      await page.screenshot({ path: `${SHOTS}/notebook-B_act-phone.png` });
      expect(await axeViolations(page), 'axe, notebook at B_act on a phone').toEqual([]);

      // The strip scrolls sideways, and its right edge fades to say so.
      const strip = await page.locator('stage-strip').evaluate((el) => {
        const scroller = el.shadowRoot!.querySelector('.scroller')!;
        return { scrolls: scroller.scrollWidth > scroller.clientWidth, fade: getComputedStyle(el, '::after').backgroundImage };
      });
      expect(strip.scrolls).toBe(true);
      expect(strip.fade).toMatch(/^linear-gradient/);

      // The student's row keeps every function: the name form opens, fits, and saves.
      await page.locator('[data-testid="edit-name"]').tap();
      await page.getByLabel('Your name').fill('Ada');
      expect(await smallTargets(page), 'with the name form open').toEqual([]);
      expect((await firstScreen(page, 'B_act')).scrollWidth, 'the name form fits').toBeLessThanOrEqual(375);
      await page.getByRole('button', { name: 'Save' }).tap();
      await eventually(() => page.locator('[data-testid="edit-name"]').innerText()).toBe('✎ Ada');

      // A step later, still the first screen, and the new stage's tensor is the one shown.
      await command(server.url, lecture, { type: 'step' });
      await expectFirstScreen(page, 'C', 'notebook at C');
      expect((await tensorFolds(page)).outside).toEqual(['C']);

      // Every function is still there: opening All tensors shows W's cells, big enough.
      await page.locator('tensor-panel [data-testid="all-tensors"] > summary').tap();
      await page.locator('[data-testid="cell-W-0"]').waitFor();
      expect.soft(await smallTargets(page), "with All tensors open").toEqual([]);
      expect((await firstScreen(page, 'C')).scrollWidth).toBeLessThanOrEqual(375);
      await page.screenshot({ path: `${SHOTS}/notebook-C-phone-all.png`, fullPage: true });
      expect(await axeViolations(page), 'axe, with All tensors open').toEqual([]);
      phone.assertClean();
    } finally {
      await phone.close();
    }

    const laptop = await openPage(browser, onServer(server.url, lecture.studentUrl), { width: 1280, height: 800 });
    try {
      await live(laptop.page);
      await laptop.page.locator('[data-testid="equation-panel"][data-stage="C"]').waitFor();
      expect(await tensorFolds(laptop.page)).toEqual({ present: true, open: true, outside: ['C'] });
      expect(await laptop.page.locator('gradient-check details[data-testid="gradcheck-fold"]').evaluate((d: HTMLDetailsElement) => d.open)).toBe(true);
      laptop.assertClean();
    } finally {
      await laptop.close();
    }
  });

  it('a 2-8-8-1 tanh network on the spiral at A1 on a phone: the first screen holds the strip and the equation', async () => {
    const lecture = await createLecture(server.url, { title: 'Spirals', preset: 'random' });
    await command(server.url, lecture, { type: 'setDataset', dataset: { kind: 'points', set: 'spiral', count: 200, noise: 0.05, trainFraction: 0.5, seed: 3 } });
    const hidden = [{ units: 8, activation: 'tanh' }, { units: 8, activation: 'tanh' }];
    await command(server.url, lecture, { type: 'setNetwork', network: { hidden }, seed: 4 } as unknown as Command);
    const phone = await openPage(browser, onServer(server.url, lecture.studentUrl), { phone: true });
    try {
      const { page } = phone;
      await live(page);
      await page.locator('[data-testid="equation-panel"]').waitFor();
      for (let i = 0; i < 3; i++) await command(server.url, lecture, { type: 'step' }); // input, Z1, A1
      await eventually(() => page.locator('[data-testid="equation-panel"]').getAttribute('data-stage')).toBe('A1');
      await expectFirstScreen(page, 'A1', 'spiral at A1');
      expect(await tensorFolds(page)).toEqual({ present: true, open: false, outside: ['A1'] });
      await page.screenshot({ path: `${SHOTS}/spiral-A1-phone.png` });
      // Unfolded, the 8×8 weights and the gradient check of 88 weights scroll inside their panels, never the page.
      await page.locator('tensor-panel [data-testid="all-tensors"] > summary').tap();
      await page.locator('gradient-check [data-testid="gradcheck-fold"] > summary').tap();
      await page.locator('[data-testid="gradcheck-max"]').waitFor();
      await settle(page);
      expect((await firstScreen(page, 'A1')).scrollWidth, 'spiral, unfolded').toBeLessThanOrEqual(375);
      // …and a card whose table goes on past its edge says so; one that fits does not.
      await expect.poll(() => page.locator('[data-testid="scrolls-W2"]').isVisible()).toBe(true);
      expect(await page.locator('[data-testid="scrolls-y"]').count()).toBe(0);
      await page.screenshot({ path: `${SHOTS}/spiral-A1-phone-unfolded.png`, fullPage: true });
      phone.assertClean();
    } finally {
      await phone.close();
    }
  });
});
