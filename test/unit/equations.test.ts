import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import katex from 'katex';
import {
  createLecture,
  decide,
  evolve,
  parseCommand,
  toSnapshot,
  type Command,
  type LectureState,
  type Snapshot,
} from '../../shared/index.js';
import { stageEquations, type StageEquations } from '../../client/lib/equations.js';

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
    const got = [{ stage: 'idle', sample: 0, eq: stageEquations(toSnapshot(state)) }];
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
    got.forEach((g, k) => expect(g, `entry ${k}, stage ${g.stage}`).toEqual(expected[k]));
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
