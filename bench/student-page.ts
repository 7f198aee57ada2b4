/**
 * The student page on a phone on a classroom network (issue 12 "A page that loads fast"): Debian's
 * Chromium, 375×812 with touch and a mobile user agent, CPU slowed 4× and the network held to
 * 1.6 Mbps down / 750 kbps up with 150 ms round trips (Lighthouse's "slow 4G" mobile profile, set
 * through CDP). Each run is a fresh browser context (nothing cached) opening /lecture/<code> of a
 * live notebook lecture on our real server.
 *
 * Measured in the page (Resource Timing and Paint Timing share one clock): first contentful paint,
 * the moment the stage strip is drawn (what a student came for), the bytes on the wire before
 * first paint (compressed: transferSize counts headers and the encoded body) and everything the
 * page transferred until it went quiet. Then Lighthouse's own mobile run of the same page (its
 * Performance score is the issue's target), on the same Chromium.
 *
 *   npm run bench -- --only student-page
 *   node --import tsx bench/student-page.ts [--client-dir /some/build] [--runs 3] [--lighthouse-runs 3]
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { createApp } from '../server/app.js';
import { SqliteStore } from '../server/sqlite-store.js';
import { median, round } from './lib/stats.js';
import { initialScripts } from './lib/script-graph.js';

export interface StudentPageRun {
  fcpMs: number;
  stripMs: number;
  bytesBeforeFcp: number;
  requestsBeforeFcp: number;
  /** Everything fetched before the stage strip was drawn: what the lecture itself costs. */
  bytesBeforeStrip: number;
  totalBytes: number;
  requests: number;
}

export interface LighthouseFigures {
  performance: number;
  fcpMs: number;
  lcpMs: number;
  tbtMs: number;
  speedIndexMs: number;
  cls: number;
  totalBytes: number;
  /** The element Lighthouse took as the largest contentful paint (its HTML snippet). */
  lcpElement: string | null;
  /** Main-thread time by script (Lighthouse's bootup-time), the largest first. */
  scripts: { url: string; ms: number }[];
  /** The longest main-thread tasks (Lighthouse's long-tasks) and the script each is charged to. */
  longTasks: { url: string; ms: number }[];
}

export interface StudentPageResult {
  clientDir: string;
  profile: string;
  runs: StudentPageRun[];
  median: StudentPageRun;
  /**
   * Lighthouse's mobile Performance (0–100) and its metrics, run against the same page: the run with
   * the median score of `lighthouseRuns` (TBT swings with the machine's other load); null if it could not run.
   */
  lighthouse: LighthouseFigures | null;
  /** Every Lighthouse run's score, in order. */
  lighthouseScores: number[];
  /** The student's first scripts (entry, lecture page, their static imports) from Vite's manifest, as Brotli; null for a build without one. */
  initialScripts: { files: number; brotliBytes: number } | null;
  /** The largest transfers of the last run, to see what to cut next. */
  largest: { url: string; bytes: number; beforeFcp: boolean }[];
}

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const PHONE_UA = 'Mozilla/5.0 (Linux; Android 11; moto g power (2022)) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36';
/** Lighthouse's mobile throttling (its "simulated slow 4G"), applied for real here. */
export const MOBILE_NETWORK = { latency: 150, downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8 };
export const CPU_SLOWDOWN = 4;
/** The page is done when nothing new has been fetched for this long (socket.io then speaks over its WebSocket). */
const QUIET_MS = 2000;
const RUN_LIMIT_MS = 60_000;

/** Runs in the page before any script: notes when the stage strip is first drawn. */
const WATCH_STRIP = `(() => {
  const find = (root) => {
    const hit = root.querySelector('stage-strip');
    if (hit) return hit;
    for (const el of root.querySelectorAll('*')) if (el.shadowRoot) { const f = find(el.shadowRoot); if (f) return f; }
    return null;
  };
  const look = () => {
    const strip = document.body && find(document);
    const box = strip && strip.shadowRoot && strip.shadowRoot.childElementCount > 0 ? strip.getBoundingClientRect() : null;
    if (box && box.height > 0) window.__stripAt = performance.now();
    else requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
})();`;

export async function runStudentPage(options: { clientDir?: string; runs?: number; lighthouseRuns?: number } = {}): Promise<StudentPageResult> {
  const clientDir = resolve(options.clientDir ?? 'dist/client');
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-student-page-'));
  const store = new SqliteStore(join(dataDir, 'bench.sqlite'));
  const app = createApp({ store, clientDir });
  await new Promise<void>((ready) => app.server.listen(0, '127.0.0.1', ready));
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'] });
  try {
    const created = await fetch(`${base}/api/lectures`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ preset: 'notebook' }) });
    if (created.status !== 201) throw new Error(`create lecture: ${created.status} ${await created.text()}`);
    const { id } = (await created.json()) as { id: string };
    const runs: StudentPageRun[] = [];
    let largest: StudentPageResult['largest'] = [];
    for (let i = 0; i < (options.runs ?? 3); i++) {
      const { run, transfers } = await oneRun(browser, `${base}/lecture/${id}`);
      runs.push(run);
      largest = transfers.sort((a, b) => b.bytes - a.bytes).slice(0, 8);
    }
    const pick = (k: keyof StudentPageRun) => round(median(runs.map((r) => r[k])), 0);
    const audits: LighthouseFigures[] = [];
    for (let i = 0; i < (options.lighthouseRuns ?? 3); i++) {
      const figures = await lighthouseMobile(`${base}/lecture/${id}`);
      if (figures) audits.push(figures);
    }
    const byScore = [...audits].sort((a, b) => a.performance - b.performance);
    return {
      lighthouse: byScore[Math.floor((byScore.length - 1) / 2)] ?? null,
      lighthouseScores: audits.map((a) => a.performance),
      initialScripts: scriptBudget(clientDir),
      clientDir,
      profile: `375×812 mobile, CPU ${CPU_SLOWDOWN}× slower, ${MOBILE_NETWORK.latency} ms RTT, 1.6 Mbps down`,
      runs,
      median: { fcpMs: pick('fcpMs'), stripMs: pick('stripMs'), bytesBeforeFcp: pick('bytesBeforeFcp'), requestsBeforeFcp: pick('requestsBeforeFcp'), bytesBeforeStrip: pick('bytesBeforeStrip'), totalBytes: pick('totalBytes'), requests: pick('requests') },
      largest,
    };
  } finally {
    await browser.close();
    await app.close();
    store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function oneRun(browser: Browser, url: string) {
  const context = await browser.newContext({ viewport: { width: 375, height: 812 }, deviceScaleFactor: 2.625, isMobile: true, hasTouch: true, userAgent: PHONE_UA });
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    await cdp.send('Network.emulateNetworkConditions', { offline: false, ...MOBILE_NETWORK });
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
    await page.addInitScript(WATCH_STRIP);
    await page.goto(url, { waitUntil: 'load', timeout: RUN_LIMIT_MS });
    await page.waitForFunction(() => (window as { __stripAt?: number }).__stripAt !== undefined, undefined, { timeout: RUN_LIMIT_MS });
    await waitForQuiet(page);
    const measured = await page.evaluate(() => {
      const fcp = performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN;
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      const resources = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
      const all = [{ url: nav.name, bytes: nav.transferSize, end: nav.responseEnd }, ...resources.map((r) => ({ url: r.name, bytes: r.transferSize, end: r.responseEnd }))];
      return { fcp, strip: (window as { __stripAt?: number }).__stripAt ?? NaN, all };
    });
    const before = measured.all.filter((t) => t.end <= measured.fcp);
    const sum = (ts: { bytes: number }[]) => ts.reduce((n, t) => n + t.bytes, 0);
    const run: StudentPageRun = {
      fcpMs: round(measured.fcp, 0),
      stripMs: round(measured.strip, 0),
      bytesBeforeFcp: sum(before),
      requestsBeforeFcp: before.length,
      bytesBeforeStrip: sum(measured.all.filter((t) => t.end <= measured.strip)),
      totalBytes: sum(measured.all),
      requests: measured.all.length,
    };
    const transfers = measured.all.map((t) => ({ url: new URL(t.url).pathname, bytes: t.bytes, beforeFcp: t.end <= measured.fcp }));
    return { run, transfers };
  } finally {
    await context.close();
  }
}

/** Until no resource has been added for QUIET_MS (bounded by RUN_LIMIT_MS). */
async function waitForQuiet(page: import('playwright-core').Page): Promise<void> {
  const started = Date.now();
  let count = -1;
  let since = Date.now();
  while (Date.now() - started < RUN_LIMIT_MS) {
    const now = await page.evaluate(() => performance.getEntriesByType('resource').length);
    if (now !== count) {
      count = now;
      since = Date.now();
    } else if (Date.now() - since >= QUIET_MS) return;
    await page.waitForTimeout(250);
  }
}

/**
 * Lighthouse 12's mobile preset (simulated slow 4G, 4× CPU) on Debian's Chromium, Performance only.
 * Nothing is downloaded: chrome-launcher starts the Chromium given. Null, with the reason printed,
 * if it cannot run here.
 */
async function lighthouseMobile(url: string): Promise<LighthouseFigures | null> {
  // Lighthouse now and then loses the trace's start (NO_NAVSTART) on a busy machine: two more tries.
  for (let attempt = 1; attempt <= 3; attempt++) {
    const figures = await lighthouseOnce(url);
    if (figures) return figures;
  }
  return null;
}

async function lighthouseOnce(url: string): Promise<LighthouseFigures | null> {
  try {
    const [{ default: lighthouse }, chromeLauncher] = await Promise.all([import('lighthouse'), import('chrome-launcher')]);
    const chrome = await chromeLauncher.launch({ chromePath: CHROMIUM, chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu'] });
    try {
      const result = await lighthouse(url, { port: chrome.port, onlyCategories: ['performance'], logLevel: 'error', output: 'json' });
      if (!result || result.lhr.runtimeError) throw new Error(result?.lhr.runtimeError?.message ?? 'no result');
      const audit = (name: string) => result.lhr.audits[name]?.numericValue ?? NaN;
      return {
        performance: Math.round((result.lhr.categories.performance.score ?? NaN) * 100),
        fcpMs: round(audit('first-contentful-paint'), 0),
        lcpMs: round(audit('largest-contentful-paint'), 0),
        tbtMs: round(audit('total-blocking-time'), 0),
        speedIndexMs: round(audit('speed-index'), 0),
        cls: round(audit('cumulative-layout-shift'), 3),
        totalBytes: audit('total-byte-weight'),
        lcpElement: lcpSnippet(result.lhr.audits['largest-contentful-paint-element']?.details),
        scripts: topByUrl(result.lhr.audits['bootup-time']?.details, 'total'),
        longTasks: topByUrl(result.lhr.audits['long-tasks']?.details, 'duration'),
      };
    } finally {
      await chrome.kill();
    }
  } catch (err) {
    console.error(`lighthouse could not run: ${err instanceof Error ? err.message : String(err)}`);
    return null;
  }
}

/**
 * The LCP element's snippet from Lighthouse 12's details (a list holding a table of nodes); null
 * when the audit failed (with Debian's Chromium 14x its TraceElements gatherer throws on
 * `frame_sequence`).
 */
function lcpSnippet(details: unknown): string | null {
  const items = (details as { items?: { items?: { node?: { snippet?: string } }[] }[] } | undefined)?.items;
  return items?.[0]?.items?.[0]?.node?.snippet ?? null;
}

/** The first five rows of a Lighthouse table of URLs and times (`key`: the column of milliseconds). */
function topByUrl(details: unknown, key: 'total' | 'duration'): { url: string; ms: number }[] {
  const items = (details as { items?: Record<string, unknown>[] } | undefined)?.items ?? [];
  return items.slice(0, 5).map((i) => ({ url: String(i.url ?? '?').replace(/^https?:\/\/[^/]+/, ''), ms: round(Number(i[key] ?? 0), 0) }));
}

function scriptBudget(clientDir: string): StudentPageResult['initialScripts'] {
  if (!existsSync(join(clientDir, '.vite', 'manifest.json'))) return null;
  const graph = initialScripts(clientDir, ['components/lecture-page.ts']);
  return { files: graph.files.length, brotliBytes: graph.brotliBytes };
}

export function printStudentPage(r: StudentPageResult): void {
  const kb = (b: number) => `${round(b / 1024, 1)} KB`;
  console.log(`\nstudent page (${r.profile}), median of ${r.runs.length} cold loads, client ${r.clientDir}`);
  console.log(`  first contentful paint ${r.median.fcpMs} ms; stage strip drawn ${r.median.stripMs} ms`);
  console.log(`  before first paint ${kb(r.median.bytesBeforeFcp)} in ${r.median.requestsBeforeFcp} requests; before the strip ${kb(r.median.bytesBeforeStrip)}; everything ${kb(r.median.totalBytes)} in ${r.median.requests} requests`);
  const lh = r.lighthouse;
  if (r.initialScripts) console.log(`  first scripts (entry, lecture page and their static imports): ${kb(r.initialScripts.brotliBytes)} Brotli in ${r.initialScripts.files} files`);
  if (lh) {
    console.log(`  Lighthouse mobile Performance ${lh.performance}, median of [${r.lighthouseScores.join(', ')}] (FCP ${lh.fcpMs} ms, LCP ${lh.lcpMs} ms, TBT ${lh.tbtMs} ms, SI ${lh.speedIndexMs} ms, CLS ${lh.cls}, ${kb(lh.totalBytes)})`);
    console.log(`    LCP element: ${lh.lcpElement ?? 'not reported (the audit failed in Lighthouse)'}`);
    console.log(`    main thread by script: ${lh.scripts.map((s) => `${s.url} ${s.ms} ms`).join('; ')}`);
    console.log(`    longest tasks: ${lh.longTasks.map((t) => `${t.ms} ms ${t.url}`).join('; ')}`);
  } else console.log('  Lighthouse: not available (see the error above)');
  console.log('  largest transfers:');
  for (const t of r.largest) console.log(`    ${kb(t.bytes).padStart(9)}  ${t.beforeFcp ? 'before paint' : 'after paint '}  ${t.url}`);
}

// Run alone: node --import tsx bench/student-page.ts [--client-dir DIR] [--runs N] [--lighthouse-runs N]
if (import.meta.url === `file://${process.argv[1]}`) {
  const { parseArgs } = await import('node:util');
  const { values } = parseArgs({ options: { 'client-dir': { type: 'string' }, runs: { type: 'string' }, 'lighthouse-runs': { type: 'string' } } });
  const lighthouseRuns = values['lighthouse-runs'];
  const result = await runStudentPage({ clientDir: values['client-dir'], runs: values.runs ? Number(values.runs) : undefined, lighthouseRuns: lighthouseRuns ? Number(lighthouseRuns) : undefined });
  printStudentPage(result);
}
