/**
 * Numbers read the way people type them: a student on a phone answers `0,25` and the class mean
 * is 0.25; `1,234.5` is refused beside the field and nothing reaches the server; in the console η
 * `0,5` sets 0.5 and `2.5` epochs is refused with its reason. Real server, real Chromium.
 */
import { describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import type { Snapshot } from '../../shared/protocol/snapshot.js';
import type { TestServer } from '../support/server.js';
import { axeViolations, command, createLecture, eventually, onServer, openPage, seen, withServerAndBrowser } from './support.js';

let server: TestServer;
let browser: Browser;
withServerAndBrowser((s, b) => ([server, browser] = [s, b]));

const SHOTS = '/tmp/shots-numbers';
const byTestId = (page: Page, id: string) => page.locator(`[data-testid="${id}"]`);
const live = (page: Page) => page.locator('[data-testid="connection-status"][data-status="live"]').waitFor();

async function state(id: string): Promise<Snapshot> {
  return (await (await fetch(`${server.url}/api/lectures/${id}/state`)).json()) as Snapshot;
}


/** Distance in CSS px between two elements' boxes (0 when they touch or overlap). */
async function gap(a: Locator, b: Locator): Promise<number> {
  const [ra, rb] = [await a.boundingBox(), await b.boundingBox()];
  if (!ra || !rb) throw new Error('an element has no box');
  const dx = Math.max(0, ra.x - (rb.x + rb.width), rb.x - (ra.x + ra.width));
  const dy = Math.max(0, ra.y - (rb.y + rb.height), rb.y - (ra.y + ra.height));
  return Math.hypot(dx, dy);
}

/** Types as a person does, key by key (fill() would refuse text a type=number field cannot hold). */
async function typeInto(field: Locator, text: string): Promise<void> {
  await field.click();
  await field.press('ControlOrMeta+a');
  await field.press('Backspace');
  await field.pressSequentially(text);
}

describe('numbers as people type them', () => {
  it('a phone student: 1,234.5 is refused beside the field and not sent; 0,25 is sent as 0.25', async () => {
    const lecture = await createLecture(server.url, { title: 'Decimal comma' });
    await command(server.url, lecture, { type: 'step' });
    await command(server.url, lecture, { type: 'ask', tensor: 'C_act', index: [0] });
    const student = await openPage(browser, onServer(server.url, lecture.studentUrl), { phone: true });
    try {
      const { page } = student;
      await live(page);
      const field = byTestId(page, 'prediction-input');
      await field.waitFor();
      expect(await field.getAttribute('inputmode')).toBe('decimal');
      expect(await field.getAttribute('type')).toBe('text');

      await typeInto(field, '1,234.5');
      await byTestId(page, 'prediction-submit').tap();
      const error = byTestId(page, 'prediction-error');
      await eventually(() => error.textContent()).toContain('ambiguous');
      // The text stays as typed, marked invalid, described by the message right beside it, which a person can read.
      expect(await field.inputValue()).toBe('1,234.5');
      expect(await field.getAttribute('aria-invalid')).toBe('true');
      expect(await field.getAttribute('aria-describedby')).toBe(await error.getAttribute('id'));
      await error.scrollIntoViewIfNeeded();
      const shown = await seen(error);
      expect(shown).toMatchObject({ inViewport: true, hit: true });
      expect(shown.fontPx).toBeGreaterThanOrEqual(13);
      expect(await gap(field, error)).toBeLessThan(48);
      expect(await byTestId(page, 'prediction-mine').count()).toBe(0);
      await page.screenshot({ path: `${SHOTS}/phone-refused.png` });
      expect(await axeViolations(page)).toEqual([]);

      // Nothing was sent: revealed now, the question has no answers.
      await command(server.url, lecture, { type: 'reveal' });
      await eventually(async () => (await state(lecture.id)).prediction?.status).toBe('revealed');
      expect((await state(lecture.id)).prediction?.stats?.count).toBe(0);

      // Asked again: 0,25 is 0.25, never 25 or 0.
      await command(server.url, lecture, { type: 'ask', tensor: 'C_act', index: [0] });
      await eventually(() => byTestId(page, 'prediction-card').getAttribute('data-status')).toBe('open');
      await typeInto(field, '0,25');
      await byTestId(page, 'prediction-submit').tap();
      await eventually(() => byTestId(page, 'prediction-mine').textContent()).toContain('0.2500');
      expect(await byTestId(page, 'prediction-error').count()).toBe(0);
      expect(await field.getAttribute('aria-invalid')).toBeNull();
      await page.screenshot({ path: `${SHOTS}/phone-sent.png` });
      await command(server.url, lecture, { type: 'reveal' });
      await eventually(async () => (await state(lecture.id)).prediction?.stats?.count).toBe(1);
      expect((await state(lecture.id)).prediction?.stats?.mean).toBe(0.25);
      await eventually(() => byTestId(page, 'prediction-mean').textContent()).toBe('0.2500');
      student.assertClean();
    } finally {
      await student.close();
    }
  });

  it('the console at 1366×768: η 0,5 sets 0.5; 2.5 epochs is refused with the reason and nothing trains', async () => {
    const lecture = await createLecture(server.url, { title: 'Console numbers' });
    const console_ = await openPage(browser, onServer(server.url, lecture.instructorUrl), { width: 1366, height: 768 });
    try {
      const { page } = console_;
      await live(page);
      const rate = page.getByLabel('η', { exact: true });
      await typeInto(rate, '0,5');
      await page.getByRole('button', { name: 'Set η' }).click();
      await eventually(async () => (await state(lecture.id)).learningRate).toBe(0.5);
      expect(await rate.getAttribute('aria-invalid')).toBeNull();

      const epochs = page.getByLabel('Epochs', { exact: true });
      await typeInto(epochs, '2.5');
      await byTestId(page, 'train').click();
      const error = byTestId(page, 'epochs-error');
      await eventually(() => error.textContent()).toContain('whole number');
      expect(await epochs.getAttribute('aria-invalid')).toBe('true');
      expect(await epochs.getAttribute('aria-describedby')).toBe('epochs-error');
      const shown = await seen(error);
      expect(shown).toMatchObject({ inViewport: true, hit: true });
      expect(shown.fontPx).toBeGreaterThanOrEqual(13);
      expect(await gap(epochs, error)).toBeLessThan(48);
      // T trains with the box's epochs: refused too.
      await page.locator('body').press('t');
      await page.screenshot({ path: `${SHOTS}/console-refused.png` });
      expect(await axeViolations(page)).toEqual([]);
      // Nothing trained: a command sent after both arrives at the very next seq.
      const before = (await state(lecture.id)).seq;
      const after = await command(server.url, lecture, { type: 'setLearningRate', value: 0.25 });
      expect(after.seq).toBe(before + 1);
      expect(after.epoch).toBe(0);
      expect(after.training).toBeNull();

      // A bad η is refused beside its field too, and the lecture keeps its rate.
      await typeInto(rate, '0.5.1');
      await rate.press('Enter');
      await eventually(() => byTestId(page, 'rate-error').textContent()).toContain('more than one decimal separator');
      expect((await state(lecture.id)).learningRate).toBe(0.25);

      // A weight's cell: 1,2,3 is refused under the cell, which keeps the text; −0,75 sets −0.75.
      await page.getByRole('button', { name: /^Edit W\[1,2\]/ }).click();
      const cell = page.getByLabel('New value of W[1,2]');
      await typeInto(cell, '1,2,3');
      await cell.press('Enter');
      const cellError = byTestId(page, 'edit-error');
      await eventually(() => cellError.textContent()).toContain('more than one decimal separator');
      expect(await cell.inputValue()).toBe('1,2,3');
      expect(await cell.getAttribute('aria-describedby')).toBe('edit-error');
      await cellError.scrollIntoViewIfNeeded();
      expect(await seen(cellError)).toMatchObject({ inViewport: true, hit: true });
      expect(await gap(cell, cellError)).toBeLessThan(48);
      await page.screenshot({ path: `${SHOTS}/console-cell-refused.png` });
      const weightsBefore = (await state(lecture.id)).seq;
      await typeInto(cell, '\u22120,75');
      await cell.press('Enter');
      await eventually(() => byTestId(page, 'cell-W-1').getAttribute('data-value')).toBe('-0.75');
      expect((await state(lecture.id)).seq).toBe(weightsBefore + 1); // one setWeight, the refused text sent nothing
      console_.assertClean();
    } finally {
      await console_.close();
    }
  });

  it("the home page's start form: a seed of 2.5 is refused beside the field and nothing is created; η 0,5 creates a lecture at 0.5", async () => {
    const p = await openPage(browser, `${server.url}/`, { width: 1280, height: 800 });
    try {
      const { page } = p;
      await page.getByLabel('Initial weights').selectOption('random');
      await page.getByLabel('Seed').fill('2.5');
      await page.getByLabel('Learning rate η').fill('0,5');
      await page.locator('[data-testid="create"]').click();
      await eventually(() => page.locator('[data-testid="seed-error"]').textContent()).toContain('whole number');
      expect(await page.getByLabel('Seed').getAttribute('aria-invalid')).toBe('true');
      expect(page.url()).toBe(`${server.url}/`);

      await page.getByLabel('Seed').fill('7');
      await page.locator('[data-testid="create"]').click();
      await page.waitForURL(/\/lecture\/\w{6}\/instructor/);
      const id = /\/lecture\/(\w{6})\//.exec(page.url())![1];
      const created = await state(id);
      expect({ learningRate: created.learningRate, seed: created.seed, preset: created.preset }).toEqual({ learningRate: 0.5, seed: 7, preset: 'random' });
      p.assertClean();
    } finally {
      await p.close();
    }
  });
});
