import { beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { CreatedLecture } from '../../shared/protocol/http.js';
import type { TestServer } from '../support/server.js';
import { command, createLecture, eventually, openPage, withServerAndBrowser } from './support.js';

let server: TestServer;
let browser: Browser;
let lecture: CreatedLecture;

withServerAndBrowser((s, b) => ([server, browser] = [s, b]));

beforeAll(async () => {
  lecture = await createLecture(server.url, { title: 'Recorded' });
  // seq 1..3: input, B, B_act; seq 4: the rest of the forward pass; seq 5: a whole backward pass.
  for (const type of ['step', 'step', 'step', 'forward', 'backward'] as const) await command(server.url, lecture, { type });
});


const position = '[data-testid="replay-position"]';

describe('replay', () => {
  it('plays a recorded lecture to its end', async () => {
    const p = await openPage(browser, `${server.url}/replay/${lecture.id}`);
    try {
      await eventually(() => p.page.locator(position).textContent()).toContain('event 0 of 5');
      expect(await p.page.locator('[data-testid="current-stage"]').textContent()).toBe('not started');
      await p.page.locator('#speed').selectOption('3');
      await p.page.getByRole('button', { name: 'Play' }).click();
      await eventually(() => p.page.locator(position).textContent(), 15_000).toContain('event 5 of 5');
      expect(await p.page.locator('[data-testid="current-stage"]').textContent()).toBe('∂L/∂W');
      expect(await p.page.locator('[data-testid="cell-B_act-0"]').textContent()).toBe('0.8014');
      // The address follows the position.
      expect(new URL(p.page.url()).searchParams.get('seq')).toBe('5');
      // The notebook export is in the player's menu and downloads a notebook.
      await p.page.getByRole('button', { name: /^More/ }).click();
      const [download] = await Promise.all([p.page.waitForEvent('download'), p.page.locator('[data-testid="export-ipynb"]').click()]);
      expect(download.suggestedFilename()).toBe(`backprop-live-${lecture.id}.ipynb`);
      p.assertClean();
    } finally {
      await p.close();
    }
  });

  it('opens at event N with ?seq=N, and the keyboard moves event by event', async () => {
    const p = await openPage(browser, `${server.url}/replay/${lecture.id}?seq=3`);
    try {
      await eventually(() => p.page.locator(position).textContent()).toContain('event 3 of 5');
      expect(await p.page.locator('[data-testid="current-stage"]').textContent()).toBe('B_act');
      expect(await p.page.locator('[data-testid="cell-B_act-0"]').textContent()).toBe('0.8014');
      expect(await p.page.locator('[data-testid="tensor-C"]').getAttribute('data-pending')).toBe('true');
      await p.page.locator('body').press('ArrowLeft');
      await eventually(() => p.page.locator('[data-testid="current-stage"]').textContent()).toBe('B');
      expect(new URL(p.page.url()).searchParams.get('seq')).toBe('2');
      p.assertClean();
    } finally {
      await p.close();
    }
  });
});
