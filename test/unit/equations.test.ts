import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import katex from 'katex';
import { createLecture, decide, evolve, type LectureState } from '../../shared/lecture/decider.js';
import { toSnapshot } from '../../shared/lecture/views.js';
import { parseCommand } from '../../shared/protocol/commands.js';
import type { Snapshot } from '../../shared/protocol/snapshot.js';
import { stageEquations, type StageEquations } from '../../client/lib/equations.js';
import { diagramTarget } from '../../client/lib/diagram-layout.js';
import { isPerRow } from '../../client/lib/names.js';
import { mlpLayout } from '../../shared/engine/mlp/layout.js';

const ctx = { now: 1_700_000_000_000, newSeed: () => 4242 };

function lecture(): LectureState {
  return createLecture({ lectureId: 'ABCDEF', title: 'T', preset: 'notebook', seed: 7, learningRate: 1 });
}

/** Applies a command as the server does: parsed first (setNetwork's transform fills in the config). */
function run(state: LectureState, input: unknown): LectureState {
  const parsed = parseCommand(input);
  if (!parsed.ok) throw new Error(parsed.error);
  const d = decide(state, parsed.value, ctx);
  if (!d.ok) throw new Error(d.error);
  return evolve(state, d.event);
}

/** Every stage of a walk of passes, as snapshots. */
function walk(state: LectureState, steps: number): Snapshot[] {
  const out = [toSnapshot(state)];
  for (let k = 0; k < steps; k++) {
    state = run(state, { type: 'step' });
    out.push(toSnapshot(state));
  }
  return out;
}

/** KaTeX must accept every formula and line (throwOnError: true, unlike the panel). */
function expectRenders(eq: StageEquations): void {
  for (const source of [eq.formula, ...eq.lines]) {
    expect(() => katex.renderToString(source, { displayMode: true, throwOnError: true, strict: 'error' }), source).not.toThrow();
  }
}

describe('equations of the notebook network', () => {
  it('are exactly the notebook notation the panel always showed (fixture), at every stage of four passes', () => {
    // The fixture was recorded from the notebook-only equation builder before it was generalised.
    const expected = JSON.parse(readFileSync(new URL('./fixtures/notebook-equations.json', import.meta.url), 'utf8')) as {
      stage: string;
      sample: number;
      eq: StageEquations;
    }[];
    let state = lecture();
    const got: { stage: string; sample: number; eq: StageEquations }[] = [{ stage: 'idle', sample: 0, eq: stageEquations(toSnapshot(state)) }];
    const push = () => {
      const s = toSnapshot(state);
      got.push({ stage: s.stage, sample: s.sampleIndex, eq: stageEquations(s) });
    };
    for (let k = 0; k < 3 * 14; k++) {
      state = run(state, { type: 'step' });
      push();
    }
    state = run(state, { type: 'setLearningRate', value: 0.5 });
    state = run(state, { type: 'selectSample', index: 5 });
    push();
    for (let k = 0; k < 14; k++) {
      state = run(state, { type: 'step' });
      push();
    }
    expect(got.length).toBe(expected.length);
    // The fixture pins the text; which element each line is about is checked below.
    const text = ({ title, formula, lines }: StageEquations) => ({ title, formula, lines });
    got.forEach((g, k) => expect({ ...g, eq: text(g.eq) }, `entry ${k}, stage ${g.stage}`).toEqual(expected[k]));
  });
});

const NETWORKS: { name: string; network: Record<string, unknown>; dataset: unknown }[] = [
  {
    name: '2-8-8-1 tanh with biases on the spiral',
    network: { hidden: [{ units: 8, activation: 'tanh' }, { units: 8, activation: 'tanh' }], biases: true },
    dataset: { type: 'setDataset', dataset: { kind: 'points', set: 'spiral', count: 100, noise: 0, trainFraction: 0.5, seed: 1 } },
  },
  {
    name: 'relu and linear output, batches of 4',
    network: { hidden: [{ units: 3, activation: 'relu' }], output: { activation: 'linear' }, biases: true, batch: 4 },
    dataset: { type: 'setDataset', dataset: { kind: 'truthTable', table: 'xor' } },
  },
  {
    name: 'cross-entropy, full batch, 16-wide layers',
    network: {
      hidden: [
        { units: 16, activation: 'relu' },
        { units: 16, activation: 'sigmoid' },
        { units: 16, activation: 'tanh' },
        { units: 16, activation: 'linear' },
      ],
      loss: 'crossEntropy',
      biases: true,
      batch: 'full',
    },
    dataset: { type: 'setDataset', dataset: { kind: 'points', set: 'circle', count: 40, noise: 0.1, trainFraction: 0.5, seed: 3 } },
  },
];

describe('equations of other networks', () => {
  for (const { name, network, dataset } of NETWORKS) {
    it(`render with KaTeX at every stage, with the right numbers: ${name}`, () => {
      let state = run(lecture(), dataset);
      state = run(state, { type: 'setNetwork', network, preset: 'random', seed: 5 });
      const count = (state.network.config.hidden.length + 1) * 6 + 4;
      for (const s of walk(state, count)) {
        const eq = stageEquations(s);
        expectRenders(eq);
        expect(eq.lines.length).toBeLessThanOrEqual(20);
        if (s.stage !== 'idle') expect(eq.title).not.toBe('Ready: no stage of this pass computed yet');
      }
    });
  }

  it('write Z1 = A0·W1 + b1 with its sums for a 2-8-8-1 tanh network', () => {
    let state = run(lecture(), NETWORKS[0].dataset);
    state = run(state, { type: 'setNetwork', network: NETWORKS[0].network, preset: 'random', seed: 5 });
    state = run(run(state, { type: 'step' }), { type: 'step' });
    const s = toSnapshot(state);
    expect(s.stage).toBe('Z1');
    const eq = stageEquations(s);
    expect(eq.title).toBe('Hidden layer 1: Z1 = A0·W1 + b1');
    expect(eq.formula).toBe('Z^{[1]} = A^{[0]}\\,W^{[1]} + b^{[1]},\\qquad Z^{[1]}_j = \\sum_i A^{[0]}_i W^{[1]}_{ij} + b^{[1]}_j');
    expect(eq.lines).toHaveLength(8);
    const [x1, x2] = s.tensors.A0.data;
    const w = s.tensors.W1.data;
    const b = s.tensors.b1.data;
    expect(eq.lines[0]).toContain('Z^{[1]}_1 &= A^{[0]}_1W^{[1]}_{11} + A^{[0]}_2W^{[1]}_{21} + b^{[1]}_1');
    expect(eq.lines[0]).toContain(`&= ${(x1 * w[0] + x2 * w[8] + b[0]).toFixed(4).replace('-0.0000', '0.0000')} \\end{aligned}`);
  });

  it('spell out tanh, relu and sigmoid slopes and the fused cross-entropy gradient', () => {
    let state = run(lecture(), NETWORKS[2].dataset);
    state = run(state, { type: 'setNetwork', network: NETWORKS[2].network, preset: 'random', seed: 5 });
    const byStage = new Map(walk(state, 40).map((s) => [s.stage, stageEquations(s)]));
    expect(byStage.get('dL_dZ5')!.title).toBe('Backward: ∂L/∂Z5, cross-entropy through the sigmoid');
    expect(byStage.get('dA3_dZ3')!.formula).toBe('\\frac{\\partial A^{[3]}_{rp}}{\\partial Z^{[3]}_{rp}} = 1 - {A^{[3]}_{rp}}^2');
    expect(byStage.get('dA1_dZ1')!.formula).toContain('\\begin{cases} 1 & Z^{[1]}_{rj} > 0');
    expect(byStage.get('dL_dW1')!.formula).toContain('\\frac{1}{m}\\sum_r');
    expect(byStage.get('L')!.lines.at(-1)).toContain('the mean over the batch');
  });
});

/** Lines and elements go together; each element is a real element of a tensor in the snapshot. */
function expectElementsValid(s: Snapshot): StageEquations {
  const eq = stageEquations(s);
  expect(eq.elements, `stage ${s.stage}`).toHaveLength(eq.lines.length);
  for (const e of eq.elements) {
    if (!e) continue;
    const t = s.tensors[e.tensor];
    expect(t, `stage ${s.stage}: ${e.tensor}`).toBeDefined();
    expect(e.index, `stage ${s.stage}: ${e.tensor}[${e.index.join(',')}]`).toHaveLength(t!.shape.length);
    e.index.forEach((k, axis) => {
      expect(Number.isInteger(k) && k >= 0 && k < t!.shape[axis], `stage ${s.stage}: ${e.tensor}[${e.index.join(',')}] in ${t!.shape.join('×')}`).toBe(true);
    });
  }
  return eq;
}

describe('the element each equation line is about', () => {
  it('is given for every line of every stage of the notebook network, and names a real element', () => {
    const snapshots = walk(lecture(), 2 * 14);
    const byStage = new Map(snapshots.map((s) => [s.stage, expectElementsValid(s)]));
    expect(byStage.get('B_act')!.elements).toEqual([0, 1, 2, 3].map((j) => ({ tensor: 'B_act', index: [j] })));
    expect(byStage.get('B')!.elements).toEqual([0, 1, 2, 3].map((j) => ({ tensor: 'B', index: [j] })));
    expect(byStage.get('dL_dW')!.elements.slice(0, 5)).toEqual([[0, 0], [0, 1], [0, 2], [0, 3], [1, 0]].map((index) => ({ tensor: 'dL_dW', index })));
    expect(byStage.get('dL_dV')!.elements).toEqual([0, 1, 2, 3].map((i) => ({ tensor: 'dL_dV', index: [i, 0] })));
    expect(byStage.get('L')!.elements).toEqual([{ tensor: 'L', index: [0] }]);
    // Notes and lines about a whole tensor point at nothing.
    expect(byStage.get('idle')!.elements.every((e) => e === null)).toBe(true);
    expect(byStage.get('input')!.elements.every((e) => e === null)).toBe(true);
    // The update: every W and V element, in the order of the lines.
    const update = byStage.get('update')!;
    expect(update.elements.filter((e) => e?.tensor === 'W')).toHaveLength(12);
    expect(update.elements.filter((e) => e?.tensor === 'V')).toHaveLength(4);
  });

  it('is a node or an edge of the notebook diagram', () => {
    const layout = mlpLayout(toSnapshot(lecture()).network);
    expect(diagramTarget(layout, { tensor: 'B_act', index: [1] })).toEqual({ kind: 'node', column: 1, unit: 1 });
    expect(diagramTarget(layout, { tensor: 'dL_dB', index: [3] })).toEqual({ kind: 'node', column: 1, unit: 3 });
    expect(diagramTarget(layout, { tensor: 'C_act', index: [0] })).toEqual({ kind: 'node', column: 2, unit: 0 });
    expect(diagramTarget(layout, { tensor: 'A', index: [2] })).toEqual({ kind: 'node', column: 0, unit: 2 });
    expect(diagramTarget(layout, { tensor: 'L', index: [0] })).toEqual({ kind: 'loss' });
    expect(diagramTarget(layout, { tensor: 'dL_dW', index: [2, 1] })).toEqual({ kind: 'edge', layer: 1, from: 2, to: 1 });
    expect(diagramTarget(layout, { tensor: 'V', index: [3, 0] })).toEqual({ kind: 'edge', layer: 2, from: 3, to: 0 });
    expect(diagramTarget(layout, { tensor: 'B_act', index: [4] })).toBeNull();
    expect(diagramTarget(layout, { tensor: 'W', index: [3, 0] })).toBeNull();
    expect(diagramTarget(layout, { tensor: 'nope', index: [0] })).toBeNull();
  });

  for (const k of [0, 1, 2]) {
    it(`is given for every line and names a real element, drawn in the diagram when in row 0: ${NETWORKS[k].name}`, () => {
      let state = run(lecture(), NETWORKS[k].dataset);
      state = run(state, { type: 'setNetwork', network: NETWORKS[k].network, preset: 'random', seed: 5 });
      const count = (state.network.config.hidden.length + 1) * 6 + 4;
      const layout = mlpLayout(state.network.config);
      let linked = 0;
      for (const s of walk(state, count)) {
        for (const e of expectElementsValid(s).elements) {
          if (!e) continue;
          linked++;
          // The diagram shows the first row of a batch: a later row's element is not drawn; every other one is.
          const drawn = !(layout.batched && isPerRow(layout, e.tensor) && e.index[0] !== 0);
          expect(diagramTarget(layout, e) !== null, `${s.stage}: ${e.tensor}[${e.index.join(',')}]`).toBe(drawn);
        }
      }
      expect(linked).toBeGreaterThan(20);
    });
  }

  it('marks the edges of the 2-8-8-1 network for dL_dW2 and the nodes for Z1', () => {
    let state = run(lecture(), NETWORKS[0].dataset);
    state = run(state, { type: 'setNetwork', network: NETWORKS[0].network, preset: 'random', seed: 5 });
    const layout = mlpLayout(state.network.config);
    const byStage = new Map(walk(state, 20).map((s) => [s.stage, stageEquations(s)]));
    const z1 = byStage.get('Z1')!;
    expect(z1.elements.slice(0, 8)).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((j) => ({ tensor: 'Z1', index: [j] })));
    expect(diagramTarget(layout, z1.elements[2]!)).toEqual({ kind: 'node', column: 1, unit: 2 });
    const g2 = byStage.get('dL_dW2')!;
    // 64 elements: the first 16 lines, then "… and 48 more".
    expect(g2.elements).toHaveLength(17);
    expect(g2.elements[16]).toBeNull();
    expect(diagramTarget(layout, g2.elements[9]!)).toEqual({ kind: 'edge', layer: 2, from: 1, to: 1 });
    expect(diagramTarget(layout, { tensor: 'db2', index: [0] })).toBeNull();
    expect(diagramTarget(layout, { tensor: 'dL_db2', index: [7] })).toEqual({ kind: 'node', column: 2, unit: 7 });
  });
});
