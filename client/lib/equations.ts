/**
 * The equation panel's content: for the stage just computed, its formula in the notebook's
 * notation, then one line per element with this moment's numbers substituted.
 * Indices are 1-based, as in the notebook's maths (the engine is 0-based).
 */
import { NOTEBOOK_SAMPLES, TENSOR_SHAPES, type Stage, type Snapshot } from '../../shared/index.js';
import { fmt } from './format.js';

export interface StageEquations {
  readonly title: string;
  /** The general formula (LaTeX). */
  readonly formula: string;
  /** One LaTeX block per element, substituted. */
  readonly lines: readonly string[];
}

/** A number for LaTeX: 4 decimals, proper minus. */
const n = (x: number): string => fmt(x).replace('−', '-');
/** A number as a factor: negatives in parentheses so "a·(−b)" reads right. */
const p = (x: number): string => (x < 0 && n(x) !== '0.0000' ? `(${n(x)})` : n(x));

const d = (num: string, den: string) => `\\frac{\\partial ${num}}{\\partial ${den}}`;
const Bact = (j?: number | string) => (j === undefined ? 'B_{act}' : `B_{act,${j}}`);
const Cact = 'C_{act}';
const dot = '\\cdot ';

export function stageEquations(s: Snapshot): StageEquations {
  return build(s.stage, s);
}

function data(s: Snapshot, name: keyof typeof TENSOR_SHAPES): readonly number[] {
  return s.tensors[name]?.data ?? [];
}

function build(stage: Stage, s: Snapshot): StageEquations {
  const A = data(s, 'A');
  const W = data(s, 'W');
  const V = data(s, 'V');
  const B = data(s, 'B');
  const BA = data(s, 'B_act');
  const y = data(s, 'y')[0];
  const C = data(s, 'C')[0];
  const CA = data(s, 'C_act')[0];
  const hidden = TENSOR_SHAPES.W[1];
  const inputs = TENSOR_SHAPES.W[0];
  const js = Array.from({ length: hidden }, (_, j) => j);
  const is = Array.from({ length: inputs }, (_, i) => i);
  const delta = `${d('L', Cact)}${d(Cact, 'C')}`;
  const deltaNums = () => `${p(data(s, 'dL_dC_act')[0])}${dot}${p(data(s, 'dC_act_dC')[0])}`;

  switch (stage) {
    case 'idle': {
      const sample = NOTEBOOK_SAMPLES[s.sampleIndex];
      return {
        title: 'Ready: no stage of this pass computed yet',
        formula: `L = \\tfrac12\\bigl(y - \\sigma(\\sigma(A\\,W)\\,V)\\bigr)^2`,
        lines: [`\\text{sample } ${s.sampleIndex}:\\; A = (${sample.x.join(', ')}),\\; y = ${sample.y}`, `\\eta = ${s.learningRate}`],
      };
    }
    case 'input':
      return {
        title: 'Input: load sample into A',
        formula: `A = (X_1, X_2, X_3)_{${s.sampleIndex}},\\quad y = y_{${s.sampleIndex}}`,
        lines: [`A = (${A.map(n).join(',\\ ')})`, `y = ${y}`],
      };
    case 'B':
      return {
        title: 'Hidden layer: B = A·W',
        formula: `B = A\\,W,\\qquad B_j = \\sum_i A_i W_{ij}`,
        lines: js.map((j) => {
          const sym = is.map((i) => `A_${i + 1}W_{${i + 1}${j + 1}}`).join(' + ');
          const num = is.map((i) => `${p(A[i])}${dot}${p(W[i * hidden + j])}`).join(' + ');
          return aligned(`B_${j + 1}`, [sym, num, n(B[j])]);
        }),
      };
    case 'B_act':
      return {
        title: 'Hidden activation: B_act = σ(B)',
        formula: `${Bact()} = \\sigma(B) = \\frac{1}{1 + e^{-B}}`,
        lines: js.map((j) => `${Bact(j + 1)} = \\sigma(B_${j + 1}) = \\frac{1}{1 + e^{${n(-B[j])}}} = ${n(BA[j])}`),
      };
    case 'C': {
      const sym = js.map((j) => `${Bact(j + 1)}V_${j + 1}`);
      const num = js.map((j) => `${p(BA[j])}${dot}${p(V[j])}`);
      return {
        title: 'Output: C = B_act·V',
        formula: `C = ${Bact()}\\,V = \\sum_j ${Bact('j')} V_j`,
        // Two terms a row: four products do not fit a phone.
        lines: [aligned('C', [`${sym[0]} + ${sym[1]}`, `{}+ ${sym[2]} + ${sym[3]}`, `${num[0]} + ${num[1]}`, `{}+ ${num[2]} + ${num[3]}`, n(C)], [1, 3])],
      };
    }
    case 'C_act':
      return {
        title: 'Output activation: C_act = σ(C)',
        formula: `${Cact} = \\sigma(C) = \\frac{1}{1 + e^{-C}}`,
        lines: [`${Cact} = \\frac{1}{1 + e^{${n(-C)}}} = ${n(CA)}`],
      };
    case 'L':
      return {
        title: 'Loss',
        formula: `L = \\tfrac12 (y - ${Cact})^2`,
        lines: [`L = \\tfrac12 (${y} - ${n(CA)})^2 = ${n(data(s, 'L')[0])}`],
      };
    case 'dL_dC_act':
      return {
        title: 'Backward: ∂L/∂C_act',
        formula: `${d('L', Cact)} = ${Cact} - y`,
        lines: [`${d('L', Cact)} = ${n(CA)} - ${y} = ${n(data(s, 'dL_dC_act')[0])}`],
      };
    case 'dC_act_dC':
      return {
        title: 'Backward: ∂C_act/∂C, the sigmoid’s slope',
        formula: `${d(Cact, 'C')} = ${Cact}\\,(1 - ${Cact})`,
        lines: [`${d(Cact, 'C')} = ${n(CA)}\\,(1 - ${n(CA)}) = ${n(data(s, 'dC_act_dC')[0])}`],
      };
    case 'dL_dV': {
      const g = data(s, 'dL_dV');
      return {
        title: 'Backward: ∂L/∂V',
        formula: `${d('L', 'V_j')} = ${delta}\\,${Bact('j')}`,
        lines: js.map((j) => `${d('L', `V_${j + 1}`)} = ${deltaNums()}${dot}${p(BA[j])} = ${n(g[j])}`),
      };
    }
    case 'dL_dB_act': {
      const g = data(s, 'dL_dB_act');
      return {
        title: 'Backward: ∂L/∂B_act',
        formula: `${d('L', Bact('j'))} = ${delta}\\,V_j`,
        lines: js.map((j) => `${d('L', Bact(j + 1))} = ${deltaNums()}${dot}${p(V[j])} = ${n(g[j])}`),
      };
    }
    case 'dB_act_dB': {
      const g = data(s, 'dB_act_dB');
      return {
        title: 'Backward: ∂B_act/∂B, the sigmoid’s slope',
        formula: `${d(Bact('j'), 'B_j')} = ${Bact('j')}\\,(1 - ${Bact('j')})`,
        lines: js.map((j) => `${d(Bact(j + 1), `B_${j + 1}`)} = ${n(BA[j])}\\,(1 - ${n(BA[j])}) = ${n(g[j])}`),
      };
    }
    case 'dL_dB': {
      const a = data(s, 'dL_dB_act');
      const b = data(s, 'dB_act_dB');
      const g = data(s, 'dL_dB');
      return {
        title: 'Backward: ∂L/∂B',
        formula: `${d('L', 'B')} = ${d('L', Bact())} \\odot ${d(Bact(), 'B')}`,
        lines: js.map((j) => `${d('L', `B_${j + 1}`)} = ${p(a[j])}${dot}${p(b[j])} = ${n(g[j])}`),
      };
    }
    case 'dL_dW': {
      const dB = data(s, 'dL_dB');
      const g = data(s, 'dL_dW');
      return {
        title: 'Backward: ∂L/∂W',
        formula: `${d('L', 'W_{ij}')} = A_i\\,${d('L', 'B_j')}`,
        lines: is.flatMap((i) =>
          js.map((j) => `${d('L', `W_{${i + 1}${j + 1}}`)} = ${p(A[i])}${dot}${p(dB[j])} = ${n(g[i * hidden + j])}`),
        ),
      };
    }
    case 'update': {
      const eta = s.learningRate;
      const gW = data(s, 'dL_dW');
      const gV = data(s, 'dL_dV');
      // The snapshot holds the updated weights; the old ones are new + η·gradient.
      const wLines = is.flatMap((i) =>
        js.map((j) => {
          const k = i * hidden + j;
          return `W_{${i + 1}${j + 1}} \\leftarrow ${n(W[k] + eta * gW[k])} - ${eta}${dot}${p(gW[k])} = ${n(W[k])}`;
        }),
      );
      const vLines = js.map((j) => `V_${j + 1} \\leftarrow ${n(V[j] + eta * gV[j])} - ${eta}${dot}${p(gV[j])} = ${n(V[j])}`);
      return {
        title: 'Update: gradient descent step',
        formula: `W \\leftarrow W - \\eta\\,${d('L', 'W')},\\qquad V \\leftarrow V - \\eta\\,${d('L', 'V')}`,
        lines: [...wLines, ...vLines],
      };
    }
    default: {
      const unknown: never = stage;
      throw new Error(`no equations for ${String(unknown)}`);
    }
  }
}

/** `lhs = row₀ = row₁ …` on aligned rows; `continued` rows start with "+" rather than "=". */
function aligned(lhs: string, rows: readonly string[], continued: readonly number[] = []): string {
  const body = rows.map((r, k) => (k === 0 ? `${lhs} &= ${r}` : continued.includes(k) ? `&\\phantom{=}\\ ${r}` : `&= ${r}`)).join(' \\\\ ');
  return `\\begin{aligned} ${body} \\end{aligned}`;
}
