/**
 * WCAG 2.1 A/AA on every page, with assistive technology in mind: axe-core (including its
 * `label-content-name-mismatch` rule, which axe ships disabled as "experimental": a control whose
 * visible text is not part of its name cannot be spoken to with voice control), polite live
 * announcements of a step and a reveal, the answer field among the first Tab stops while a
 * question is open, and touch targets of at least 24×24 px on a phone (WCAG 2.2 2.5.8).
 * Real server, real Chromium.
 */
import { mkdirSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { CreatedLecture } from '../../shared/protocol/http.js';
import type { TestServer } from '../support/server.js';
import { LectureClient } from '../support/clients.js';
import { axeViolations, command, createLecture, eventually, onServer, openPage, withServerAndBrowser, type CheckedPage } from './support.js';

let server: TestServer;
let browser: Browser;
withServerAndBrowser((s, b) => ([server, browser] = [s, b]));

const SHOTS = '/tmp/shots-a11y';
beforeAll(() => mkdirSync(SHOTS, { recursive: true }));

const live = (page: Page) => page.locator('[data-testid="connection-status"][data-status="live"]').waitFor();
const byTestId = (page: Page, id: string) => page.locator(`[data-testid="${id}"]`);

async function clean(p: CheckedPage, name: string): Promise<void> {
  await p.page.screenshot({ path: `${SHOTS}/${name}.png` });
  expect(await axeViolations(p.page), name).toEqual([]);
}

/** A lecture with a question on C_act open and `answers` answers from other students. */
async function askWithAnswers(lecture: CreatedLecture, answers: readonly number[]): Promise<LectureClient[]> {
  await command(server.url, lecture, { type: 'ask', tensor: 'C_act', index: [0] });
  const students = await Promise.all(
    answers.map((_, i) => LectureClient.connect(server.url, { lectureId: lecture.id, clientId: server.clientId(`a11y-${lecture.id}-${i}`) })),
  );
  for (const [i, value] of answers.entries()) {
    expect(await students[i].socket.emitWithAck('prediction:submit', { value })).toEqual({ ok: true });
  }
  return students;
}

describe('axe-core finds no WCAG 2.1 A/AA violation', () => {
  it('on the home page with "Your lectures" listed', async () => {
    const lecture = await createLecture(server.url, { title: 'Listed here' });
    const entry = { id: lecture.id, title: 'Listed here', token: lecture.instructorToken, createdAt: Date.now() };
    const p = await openPage(browser, 'about:blank', { width: 1280, height: 800 });
    try {
      await p.context.addInitScript((value) => localStorage.setItem('backprop-live:my-lectures', value), JSON.stringify([entry]));
      await p.page.goto(`${server.url}/`);
      await byTestId(p.page, `my-lecture-${lecture.id}`).waitFor();
      await clean(p, 'home-listed');
      p.assertClean();
    } finally {
      await p.close();
    }
  });

  it('on the console: fresh, after steps, with the setup panel open, with a question answered', async () => {
    const lecture = await createLecture(server.url, { title: 'Console' });
    const p = await openPage(browser, onServer(server.url, lecture.instructorUrl), { width: 1366, height: 768 });
    const { page } = p;
    let students: LectureClient[] = [];
    try {
      await live(page);
      await page.locator('share-panel .qr svg').waitFor();
      await clean(p, 'console-fresh');
      for (let i = 0; i < 3; i++) await command(server.url, lecture, { type: 'step' });
      await eventually(() => byTestId(page, 'current-stage').textContent()).toBe('B_act');
      await clean(p, 'console-steps');
      await byTestId(page, 'open-setup').click();
      await page.locator('network-setup').waitFor();
      await clean(p, 'console-setup');
      await byTestId(page, 'open-setup').click();
      students = await askWithAnswers(lecture, [0.2, 0.5, 0.55]);
      await eventually(() => byTestId(page, 'prediction-count').textContent()).toBe('3');
      await clean(p, 'console-question');
      p.assertClean();
    } finally {
      for (const s of students) s.close();
      await p.close();
    }
  });

  for (const [label, options] of [
    ['a 375×812 phone', { phone: true }],
    ['a 1280×800 laptop', { width: 1280, height: 800 }],
  ] as const) {
    it(`on the student page on ${label}: fresh, a question open and answered, revealed`, async () => {
      const lecture = await createLecture(server.url, { title: 'Student' });
      const p = await openPage(browser, onServer(server.url, lecture.studentUrl), options);
      const { page } = p;
      const tag = label.startsWith('a 375') ? 'phone' : 'laptop';
      let students: LectureClient[] = [];
      try {
        await live(page);
        for (let i = 0; i < 3; i++) await command(server.url, lecture, { type: 'step' });
        await eventually(() => byTestId(page, 'current-stage').textContent()).toBe('B_act');
        await clean(p, `student-${tag}-steps`);
        students = await askWithAnswers(lecture, [0.2, 0.5]);
        await byTestId(page, 'prediction-input').waitFor();
        await clean(p, `student-${tag}-question`);
        await byTestId(page, 'prediction-input').fill('0.4');
        await byTestId(page, 'prediction-input').press('Enter');
        await eventually(() => byTestId(page, 'question-announcement').textContent()).toContain('Answer sent');
        await command(server.url, lecture, { type: 'reveal' });
        await byTestId(page, 'prediction-mean').waitFor();
        await clean(p, `student-${tag}-revealed`);
        p.assertClean();
      } finally {
        for (const s of students) s.close();
        await p.close();
      }
    });
  }

  it('on the student page on a phone: looking back, and in the sandbox with a weight being edited', async () => {
    const lecture = await createLecture(server.url, { title: 'Modes' });
    for (let i = 0; i < 3; i++) await command(server.url, lecture, { type: 'step' });
    const p = await openPage(browser, onServer(server.url, lecture.studentUrl), { phone: true });
    const { page } = p;
    try {
      await live(page);
      await byTestId(page, 'rewind').click();
      await byTestId(page, 'rewind-banner').waitFor();
      await clean(p, 'student-phone-rewind');
      await byTestId(page, 'back-to-live').click();
      await byTestId(page, 'sandbox').click();
      await byTestId(page, 'sandbox-bar').waitFor();
      // On a phone the weights fold under "All tensors".
      await page.locator('tensor-panel summary', { hasText: 'All tensors' }).click();
      await page.getByRole('button', { name: /^Edit W\[1,2\]/ }).click();
      await clean(p, 'student-phone-sandbox');
      p.assertClean();
    } finally {
      await p.close();
    }
  });

  it('on the home page on a phone', async () => {
    const p = await openPage(browser, `${server.url}/`, { phone: true });
    try {
      await p.page.getByRole('button', { name: 'Join' }).waitFor();
      await clean(p, 'home-phone');
      p.assertClean();
    } finally {
      await p.close();
    }
  });

  it('on the projector display, with a question open', async () => {
    const lecture = await createLecture(server.url, { title: 'Projector' });
    const p = await openPage(browser, `${server.url}/lecture/${lecture.id}/projector`, { width: 1280, height: 720 });
    const { page } = p;
    try {
      await byTestId(page, 'join-code').first().waitFor();
      await clean(p, 'projector-fresh');
      for (let i = 0; i < 3; i++) await command(server.url, lecture, { type: 'step' });
      await eventually(() => byTestId(page, 'projector-stage').textContent()).toBe('B_act');
      await command(server.url, lecture, { type: 'ask', tensor: 'C_act', index: [0] });
      await page.locator('projector-question').waitFor();
      await clean(p, 'projector-question');
      await command(server.url, lecture, { type: 'reveal' });
      await eventually(() => byTestId(page, 'question-actual').textContent()).toMatch(/\d/);
      await clean(p, 'projector-revealed');
      p.assertClean();
    } finally {
      await p.close();
    }
  });

  it('on the replay page', async () => {
    const lecture = await createLecture(server.url, { title: 'Replay' });
    for (let i = 0; i < 4; i++) await command(server.url, lecture, { type: 'step' });
    const p = await openPage(browser, `${server.url}/replay/${lecture.id}?seq=3`, { width: 1280, height: 800 });
    try {
      await byTestId(p.page, 'replay-position').waitFor();
      await clean(p, 'replay');
      p.assertClean();
    } finally {
      await p.close();
    }
  });
});

/** The test id (or tag and text) of what has focus, through shadow roots. */
function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    let active = document.activeElement;
    while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
    if (!(active instanceof HTMLElement)) return '';
    return active.dataset.testid ?? `${active.tagName.toLowerCase()} "${(active.textContent ?? '').trim().slice(0, 30)}"`;
  });
}

/**
 * Every control a finger can hit that is drawn on the page (through shadow roots), with its size;
 * a link inside a sentence is exempt (WCAG 2.5.8's inline exception).
 */
function targets(page: Page): Promise<{ what: string; width: number; height: number }[]> {
  return page.evaluate(() => {
    const found: { what: string; width: number; height: number }[] = [];
    const selector = 'button, a[href], input, select, textarea, summary, [role="button"], [tabindex="0"]';
    const visit = (root: Document | ShadowRoot) => {
      for (const el of root.querySelectorAll<HTMLElement>('*')) {
        if (el.shadowRoot) visit(el.shadowRoot);
        if (!el.matches(selector) || (el as HTMLButtonElement).disabled) continue;
        const r = el.getBoundingClientRect();
        const style = getComputedStyle(el);
        // Off screen to the left is a skip link waiting for focus, not a target.
        if (r.width === 0 || r.height === 0 || r.right <= 0 || style.visibility === 'hidden' || el.closest('.visually-hidden')) continue;
        if (el.tagName === 'A' && getComputedStyle(el).display === 'inline' && el.parentElement?.tagName === 'P') continue;
        const what = el.dataset.testid ?? `${el.tagName.toLowerCase()} "${(el.getAttribute('aria-label') ?? el.textContent ?? '').trim().slice(0, 30)}"`;
        found.push({ what, width: Math.round(r.width * 10) / 10, height: Math.round(r.height * 10) / 10 });
      }
    };
    visit(document);
    return found;
  });
}

describe('a student with a question open', () => {
  for (const [label, options] of [
    ['a 375×812 phone', { phone: true }],
    ['a 1280×800 laptop', { width: 1280, height: 800 }],
  ] as const) {
    it(`on ${label}: the answer field is among the first 5 Tab stops`, async () => {
      const lecture = await createLecture(server.url, { title: 'Tab order' });
      for (let i = 0; i < 4; i++) await command(server.url, lecture, { type: 'step' });
      await command(server.url, lecture, { type: 'ask', tensor: 'C_act', index: [0] });
      const p = await openPage(browser, onServer(server.url, lecture.studentUrl), options);
      const { page } = p;
      try {
        await live(page);
        await byTestId(page, 'prediction-input').waitFor();
        const stops: string[] = [];
        for (let i = 0; i < 5 && stops.at(-1) !== 'prediction-input'; i++) {
          // A skip link is a stop of its own; following it is the next.
          await page.keyboard.press(stops.at(-1) === 'skip-to-question' ? 'Enter' : 'Tab');
          stops.push(await focused(page));
          if (stops.at(-1) === 'skip-to-question') {
            // Focused, the skip link is drawn on screen (WCAG 2.4.7), not left off to the side.
            const box = (await byTestId(page, 'skip-to-question').boundingBox())!;
            const viewport = page.viewportSize()!;
            expect(box.x >= 0 && box.y >= 0 && box.x + box.width <= viewport.width && box.height >= 24).toBe(true);
            await page.screenshot({ path: `${SHOTS}/skip-link-${viewport.width}.png` });
          }
        }
        expect(stops, `Tab stops from page load: ${stops.join(', ')}`).toContain('prediction-input');
        expect(stops[0]).toBe('skip-to-question');
        // The caret is in the field and the field is on screen: typing answers.
        await page.keyboard.type('0,5');
        await page.keyboard.press('Enter');
        await eventually(() => byTestId(page, 'question-announcement').textContent()).toContain('Answer sent: 0.5000');
        p.assertClean();
      } finally {
        await p.close();
      }
    });
  }

  it('on a 375×812 phone: every control drawn is at least 24×24 px, flag cells and stage chips included', async () => {
    const lecture = await createLecture(server.url, { title: 'Targets' });
    for (let i = 0; i < 4; i++) await command(server.url, lecture, { type: 'step' });
    await command(server.url, lecture, { type: 'ask', tensor: 'C_act', index: [0] });
    const p = await openPage(browser, onServer(server.url, lecture.studentUrl), { phone: true });
    const { page } = p;
    try {
      await live(page);
      await byTestId(page, 'prediction-input').waitFor();
      // Open every fold so that what it hides is measured too.
      await page.evaluate(() => {
        const visit = (root: Document | ShadowRoot) => {
          for (const el of root.querySelectorAll('*')) {
            if (el.shadowRoot) visit(el.shadowRoot);
            if (el instanceof HTMLDetailsElement) el.open = true;
          }
        };
        visit(document);
      });
      const all = await targets(page);
      expect(all.filter((t) => t.what.startsWith('flag-')).length, 'flag cells measured').toBeGreaterThan(10);
      expect(all.some((t) => t.what.startsWith('flag-stage-')), `stage chips measured: ${all.map((t) => t.what).join(', ')}`).toBe(true);
      await page.screenshot({ path: `${SHOTS}/student-phone-targets.png`, fullPage: true });
      await page.locator('tensor-panel').screenshot({ path: `${SHOTS}/student-phone-tensors.png` });
      await page.locator('stage-strip').screenshot({ path: `${SHOTS}/student-phone-strip.png` });
      const small = all.filter((t) => t.width < 24 || t.height < 24);
      expect(small, `${small.length} of ${all.length} controls under 24 px`).toEqual([]);
      p.assertClean();
    } finally {
      await p.close();
    }
  });
});

describe('the live region tells a student what happened', () => {
  it('announces B_act after a step, and the reveal: actual, your answer, class mean', async () => {
    const lecture = await createLecture(server.url, { title: 'Announced' });
    for (let i = 0; i < 2; i++) await command(server.url, lecture, { type: 'step' });
    const p = await openPage(browser, onServer(server.url, lecture.studentUrl), { phone: true });
    const { page } = p;
    let students: LectureClient[] = [];
    try {
      await live(page);
      await eventually(() => byTestId(page, 'current-stage').textContent()).toBe('B');
      await command(server.url, lecture, { type: 'step' });
      await eventually(() => byTestId(page, 'stage-announcement').textContent()).toContain('B_act');
      expect(await byTestId(page, 'stage-announcement').getAttribute('role')).toBe('status');
      await command(server.url, lecture, { type: 'step' });
      await eventually(() => byTestId(page, 'current-stage').textContent()).toBe('C');
      students = await askWithAnswers(lecture, [0.2, 0.5]);
      await byTestId(page, 'prediction-input').fill('0.8');
      await byTestId(page, 'prediction-input').press('Enter');
      await eventually(() => byTestId(page, 'question-announcement').textContent()).toContain('Answer sent: 0.8000');
      const revealed = await command(server.url, lecture, { type: 'reveal' });
      const actual = revealed.prediction!.actual!;
      const region = byTestId(page, 'question-announcement');
      expect(await region.getAttribute('role')).toBe('status');
      const fmt = (x: number) => x.toFixed(4).replace('-', '−');
      await eventually(() => region.textContent()).toBe(`Revealed: C_act is ${fmt(actual)}; your answer 0.8000; class mean 0.5000 (3 answers)`);
      p.assertClean();
    } finally {
      for (const s of students) s.close();
      await p.close();
    }
  });
});
