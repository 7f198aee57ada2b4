/** The network diagram as objects (client/lib/diagram-model.ts): what is drawn where, named how, and marked why. */
import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../shared/protocol/commands.js';
import { createLecture, decide, evolve, type LectureState } from '../../shared/lecture/decider.js';
import { toSnapshot } from '../../shared/lecture/views.js';
import type { Snapshot } from '../../shared/protocol/snapshot.js';
import { diagramModel, linkedElement, pointName, sameTarget, spotlightAt, type DiagramInput } from '../../client/lib/diagram-model.js';

function lecture(commands: unknown[]): Snapshot {
  let state: LectureState = createLecture({ lectureId: 'ABCDEF', title: 't', preset: 'notebook', seed: 0, learningRate: 0.5 });
  for (const input of commands) {
    const parsed = parseCommand(input);
    if (!parsed.ok) throw new Error(parsed.error);
    const decision = decide(state, parsed.value, { now: 0, newSeed: () => 42 });
    if (!decision.ok) throw new Error(decision.error);
    state = evolve(state, decision.event);
  }
  return toSnapshot(state);
}

const steps = (n: number) => Array.from({ length: n }, () => ({ type: 'step' }));
const POINTS = { type: 'setDataset', dataset: { kind: 'points', set: 'xor', count: 8, trainFraction: 1, seed: 2 } };
const DEEP = { type: 'setNetwork', network: { hidden: [{ units: 8, activation: 'tanh' }, { units: 8, activation: 'tanh' }], biases: true } };

const model = (snapshot: Snapshot, more: Partial<DiagramInput> = {}) => diagramModel({ snapshot, projector: false, highlight: null, flagCounts: null, ...more });
const node = (m: ReturnType<typeof model>, id: string) => m.nodes.find((n) => n.id === id)!;

describe("the notebook's diagram", () => {
  const m = model(lecture(steps(1)));

  it('has its 3 + 4 + 1 nodes and the loss, 12 + 4 edges, in its own geometry', () => {
    expect(m.nodes.map((n) => n.id)).toEqual(['A1', 'A2', 'A3', 'B1', 'B2', 'B3', 'B4', 'C', 'L']);
    expect(m.edges).toHaveLength(16);
    expect(m.geometry).toMatchObject({ width: 520, height: 330 });
    expect(node(m, 'A1')).toMatchObject({ x: 6, y: 85 - 21, w: 78, h: 42, target: { kind: 'node', column: 0, unit: 0 } });
    expect(node(m, 'B2')).toMatchObject({ x: 196, y: 125 - 28, w: 132, h: 56 });
    expect(node(m, 'L')).toMatchObject({ x: 402, y: 245 - 28, target: { kind: 'loss' } });
    expect(m.edges[0]).toMatchObject({ x1: 84, y1: 85, x2: 196, y2: 45, target: { kind: 'edge', layer: 1, from: 0, to: 0 } });
    // The notebook's drawing fits any panel and has no headings.
    expect(m.style).toBeNull();
    expect(m.headings).toEqual([]);
  });

  it('names nodes, lines and weights in its own notation', () => {
    expect(node(m, 'A2').lines.map((l) => l.name)).toEqual(['A₂']);
    expect(node(m, 'B3').lines.map((l) => l.name)).toEqual(['B₃', 'σ₃']);
    expect(node(m, 'C').lines.map((l) => l.name)).toEqual(['C', 'σ']);
    expect(node(m, 'L').lines.map((l) => l.name)).toEqual(['L', 'y']);
    expect(m.edges.map((e) => e.label)).toEqual([...[1, 2, 3].flatMap((i) => [1, 2, 3, 4].map((j) => `W${'₀₁₂₃₄'[i]}${'₀₁₂₃₄'[j]}`)), 'V₁', 'V₂', 'V₃', 'V₄']);
    expect(m.legend.nodes).toBe('σ = activation; hidden rows show B and B_act');
  });

  it('outlines what the input stage computed and waits for the rest', () => {
    expect(m.nodes.filter((n) => n.hot).map((n) => n.id)).toEqual(['A1', 'A2', 'A3']);
    expect(node(m, 'A1').newTag).toBe(true);
    expect(node(m, 'B1')).toMatchObject({ pending: true, lines: [{ value: '…' }, { value: '…' }] });
  });

  it('shows gradients going backward: ∂B on the hidden nodes, arrows on the edges', () => {
    const back = model(lecture(steps(12)));
    expect(back.backward).toBe(true);
    expect(node(back, 'B1').lines[0].name).toBe('∂B₁');
    expect(back.edges.filter((e) => e.gradient).map((e) => e.label)).toEqual(expect.arrayContaining(['V₁', 'V₄']));
    expect(back.edges.find((e) => e.gradient)!.title).toMatch(/^∂L\/∂/);
  });

  it('marks the element pointed at, the spotlit one, and sums flags per node', () => {
    const s = { ...lecture(steps(3)), spotlight: { type: 'element', tensor: 'W', index: [2, 3] } } as Snapshot;
    const marked = model(s, { highlight: { tensor: 'B_act', index: [1] }, flagCounts: { 'B[1]': 2, 'B_act[1]': 1, 'W[0,0]': 4, 'L[0]': 1, 'y[0]': 1, 'stage:B': 3, 'nope[': 5 } });
    expect(marked.nodes.filter((n) => n.marked).map((n) => n.id)).toEqual(['B2']);
    const spotlit = marked.edges.filter((e) => e.spotlit);
    expect(spotlit.map((e) => e.label)).toEqual(['W₃₄']);
    // The spotlit edge is drawn last of its layer, over the edges that cross it.
    expect(marked.edges[11].label).toBe('W₃₄');
    expect(Object.fromEntries(marked.nodes.filter((n) => n.flags).map((n) => [n.id, n.flags]))).toEqual({ B2: 3, L: 2 });
  });

  it('points from a place to its element and back', () => {
    const s = lecture(steps(3));
    const b2 = { kind: 'node', column: 1, unit: 1 } as const;
    // At B_act, the line about unit 2 is B_act[2].
    expect(s.stage).toBe('B_act');
    expect(linkedElement(s, b2)).toEqual({ tensor: 'B_act', index: [1] });
    expect(spotlightAt(s, b2)).toEqual({ type: 'element', tensor: 'B_act', index: [1] });
    expect(spotlightAt(s, { kind: 'edge', layer: 2, from: 3, to: 0 })).toEqual({ type: 'element', tensor: 'V', index: [3, 0] });
    expect(spotlightAt(s, { kind: 'loss' })).toEqual({ type: 'element', tensor: 'L', index: [0] });
    expect(spotlightAt(s, { kind: 'node', column: 0, unit: 2 })).toEqual({ type: 'element', tensor: 'A', index: [2] });
    expect(pointName(b2)).toBe('node:1:1');
    expect(sameTarget(b2, { kind: 'node', column: 1, unit: 1 })).toBe(true);
    expect(sameTarget(b2, { kind: 'loss' })).toBe(false);
  });
});

describe('a 2-8-8-1 network', () => {
  const s = lecture([POINTS, DEEP, ...steps(2)]);
  const m = model(s);

  it('has 2 + 8 + 8 + 1 nodes and the loss, 16 + 64 + 8 edges, in columns left to right', () => {
    expect(m.nodes).toHaveLength(2 + 8 + 8 + 1 + 1);
    expect(m.nodes.filter((n) => n.id.startsWith('n'))).toHaveLength(19);
    expect(m.edges).toHaveLength(2 * 8 + 8 * 8 + 8);
    const xs = [0, 1, 2, 3].map((c) => node(m, `n${c}-1`).x);
    expect(xs).toEqual([...xs].sort((a, b) => a - b));
    const column = m.nodes.filter((n) => n.target.kind === 'node' && n.target.column === 1);
    expect(column.map((n) => n.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((j) => `n1-${j}`));
    for (let j = 1; j < column.length; j++) expect(column[j].y - column[j - 1].y).toBe(62 + 16);
    expect(node(m, 'L').x).toBe(node(m, 'n3-1').x);
    expect(m.edges[0]).toMatchObject({ x1: node(m, 'n0-1').x + node(m, 'n0-1').w, x2: node(m, 'n1-1').x });
    expect(m.style).toBe(`min-width: ${Math.round(m.geometry.width * 0.62)}px;`);
  });

  it('names as the tensor cards do: headings, lines, biases and weights', () => {
    expect(m.headings.map((h) => h.text)).toEqual(['A0 · inputs', 'A1 = tanh(Z1)', 'A2 = tanh(Z2)', expect.stringMatching(/^ŷ = A3 = /)]);
    expect(node(m, 'n1-3').lines.map((l) => l.name)).toEqual(['Z1[3]', 'A1[3]']);
    expect(node(m, 'n1-3').bias?.label).toBe('+b1[3]');
    expect(m.edges[0].label).toBe('W1[1,1]');
    expect(m.edges.find((e) => e.target.layer === 2 && e.target.from === 7 && e.target.to === 6)!.label).toBe('W2[8,7]');
    expect(m.legend.nodes).toMatch(/^nodes: unit j's pre-activation Z1\[j\]/);
  });

  it('shows the input stage hot and z of the first layer once computed', () => {
    expect(m.headings.filter((h) => h.hot).map((h) => h.text)).toEqual(['A1 = tanh(Z1)']);
    expect(node(m, 'n1-1').lines[0].value).not.toBe('…');
    expect(node(m, 'n2-1').pending).toBe(true);
  });

  it('on a projector: big one-number nodes, the row of what they show, the text sizes as styles', () => {
    const big = model(s, { projector: true });
    expect(big.nodes).toHaveLength(20);
    expect(node(big, 'n1-1').lines).toHaveLength(1);
    expect(big.shows.map((t) => t.column)).toEqual([0, 1, 2, 3]);
    expect(big.style).toContain('--diagram-text-size:26px');
  });

  it('flags a unit of any row and spotlights an edge', () => {
    const flagged = model({ ...s, spotlight: { type: 'element', tensor: 'W2', index: [0, 1] } } as Snapshot, { flagCounts: { 'A1[1]': 2, 'Z2[0]': 1, 'b1[1]': 7 } });
    expect(Object.fromEntries(flagged.nodes.filter((n) => n.flags).map((n) => [n.id, n.flags]))).toEqual({ 'n1-2': 2, 'n2-1': 1 });
    expect(flagged.edges.filter((e) => e.spotlit).map((e) => e.label)).toEqual(['W2[1,2]']);
  });
});
