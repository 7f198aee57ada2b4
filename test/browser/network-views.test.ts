import { describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { mlpLayout } from '../../shared/engine/mlp/layout.js';
import type { CreatedLecture } from '../../shared/protocol/http.js';
import type { Snapshot } from '../../shared/protocol/snapshot.js';
import type { TestServer } from '../support/server.js';
import { createLecture, eventually, onServer, openPage, type CheckedPage, withServerAndBrowser } from './support.js';

let server: TestServer;
let browser: Browser;

withServerAndBrowser((s, b) => ([server, browser] = [s, b]));

const byTestId = (page: Page, id: string) => page.locator(`[data-testid="${id}"]`);
const stageOf = (page: Page) => byTestId(page, 'current-stage');
const live = (page: Page) => page.locator('[data-testid="connection-status"][data-status="live"]').waitFor();

/** Sends a command as JSON over HTTP (setNetwork's body is the unparsed form the server parses). */
async function send(lecture: CreatedLecture, body: Record<string, unknown>): Promise<Snapshot> {
  const res = await fetch(`${server.url}/api/lectures/${lecture.id}/commands`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${lecture.instructorToken}` },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`command ${String(body.type)}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Snapshot;
}

const TANH_8_8 = { hidden: [{ units: 8, activation: 'tanh' }, { units: 8, activation: 'tanh' }], biases: true };

/** A lecture on 100 spiral points with a 2-8-8-1 tanh network with biases, stepped `steps` times. */
async function spiralLecture(network: Record<string, unknown>, steps: number): Promise<{ lecture: CreatedLecture; snapshot: Snapshot }> {
  const lecture = await createLecture(server.url, { title: 'Spiral' });
  await send(lecture, { type: 'setDataset', dataset: { kind: 'points', set: 'spiral', count: 100 } });
  let snapshot = await send(lecture, { type: 'setNetwork', network, preset: 'random', seed: 3 });
  for (let k = 0; k < steps; k++) snapshot = await send(lecture, { type: 'step' });
  return { lecture, snapshot };
}

describe('the pass views of a network beyond the notebook', () => {
  it('draw a 2-8-8-1 tanh network with biases: 19 nodes, its stages, the formula of Z1 and its tensors', async () => {
    const { lecture, snapshot } = await spiralLecture(TANH_8_8, 2);
    expect(snapshot.stage).toBe('Z1');
    const pages: CheckedPage[] = [];
    try {
      const student = await openPage(browser, onServer(server.url, lecture.studentUrl));
      pages.push(student);
      const page = student.page;
      await live(page);
      await eventually(() => stageOf(page).textContent()).toBe('Z1');

      // Diagram: 2 + 8 + 8 + 1 unit nodes (and the loss), every weight an edge, a bias on each unit.
      expect(await page.locator('nn-diagram [data-node^="n"]').count()).toBe(19);
      expect(await page.locator('nn-diagram [data-node="L"]').count()).toBe(1);
      expect(await page.locator('nn-diagram g.edge').count()).toBe(2 * 8 + 8 * 8 + 8);
      expect(await page.locator('nn-diagram text.bias').count()).toBe(17);
      // The first hidden unit shows the Z1 just computed; the second layer is still to come.
      const z = snapshot.tensors.Z1.data[0];
      expect(await page.locator('nn-diagram [data-node="n1-1"] tspan.value').first().textContent()).toBe(z.toFixed(4).replace('-', '−'));
      expect(await page.locator('nn-diagram [data-node="n2-1"]').getAttribute('class')).toContain('pending');

      // Stage strip: every stage of the layout, Z1 current.
      const stages = mlpLayout(snapshot.network).stages.map((s) => s.stage);
      expect(await page.locator('stage-strip li[data-stage]').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-stage')))).toEqual(stages);
      expect(await page.locator('stage-strip li[aria-current="step"]').getAttribute('data-stage')).toBe('Z1');

      // Equation panel: the formula of Z1 with its bias, one block per hidden unit.
      const panel = page.locator('[data-testid="equation-panel"]');
      expect(await panel.getAttribute('data-stage')).toBe('Z1');
      expect(await panel.locator('h2').textContent()).toBe('Hidden layer 1: Z1 = A0·W1 + b1');
      const sources = await panel.locator('annotation').allTextContents();
      expect(sources[0]).toBe('Z^{[1]} = A^{[0]}\\,W^{[1]} + b^{[1]},\\qquad Z^{[1]}_j = \\sum_i A^{[0]}_i W^{[1]}_{ij} + b^{[1]}_j');
      expect(sources).toHaveLength(1 + 8);
      expect(await panel.locator('.katex-error').count()).toBe(0);

      // Tensors: parameters and the pass's tensors by the layout's names, the ones to come pending.
      expect(await byTestId(page, 'tensor-W1').getAttribute('data-pending')).toBe('false');
      expect(await byTestId(page, 'tensor-b3').getAttribute('data-pending')).toBe('false');
      expect(await byTestId(page, 'tensor-Z1').getAttribute('data-pending')).toBe('false');
      expect(await byTestId(page, 'tensor-A1').getAttribute('data-pending')).toBe('true');
      expect(await byTestId(page, 'tensor-dL_dW1').getAttribute('data-pending')).toBe('true');
      expect(await byTestId(page, 'cell-Z1-0').getAttribute('data-value')).toBe(String(z));
      expect(await byTestId(page, 'tensor-dL_dW2').locator('td.empty').count()).toBe(64);
      expect(await byTestId(page, 'tensor-dL_dW2').locator('figcaption').textContent()).toContain('∂L/∂W2');

      student.assertClean();
    } finally {
      await Promise.all(pages.map((p) => p.close()));
    }
  });

  it('shows a batch as rows, one per sample (the first 16), and says which row the diagram shows', async () => {
    const { lecture } = await spiralLecture({ ...TANH_8_8, batch: 20 }, 3);
    const student = await openPage(browser, onServer(server.url, lecture.studentUrl));
    try {
      const page = student.page;
      await live(page);
      await eventually(() => stageOf(page).textContent()).toBe('A1');
      const card = byTestId(page, 'tensor-A1');
      expect(await card.locator('tr').count()).toBe(16);
      expect(await card.locator('th.row').first().textContent()).toBe('#0');
      expect(await byTestId(page, 'more-rows-A1').textContent()).toBe('… and 4 more rows');
      expect(await card.locator('figcaption').textContent()).toContain('20 × 8');
      // Still to come in this pass: the placeholder has the batch's shape too.
      expect(await byTestId(page, 'tensor-Z2').locator('td.empty').count()).toBe(3 * 8);
      expect(await byTestId(page, 'more-rows-Z2').textContent()).toBe('… and 17 more rows');
      expect(await byTestId(page, 'diagram-batch-note').textContent()).toContain('batch of 20 rows');
      expect(await page.locator('[data-testid="equation-panel"] .katex-error').count()).toBe(0);
      student.assertClean();
    } finally {
      await student.close();
    }
  });

  it('on a 375 px phone, a 2-16-16-16-16-1 network scrolls inside its panels, never the page', async () => {
    const wide = { hidden: [16, 16, 16, 16].map((units) => ({ units, activation: 'relu' })), biases: true };
    const { lecture } = await spiralLecture(wide, 8);
    const phone = await openPage(browser, onServer(server.url, lecture.studentUrl), { width: 375, height: 800 });
    try {
      const page = phone.page;
      await live(page);
      await eventually(() => stageOf(page).textContent()).toBe('Z4');
      expect(await page.locator('nn-diagram [data-node^="n"]').count()).toBe(2 + 4 * 16 + 1);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
      phone.assertClean();
    } finally {
      await phone.close();
    }
  });

  it('flags a layer-indexed element: the student flags Z1[1], the instructor sees it on the cell and on the node', async () => {
    const { lecture } = await spiralLecture(TANH_8_8, 2);
    const pages: CheckedPage[] = [];
    try {
      const instructor = await openPage(browser, onServer(server.url, lecture.instructorUrl));
      const student = await openPage(browser, onServer(server.url, lecture.studentUrl));
      pages.push(instructor, student);
      await Promise.all([live(instructor.page), live(student.page)]);
      await byTestId(student.page, 'flag-Z1-1').click();
      await eventually(() => byTestId(student.page, 'flag-Z1-1').getAttribute('aria-pressed')).toBe('true');
      await eventually(() => byTestId(instructor.page, 'flag-count-Z1-1').textContent()).toContain('⚑1');
      expect(await byTestId(instructor.page, 'flag-node-n1-2').count()).toBe(1);
      await byTestId(student.page, 'flag-stage-dL_dW1').click();
      await eventually(() => byTestId(instructor.page, 'flag-count-stage-dL_dW1').textContent()).toContain('⚑1');
      for (const p of pages) p.assertClean();
    } finally {
      await Promise.all(pages.map((p) => p.close()));
    }
  });
});
