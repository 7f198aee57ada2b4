/**
 * The projector display, `/lecture/:id/projector`, in Chromium against the real server, at the
 * sizes lectures are given on: what a person at the back of the room sees (inside the screen, not
 * covered, big enough, no scrolling), what the class may not see (the answers before the reveal),
 * and WCAG 2.1 AA.
 */
import { mkdirSync } from 'node:fs';
import type { Browser, Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { Command } from '../../shared/protocol/commands.js';
import type { CreatedLecture } from '../../shared/protocol/http.js';
import { LectureClient } from '../support/clients.js';
import type { TestServer } from '../support/server.js';
import { axeViolations, command, createLecture, eventually, onServer, openPage, withServerAndBrowser, type CheckedPage } from './support.js';

let server: TestServer;
let browser: Browser;
withServerAndBrowser((s, b) => ([server, browser] = [s, b]));

const SIZES = [
  { width: 1024, height: 768 },
  { width: 1280, height: 720 },
  { width: 1366, height: 768 },
  { width: 1920, height: 1080 },
] as const;
/** The notebook's B_act at sample 0 with the notebook's weights (the tensor cards show the same). */
const B_ACT = ['0.8014', '0.6742', '0.8208', '0.4322'];
/** Numbers people read are 24 px at 1280×720 and scale with the screen (its shorter proportion). */
const minNumberPx = (width: number, height: number) => 24 * Math.min(width / 1280, height / 720);
const SHOTS = '/tmp/shots-projector';
const SHOTS2 = '/tmp/shots-projector2';

interface Seen {
  readonly inView: boolean;
  readonly uncovered: boolean;
  /** The size the text is drawn at on the screen (an SVG's font size times its drawing's scale). */
  readonly fontPx: number;
  readonly text: string;
}

/** Where an element stands to a person: in the viewport, what is at its centre (through shadow roots) is it, how big its text is drawn. */
function seen(locator: Locator): Promise<Seen> {
  return locator.evaluate((el) => {
    const r = el.getBoundingClientRect();
    const x = r.left + r.width / 2;
    const y = r.top + r.height / 2;
    let hit: Element | null = document.elementFromPoint(x, y);
    while (hit?.shadowRoot) {
      const deeper = hit.shadowRoot.elementFromPoint(x, y);
      if (!deeper || deeper === hit) break;
      hit = deeper;
    }
    const font = parseFloat(getComputedStyle(el).fontSize);
    const scale = el instanceof SVGGraphicsElement ? (el.getScreenCTM()?.a ?? 1) : 1;
    return {
      inView: r.width > 0 && r.height > 0 && r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth,
      uncovered: hit !== null && (hit === el || el.contains(hit)),
      fontPx: font * scale,
      text: el.textContent ?? '',
    };
  });
}

/** Everything a page shows or says, through shadow roots: text and attribute values (labels, titles). */
function everything(page: Page): Promise<string> {
  return page.evaluate(() => {
    const out: string[] = [];
    const walk = (node: Node) => {
      if (node.nodeType === Node.TEXT_NODE) out.push((node as Text).data);
      if (node instanceof Element) {
        for (const a of node.attributes) out.push(a.value);
        if (node.shadowRoot) walk(node.shadowRoot);
      }
      for (const child of node.childNodes) walk(child);
    };
    walk(document.documentElement);
    return out.join(' ');
  });
}

const noVerticalScroll = (page: Page) => page.evaluate(() => document.scrollingElement!.scrollHeight <= innerHeight);

const diagramValue = (page: Page, node: string) => page.locator(`nn-diagram g.node[data-node="${node}"] text`).nth(1).locator('tspan.value');
const equationLines = (page: Page, tensor: string) => page.locator(`equation-panel .line[data-element^="${tensor}["] .katex`);

async function instructorOf(lecture: CreatedLecture): Promise<LectureClient> {
  return LectureClient.connect(server.url, { lectureId: lecture.id, token: lecture.instructorToken });
}

async function send(client: LectureClient, command: Command): Promise<void> {
  const ack = await client.command(command);
  if (!ack.ok) throw new Error(`${command.type}: ${ack.error}`);
}

async function openProjector(lecture: CreatedLecture, size: { width: number; height: number }): Promise<CheckedPage> {
  const p = await openPage(browser, `${server.url}/lecture/${lecture.id}/projector`, size);
  await p.page.locator('equation-panel [data-testid="equation-panel"]').waitFor();
  await p.page.evaluate(() => document.fonts.ready);
  return p;
}

/** The lesson of this moment as a person sees it: the diagram, the four B_act values in it, the B_act lines. */
async function expectBActSeen(page: Page, size: { width: number; height: number }, label: string): Promise<void> {
  const min = minNumberPx(size.width, size.height);
  const where = `${label} at ${size.width}×${size.height}`;
  await eventually(() => page.locator('[data-testid="projector-stage"]').textContent()).toBe('B_act');
  expect(await noVerticalScroll(page), `${where}: no vertical scroll`).toBe(true);
  const diagram = await seen(page.locator('nn-diagram svg'));
  expect(diagram, `${where}: the diagram`).toMatchObject({ inView: true, uncovered: true });
  for (const [k, value] of B_ACT.entries()) {
    const v = await seen(diagramValue(page, `B${k + 1}`));
    expect(v, `${where}: B_act[${k + 1}] in the diagram`).toMatchObject({ text: value, inView: true, uncovered: true });
    expect(v.fontPx, `${where}: B_act[${k + 1}] in the diagram, px`).toBeGreaterThanOrEqual(min);
  }
  const lines = equationLines(page, 'B_act');
  expect(await lines.count()).toBe(4);
  for (const [k, value] of B_ACT.entries()) {
    const line = await seen(lines.nth(k));
    expect(line.text, `${where}: B_act line ${k + 1}`).toContain(value);
    expect(line, `${where}: B_act line ${k + 1}`).toMatchObject({ inView: true, uncovered: true });
    expect(line.fontPx, `${where}: B_act line ${k + 1}, px`).toBeGreaterThanOrEqual(min);
  }
  const join = await seen(page.locator('projector-join [data-testid="join-code"]'));
  expect(join, `${where}: the join code`).toMatchObject({ inView: true, uncovered: true });
  expect(await page.locator('projector-join [data-testid="join-qr"] svg').count()).toBe(1);
}

async function expectNoAxeViolations(page: Page, label: string): Promise<void> {
  expect(await axeViolations(page), label).toEqual([]);
}

describe('projector display', () => {
  mkdirSync(SHOTS, { recursive: true });

  for (const size of SIZES) {
    it(`at ${size.width}×${size.height}: B_act, then an open question, then its reveal, on one screen, readable`, async () => {
      const lecture = await createLecture(server.url, { title: 'Backpropagation, lecture 1' });
      const instructor = await instructorOf(lecture);
      const projector = await openProjector(lecture, size);
      try {
        const { page } = projector;
        for (let i = 0; i < 3; i++) await send(instructor, { type: 'step' }); // input, B, B_act
        await expectBActSeen(page, size, 'B_act');
        // Nothing of the console: no button at all, no live histogram.
        expect(await page.locator('button').count()).toBe(0);
        // Not live would say so; live it is quiet.
        expect(await page.locator('[data-testid="connection-status"]').count()).toBe(0);
        await page.screenshot({ path: `${SHOTS}/b_act-${size.width}x${size.height}.png` });

        await send(instructor, { type: 'ask', tensor: 'C_act', index: [0] });
        await eventually(() => page.locator('[data-testid="question-prompt"]').textContent()).toBe('Predict C_act');
        expect(await seen(page.locator('[data-testid="question-answered"]'))).toMatchObject({ text: '0 answered', inView: true, uncovered: true });
        await expectBActSeen(page, size, 'open question');
        await page.screenshot({ path: `${SHOTS}/open-${size.width}x${size.height}.png` });

        await send(instructor, { type: 'reveal' });
        await eventually(() => page.locator('[data-testid="projector-question"]').getAttribute('data-status')).toBe('revealed');
        expect(await seen(page.locator('[data-testid="question-actual"]'))).toMatchObject({ text: '0.7967', inView: true, uncovered: true });
        await expectBActSeen(page, size, 'revealed');
        await page.screenshot({ path: `${SHOTS}/revealed-${size.width}x${size.height}.png` });
        if (size.width === 1280) await expectNoAxeViolations(page, 'axe, revealed');
        projector.assertClean();
      } finally {
        instructor.close();
        await projector.close();
      }
    });
  }

  for (const size of SIZES) {
    it(`at ${size.width}×${size.height}: a 2-8-8-1 tanh network on the spiral, with its decision boundary`, async () => {
      const lecture = await createLecture(server.url, { title: 'Spirals', preset: 'random' });
      const instructor = await instructorOf(lecture);
      try {
        await send(instructor, { type: 'setDataset', dataset: { kind: 'points', set: 'spiral', count: 200, noise: 0.05, trainFraction: 0.5, seed: 3 } });
        // The rest of the shape takes its defaults (the schema completes it), as a client may send it.
        const hidden = [{ units: 8, activation: 'tanh' }, { units: 8, activation: 'tanh' }];
        await send(instructor, { type: 'setNetwork', network: { hidden }, seed: 4 } as unknown as Command);
        for (let i = 0; i < 3; i++) await send(instructor, { type: 'step' }); // input, Z1, A1
        const projector = await openProjector(lecture, size);
        try {
          const { page } = projector;
          const where = `spiral at ${size.width}×${size.height}`;
          await eventually(() => page.locator('[data-testid="projector-stage"]').textContent()).toBe('A1');
          await page.locator('decision-boundary[data-centre]').waitFor();
          expect(await noVerticalScroll(page), `${where}: no vertical scroll`).toBe(true);
          expect(await seen(page.locator('nn-diagram svg')), `${where}: the diagram`).toMatchObject({ inView: true, uncovered: true });
          expect(await seen(page.locator('decision-boundary canvas')), `${where}: the boundary`).toMatchObject({ inView: true, uncovered: true });
          // The first hidden unit, in the diagram and in the first equation line.
          const a1 = await seen(page.locator('nn-diagram g.node[data-node="n1-1"]'));
          expect(a1, `${where}: unit 1 of layer 1`).toMatchObject({ inView: true, uncovered: true });
          const line = await seen(equationLines(page, 'A1').first());
          expect(line, `${where}: the first A1 line`).toMatchObject({ inView: true, uncovered: true });
          expect(line.fontPx, `${where}: the first A1 line, px`).toBeGreaterThanOrEqual(minNumberPx(size.width, size.height));
          await page.screenshot({ path: `${SHOTS}/spiral-${size.width}x${size.height}.png` });
          if (size.width === 1280) await expectNoAxeViolations(page, 'axe, spiral');
          projector.assertClean();
        } finally {
          await projector.close();
        }
      } finally {
        instructor.close();
      }
    });
  }

  it("shows how many answered and none of their values until the reveal, then the mean; the console shows the live histogram throughout", async () => {
    const lecture = await createLecture(server.url, { title: 'Guess first' });
    const instructor = await instructorOf(lecture);
    const students = await Promise.all(['s1', 's2', 's3'].map((name) => LectureClient.connect(server.url, { lectureId: lecture.id, clientId: server.clientId(`projector-${name}`) })));
    const projector = await openProjector(lecture, { width: 1280, height: 720 });
    const console_ = await openPage(browser, onServer(server.url, lecture.instructorUrl), { width: 1366, height: 768 });
    try {
      const { page } = projector;
      for (let i = 0; i < 3; i++) await send(instructor, { type: 'step' });
      await send(instructor, { type: 'ask', tensor: 'C_act', index: [0] });
      const answers = [0.123456, 0.654321, 0.777777];
      for (const [k, s] of students.entries()) expect(await s.socket.emitWithAck('prediction:submit', { value: answers[k] })).toEqual({ ok: true });

      await eventually(() => page.locator('[data-testid="question-answered"]').textContent()).toBe('3 answered');
      const before = await everything(page);
      for (const shown of ['0.1235', '0.6543', '0.7778', '0.123456', '0.654321', '0.777777', '0.5185']) expect(before, `before the reveal: ${shown}`).not.toContain(shown);
      expect(await page.locator('prediction-histogram').count()).toBe(0);
      await eventually(() => console_.page.locator('prediction-card [data-testid="prediction-count"]').textContent()).toBe('3');
      expect(await console_.page.locator('prediction-card prediction-histogram svg').count()).toBe(1);
      await expectNoAxeViolations(page, 'axe, open question with answers');

      await send(instructor, { type: 'reveal' });
      await eventually(() => page.locator('[data-testid="question-mean"]').textContent()).toBe('0.5185');
      expect(await page.locator('[data-testid="question-median"]').textContent()).toBe('0.6543');
      expect(await page.locator('[data-testid="question-count"]').textContent()).toBe('3');
      expect(await seen(page.locator('projector-question prediction-histogram svg'))).toMatchObject({ inView: true, uncovered: true });
      // The histogram leaves the lesson on the screen.
      await expectBActSeen(page, { width: 1280, height: 720 }, 'revealed with answers');
      await eventually(() => console_.page.locator('prediction-card[data-status], prediction-card [data-status]').first().getAttribute('data-status')).toBe('revealed');
      expect(await console_.page.locator('prediction-card prediction-histogram svg').count()).toBe(1);
      await page.screenshot({ path: `${SHOTS}/answers-revealed-1280x720.png` });
      projector.assertClean();
    } finally {
      for (const s of students) s.close();
      instructor.close();
      await projector.close();
      await console_.close();
    }
  });
});

/** Steps until the lecture is at `stage` (at most a pass and a half of stages). */
async function stepTo(lecture: CreatedLecture, stage: string): Promise<void> {
  for (let i = 0; i < 40; i++) {
    if ((await command(server.url, lecture, { type: 'step' })).stage === stage) return;
  }
  throw new Error(`never reached ${stage}`);
}

/** The projector pages of one lecture at several sizes, for the checks of one moment. */
async function projectorsAt(lecture: CreatedLecture, sizes: readonly { width: number; height: number }[]) {
  return Promise.all(sizes.map(async (size) => ({ size, projector: await openProjector(lecture, size) })));
}

/** Every shown line of the equation panel, and the box that clips them, as a person sees them. */
function shownLines(page: Page) {
  return page.locator('equation-panel').evaluate((host) => {
    const root = host.shadowRoot!;
    const box = root.querySelector<HTMLElement>('.lines')!;
    const b = box.getBoundingClientRect();
    const lines = [...box.querySelectorAll<HTMLElement>(':scope > .line')];
    const shown = lines.filter((l) => !l.hidden && l.getBoundingClientRect().height > 0);
    return {
      total: lines.length,
      scrollable: box.scrollHeight > box.clientHeight + 1 && getComputedStyle(box).overflowY !== 'hidden',
      shown: shown.map((l) => {
        const r = l.getBoundingClientRect();
        const katex = l.querySelector('.katex')!;
        return {
          element: l.dataset.element ?? null,
          inPanel: r.top >= b.top - 0.5 && r.bottom <= b.bottom + 0.5 && r.height > 0,
          inView: r.top >= 0 && r.bottom <= innerHeight && r.left >= 0 && r.right <= innerWidth,
          fontPx: parseFloat(getComputedStyle(katex).fontSize),
        };
      }),
    };
  });
}

describe('projector display: every network and every stage, readable from the back row', () => {
  mkdirSync(SHOTS2, { recursive: true });
  const WIDE = [
    { width: 1280, height: 720 },
    { width: 1920, height: 1080 },
  ] as const;

  it('the spiral 2-8-8-1: big nodes of one number each, 24 px at 1280×720 and scaled, at A1 and at ∂L/∂Z2', async () => {
    const lecture = await createLecture(server.url, { title: 'Spirals', preset: 'random' });
    const instructor = await instructorOf(lecture);
    await send(instructor, { type: 'setDataset', dataset: { kind: 'points', set: 'spiral', count: 200, noise: 0.05, trainFraction: 0.5, seed: 3 } });
    const hidden = [{ units: 8, activation: 'tanh' }, { units: 8, activation: 'tanh' }];
    await send(instructor, { type: 'setNetwork', network: { hidden }, seed: 4 } as unknown as Command);
    const pages = await projectorsAt(lecture, WIDE);
    try {
      for (const [stage, shows] of [['A1', 'A1'], ['dL_dZ2', '∂L/∂Z2']] as const) {
        await stepTo(lecture, stage);
        for (const { size, projector } of pages) {
          const { page } = projector;
          const where = `spiral at ${stage}, ${size.width}×${size.height}`;
          await eventually(() => page.locator('[data-testid="projector-stage"]').textContent()).toBe(stage === 'A1' ? 'A1' : '∂L/∂Z2');
          expect(await noVerticalScroll(page), `${where}: no vertical scroll`).toBe(true);
          const values = page.locator('nn-diagram g.node tspan.value');
          for (let k = 0; k < (await values.count()); k++) {
            const v = await seen(values.nth(k));
            expect(v, `${where}: number ${k} (${v.text})`).toMatchObject({ inView: true, uncovered: true });
            expect(v.fontPx, `${where}: number ${k} (${v.text}), px`).toBeGreaterThanOrEqual(minNumberPx(size.width, size.height));
          }
          // One number a node: 2 inputs, 8 + 8 hidden units, the output; the loss node has L and y.
          expect(await values.count(), `${where}: numbers in the diagram`).toBe(2 + 8 + 8 + 1 + 2);
          // What the numbers are, over the columns (names.ts, one notation): layer 2 has nothing at A1, ∂L/∂Z2 at ∂L/∂Z2.
          expect(await page.locator('nn-diagram text.shows[data-shows="1"]').textContent(), `${where}: layer 1 shows`).toBe('A1');
          expect(await page.locator('nn-diagram text.shows[data-shows="2"]').textContent(), `${where}: layer 2 shows`).toBe(stage === 'A1' ? '' : shows);
          // The layer of the stage shows the value of the moment: its activation, then its gradient.
          const first = await seen(page.locator(`nn-diagram g.node[data-node="${stage === 'A1' ? 'n1-1' : 'n2-1'}"] tspan.value`));
          expect(first.text, `${where}: the stage's first unit`).toMatch(/^−?\d\.\d{4}$/);
          await page.screenshot({ path: `${SHOTS2}/spiral-big-${stage}-${size.width}x${size.height}.png` });
          projector.assertClean();
        }
      }
      await expectNoAxeViolations(pages[0].projector.page, 'axe, spiral big nodes');
    } finally {
      instructor.close();
      await Promise.all(pages.map(({ projector }) => projector.close()));
    }
  });

  it("the notebook at ∂L/∂W with its mistakes shown: whole lines only, '+ N more lines', the spotlit line among them, no scroll bar", async () => {
    const lecture = await createLecture(server.url, { title: 'Backpropagation, lecture 1' });
    const instructor = await instructorOf(lecture);
    await send(instructor, { type: 'setErrata', on: true });
    await stepTo(lecture, 'dL_dW');
    const pages = await projectorsAt(lecture, [{ width: 1024, height: 768 }, ...WIDE]);
    try {
      for (const spotlit of [null, 'dL_dW[0,3]'] as const) {
        if (spotlit) await send(instructor, { type: 'spotlight', target: { type: 'element', tensor: 'dL_dW', index: [0, 3] } });
        for (const { size, projector } of pages) {
          const { page } = projector;
          const where = `∂L/∂W, errata on, ${spotlit ?? 'no spotlight'}, ${size.width}×${size.height}`;
          await eventually(() => page.locator('[data-testid="projector-stage"]').textContent()).toBe('∂L/∂W');
          await page.locator('errata-note .note').waitFor();
          if (spotlit) await page.locator(`equation-panel .line[data-element="${spotlit}"][data-spotlit]`).waitFor({ state: 'attached' });
          await page.evaluate(() => document.fonts.ready);
          expect(await noVerticalScroll(page), `${where}: no vertical scroll`).toBe(true);
          // The fit follows the errata note's drawing (a resize of the lines' box); the checks below say what is wrong if it never settles.
          await eventually(async () => (await shownLines(page)).shown.every((l) => l.inPanel), 3000)
            .toBe(true)
            .catch(() => undefined);
          const lines = await shownLines(page);
          expect(lines.total, `${where}: ∂L/∂W has 12 lines`).toBe(12);
          expect(lines.scrollable, `${where}: the lines scroll`).toBe(false);
          expect(lines.shown.length, `${where}: lines shown`).toBeGreaterThan(0);
          for (const line of lines.shown) {
            expect(line, `${where}: line ${line.element}`).toMatchObject({ inPanel: true, inView: true });
            expect(line.fontPx, `${where}: line ${line.element}, px`).toBeGreaterThanOrEqual(minNumberPx(size.width, size.height));
          }
          const more = 12 - lines.shown.length;
          const note = page.locator('equation-panel [data-testid="equation-more"]');
          expect(more, `${where}: some lines are left out`).toBeGreaterThan(0);
          expect(await note.textContent(), `${where}: the note`).toBe(`+ ${more} more line${more === 1 ? '' : 's'} on your screens`);
          expect(await seen(note), `${where}: the note`).toMatchObject({ inView: true, uncovered: true });
          if (spotlit) expect(lines.shown.map((l) => l.element), `${where}: the spotlit line`).toContain(spotlit);
          else expect(lines.shown[0].element, `${where}: from the top`).toBe('dL_dW[0,0]');
          await page.screenshot({ path: `${SHOTS2}/dL_dW-errata-${spotlit ? 'spotlit-' : ''}${size.width}x${size.height}.png` });
          projector.assertClean();
        }
      }
    } finally {
      instructor.close();
      await Promise.all(pages.map(({ projector }) => projector.close()));
    }
  });
});
