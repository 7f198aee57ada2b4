import { describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { TestServer } from '../support/server.js';
import { command, createLecture, eventually, onServer, openPage, withServerAndBrowser } from './support.js';

let server: TestServer;
let browser: Browser;

withServerAndBrowser((s, b) => ([server, browser] = [s, b]));


describe('instructor console', () => {
  it('trains N epochs, edits a weight, and shows the key list', async () => {
    const lecture = await createLecture(server.url);
    const p = await openPage(browser, onServer(server.url, lecture.instructorUrl));
    const { page } = p;
    try {
      await page.locator('[data-testid="connection-status"][data-status="live"]').waitFor();
      await page.getByLabel('Epochs').fill('2000');
      await page.getByLabel('Epochs').dispatchEvent('change');
      await page.getByRole('button', { name: /^Train/ }).click();
      await eventually(() => page.locator('[data-testid="current-epoch"]').textContent()).toBe('2000');
      await eventually(() => page.locator('[data-testid="last-loss"]').textContent()).toContain('epoch 2000');
      // uPlot is fetched when there is a first epoch to draw (lib/loss-chart), so the chart comes a moment after the number.
      await eventually(() => page.locator('loss-chart canvas').count()).toBeGreaterThan(0);

      // Click W[1,2], type, Enter: a setWeight command, seen in the tensor.
      await page.getByRole('button', { name: /^Edit W\[1,2\]/ }).click();
      await page.getByLabel('New value of W[1,2]').fill('0.5');
      await page.getByLabel('New value of W[1,2]').press('Enter');
      await eventually(() => page.locator('[data-testid="cell-W-1"]').textContent()).toBe('0.5000');

      await page.locator('body').press('?');
      await eventually(() => page.locator('[data-testid="key-help"]').isVisible()).toBe(true);
      await page.keyboard.press('Escape');
      await eventually(() => page.locator('[data-testid="key-help"]').isVisible()).toBe(false);
      p.assertClean();
    } finally {
      await p.close();
    }
  });

  it('a student who loses the connection reconnects and catches up on what was missed', async () => {
    const lecture = await createLecture(server.url);
    const p = await openPage(browser, onServer(server.url, lecture.studentUrl));
    const { page } = p;
    try {
      await page.locator('[data-testid="connection-status"][data-status="live"]').waitFor();
      await command(server.url, lecture, { type: 'step' });
      await eventually(() => page.locator('[data-testid="current-stage"]').textContent()).toBe('input');
      server.app.io.disconnectSockets(true);
      await eventually(() => page.locator('[data-testid="connection-status"]').getAttribute('data-status')).toBe('reconnecting');
      // While the student is away the lecture moves on.
      await command(server.url, lecture, { type: 'step' });
      await command(server.url, lecture, { type: 'step' });
      await eventually(() => page.locator('[data-testid="connection-status"]').getAttribute('data-status')).toBe('live');
      await eventually(() => page.locator('[data-testid="current-stage"]').textContent()).toBe('B_act');
      expect(await page.locator('[data-testid="cell-B_act-0"]').textContent()).toBe('0.8014');
      p.assertClean();
    } finally {
      await p.close();
    }
  });
});
