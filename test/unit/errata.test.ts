import { describe, expect, it } from 'vitest';
import katex from 'katex';
import { createLecture, decide, evolve, type LectureState } from '../../shared/lecture/decider.js';
import { toSnapshot } from '../../shared/lecture/views.js';
import { parseCommand } from '../../shared/protocol/commands.js';
import type { Snapshot } from '../../shared/protocol/snapshot.js';
import { ERRATA_STAGES, errataAvailable, stageErratum, type Erratum } from '../../client/lib/errata.js';

const ctx = { now: 1_700_000_000_000, newSeed: () => 4242 };

/**
 * The numbers of docs/notebook-errata.md, from the teaching notebook's printed cells (In[196],
 * In[198], In[203], In[207], In[212]) and the weights recovered from them, for sample 0 with the
 * notebook preset.
 */
const DOC = {
  B: [1.39501653, 0.72739444, 1.52188177, -0.27303581],
  C_act: 0.79673635,
  /** In[196]: correct dL/dC_act = C_act − y. */
  dL_dC_act: -0.20326365,
  /** In[198]: correct dL/dV, with B_act. */
  dL_dV: [-0.02638026, -0.02219444, -0.02701964, -0.01422593],
  /** In[203]: the notebook's one-number W gradient. */
  collapsed: 0.0782113,
  /** Correct dL/dW, row 0 (rows 1 and 2 are zero). */
  dL_dW_row0: [0.00082853, -0.01499173, -0.00001684, -0.00171747],
  /** In[207]: the notebook's W row 0 after its update. */
  W_row0_notebook: [1.3168052, 0.64918314, 1.44367047, -0.3512471],
  /** Correct V after the update (η = 1). */
  V: [-0.13175553, 2.09567929, 0.03049691, 0.22683616],
  /** The notebook preset's initial V. */
  V_initial: [-0.15813579, 2.07348485, 0.00347727, 0.21261023],
};

function run(state: LectureState, input: unknown): LectureState {
  const parsed = parseCommand(input);
  if (!parsed.ok) throw new Error(parsed.error);
  const d = decide(state, parsed.value, ctx);
  if (!d.ok) throw new Error(d.error);
  return evolve(state, d.event);
}

function notebookLecture(errata = true): LectureState {
  const state = createLecture({ lectureId: 'ABCDEF', title: 'Errata', preset: 'notebook', seed: 7, learningRate: 1 });
  return errata ? run(state, { type: 'setErrata', on: true }) : state;
}

/** Steps until the lecture is at `stage`, returning the snapshot there. */
function stepTo(state: LectureState, stage: string): Snapshot {
  for (let k = 0; k < 40; k++) {
    state = run(state, { type: 'step' });
    if (toSnapshot(state).stage === stage) return toSnapshot(state);
  }
  throw new Error(`never reached ${stage}`);
}

/** Every number written in a line of text, "−" read as a minus. */
const numbers = (text: string) => [...text.replaceAll('−', '-').matchAll(/-?\d+\.\d+/g)].map((m) => Number(m[0]));

function expectRenders(e: Erratum): void {
  for (const line of [...e.notebook, ...e.correct]) {
    expect(() => katex.renderToString(line.tex, { displayMode: true, throwOnError: true, strict: 'error' }), line.tex).not.toThrow();
  }
}

/** The notebook preset's W, row 0 (NOTEBOOK_WEIGHTS in shared/engine/mlp/init.ts, recovered in docs/notebook-errata.md). */
const W_INITIAL_ROW0 = [1.39501653, 0.72739444, 1.52188177, -0.27303581];

const close = (got: readonly number[], want: readonly number[], digits = 4) => {
  expect(got.length).toBe(want.length);
  got.forEach((g, k) => expect(g, `entry ${k}`).toBeCloseTo(want[k], digits));
};

describe("the notebook's mistakes at sample 0 with the notebook preset (docs/notebook-errata.md)", () => {
  it('∂L/∂C_act: the notebook wrote dl_dC_act = y = 1; correct C_act − y = −0.2033', () => {
    const e = stageErratum(stepTo(notebookLecture(), 'dL_dC_act'))!;
    expect(e.source).toBe('In[196]');
    expect(e.code).toBe('dl_dC_act=C_act=y[0]');
    expect(e.notebook.map((l) => l.text)).toEqual(['dl_dC_act = y = 1']);
    expect(e.correct.map((l) => l.text)).toEqual(['∂L/∂C_act = C_act − y = −0.2033']);
    expect(e.notebook[0].values).toEqual([1]);
    expect(e.correct[0].values[0]).toBeCloseTo(DOC.dL_dC_act, 8);
    expectRenders(e);
  });

  it('∂L/∂V: the notebook multiplies by B (with its dl_dC_act = y); correct uses B_act; its printed In[175] values are called stale', () => {
    const e = stageErratum(stepTo(notebookLecture(), 'dL_dV'))!;
    const slope = DOC.C_act * (1 - DOC.C_act);
    // The notebook's own formula on this moment: y · dC_act/dC · B with y = 1.
    close(e.notebook[0].values, DOC.B.map((b) => slope * b), 7);
    close(e.correct[0].values, DOC.dL_dV, 8);
    // What people read: the same numbers to 4 decimals.
    close(numbers(e.notebook[0].text).slice(-4), e.notebook[0].values);
    close(numbers(e.correct[0].text).slice(-4), DOC.dL_dV);
    expect(e.notebook[0].text).toContain('dC_act_dC · B =');
    expect(e.correct[0].text).toContain('B_act');
    expect(e.note).toContain('(−0.0509, −0.0199, 0.3750, 0.0538)');
    expect(e.note).toContain('In[175]');
    expectRenders(e);
  });

  it('∂L/∂W: the notebook gives row 1 one number, 0.0782 in every column; correct row 1 is the outer product', () => {
    const e = stageErratum(stepTo(notebookLecture(), 'dL_dW'))!;
    // The notebook's formula, summed over the hidden units, reproduces its printed number.
    expect(e.notebook[0].values[0]).toBeCloseTo(DOC.collapsed, 7);
    expect(e.notebook[0].text).toBe('dl_dW = 0.0782 · [A, A, A, A]');
    close(e.notebook[1].values, [DOC.collapsed, DOC.collapsed, DOC.collapsed, DOC.collapsed], 7);
    expect(e.notebook[1].text).toBe('row 1 = (0.0782, 0.0782, 0.0782, 0.0782)');
    close(e.correct[0].values, DOC.dL_dW_row0, 8);
    close(numbers(e.correct[0].text).slice(-4), DOC.dL_dW_row0);
    // Its W update (In[207]) is the preset's row 0 minus that one number in every column.
    close(W_INITIAL_ROW0.map((w) => w - e.notebook[0].values[0]), DOC.W_row0_notebook, 7);
    expectRenders(e);
  });

  it('the update: the notebook’s markdown subtracts ∂L/∂W from V, its code its wrong dl_dV; the correct V is the engine’s', () => {
    const e = stageErratum(stepTo(notebookLecture(), 'update'))!;
    const [markdown, V] = e.notebook.map((l) => l.text);
    expect(markdown).toBe('markdown: V ← V − ∂L/∂W');
    // The notebook's code, V − dl_dV, with its dl_dV of this moment (B for B_act, y for dl_dC_act).
    const slope = DOC.C_act * (1 - DOC.C_act);
    close(e.notebook[1].values, DOC.V_initial.map((v, j) => v - slope * DOC.B[j]), 7);
    close(numbers(V), e.notebook[1].values);
    close(e.correct[0].values, DOC.V, 8);
    close(numbers(e.correct[0].text).slice(-4), DOC.V);
    expect(e.note).toContain('In[212]');
    expectRenders(e);
  });
});

describe('the errata follow the live network', () => {
  it('on sample 2 (A = (1, 1, 0)) after an update, the notebook’s numbers are recomputed from that moment’s tensors', () => {
    let state = notebookLecture();
    // One whole pass on sample 0 moves the weights away from the preset.
    for (const type of ['forward', 'backward', 'update']) state = run(state, { type });
    state = run(state, { type: 'selectSample', index: 2 });
    const s = stepTo(state, 'dL_dC_act');
    const y = s.tensors.y.data[0];
    expect(stageErratum(s)!.notebook[0].text).toBe(`dl_dC_act = y = ${y}`);
    const atV = stepTo(state, 'dL_dV');
    const slope = atV.tensors.dC_act_dC.data[0];
    close(stageErratum(atV)!.notebook[0].values, atV.tensors.B.data.map((b) => y * slope * b), 12);
    close(stageErratum(atV)!.correct[0].values, atV.tensors.dL_dV.data, 12);
    // Rows 1 and 2 of A are on: the W gradient's row 1 is shown, with A_1's own numbers.
    const atW = stepTo(state, 'dL_dW');
    close(stageErratum(atW)!.correct[0].values, atW.tensors.dL_dW.data.slice(0, 4), 12);
  });

  it('at the update with η = 0.5, the V and W the backward pass used are recovered (new + η·gradient); the notebook’s code has no η', () => {
    let state = notebookLecture();
    state = run(state, { type: 'setLearningRate', value: 0.5 });
    const s = stepTo(state, 'update');
    const e = stageErratum(s)!;
    const t = (name: string) => s.tensors[name].data;
    const V0 = t('V').map((v, j) => v + 0.5 * t('dL_dV')[j]);
    close(V0, DOC.V_initial, 8);
    const slope = t('dC_act_dC')[0];
    close(e.notebook[1].values, V0.map((v, j) => v - 1 * slope * t('B')[j]), 12);
    close(e.correct[0].values, t('V'), 12);
    expect(e.correct[0].text).toMatch(/^V ← V − 0\.5 · ∂L\/∂V = /);
  });
});

describe('no erratum', () => {
  it('with the errata off', () => {
    const state = notebookLecture(false);
    for (const stage of ERRATA_STAGES) expect(stageErratum(stepTo(state, stage)), stage).toBeNull();
  });

  it('at the stages the notebook got right (the forward pass, the slopes, the hidden gradients, idle)', () => {
    const state = notebookLecture();
    expect(stageErratum(toSnapshot(state))).toBeNull();
    for (const stage of ['input', 'B', 'B_act', 'C', 'C_act', 'L', 'dC_act_dC', 'dL_dB_act', 'dB_act_dB', 'dL_dB']) {
      expect(stageErratum(stepTo(state, stage)), stage).toBeNull();
    }
    for (const stage of ERRATA_STAGES) expect(stageErratum(stepTo(state, stage)), stage).not.toBeNull();
  });

  it("off the notebook's network, even with the setting left on (a changed network keeps it, and shows nothing)", () => {
    let state = notebookLecture();
    state = run(state, { type: 'setNetwork', network: { hidden: [{ units: 4, activation: 'tanh' }], output: { units: 1, activation: 'sigmoid' } } });
    const s = toSnapshot(state);
    expect(s.errata).toBe(true);
    expect(errataAvailable(s)).toBe(false);
    // The same stage names do not exist on the indexed network; its dL_dA2 stage gets nothing either.
    for (let k = 0; k < 14; k++) {
      state = run(state, { type: 'step' });
      expect(stageErratum(toSnapshot(state)), toSnapshot(state).stage).toBeNull();
    }
  });
});
