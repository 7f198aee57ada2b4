import { describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { TestServer } from '../support/server.js';
import { command, createLecture, eventually, onServer, openPage, withServerAndBrowser } from './support.js';

let server: TestServer;
let browser: Browser;

withServerAndBrowser((s, b) => ([server, browser] = [s, b]));

const live = (page: Page) => page.locator('[data-testid="connection-status"][data-status="live"]').waitFor();

describe('decision boundary and the network setup', () => {
  it('the instructor sets up a 2-4-1 tanh network on the circle set; after training, students see the circle', async () => {
    const lecture = await createLecture(server.url);
    const instructor = await openPage(browser, onServer(server.url, lecture.instructorUrl));
    const student = await openPage(browser, onServer(server.url, lecture.studentUrl));
    const { page } = instructor;
    try {
      await live(page);
      await live(student.page);
      // The notebook's three inputs have no plane to draw.
      expect(await student.page.locator('decision-boundary').count()).toBe(0);

      await page.locator('[data-testid="open-setup"]').click();
      const setup = page.locator('network-setup');
      await setup.getByLabel('Points in the plane').check();
      await setup.getByLabel('Set', { exact: true }).selectOption('circle');
      await setup.locator('[data-testid="apply-data"]').click();
      await eventually(() => setup.locator('[data-testid="setup-dataset"]').textContent()).toBe('circle (200 points)');

      await setup.getByLabel('neurons').fill('4');
      await setup.getByLabel('neurons').dispatchEvent('change');
      await setup.getByLabel('activation').selectOption('tanh');
      await setup.getByLabel('biases').check();
      await setup.getByLabel('Weights seed').fill('3');
      await setup.locator('[data-testid="apply-network"]').click();
      await eventually(() => setup.locator('[data-testid="setup-network"]').textContent()).toMatch(/^2-4-1 · tanh, sigmoid out · .* · biases · per sample$/);

      await page.getByLabel('Epochs').fill('300');
      await page.getByLabel('Epochs').dispatchEvent('change');
      await page.getByRole('button', { name: /^Train/ }).click();
      await eventually(() => student.page.locator('[data-testid="current-epoch"]').textContent()).toBe('300');

      // The circle set's inside is label 1 (shared/datasets/points.ts): 1 at the centre, 0 at every corner.
      const boundary = student.page.locator('decision-boundary');
      await eventually(() => boundary.getAttribute('data-centre')).toBe('1');
      await eventually(() => boundary.getAttribute('data-corners')).toBe('0000');
      expect(Number(await boundary.getAttribute('data-train-accuracy'))).toBeGreaterThanOrEqual(95);
      expect(Number(await boundary.getAttribute('data-test-accuracy'))).toBeGreaterThanOrEqual(90);
      expect(await boundary.locator('[data-testid="boundary-summary"]').textContent()).toMatch(/^Train accuracy (9[5-9]|100) % \(100 points\) · test accuracy \d+ % \(100 points\)$/);

      // The canvas shows it too: orange (output 1) at the centre, blue (output 0) in a corner.
      const pixel = (fx: number, fy: number) =>
        boundary.locator('canvas').evaluate((c: HTMLCanvasElement, [x, y]) => Array.from(c.getContext('2d')!.getImageData(x * c.width, y * c.height, 1, 1).data), [fx, fy]);
      const [cr, , cb] = await pixel(0.5, 0.5);
      const [kr, , kb] = await pixel(0.01, 0.01);
      expect(cr).toBeGreaterThan(cb);
      expect(kb).toBeGreaterThan(kr);

      // One map per hidden neuron; choosing one enlarges it.
      const maps = student.page.locator('neuron-maps');
      expect(await maps.locator('canvas.tile').count()).toBe(4);
      await maps.locator('[data-testid="neuron-1-2"]').click();
      await eventually(() => maps.locator('[data-testid="neuron-large"]').textContent()).toContain('A1[2]');
      expect(await maps.locator('[data-testid="neuron-legend"]').textContent()).toContain('tanh: −1 blue · 0 white · 1 orange');

      instructor.assertClean();
      student.assertClean();
    } finally {
      await instructor.close();
      await student.close();
    }
  });

  it('a CSV with a text cell is refused with its line and column; a good one becomes the data', async () => {
    const lecture = await createLecture(server.url);
    const instructor = await openPage(browser, onServer(server.url, lecture.instructorUrl));
    const { page } = instructor;
    try {
      await live(page);
      await page.locator('[data-testid="open-setup"]').click();
      const setup = page.locator('network-setup');
      await setup.getByLabel('CSV file').check();
      const file = (name: string, text: string) => ({ name, mimeType: 'text/csv', buffer: Buffer.from(text) });

      await setup.getByLabel('File', { exact: true }).setInputFiles(file('bad.csv', 'x1,x2,y\n1,2,1\n3,abc,0\n'));
      await setup.locator('[data-testid="upload-csv"]').click();
      await eventually(() => setup.locator('[data-testid="upload-error"]').textContent()).toContain('line 3, column 2');
      expect(await setup.locator('[data-testid="setup-dataset"]').textContent()).toBe("the notebook's truth table");
      // Chromium logs the refused upload's 400 as a console error: that one is expected.
      const refused = instructor.errors.findIndex((e) => e.includes('status of 400'));
      expect(refused).toBeGreaterThanOrEqual(0);
      instructor.errors.splice(refused, 1);

      const rows = ['x1,x2,label', '0.5,1.5,1', '-1,2,0', '2,-0.5,1', '0,0,0'].join('\n');
      await setup.getByLabel('File', { exact: true }).setInputFiles(file('good.csv', rows));
      await setup.locator('[data-testid="upload-csv"]').click();
      await eventually(() => setup.locator('[data-testid="upload-done"]').textContent()).toContain('good.csv');
      await eventually(() => setup.locator('[data-testid="setup-dataset"]').textContent()).toBe('good.csv');
      // The table shows the uploaded rows, and two features make a plane to draw.
      const table = page.locator('dataset-table table');
      await eventually(() => table.innerText()).toContain('−0.5000');
      expect(await table.innerText()).toContain('label');
      await eventually(() => page.locator('decision-boundary').getAttribute('data-corners')).toMatch(/^[01]{4}$/);
      expect(await setup.locator('[data-testid="upload-error"]').count()).toBe(0);
      instructor.assertClean();
    } finally {
      await instructor.close();
    }
  });

  it('back to the notebook restores its table, network and weights', async () => {
    const lecture = await createLecture(server.url);
    const instructor = await openPage(browser, onServer(server.url, lecture.instructorUrl));
    const { page } = instructor;
    try {
      await live(page);
      await page.locator('[data-testid="open-setup"]').click();
      const setup = page.locator('network-setup');
      await setup.getByLabel('Truth table').check();
      await setup.getByLabel('Table', { exact: true }).selectOption('xor');
      await setup.locator('[data-testid="apply-data"]').click();
      await eventually(() => setup.locator('[data-testid="setup-dataset"]').textContent()).toBe('XOR (2 inputs)');
      // A two-input truth table has a plane too.
      await eventually(() => page.locator('decision-boundary').getAttribute('data-corners')).toMatch(/^[01]{4}$/);

      await setup.locator('[data-testid="back-to-notebook"]').click();
      await eventually(() => setup.locator('[data-testid="setup-network"]').textContent()).toBe('3-4-1 · sigmoid, sigmoid out · ½(y − ŷ)² · no biases · per sample');
      expect(await setup.locator('[data-testid="setup-dataset"]').textContent()).toBe("the notebook's truth table");
      expect(await page.locator('decision-boundary').count()).toBe(0);
      // The notebook's numbers: B_act[0] of sample 0 with its weights.
      await page.locator('[data-testid="step"]').click();
      await page.locator('[data-testid="step"]').click();
      await page.locator('[data-testid="step"]').click();
      await eventually(() => page.locator('[data-testid="cell-B_act-0"]').textContent()).toBe('0.8014');
      instructor.assertClean();
    } finally {
      await instructor.close();
    }
  });

  it('fits a 375 px phone: the pictures for students, the setup for the instructor', async () => {
    const lecture = await createLecture(server.url);
    await command(server.url, lecture, { type: 'setDataset', dataset: { kind: 'points', set: 'spiral', count: 300, noise: 0.1, trainFraction: 0.5, seed: 2 } });
    // The network's inputs follow the data.
    const network = { hidden: [{ units: 8, activation: 'tanh' as const }, { units: 8, activation: 'relu' as const }], output: { units: 1, activation: 'sigmoid' as const }, loss: 'halfSquaredError' as const, biases: true, batch: 1 };
    await command(server.url, lecture, { type: 'setNetwork', network, seed: 1 });
    const student = await openPage(browser, onServer(server.url, lecture.studentUrl), { width: 375, height: 800 });
    const instructor = await openPage(browser, onServer(server.url, lecture.instructorUrl), { width: 375, height: 800 });
    try {
      await live(student.page);
      await eventually(() => student.page.locator('decision-boundary').getAttribute('data-corners')).toMatch(/^[01]{4}$/);
      expect(await student.page.locator('neuron-maps canvas.tile').count()).toBe(16);
      expect(await student.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);

      await live(instructor.page);
      await instructor.page.locator('[data-testid="open-setup"]').click();
      await instructor.page.locator('network-setup').getByLabel('CSV file').check();
      await eventually(() => instructor.page.locator('network-setup [data-testid="upload-csv"]').isVisible()).toBe(true);
      expect(await instructor.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
      student.assertClean();
      instructor.assertClean();
    } finally {
      await student.close();
      await instructor.close();
    }
  });
});
