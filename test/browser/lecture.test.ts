import { describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { TestServer } from '../support/server.js';
import { command, createLecture, eventually, onServer, openPage, type CheckedPage, withServerAndBrowser } from './support.js';

let server: TestServer;
let browser: Browser;

withServerAndBrowser((s, b) => ([server, browser] = [s, b]));


/** Playwright's CSS engine pierces open shadow roots, so test ids inside components are reachable. */
const cell = (page: Page, tensor: string, k: number) => page.locator(`[data-testid="cell-${tensor}-${k}"]`);
const stageOf = (page: Page) => page.locator('[data-testid="current-stage"]');

async function stepTo(instructor: Page, stages: string[]): Promise<void> {
  for (const stage of stages) {
    await instructor.getByRole('button', { name: /^Step/ }).click();
    await eventually(() => stageOf(instructor).textContent()).toBe(stage);
  }
}

describe('live lecture', () => {
  it('an instructor steps to B_act and two students see B_act[0] = 0.8014; a late joiner sees it at once', async () => {
    const lecture = await createLecture(server.url, { title: 'Three pages' });
    const pages: CheckedPage[] = [];
    try {
      const instructor = await openPage(browser, onServer(server.url, lecture.instructorUrl));
      pages.push(instructor);
      const students = await Promise.all([1, 2].map(() => openPage(browser, onServer(server.url, lecture.studentUrl))));
      pages.push(...students);
      for (const s of [instructor, ...students]) await s.page.locator('[data-testid="connection-status"][data-status="live"]').waitFor();

      // The token left the address bar, and lives in sessionStorage under the lecture.
      expect(instructor.page.url()).not.toContain('token');
      expect(await instructor.page.evaluate((id) => sessionStorage.getItem(`backprop-live:instructor-token:${id}`), lecture.id)).toBe(lecture.instructorToken);

      // Both students count as watching.
      await eventually(() => instructor.page.locator('[data-testid="watching"]').textContent()).toContain('2 watching');

      await stepTo(instructor.page, ['input', 'B', 'B_act']);
      for (const s of students) {
        await eventually(() => cell(s.page, 'B_act', 0).textContent()).toBe('0.8014');
        expect(await stageOf(s.page).textContent()).toBe('B_act');
        // Not computed yet in this pass: shown as a pending shape.
        expect(await s.page.locator('[data-testid="tensor-C_act"]').getAttribute('data-pending')).toBe('true');
      }

      // Keyboard: → steps once more (to C), for everyone.
      await instructor.page.locator('body').press('ArrowRight');
      await eventually(() => stageOf(students[0].page).textContent()).toBe('C');

      const late = await openPage(browser, onServer(server.url, lecture.studentUrl));
      pages.push(late);
      await eventually(() => stageOf(late.page).textContent()).toBe('C');
      expect(await cell(late.page, 'B_act', 0).textContent()).toBe('0.8014');
      expect(await cell(late.page, 'B', 1).textContent()).toBe('0.7274');

      for (const p of pages) p.assertClean();
    } finally {
      await Promise.all(pages.map((p) => p.close()));
    }
  });

  it('shows a command refused by the server in a visible alert', async () => {
    const lecture = await createLecture(server.url);
    const instructor = await openPage(browser, onServer(server.url, lecture.instructorUrl));
    try {
      await stepTo(instructor.page, ['input', 'B']);
      await instructor.page.getByRole('button', { name: /Forward pass/ }).click();
      await eventually(() => stageOf(instructor.page).textContent()).toBe('L');
      // The forward pass already ran: the server refuses a second one, and we say why.
      await instructor.page.getByRole('button', { name: /Forward pass/ }).click();
      await eventually(() => instructor.page.locator('[data-testid="command-error"]').textContent()).toContain('already ran');
      instructor.assertClean();
    } finally {
      await instructor.close();
    }
  });

  it('refuses a wrong instructor token with a message, not a student view', async () => {
    const lecture = await createLecture(server.url);
    const page = await openPage(browser, `${server.url}/lecture/${lecture.id}/instructor#token=not-the-token`);
    try {
      await eventually(() => page.page.locator('[data-testid="refused"]').textContent()).toContain('This instructor link is not valid');
      expect(await page.page.locator('lecture-view').count()).toBe(0);
      expect(page.page.url()).not.toContain('not-the-token');
      page.assertClean();
    } finally {
      await page.close();
    }
  });

  it('tells a student when there is no lecture with that code', async () => {
    const page = await openPage(browser, `${server.url}/lecture/zzzz-zz`);
    try {
      await eventually(() => page.page.locator('[data-testid="refused"]').textContent()).toContain('There is no lecture with code ZZZ-ZZZ');
      page.assertClean();
    } finally {
      await page.close();
    }
  });

  it('fits a 375 px phone without horizontal page scroll', async () => {
    const lecture = await createLecture(server.url);
    await command(server.url, lecture, { type: 'backward' });
    const phone = await openPage(browser, onServer(server.url, lecture.studentUrl), { width: 375, height: 812 });
    try {
      await eventually(() => stageOf(phone.page).textContent()).toBe('∂L/∂W');
      await phone.page.locator('[data-testid="cell-dL_dW-0"]').waitFor();
      const widths = await phone.page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, body: document.body.scrollWidth }));
      expect(widths.scroll).toBeLessThanOrEqual(375);
      expect(widths.body).toBeLessThanOrEqual(375);
      phone.assertClean();
    } finally {
      await phone.close();
    }
  });
});
