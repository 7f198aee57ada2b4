/**
 * The replay on the lecture's own clock (issue 16): a lecture recorded with real pauses between
 * its commands plays at that pace (times the speed), a long pause plays shortened, the timeline
 * shows the state of the last event at or before the playhead, the chapters seek, `?t=` opens a
 * moment paused and "Copy link to this moment" writes one that reopens it; the bar is thin enough
 * to leave the lesson's current stage on a phone's first screen. Real server, real Chromium.
 */
import { mkdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { Command } from '../../shared/protocol/commands.js';
import type { CreatedLecture, Recording } from '../../shared/protocol/http.js';
import type { TestServer } from '../support/server.js';
import { axeViolations, command, createLecture, eventually, openPage, seen, withServerAndBrowser } from './support.js';
import { byTestId, chooseInMenu, positionText, slider } from './replay-support.js';

const SHOTS = '/tmp/shots-replay';
mkdirSync(SHOTS, { recursive: true });

let server: TestServer;
let browser: Browser;
withServerAndBrowser((s, b) => ([server, browser] = [s, b]));

/** Commands with the real pause (ms) before each: a forward pass step by step, a long wait, then the backward pass. */
const SCRIPT: [number, Command][] = [
  [0, { type: 'step' }],
  [400, { type: 'step' }],
  [600, { type: 'step' }],
  [500, { type: 'forward' }],
  [4500, { type: 'backward' }],
  [500, { type: 'update' }],
];
/** The long pause above, and the idle limit the menu offers that shortens it most. */
const LONG_GAP = 4500;
const SHORT_LIMIT = 1000;

let lecture: CreatedLecture;
/** Each event's time since the first (ms), from the recording. */
let offsets: number[];

beforeAll(async () => {
  lecture = await createLecture(server.url, { title: 'Paced' });
  for (const [wait, cmd] of SCRIPT) {
    await sleep(wait);
    await command(server.url, lecture, cmd);
  }
  const recording = (await (await fetch(`${server.url}/api/lectures/${lecture.id}/recording`)).json()) as Recording;
  offsets = recording.events.map((e) => e.at - recording.events[0].at);
}, 30_000);

const stage = (page: Page) => byTestId(page, 'current-stage').textContent();

/** What the page showed while playing, sampled in the page every 15 ms: the position and the clock. */
async function startSampling(page: Page): Promise<void> {
  await page.evaluate(() => {
    const deep = (root: ParentNode, selector: string): Element | null => {
      const hit = root.querySelector(selector);
      if (hit) return hit;
      for (const el of root.querySelectorAll('*')) {
        const inner = el.shadowRoot && deep(el.shadowRoot, selector);
        if (inner) return inner;
      }
      return null;
    };
    const log: { position: number; clock: string; playing: boolean; wall: number }[] = [];
    (window as unknown as { replayLog: typeof log }).replayLog = log;
    setInterval(() => {
      const text = deep(document, '[data-testid="replay-position"]')?.textContent ?? '';
      const position = Number(/event (\d+) of/.exec(text)?.[1] ?? -1);
      const clock = deep(document, '[data-testid="replay-time"]')?.textContent ?? '';
      const playing = deep(document, '[data-testid="play"]')?.getAttribute('aria-label') === 'Pause';
      const last = log[log.length - 1];
      if (!last || last.position !== position || last.playing !== playing) log.push({ position, clock, playing, wall: performance.now() });
    }, 15);
  });
}

interface Sample {
  readonly position: number;
  readonly clock: string;
  readonly playing: boolean;
  readonly wall: number;
}
const sampled = (page: Page) => page.evaluate(() => (window as unknown as { replayLog: Sample[] }).replayLog);

/** "01:05" or "01:05.3" as ms. */
function clockMs(text: string): number {
  const [m, s] = text.split(':');
  return (Number(m) * 60 + Number(s)) * 1000;
}

describe('the replay plays on the lecture clock', () => {
  it('plays at the recorded pace, times the speed, every event in order, each once its time has come', async () => {
    const p = await openPage(browser, `${server.url}/replay/${lecture.id}`);
    try {
      await eventually(() => positionText(p.page)).toContain('event 0 of 6');
      // Pauses in full, at 2×: the whole lecture takes half its length.
      await chooseInMenu(p.page, 'idle-off');
      await p.page.locator('#speed').selectOption('2');
      await startSampling(p.page);
      const started = Date.now();
      await p.page.getByRole('button', { name: 'Play' }).click();
      await eventually(() => positionText(p.page), 30_000).toContain('event 6 of 6');
      const took = Date.now() - started;
      const log = await sampled(p.page);
      const positions = log.map((l) => l.position).filter((n, i, all) => n > 0 && n !== all[i - 1]);
      expect(positions).toEqual([1, 2, 3, 4, 5, 6]);
      // Each event shows once the clock has reached it (the clock is in whole seconds, rounded down).
      for (const l of log.filter((x) => x.position > 0)) expect(clockMs(l.clock)).toBeGreaterThanOrEqual(Math.floor(offsets[l.position - 1] / 1000) * 1000);
      // Not one event a second, nor as fast as it can: the recorded pace at 2× (a lower bound only: a slow machine is slower).
      expect(took).toBeGreaterThanOrEqual((offsets[5] / 2) * 0.9);
      const waitBeforeBackward = log.find((l) => l.position === 5)!.wall - log.find((l) => l.position === 4)!.wall;
      expect(waitBeforeBackward).toBeGreaterThanOrEqual((LONG_GAP / 2) * 0.9);
      // At the end it stops by itself.
      await eventually(() => p.page.getByRole('button', { name: 'Play' }).count()).toBe(1);
      p.assertClean();
    } finally {
      await p.close();
    }
  });

  it('shortens a long pause to the idle limit: the timeline is shorter and the pause plays shorter', async () => {
    const p = await openPage(browser, `${server.url}/replay/${lecture.id}?seq=4`);
    try {
      await eventually(() => positionText(p.page)).toContain('event 4 of 6');
      await chooseInMenu(p.page, 'idle-off');
      const full = Number(await slider(p.page).getAttribute('max'));
      expect(full).toBeCloseTo(offsets[5], -1);
      await chooseInMenu(p.page, `idle-${SHORT_LIMIT}`);
      const short = Number(await slider(p.page).getAttribute('max'));
      const shortened = offsets.slice(1).reduce((sum, t, i) => sum + Math.min(t - offsets[i], SHORT_LIMIT), 0);
      expect(short).toBeCloseTo(shortened, -1);
      expect(short).toBeLessThan(full - (LONG_GAP - SHORT_LIMIT) + 5);
      // The menu says which limit is on.
      await p.page.getByRole('button', { name: /^More/ }).click();
      expect(await p.page.getByRole('menuitemradio', { name: 'Shorten to 1 s' }).getAttribute('aria-checked')).toBe('true');
      await p.page.keyboard.press('Escape');
      // Played at 3× from the forward pass's end: the pause before the backward pass takes its shortened length, not its recorded one.
      await p.page.locator('#speed').selectOption('3');
      await startSampling(p.page);
      await p.page.getByRole('button', { name: 'Play' }).click();
      await eventually(() => positionText(p.page), 20_000).toContain('event 5 of 6');
      const log = await sampled(p.page);
      const pause = log.find((l) => l.position === 5)!.wall - log.find((l) => l.playing)!.wall;
      // Its 4.5 s at 3× would be 1.5 s; shortened to 1 s, 0.33 s. Well under the recorded length, whatever the machine.
      expect(pause).toBeLessThan(LONG_GAP / 3);
      // The clock shows lecture time: it jumped over the cut-out part.
      expect(clockMs((await byTestId(p.page, 'replay-time').textContent())!)).toBeGreaterThanOrEqual(Math.floor(offsets[4] / 1000) * 1000);
      p.assertClean();
    } finally {
      await p.close();
    }
  });

  it('scrubbing shows the state of the last event at or before the playhead; ← → step event by event', async () => {
    const p = await openPage(browser, `${server.url}/replay/${lecture.id}`);
    try {
      await eventually(() => positionText(p.page)).toContain('event 0 of 6');
      await chooseInMenu(p.page, 'idle-off');
      // Between event 3 (B_act) and event 4 (the forward pass to L): event 3's state.
      await slider(p.page).fill(String((offsets[2] + offsets[3]) / 2));
      await eventually(() => positionText(p.page)).toContain('event 3 of 6');
      expect(await stage(p.page)).toBe('B_act');
      // The event is named by the stage it reached.
      expect(await positionText(p.page)).toBe('event 3 of 6 · Step → B_act');
      expect(await slider(p.page).getAttribute('aria-valuetext')).toMatch(/^00:0\d, Forward pass, sample 0$/);
      // Just before event 2: event 1's state (the input).
      await slider(p.page).fill(String(offsets[1] - 60));
      await eventually(() => positionText(p.page)).toContain('event 1 of 6');
      expect(await stage(p.page)).toBe('input');
      // In the long pause: the forward pass's end.
      await slider(p.page).fill(String(offsets[3] + LONG_GAP / 2));
      await eventually(() => stage(p.page)).toBe('L');
      // The keys step one event and put the playhead on its time.
      await p.page.locator('body').press('ArrowRight');
      await eventually(() => stage(p.page)).toBe('∂L/∂W');
      expect(Number(await slider(p.page).inputValue())).toBeCloseTo(offsets[4], -1);
      await p.page.locator('body').press('ArrowLeft');
      await eventually(() => stage(p.page)).toBe('L');
      expect(Number(await slider(p.page).inputValue())).toBeCloseTo(offsets[3], -1);
      // On the focused timeline, the arrows step events too.
      await slider(p.page).focus();
      await p.page.keyboard.press('ArrowLeft');
      await eventually(() => stage(p.page)).toBe('B_act');
      expect(new URL(p.page.url()).searchParams.get('seq')).toBe('3');
      p.assertClean();
    } finally {
      await p.close();
    }
  });

  it('the chapters list seeks, and marks the chapter the playhead is in', async () => {
    const p = await openPage(browser, `${server.url}/replay/${lecture.id}`, { width: 1366, height: 768 });
    try {
      await eventually(() => positionText(p.page)).toContain('event 0 of 6');
      const chapters = p.page.locator('[data-testid="chapter"]');
      await eventually(() => chapters.count()).toBeGreaterThanOrEqual(3);
      const backward = p.page.getByRole('button', { name: /^Backward pass, sample 0/ });
      await backward.click();
      await eventually(() => stage(p.page)).toBe('∂L/∂W');
      expect(await positionText(p.page)).toContain('event 5 of 6');
      expect(await backward.getAttribute('aria-current')).toBe('true');
      await p.page.getByRole('button', { name: /^Forward pass, sample 0/ }).click();
      await eventually(() => stage(p.page)).toBe('input');
      expect(await backward.getAttribute('aria-current')).toBe('false');
      p.assertClean();
    } finally {
      await p.close();
    }
  });

  it('?t= opens at that moment, paused; ?seq= still opens at an event', async () => {
    const between = ((offsets[2] + offsets[3]) / 2 / 1000).toFixed(2);
    const p = await openPage(browser, `${server.url}/replay/${lecture.id}?t=${between}`);
    try {
      await eventually(() => positionText(p.page)).toContain('event 3 of 6');
      expect(await stage(p.page)).toBe('B_act');
      expect(await p.page.getByRole('button', { name: 'Play' }).count()).toBe(1);
      await p.page.goto(`${server.url}/replay/${lecture.id}?seq=4`);
      await eventually(() => positionText(p.page)).toContain('event 4 of 6');
      expect(await stage(p.page)).toBe('L');
      // A t that is no moment opens at the start.
      await p.page.goto(`${server.url}/replay/${lecture.id}?t=__proto__`);
      await eventually(() => positionText(p.page)).toContain('event 0 of 6');
      p.assertClean();
    } finally {
      await p.close();
    }
  });

  it('"Copy link to this moment" puts a ?t= link on the clipboard that reopens the same state', async () => {
    const p = await openPage(browser, `${server.url}/replay/${lecture.id}?seq=2`);
    try {
      await p.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
      await eventually(() => positionText(p.page)).toContain('event 2 of 6');
      await chooseInMenu(p.page, 'copy-link');
      await eventually(() => byTestId(p.page, 'replay-note').textContent()).toMatch(/^Link copied: /);
      const link = await p.page.evaluate(() => navigator.clipboard.readText());
      expect(link).toMatch(new RegExp(`^${server.url}/replay/${lecture.id}\\?t=00:0\\d(\\.\\d+)?$`));
      expect(await byTestId(p.page, 'replay-note').textContent()).toBe(`Link copied: ${link}`);
      await p.page.goto(link);
      await eventually(() => positionText(p.page)).toContain('event 2 of 6');
      expect(await stage(p.page)).toBe('B');
      p.assertClean();
    } finally {
      await p.close();
    }
  });

  it('the menu works from the keyboard: opens on Enter, arrows move, Escape closes and focus returns', async () => {
    const p = await openPage(browser, `${server.url}/replay/${lecture.id}?seq=3`);
    try {
      await eventually(() => positionText(p.page)).toContain('event 3 of 6');
      const button = p.page.getByRole('button', { name: /^More/ });
      await button.focus();
      await p.page.keyboard.press('Enter');
      const menu = p.page.getByRole('menu');
      await menu.waitFor();
      expect(await button.getAttribute('aria-expanded')).toBe('true');
      const focusedName = () => p.page.evaluate(() => {
        let el: Element | null = document.activeElement;
        while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
        return el?.textContent?.trim() ?? '';
      });
      expect(await focusedName()).toBe('Copy link to this moment');
      await p.page.keyboard.press('ArrowDown');
      expect(await focusedName()).toBe('Embed this replay…');
      await p.page.keyboard.press('ArrowUp');
      await p.page.keyboard.press('ArrowUp');
      expect(await focusedName()).toBe('Keyboard shortcuts');
      // Keys inside the menu do not move the replay.
      expect(await positionText(p.page)).toContain('event 3 of 6');
      await p.page.keyboard.press('Escape');
      expect(await menu.count()).toBe(0);
      expect(await focusedName()).toBe('⋯');
      p.assertClean();
    } finally {
      await p.close();
    }
  });
});

describe('the minimal player (what the embed page hosts)', () => {
  it('at 800×500: the bar and the current stage on the screen, no list beside the lesson, the chapters in the menu seek', async () => {
    const p = await openPage(browser, `${server.url}/replay/${lecture.id}`, { width: 800, height: 500 });
    try {
      await eventually(() => positionText(p.page)).toContain('event 0 of 6');
      // The same player, hosted alone and minimal, as /embed/:id does.
      await p.page.evaluate((id) => {
        document.body.replaceChildren();
        const player = Object.assign(document.createElement('replay-player'), { lectureId: id, minimal: true });
        document.body.append(player);
      }, lecture.id);
      await eventually(() => positionText(p.page)).toContain('event 0 of 6');
      expect(await p.page.locator('chapter-list').count()).toBe(0);
      await p.page.getByRole('button', { name: /^More/ }).click();
      const chapters = p.page.getByRole('menuitem', { name: /^Backward pass, sample 0/ });
      expect(await p.page.locator('[data-testid="menu-chapter"]').count()).toBeGreaterThanOrEqual(3);
      await chapters.click();
      await eventually(() => stage(p.page)).toBe('∂L/∂W');
      await p.page.getByRole('button', { name: /^More/ }).click();
      expect(await chapters.getAttribute('aria-current')).toBe('true');
      await p.page.keyboard.press('Escape');
      expect(((await byTestId(p.page, 'replay-bar').boundingBox())!).height).toBeLessThanOrEqual(64);
      const now = await seen(byTestId(p.page, 'current-stage'));
      expect(now.inViewport && now.hit).toBe(true);
      await p.page.screenshot({ path: `${SHOTS}/replay-minimal.png` });
      p.assertClean();
    } finally {
      await p.close();
    }
  });
});

describe('the bar leaves room for the lesson', () => {
  for (const size of [
    { name: 'phone', phone: true, limit: 56 },
    { name: 'laptop', width: 1366, height: 768, limit: 64 },
  ] as const) {
    it(`on a ${size.name}: the bar at most ${size.limit} px tall, the current stage on the first screen and not under the bar; axe clean`, async () => {
      const p = await openPage(browser, `${server.url}/replay/${lecture.id}?seq=3`, size.name === 'phone' ? { phone: true } : { width: size.width, height: size.height });
      try {
        await eventually(() => stage(p.page)).toBe('B_act');
        const bar = byTestId(p.page, 'replay-bar');
        const box = (await bar.boundingBox())!;
        expect(box.height).toBeLessThanOrEqual(size.limit);
        const now = await seen(byTestId(p.page, 'current-stage'));
        expect(now.inViewport).toBe(true);
        expect(now.hit).toBe(true);
        // Play, the timeline, the speed and the menu are all in the bar, on the screen.
        for (const control of [p.page.getByRole('button', { name: 'Play' }), slider(p.page), p.page.locator('#speed'), p.page.getByRole('button', { name: /^More/ })]) {
          const s = await seen(control);
          expect(s.inViewport).toBe(true);
        }
        expect(((await slider(p.page).boundingBox())!).width).toBeGreaterThan(size.name === 'phone' ? 120 : 600);
        await p.page.screenshot({ path: `${SHOTS}/replay-${size.name}.png` });
        expect(await axeViolations(p.page)).toEqual([]);
        // Scrolled down, the bar stays at the top and the lesson scrolls under it.
        await p.page.mouse.wheel(0, 600);
        await eventually(() => bar.boundingBox().then((b) => Math.round(b!.y))).toBe(0);
        // The menu open: axe clean too.
        await p.page.getByRole('button', { name: /^More/ }).click();
        await p.page.getByRole('menu').waitFor();
        await p.page.screenshot({ path: `${SHOTS}/replay-${size.name}-menu.png` });
        expect(await axeViolations(p.page)).toEqual([]);
        p.assertClean();
      } finally {
        await p.close();
      }
    });
  }
});
