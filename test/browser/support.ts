import { afterAll, beforeAll, expect } from 'vitest';
/**
 * Browser test helpers: one headless Chromium (Debian's), pages that fail the test on any
 * console error or uncaught page error, and small HTTP helpers against the real server.
 */
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import type { Command } from '../../shared/protocol/commands.js';
import type { CreatedLecture } from '../../shared/protocol/http.js';
import type { Snapshot } from '../../shared/protocol/snapshot.js';
import { startServer, type TestServer } from '../support/server.js';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * What a test's Chromium may have besides the usual: `fakeMicrophone`, Chromium's fake capture
 * device (a tone), its permission prompt answered yes ('allowed') or, as headless answers it, no ('refused').
 */
export interface BrowserOptions {
  readonly fakeMicrophone?: 'allowed' | 'refused';
}

const FAKE_MICROPHONE_ARGS = {
  allowed: ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'],
  refused: ['--use-fake-device-for-media-stream'],
} as const;

export function launchBrowser(options: BrowserOptions = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', ...(options.fakeMicrophone ? FAKE_MICROPHONE_ARGS[options.fakeMicrophone] : [])],
  });
}

/** The phone lectures are followed on: 375×812 CSS pixels, touch, a mobile browser's user agent. */
export const PHONE = {
  width: 375,
  height: 812,
  userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
} as const;

/** A page that records console errors and page errors; `assertClean()` fails the test on any. */
export interface CheckedPage {
  readonly page: Page;
  readonly context: BrowserContext;
  readonly errors: string[];
  assertClean(): void;
  close(): Promise<void>;
}

export async function openPage(
  browser: Browser,
  url: string,
  options: { width?: number; height?: number; reducedMotion?: 'reduce' | 'no-preference'; phone?: boolean } = {},
): Promise<CheckedPage> {
  const context = await browser.newContext({
    viewport: { width: options.width ?? (options.phone ? PHONE.width : 1280), height: options.height ?? (options.phone ? PHONE.height : 800) },
    reducedMotion: options.reducedMotion ?? 'reduce',
    ...(options.phone ? { isMobile: true, hasTouch: true, deviceScaleFactor: 3, userAgent: PHONE.userAgent } : {}),
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  await page.goto(url);
  return {
    page,
    context,
    errors,
    assertClean() {
      if (errors.length) throw new Error(`browser reported errors:\n${errors.join('\n')}`);
    },
    close: () => context.close(),
  };
}

export async function createLecture(base: string, body: Record<string, unknown> = {}): Promise<CreatedLecture> {
  const res = await fetch(`${base}/api/lectures`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ preset: 'notebook', ...body }) });
  if (res.status !== 201) throw new Error(`create lecture: ${res.status} ${await res.text()}`);
  return (await res.json()) as CreatedLecture;
}

/** Sends a command over HTTP (as a second instructor device would). */
export async function command(base: string, lecture: CreatedLecture, cmd: Command): Promise<Snapshot> {
  const res = await fetch(`${base}/api/lectures/${lecture.id}/commands`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${lecture.instructorToken}` },
    body: JSON.stringify(cmd),
  });
  if (!res.ok) throw new Error(`command ${cmd.type}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Snapshot;
}

/** The path part of a server URL, on the test server's origin (the server may name another host). */
export function onServer(base: string, url: string): string {
  const u = new URL(url);
  return `${base}${u.pathname}${u.search}${u.hash}`;
}

/**
 * axe-core's WCAG 2.1 A and AA violations on the page as it stands, one line each. With
 * `label-content-name-mismatch` on (axe ships it off as experimental): a visible label must be
 * part of the accessible name. `options()` before `withTags()`: options() replaces what withTags set.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page })
    .options({ rules: { 'label-content-name-mismatch': { enabled: true } } })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join('; ')})`);
}

/** What a person sees of an element. */
export interface Seen {
  /** Wholly inside the viewport, and not empty. */
  readonly inViewport: boolean;
  /** What is drawn at its centre is it or inside it (through shadow roots): nothing covers it. */
  readonly hit: boolean;
  /** Its text's size as drawn, in CSS px (for SVG text, the font size times the drawing's scale). */
  readonly fontPx: number;
}

/** Where an element stands to a person looking at the screen (see Seen). */
export function seen(locator: Locator): Promise<Seen> {
  return locator.evaluate((el) => {
    const r = el.getBoundingClientRect();
    const inViewport = r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth && r.width > 0 && r.height > 0;
    const x = r.left + r.width / 2;
    const y = r.top + r.height / 2;
    let hit: Element | null = document.elementFromPoint(x, y);
    while (hit?.shadowRoot) {
      const inner = hit.shadowRoot.elementFromPoint(x, y);
      if (!inner || inner === hit) break;
      hit = inner;
    }
    // Up from what was hit, out of shadow roots through their hosts: is the element among its ancestors?
    let node: Node | null = hit;
    while (node && node !== el) node = node.parentNode ?? (node instanceof ShadowRoot ? node.host : null);
    const scale = el instanceof SVGGraphicsElement ? (el.getScreenCTM()?.a ?? 1) : 1;
    return { inViewport, hit: node === el, fontPx: parseFloat(getComputedStyle(el).fontSize) * scale };
  });
}

/**
 * Waits for a condition (never a fixed sleep): expect.poll with a budget that suits a loaded
 * two-core machine rather than vitest's 1 s default.
 */
export function eventually<T>(read: () => T | Promise<T>, timeout = 10_000) {
  return expect.poll(read, { timeout, interval: 50 });
}

/**
 * The real server and a Chromium for one test file: started (in parallel) before its tests and
 * closed after them; `use` receives both once they run. The browser is this file's own, so its options
 * (a fake microphone) reach no other file.
 */
export function withServerAndBrowser(use: (server: TestServer, browser: Browser) => void, options: BrowserOptions = {}): void {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser(options)]);
    use(server, browser);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
}
