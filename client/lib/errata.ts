/**
 * The teaching notebook's mistakes (docs/notebook-errata.md), where they happen: for the stage a
 * snapshot is at, what the notebook wrote and what is right, both with this moment's numbers.
 * The notebook's values are computed from the snapshot's tensors with the notebook's own (wrong)
 * formulas, so they follow the live network and not only the notebook's sample 0; the correct
 * values are the engine's own tensors. Shown only on the notebook's 3-4-1 network, and only
 * while the instructor has them on (`snapshot.errata`).
 */
import { isNotebookConfig } from '../../shared/engine/mlp/config.js';
import type { Snapshot } from '../../shared/protocol/snapshot.js';
import { fmt } from './format.js';

/** One line of an erratum: LaTeX to render, the same as plain text, and its result in full precision. */
export interface ErratumLine {
  readonly tex: string;
  readonly text: string;
  /** The numbers the line ends with (a scalar, a vector or a row), unrounded; empty for a formula alone. */
  readonly values: readonly number[];
}

export interface Erratum {
  /** The stage it belongs to: dL_dC_act, dL_dV, dL_dW or update. */
  readonly stage: string;
  /** Where in the notebook: its cells ("In[196]") or its markdown. */
  readonly source: string;
  /** The notebook's own code, as it wrote it; null when only its formulas are known. */
  readonly code: string | null;
  /** What the notebook wrote, with the value it gives at this moment. */
  readonly notebook: readonly ErratumLine[];
  /** The correct formula with this moment's value. */
  readonly correct: readonly ErratumLine[];
  /** Why the notebook's line is wrong: one sentence. */
  readonly why: string;
  /** Something more the notebook got wrong here (its stale printed values), or null. */
  readonly note: string | null;
}

/** The stages where the notebook went wrong, in pass order. */
export const ERRATA_STAGES: readonly string[] = ['dL_dC_act', 'dL_dV', 'dL_dW', 'update'];

/** The values the notebook printed for dl_dV in In[175], in a run with other weights (docs/notebook-errata.md). */
export const STALE_DL_DV_IN175: readonly number[] = [-0.05089695, -0.01993249, 0.3749755, 0.05379077];

/** Whether the notebook's mistakes can be shown on this snapshot's network (the control is offered). */
export function errataAvailable(s: Snapshot): boolean {
  return isNotebookConfig(s.network);
}

/** The erratum of the snapshot's stage, or null: errata off, another network, or a stage the notebook got right. */
export function stageErratum(s: Snapshot): Erratum | null {
  if (!s.errata || !errataAvailable(s)) return null;
  const t = new Moment(s);
  try {
    switch (s.stage) {
      case 'dL_dC_act':
        return lossGradient(t);
      case 'dL_dV':
        return outputWeightsGradient(t);
      case 'dL_dW':
        return hiddenWeightsGradient(t);
      case 'update':
        return update(t);
      default:
        return null;
    }
  } catch (e) {
    // A tensor the erratum needs is not in the snapshot (never after its stage ran): show nothing.
    if (e instanceof MissingTensor) return null;
    throw e;
  }
}

class MissingTensor extends Error {}

/** The snapshot's tensors by their notebook names, and the notebook's wrong values derived from them. */
class Moment {
  constructor(readonly s: Snapshot) {}

  get(name: string): readonly number[] {
    const t = Object.hasOwn(this.s.tensors, name) ? this.s.tensors[name] : undefined;
    if (!t) throw new MissingTensor(name);
    return t.data;
  }

  one(name: string): number {
    return this.get(name)[0];
  }

  get eta(): number {
    return this.s.learningRate;
  }

  /** The notebook's dl_dC_act: `dl_dC_act=C_act=y[0]` makes it y. */
  get notebookLossGradient(): number {
    return this.one('y');
  }

  /** The notebook's dl_dV: dl_dC_act·dC_act_dC·B, with B where B_act belongs (and its dl_dC_act = y). */
  get notebookOutputGradient(): number[] {
    const scale = this.notebookLossGradient * this.one('dC_act_dC');
    return this.get('B').map((b) => scale * b);
  }

  /** V as the backward pass saw it: after `update` the snapshot holds the new V, so add back η·∂L/∂V. */
  get usedV(): number[] {
    const V = this.get('V');
    if (this.s.stage !== 'update') return [...V];
    const g = this.get('dL_dV');
    return V.map((v, j) => v + this.eta * g[j]);
  }

  /**
   * The notebook's one number for the whole W gradient: the hidden dimension summed away,
   * dl_dC_act·dC_act_dC·Σ_j V_j·dB_act_dB_j (reproduces its printed 0.0782113 on sample 0).
   */
  get notebookCollapsedGradient(): number {
    const V = this.usedV;
    const slope = this.get('dB_act_dB');
    const sum = slope.reduce((acc, d, j) => acc + V[j] * d, 0);
    return this.notebookLossGradient * this.one('dC_act_dC') * sum;
  }

  /** The row of W to show: the first input that is on (rows of inputs that are 0 are zero in both). */
  get row(): number {
    const k = this.get('A').findIndex((a) => a !== 0);
    return k < 0 ? 0 : k;
  }

  /** Row i of a 3×4 matrix tensor (W, ∂L/∂W). */
  matrixRow(name: string, i: number): number[] {
    return this.get(name).slice(i * 4, i * 4 + 4);
  }
}

/** A number for LaTeX: 4 decimals, a plain minus (KaTeX sets it as a minus sign). */
const n = (x: number): string => fmt(x).replace('−', '-');
/** The target as the data has it: whole numbers as they are ("1"). */
const raw = (x: number): string => (Number.isInteger(x) ? String(x) : n(x));
const rawText = (x: number): string => (Number.isInteger(x) ? String(x) : fmt(x));
const vecTex = (xs: readonly number[]) => `(${xs.map(n).join(', ')})`;
const vecText = (xs: readonly number[]) => `(${xs.map((x) => fmt(x)).join(', ')})`;
const text = (s: string) => `\\text{${s}}`;
/** The notebook's variable names in typewriter type: they are its code. */
const code = (name: string) => `\\texttt{${name.replace(/_/g, '\\_')}}`;
/**
 * A formula and its value on two rows, the value indented a little under it (one row is too wide
 * for a phone or for the projector's numbers; aligning on "=" would waste the width of the
 * left-hand side). Derivatives are written flat (∂L/∂V): a note must stay short.
 */
const twoRows = (lhs: string, formula: string, value: string, relation = '=') =>
  `\\begin{aligned} &${lhs} ${relation} ${formula} \\\\ &\\quad = ${value} \\end{aligned}`;

const d = (num: string, den: string) => `\\partial ${num}/\\partial ${den}`;

function lossGradient(t: Moment): Erratum {
  const y = t.one('y');
  const correct = t.one('dL_dC_act');
  return {
    stage: 'dL_dC_act',
    source: 'In[196]',
    code: 'dl_dC_act=C_act=y[0]',
    notebook: [{ tex: `${code('dl_dC_act')} = y = ${raw(y)}`, text: `dl_dC_act = y = ${rawText(y)}`, values: [y] }],
    correct: [{ tex: `${d('L', 'C_{act}')} = C_{act} - y = ${n(correct)}`, text: `∂L/∂C_act = C_act − y = ${fmt(correct)}`, values: [correct] }],
    why: 'L = ½(y − C_act)², so its slope is C_act − y; the chained assignment gives both names the value y (and overwrites C_act).',
    note: null,
  };
}

function outputWeightsGradient(t: Moment): Erratum {
  const wrong = t.notebookOutputGradient;
  const right = [...t.get('dL_dV')];
  return {
    stage: 'dL_dV',
    source: 'In[198], In[175]',
    code: 'dc_dV=np.copy(B)',
    notebook: [
      {
        tex: twoRows(code('dl_dV'), `${code('dl_dC_act')}\\cdot ${code('dC_act_dC')}\\cdot B`, vecTex(wrong)),
        text: `dl_dV = dl_dC_act · dC_act_dC · B = ${vecText(wrong)}`,
        values: wrong,
      },
    ],
    correct: [
      {
        tex: twoRows(d('L', 'V'), `${d('L', 'C_{act}')}\\cdot ${d('C_{act}', 'C')}\\cdot B_{act}`, vecTex(right)),
        text: `∂L/∂V = ∂L/∂C_act · ∂C_act/∂C · B_act = ${vecText(right)}`,
        values: right,
      },
    ],
    why: 'C = B_act·V, so ∂C/∂V is B_act, the hidden layer after its sigmoid, not B (and the notebook’s dl_dC_act is still y).',
    note: `In[175] printed dl_dV = ${vecText(STALE_DL_DV_IN175)}: stale numbers from an earlier run with other weights (that cell ran before In[186]).`,
  };
}

function hiddenWeightsGradient(t: Moment): Erratum {
  const i = t.row;
  const r = i + 1;
  const s = t.notebookCollapsedGradient;
  const a = t.get('A')[i];
  const wrongRow = [s * a, s * a, s * a, s * a];
  const rightRow = t.matrixRow('dL_dW', i);
  return {
    stage: 'dL_dW',
    source: 'In[203], In[206]',
    code: null,
    notebook: [
      { tex: `${code('dl_dW')} = ${n(s)}\\cdot [A, A, A, A]`, text: `dl_dW = ${fmt(s)} · [A, A, A, A]`, values: [s] },
      { tex: `${text(`row ${r}`)} = ${vecTex(wrongRow)}`, text: `row ${r} = ${vecText(wrongRow)}`, values: wrongRow },
    ],
    correct: [
      {
        tex: twoRows(d('L', `W_{${r}j}`), `A_${r}\\cdot ${d('L', 'B_j')}`, vecTex(rightRow)),
        text: `∂L/∂W_${r}j = A_${r} · ∂L/∂B_j = ${vecText(rightRow)}`,
        values: rightRow,
      },
    ],
    why: `Each weight W[i,j] has its own gradient A[i]·∂L/∂B[j]; the notebook summed over the hidden units j into one number (${fmt(s)}), so all four columns get the same.`,
    note: null,
  };
}

function update(t: Moment): Erratum {
  const eta = t.eta;
  const wrongV = t.usedV.map((v, j) => v - t.notebookOutputGradient[j]);
  const V = [...t.get('V')];
  return {
    stage: 'update',
    source: 'the markdown of step 5, In[212]',
    code: null,
    notebook: [
      { tex: `${text('markdown:')}\\ V \\leftarrow V - ${d('L', 'W')}`, text: 'markdown: V ← V − ∂L/∂W', values: [] },
      { tex: twoRows(`${text('code:')}\\ V`, `V - ${code('dl_dV')}`, vecTex(wrongV)), text: `code: V = V − dl_dV = ${vecText(wrongV)}`, values: wrongV },
    ],
    correct: [{ tex: twoRows('V', `V - ${eta}\\cdot ${d('L', 'V')}`, vecTex(V), '\\leftarrow'), text: `V ← V − ${eta} · ∂L/∂V = ${vecText(V)}`, values: V }],
    why: 'V (4×1) moves against its own gradient ∂L/∂V, not W’s (3×4); the notebook’s code subtracts its wrong dl_dV.',
    note: 'Its printed V (In[212]) even used the stale dl_dV of In[175].',
  };
}
