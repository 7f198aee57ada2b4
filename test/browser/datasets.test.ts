/**
 * A lecture on a generated point set with held-out rows, as a student sees it: the loss chart
 * draws the train and the test series and states both accuracies; the dataset table pages
 * through the rows and shows the test rows apart. An uploaded CSV travels by digest: every
 * browser fetches its rows once and shows them. Real server, real Chromium, no fixed sleeps.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { TestServer } from '../support/server.js';
import { command, createLecture, eventually, onServer, openPage, withServerAndBrowser } from './support.js';

let server: TestServer;
let browser: Browser;

withServerAndBrowser((s, b) => ([server, browser] = [s, b]));

const byTestId = (page: Page, id: string) => page.locator(`[data-testid="${id}"]`);
const EPOCHS = 200;

describe('datasets', () => {
  it('a circle set with held-out rows: train and test loss, both accuracies, and a paged table', async () => {
    const lecture = await createLecture(server.url, { title: 'Circles', learningRate: 0.1 });
    await command(server.url, lecture, {
      type: 'setDataset',
      dataset: { kind: 'points', set: 'circle', count: 200, noise: 0, trainFraction: 0.5, seed: 7 },
    });
    await command(server.url, lecture, {
      type: 'setNetwork',
      network: { hidden: [{ units: 6, activation: 'tanh' }], output: { units: 1, activation: 'sigmoid' }, loss: 'crossEntropy', biases: true, batch: 1 },
      preset: 'random',
      seed: 3,
    });
    await command(server.url, lecture, { type: 'train', epochs: EPOCHS });

    const student = await openPage(browser, onServer(server.url, lecture.studentUrl));
    const { page } = student;
    try {
      await page.locator('[data-testid="connection-status"][data-status="live"]').waitFor();
      await eventually(() => byTestId(page, 'last-loss').textContent(), 30_000).toContain(`epoch ${EPOCHS}`);

      // Both series are drawn and named in the legend; the test loss is printed beside the train loss.
      const legend = await page.locator('loss-chart .u-legend .u-series').allTextContents();
      expect(legend.some((t) => t.includes('train loss'))).toBe(true);
      expect(legend.some((t) => t.includes('test loss'))).toBe(true);
      expect(await byTestId(page, 'last-test-loss').textContent()).toMatch(/^\d\.\d{4}$/);
      expect(await byTestId(page, 'accuracy').textContent()).toMatch(/accuracy train [\d.]+ % · test [\d.]+ %/);
      const trainAccuracy = parseFloat((await byTestId(page, 'accuracy-train').textContent()) ?? '');
      expect(trainAccuracy).toBeGreaterThan(50);

      // The table: the set's label and size, 100 training rows in pages of 50, the current row on the first.
      expect(await byTestId(page, 'dataset-label').textContent()).toBe('circle (200 points)');
      expect(await byTestId(page, 'dataset-size').textContent()).toContain('100 training rows · 100 held out');
      expect(await byTestId(page, 'dataset-range').textContent()).toBe('rows 0–49 of 100');
      expect(await byTestId(page, 'row-0').getAttribute('aria-current')).toBe('true');
      expect(await page.locator('dataset-table tbody tr').count()).toBe(50);
      await byTestId(page, 'dataset-next').click();
      await eventually(() => byTestId(page, 'dataset-range').textContent()).toBe('rows 50–99 of 100');
      expect(await byTestId(page, 'row-99').count()).toBe(1);
      expect(await byTestId(page, 'dataset-next').isDisabled()).toBe(true);
      // Back to the page of the current row in one click.
      await byTestId(page, 'dataset-current').click();
      await eventually(() => byTestId(page, 'dataset-range').textContent()).toBe('rows 0–49 of 100');

      // The held-out rows, apart and marked.
      await byTestId(page, 'dataset-show-test').click();
      await eventually(() => page.locator('[data-testid="dataset"]').getAttribute('data-split')).toBe('test');
      expect(await byTestId(page, 'dataset-test-mark').textContent()).toContain('test');
      expect(await byTestId(page, 'test-row-0').count()).toBe(1);
      expect(await page.locator('dataset-table tr[aria-current]').count()).toBe(0);

      if (process.env.SCREENSHOTS) {
        await page.screenshot({ path: `${process.env.SCREENSHOTS}/datasets-laptop.png`, fullPage: true });
        await page.locator('dataset-table').screenshot({ path: `${process.env.SCREENSHOTS}/datasets-table.png` });
        await page.locator('loss-chart').screenshot({ path: `${process.env.SCREENSHOTS}/datasets-loss.png` });
        await page.locator('gradient-check').screenshot({ path: `${process.env.SCREENSHOTS}/datasets-gradcheck.png` });
      }
      student.assertClean();
    } finally {
      await student.close();
    }
  });

  it('an instructor uploads a CSV in the browser; students who are there and who join later see its rows, and so does the replay', async () => {
    const lecture = await createLecture(server.url, { title: 'Houses' });
    // 300 rows, each recognisable by its first cell: 1000 + the row.
    const csv = `size,rooms,price\n${Array.from({ length: 300 }, (_, i) => `${1000 + i},${(i % 5) + 1},${(i % 7) / 7}`).join('\n')}\n`;
    const digest = createHash('sha256').update(csv).digest('hex');
    const student = await openPage(browser, onServer(server.url, lecture.studentUrl));
    const instructor = await openPage(browser, onServer(server.url, lecture.instructorUrl));
    const rowsOf = async (page: Page) => {
      await eventually(() => byTestId(page, 'dataset-label').textContent()).toBe('houses.csv');
      await eventually(() => page.locator('[data-testid="row-0"] td').nth(2).textContent()).toBe('1000');
      return page.locator('[data-testid="row-49"] td').nth(2).textContent();
    };
    try {
      await student.page.locator('[data-testid="connection-status"][data-status="live"]').waitFor();
      await instructor.page.locator('[data-testid="connection-status"][data-status="live"]').waitFor();
      // The student's page fetches the table by its digest once the frame names it.
      const fetched = student.page.waitForResponse((r) => r.url().endsWith(`/api/datasets/${digest}.csv`));
      await instructor.page.locator('[data-testid="open-setup"]').click();
      await instructor.page.locator('network-setup').getByLabel('CSV file').check();
      await instructor.page.locator('network-setup #csv-file').setInputFiles({ name: 'houses.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
      await instructor.page.locator('network-setup [data-testid="upload-csv"]').click();
      await eventually(() => instructor.page.locator('network-setup [data-testid="upload-done"]').textContent()).toContain('houses.csv');
      expect((await fetched).status()).toBe(200);

      expect(await rowsOf(student.page)).toBe('1049');
      expect(await byTestId(student.page, 'dataset-size').textContent()).toContain('300 training rows');
      expect(await rowsOf(instructor.page)).toBe('1049');
      // The snapshot names the table; it does not carry it.
      const state = await (await fetch(`${server.url}/api/lectures/${lecture.id}/state`)).text();
      expect(state).toContain(digest);
      // Without the random weights, whose digits can spell anything (0.34871049… did once).
      const { tensors: _weights, ...rest } = JSON.parse(state) as Record<string, unknown>;
      expect(JSON.stringify(rest)).not.toContain('1049');

      // A student who joins afterwards (a snapshot, not a frame), and the replay of the upload.
      const late = await openPage(browser, onServer(server.url, lecture.studentUrl));
      const replay = await openPage(browser, `${server.url}/replay/${lecture.id}?seq=1`);
      try {
        expect(await rowsOf(late.page)).toBe('1049');
        expect(await rowsOf(replay.page)).toBe('1049');
        late.assertClean();
        replay.assertClean();
      } finally {
        await late.close();
        await replay.close();
      }
      student.assertClean();
      instructor.assertClean();
    } finally {
      await student.close();
      await instructor.close();
    }
  });

  it('a batched lecture marks every row of the pass, and fits a 375 px phone', async () => {
    const lecture = await createLecture(server.url, { title: 'Batches' });
    await command(server.url, lecture, {
      type: 'setDataset',
      dataset: { kind: 'points', set: 'xor', count: 400, noise: 0.1, trainFraction: 0.5, seed: 2 },
    });
    await command(server.url, lecture, {
      type: 'setNetwork',
      network: { hidden: [{ units: 4, activation: 'relu' }], output: { units: 1, activation: 'sigmoid' }, loss: 'halfSquaredError', biases: true, batch: 10 },
      preset: 'random',
      seed: 1,
    });
    // Two passes: the second batch is rows 10–19, on the first page of 50.
    await command(server.url, lecture, { type: 'update' });
    await command(server.url, lecture, { type: 'step' });

    const phone = await openPage(browser, onServer(server.url, lecture.studentUrl), { width: 375, height: 812 });
    const { page } = phone;
    try {
      await page.locator('[data-testid="connection-status"][data-status="live"]').waitFor();
      await eventually(() => page.locator('dataset-table tr[aria-current]').count()).toBe(10);
      expect(await byTestId(page, 'row-10').getAttribute('aria-current')).toBe('true');
      expect(await byTestId(page, 'row-19').getAttribute('aria-current')).toBe('true');
      expect(await byTestId(page, 'row-20').getAttribute('aria-current')).toBeNull();
      // The gradient check covers the batch's rows.
      expect(await page.locator('gradient-check h2').textContent()).toContain('rows 10–19');

      const widths = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, body: document.body.scrollWidth }));
      expect(widths.scroll).toBeLessThanOrEqual(375);
      expect(widths.body).toBeLessThanOrEqual(375);
      if (process.env.SCREENSHOTS) await page.screenshot({ path: `${process.env.SCREENSHOTS}/datasets-phone.png`, fullPage: true });
      phone.assertClean();
    } finally {
      await phone.close();
    }
  });
});
