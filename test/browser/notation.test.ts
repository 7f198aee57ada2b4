/**
 * Issue 12, "One notation", as a student sees it: a 2-8-8-1 network (tanh, relu, sigmoid, biases)
 * at A1 and at ∂L/∂Z1, at 1366×768. The strip's chip, the diagram's heading and node labels, the
 * tensor card and the equation's title say A1, Z1, ∂L/∂Z1 alike (names.ts); before, the diagram
 * said z₁, a₁ and "layer 1 · tanh". A node's label never runs into its number.
 */
import { mkdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Browser, Locator } from 'playwright-core';
import type { CreatedLecture } from '../../shared/protocol/http.js';
import type { Snapshot } from '../../shared/protocol/snapshot.js';
import type { TestServer } from '../support/server.js';
import { createLecture, eventually, onServer, openPage, withServerAndBrowser } from './support.js';

let server: TestServer;
let browser: Browser;
withServerAndBrowser((s, b) => ([server, browser] = [s, b]));

const SHOTS = '/tmp/shots-notation';
mkdirSync(SHOTS, { recursive: true });

async function send(lecture: CreatedLecture, body: Record<string, unknown>): Promise<Snapshot> {
  const res = await fetch(`${server.url}/api/lectures/${lecture.id}/commands`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${lecture.instructorToken}` },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`command ${String(body.type)}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Snapshot;
}

async function stepTo(lecture: CreatedLecture, stage: string): Promise<void> {
  for (let k = 0; k < 40; k++) if ((await send(lecture, { type: 'step' })).stage === stage) return;
  throw new Error(`never reached ${stage}`);
}

/** The node's label (bold name) ends before its number starts, in screen pixels. */
async function labelClearOfValue(line: Locator): Promise<boolean> {
  const [name, value] = [(await line.locator('tspan.name').boundingBox())!, (await line.locator('tspan.value').boundingBox())!];
  return name.x + name.width < value.x;
}

/** Pairs of the diagram's column headings whose drawn boxes overlap (the longest formulas side by side). */
async function overlappingHeadings(headings: Locator): Promise<string[]> {
  const boxes = await headings.evaluateAll((els) => els.map((el) => ({ text: el.textContent ?? '', r: el.getBoundingClientRect() })));
  const out: string[] = [];
  for (let k = 1; k < boxes.length; k++) {
    const [a, b] = [boxes[k - 1], boxes[k]];
    if (a.r.right > b.r.left && a.r.bottom > b.r.top && b.r.bottom > a.r.top) out.push(`${a.text} / ${b.text}`);
  }
  return out;
}

describe('one notation on the student page', () => {
  it('names A1 and ∂L/∂Z1 alike in the strip, the diagram, the tensor card and the equation', async () => {
    const lecture = await createLecture(server.url, { title: 'Notation' });
    await send(lecture, { type: 'setDataset', dataset: { kind: 'points', set: 'spiral', count: 100 } });
    await send(lecture, { type: 'setNetwork', network: { hidden: [{ units: 8, activation: 'tanh' }, { units: 8, activation: 'relu' }], biases: true }, preset: 'random', seed: 3 });
    const student = await openPage(browser, onServer(server.url, lecture.studentUrl), { width: 1366, height: 768 });
    const page = student.page;
    try {
      await page.locator('[data-testid="connection-status"][data-status="live"]').waitFor();
      const headings = page.locator('nn-diagram text.heading:not(.shows)');
      await eventually(() => headings.allTextContents()).toEqual(['A0 · inputs', 'A1 = tanh(Z1)', 'A2 = relu(Z2)', 'ŷ = A3 = σ(Z3)']);

      await stepTo(lecture, 'A1');
      await eventually(() => page.locator('[data-testid="current-stage"]').textContent()).toBe('A1');
      await eventually(() => page.locator('#eq-title').first().textContent()).toBe('Hidden activation 1: A1 = tanh(Z1)');
      expect(await page.locator('[data-testid="tensor-A1"] figcaption .name').textContent()).toBe('A1');
      const lines = page.locator('nn-diagram [data-node="n1-3"] text:not(.bias)');
      expect(await lines.locator('tspan.name').allTextContents()).toEqual(['Z1[3]', 'A1[3]']);
      expect(await page.locator('nn-diagram [data-node="n1-3"] text.bias').textContent()).toMatch(/^\+b1\[3\]/);
      for (let k = 0; k < (await lines.count()); k++) expect(await labelClearOfValue(lines.nth(k))).toBe(true);
      expect(await page.locator('nn-diagram').textContent()).not.toMatch(/[za][₀-₉]/);
      await page.locator('nn-diagram').screenshot({ path: `${SHOTS}/diagram-A1.png` });

      await stepTo(lecture, 'dL_dZ1');
      await eventually(() => page.locator('[data-testid="current-stage"]').textContent()).toBe('∂L/∂Z1');
      await eventually(() => page.locator('#eq-title').first().textContent()).toBe('Backward: ∂L/∂Z1');
      expect(await page.locator('[data-testid="tensor-dL_dZ1"] figcaption .name').textContent()).toBe('∂L/∂Z1');
      // The widest labels: a gradient's ∂ and the card's element name, and the bias's gradient.
      expect(await lines.locator('tspan.name').allTextContents()).toEqual(['∂Z1[3]', 'A1[3]']);
      for (const node of ['n1-3', 'n2-8']) {
        const nodeLines = page.locator(`nn-diagram [data-node="${node}"] text:not(.bias)`);
        for (let k = 0; k < (await nodeLines.count()); k++) expect(await labelClearOfValue(nodeLines.nth(k)), `${node} line ${k}`).toBe(true);
      }
      await page.locator('nn-diagram').screenshot({ path: `${SHOTS}/diagram-dL_dZ1.png` });
      await stepTo(lecture, 'dL_db1');
      await eventually(() => page.locator('nn-diagram [data-node="n1-3"] text.bias').textContent()).toMatch(/^∂b1\[3\]/);
      student.assertClean();
    } finally {
      await student.close();
    }
  });
});

describe('the diagram headings, written as formulas, stay apart', () => {
  it('for four ReLU layers and the output, the stage of a middle one hot, on a laptop and on the projector', async () => {
    const lecture = await createLecture(server.url, { title: 'Deep' });
    await send(lecture, { type: 'setDataset', dataset: { kind: 'points', set: 'spiral', count: 100 } });
    const hidden = [1, 2, 3, 4].map(() => ({ units: 6, activation: 'relu' }));
    await send(lecture, { type: 'setNetwork', network: { hidden, biases: true }, preset: 'random', seed: 3 });
    await stepTo(lecture, 'A3');
    const pages = [
      await openPage(browser, onServer(server.url, lecture.studentUrl), { width: 1024, height: 768 }),
      await openPage(browser, `${server.url}/lecture/${lecture.id}/projector`, { width: 1280, height: 720 }),
    ];
    try {
      for (const [k, { page }] of pages.entries()) {
        const headings = page.locator('nn-diagram text.heading:not(.shows)');
        await eventually(() => headings.allTextContents()).toEqual(['A0 · inputs', 'A1 = relu(Z1)', 'A2 = relu(Z2)', '◆ A3 = relu(Z3)', 'A4 = relu(Z4)', 'ŷ = A5 = σ(Z5)']);
        expect(await overlappingHeadings(headings)).toEqual([]);
        await page.locator('nn-diagram').screenshot({ path: `${SHOTS}/deep-headings-${k ? 'projector' : 'student'}.png` });
        pages[k].assertClean();
      }
    } finally {
      await Promise.all(pages.map((p) => p.close()));
    }
  });
});
