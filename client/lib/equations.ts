/**
 * The equation panel's content for any network: for the stage just computed, its formula (from
 * the stage's `formula` in mlpLayout), then one line per element with this moment's numbers
 * substituted, or the first ones and a note when the tensor is big. The notebook's network keeps
 * the notebook's notation exactly (test/unit/equations.test.ts compares every stage).
 * Indices are 1-based, as in the notebook's maths (the engine is 0-based). Each layer has its own
 * index letter (i for the inputs, j for the first layer, …: the notebook's A_i, W_ij, B_j, V_j);
 * in a batch, r is the row and m the number of rows.
 */
import type { Activation } from '../../shared/engine/mlp/config.js';
import { mlpLayout, type MlpLayout, type MlpStageSpec } from '../../shared/engine/mlp/layout.js';
import { packedData } from '../../shared/lecture/setup.js';
import type { Snapshot } from '../../shared/protocol/snapshot.js';
import { ACTIVATION_SPECS } from '../../shared/engine/mlp/activations.js';
import type { FormulaOf } from '../../shared/engine/mlp/layout.js';
import { LOSS_SPECS } from '../../shared/engine/mlp/losses.js';
import { fmt } from './format.js';
import { upcomingPassRows } from '../../shared/lecture/pass.js';
import { snapshotNetwork } from '../../shared/lecture/snapshot-network.js';
import { tensorLabel } from '../../shared/engine/mlp/tensor-names.js';
import { layerFormulaText, tensorTex, type IndexPart } from './names.js';

/** One element of a tensor: 0-based, one number per axis of the tensor's shape (a row first in a batch). */
export interface ElementRef {
  readonly tensor: string;
  readonly index: readonly number[];
}

export interface StageEquations {
  readonly title: string;
  /** The general formula (LaTeX). */
  readonly formula: string;
  /** One LaTeX block per element, substituted. */
  readonly lines: readonly string[];
  /**
   * The element each line is about, index for index with `lines`; null for notes, "… more" lines
   * and lines about a whole tensor or row (the input, the idle stage's sample).
   */
  readonly elements: readonly (ElementRef | null)[];
}

/** A line being built: its LaTeX and the element it is about. */
interface Line {
  readonly tex: string;
  readonly element: ElementRef | null;
}

const note = (tex: string): Line => ({ tex, element: null });

function equations(title: string, formula: string, lines: readonly Line[]): StageEquations {
  return { title, formula, lines: lines.map((l) => l.tex), elements: lines.map((l) => l.element) };
}

/** A number for LaTeX: 4 decimals, proper minus. */
const n = (x: number): string => fmt(x).replace('−', '-');
/** A number as a factor: negatives in parentheses so "a·(−b)" reads right. */
const p = (x: number): string => (x < 0 && n(x) !== '0.0000' ? `(${n(x)})` : n(x));
/** Data as the dataset has it: whole numbers as they are ("y = 1"), others to 4 decimals. */
const raw = (x: number): string => (Number.isInteger(x) ? String(x) : n(x));
const dot = '\\cdot ';
const text = (s: string) => `\\text{${s}}`;

const LETTERS = ['i', 'j', 'k', 'p', 'q', 's'];
/** Single-line elements shown before the rest is summarised; multi-line sums get fewer. */
const MAX_LINES = 16;
const MAX_BLOCKS = 8;

export function stageEquations(s: Snapshot): StageEquations {
  const v = new View(s);
  const spec = v.layout.stages.find((st) => st.stage === s.stage);
  return spec ? build(v, spec) : idle(v);
}

/** The snapshot read through the network's layout: values and symbols of elements. */
class View {
  readonly layout: MlpLayout;
  readonly batched: boolean;
  /** Layers L (the output is layer L). */
  readonly depth: number;

  constructor(readonly s: Snapshot) {
    this.layout = mlpLayout(s.network);
    this.batched = this.layout.batched;
    this.depth = this.layout.layers.length;
  }

  size(layer: number): number {
    return this.layout.sizes[layer];
  }

  /** Rows in this pass (1 unless batched). */
  get rows(): number {
    const input = this.s.tensors[this.layout.input];
    return input ? (this.batched ? input.shape[0] : 1) : upcomingPassRows(snapshotNetwork(this.s));
  }

  data(name: string): readonly number[] {
    return this.s.tensors[name]?.data ?? [];
  }

  /** Unit j of a per-row tensor of a layer `width` wide, in row r. */
  unit(name: string, width: number, j: number, r = 0): number {
    return this.data(name)[this.batched ? r * width + j : j];
  }

  /** Element (i, j) of a parameter (or its gradient) into a layer `cols` wide. */
  entry(name: string, cols: number, i: number, j: number): number {
    return this.data(name)[i * cols + j];
  }

  /** The symbol of unit j of a per-row tensor (j dropped for a one-unit layer; the row kept in a batch). */
  unitTex(name: string, width: number, j: IndexPart, r: IndexPart = 0): string {
    const index: IndexPart[] = this.batched ? [r] : [];
    if (width > 1) index.push(j);
    return tensorTex(name, index);
  }

  /** The symbol of element (i, j) of a matrix [rows, cols]: axes of length 1 are dropped (the notebook's V_j). */
  entryTex(name: string, rows: number, cols: number, i: IndexPart, j: IndexPart): string {
    const index: IndexPart[] = [];
    if (rows > 1) index.push(i);
    if (cols > 1) index.push(j);
    return tensorTex(name, index);
  }

  /** The symbol of element j of a bias (or its gradient). */
  biasTex(name: string, width: number, j: IndexPart): string {
    return tensorTex(name, width > 1 ? [j] : []);
  }

  /** Unit j of a per-row tensor, in row r (the row only in a batch). */
  unitRef(tensor: string, j: number, r = 0): ElementRef {
    return { tensor, index: this.batched ? [r, j] : [j] };
  }

  /** A note under the lines of a batched stage: only the first row is written out. */
  batchNote(): Line[] {
    const m = this.rows;
    return this.batched && m > 1 ? [note(text(`row 1 of the batch shown; rows 2–${m} in the tensors panel`))] : [];
  }
}

function build(v: View, spec: MlpStageSpec): StageEquations {
  const f = spec.formula;
  switch (f.kind) {
    case 'input':
      return input(v);
    case 'matmul':
      return matmul(v, spec);
    case 'activation':
      return activation(v, spec, f);
    case 'loss':
      return loss(v, f);
    case 'lossGrad':
      return lossGrad(v, spec, f);
    case 'activationGrad':
      return activationGrad(v, spec, f);
    case 'hadamard':
      return hadamard(v, spec);
    case 'outer':
      return outer(v, spec, f);
    case 'biasGrad':
      return biasGrad(v, spec, f);
    case 'backprop':
      return backprop(v, spec);
    case 'update':
      return update(v);
  }
}

/** At most `max` items, then a line saying how many more there are. */
function capped(lines: readonly Line[], max: number, what = 'elements'): Line[] {
  if (lines.length <= max) return [...lines];
  return [...lines.slice(0, max), note(text(`… and ${lines.length - max} more ${what} (see the tensors panel)`))];
}

const range = (count: number) => Array.from({ length: count }, (_, k) => k);

/** The terms of a long sum: the first two, ⋯, and the last. */
function shortened<T>(terms: readonly T[], ellipsis: T): T[] {
  return terms.length > 4 ? [terms[0], terms[1], ellipsis, terms[terms.length - 1]] : [...terms];
}

/** `lhs = row₀ = row₁ …` on aligned rows; `continued` rows start with "+" rather than "=". */
function aligned(lhs: string, rows: readonly string[], continued: readonly number[] = []): string {
  const body = rows.map((r, k) => (k === 0 ? `${lhs} &= ${r}` : continued.includes(k) ? `&\\phantom{=}\\ ${r}` : `&= ${r}`)).join(' \\\\ ');
  return `\\begin{aligned} ${body} \\end{aligned}`;
}

/**
 * A sum written out twice, in symbols then in numbers, then its value: up to three terms on one
 * row, more on two rows (four products do not fit a phone); callers shorten longer sums with ⋯.
 */
function sumBlock(lhs: string, symbols: readonly string[], numbers: readonly string[], result: number): string {
  const chunk = (terms: readonly string[]) => {
    if (terms.length <= 3) return [terms];
    if (terms.length <= 5) return [terms.slice(0, 2), terms.slice(2)];
    const rows: string[][] = [];
    for (let k = 0; k < terms.length; k += 2) rows.push(terms.slice(k, k + 2));
    return rows;
  };
  const symRows = chunk(symbols).map((c, k) => (k ? '{}+ ' : '') + c.join(' + '));
  const numRows = chunk(numbers).map((c, k) => (k ? '{}+ ' : '') + c.join(' + '));
  const continued = [...range(symRows.length), ...range(numRows.length).map((k) => k + symRows.length)].filter((k) => k !== 0 && k !== symRows.length);
  return aligned(lhs, [...symRows, ...numRows, n(result)], continued);
}

function layerTitle(v: View, layer: number, what: 'layer' | 'activation'): string {
  if (layer === v.depth) return what === 'layer' ? 'Output' : 'Output activation';
  const name = what === 'layer' ? 'Hidden layer' : 'Hidden activation';
  return v.depth > 2 ? `${name} ${layer}` : name;
}

function idle(v: View): StageEquations {
  const { s, layout } = v;
  const lines: string[] = [];
  const data = trainRows(s);
  if (data) {
    const m = v.rows;
    const x = (r: number) => range(data.inputs).map((i) => raw(data.x[r * data.inputs + i]));
    const y = (r: number) => range(data.outputs).map((j) => raw(data.y[r * data.outputs + j]));
    const row = (r: number) => `${tensorTex(layout.input)} = (${shortened(x(r), '\\ldots').join(', ')}),\\; y = ${vector(y(r))}`;
    lines.push(
      m > 1
        ? `${text(`batch of ${m} rows, samples ${s.sampleIndex}–${s.sampleIndex + m - 1}; the first:`)}\\; ${row(s.sampleIndex)}`
        : `${text('sample ')} ${s.sampleIndex}:\\; ${row(s.sampleIndex)}`,
    );
  }
  lines.push(`\\eta = ${s.learningRate}`);
  return equations('Ready: no stage of this pass computed yet', networkFormula(v), lines.map(note));
}

function vector(values: readonly string[]): string {
  return values.length === 1 ? values[0] : `(${values.join(', ')})`;
}

function trainRows(s: Snapshot) {
  try {
    return packedData(s.dataset).train;
  } catch {
    return null;
  }
}

/** f(x) in symbols: σ(x), tanh(x), relu(x), (x). */
const applied = (fn: Activation, x: string): string => ACTIVATION_SPECS[fn].tex.applied(x);

/** The whole network as one formula: L of y and ŷ = f(… f(A·W + b) …), or ŷ = A^{[L]} for a deep one. */
function networkFormula(v: View): string {
  const { layout, s } = v;
  let yHat = tensorTex(layout.input);
  layout.layers.forEach((names, i) => {
    const pre = `${yHat}\\,${tensorTex(names.W)}${names.b ? ` + ${tensorTex(names.b)}` : ''}`;
    yHat = applied(layout.activations[i], pre);
  });
  const composed = v.depth <= 3;
  const loss = LOSS_SPECS[s.network.loss].tex.network(composed ? yHat : '\\hat y', v.size(v.depth));
  // A loss that writes ŷ itself needs it defined; one that took the composed formula is whole.
  if (composed && !loss.namesHat) return loss.tex;
  return `${loss.tex},\\quad \\hat y = ${composed ? yHat : tensorTex(layout.layers[v.depth - 1].A)}`;
}

function input(v: View): StageEquations {
  const { s, layout } = v;
  const inputs = v.size(0);
  const outputs = v.size(v.depth);
  const A = layout.input;
  const features = shortened(
    range(inputs).map((i) => `X_${i + 1 > 9 ? `{${i + 1}}` : i + 1}`),
    '\\ldots',
  ).join(', ');
  const m = v.rows;
  const values = (name: string, width: number, r: number) => shortened(range(width).map((j) => n(v.unit(name, width, j, r))), '\\ldots');
  const targets = (r: number) => range(outputs).map((j) => raw(v.unit('y', outputs, j, r)));
  if (!v.batched) {
    return equations(
      `Input: load sample into ${A}`,
      `${tensorTex(A)} = (${features})_{${s.sampleIndex}},\\quad y = y_{${s.sampleIndex}}`,
      [`${tensorTex(A)} = (${values(A, inputs, 0).join(',\\ ')})`, `y = ${vector(targets(0))}`].map(note),
    );
  }
  // Each line is a whole row of the batch, not one element.
  const rows = range(m).map((r) => note(`${tensorTex(A, [r])} = (${values(A, inputs, r).join(',\\ ')}),\\quad ${tensorTex('y', [r])} = ${vector(targets(r))}`));
  return equations(
    `Input: load the batch into ${A}`,
    `${tensorTex(A, ['r'])} = (${features})_{${s.sampleIndex} + r},\\quad ${tensorTex('y', ['r'])} = y_{${s.sampleIndex} + r},\\quad r = 1, \\ldots, ${m}`,
    capped(rows, MAX_LINES, 'rows'),
  );
}

function matmul(v: View, spec: MlpStageSpec): StageEquations {
  const l = spec.layer!;
  const [A, W, b] = spec.formula.inputs;
  const Z = spec.produces[0];
  const nIn = v.size(l - 1);
  const nOut = v.size(l);
  const [i, j] = [LETTERS[l - 1], LETTERS[l]];
  const whole = `${tensorTex(Z)} = ${tensorTex(A)}\\,${tensorTex(W)}${b ? ` + ${tensorTex(b)}` : ''}`;
  const sum = `\\sum_${i} ${v.unitTex(A, nIn, i, 'r')} ${v.entryTex(W, nIn, nOut, i, j)}${b ? ` + ${v.biasTex(b, nOut, j)}` : ''}`;
  const elementwise = nOut > 1 || v.batched;
  const formula = elementwise ? `${whole},\\qquad ${v.unitTex(Z, nOut, j, 'r')} = ${sum}` : `${whole} = ${sum}`;
  const blocks = range(nOut).map((jj) => {
    const products = range(nIn).map((ii) => ({
      symbol: `${v.unitTex(A, nIn, ii)}${v.entryTex(W, nIn, nOut, ii, jj)}`,
      number: `${p(v.unit(A, nIn, ii))}${dot}${p(v.entry(W, nOut, ii, jj))}`,
    }));
    const terms = shortened(products, { symbol: '\\cdots', number: '\\cdots' });
    if (b) terms.push({ symbol: v.biasTex(b, nOut, jj), number: p(v.data(b)[jj]) });
    return {
      tex: sumBlock(
        v.unitTex(Z, nOut, jj),
        terms.map((t) => t.symbol),
        terms.map((t) => t.number),
        v.unit(Z, nOut, jj),
      ),
      element: v.unitRef(Z, jj),
    };
  });
  return equations(`${layerTitle(v, l, 'layer')}: ${layerFormulaText(v.layout, l, 'matmul')}`, formula, [...capped(blocks, MAX_BLOCKS), ...v.batchNote()]);
}

function activation(v: View, spec: MlpStageSpec, f: FormulaOf<'activation'>): StageEquations {
  const l = spec.layer!;
  const fn = f.fn;
  const { tex } = ACTIVATION_SPECS[fn];
  const [Z] = f.inputs;
  const A = spec.produces[0];
  const width = v.size(l);
  const lines = range(width).map((j) => {
    // Several units: name each one's input (σ(B_2)); a single one needs no reminder.
    const middle = width > 1 || v.batched ? ` = ${applied(fn, v.unitTex(Z, width, j)).replace(/^\((.*)\)$/, '$1')}` : '';
    return { tex: `${v.unitTex(A, width, j)}${middle} = ${tex.numbers(v.unit(Z, width, j), n)} = ${n(v.unit(A, width, j))}`, element: v.unitRef(A, j) };
  });
  return equations(`${layerTitle(v, l, 'activation')}: ${layerFormulaText(v.layout, l, 'activation')}`, tex.formula(tensorTex(A), tensorTex(Z)), [
    ...capped(lines, MAX_LINES),
    ...v.batchNote(),
  ]);
}

function loss(v: View, f: FormulaOf<'loss'>): StageEquations {
  const { tex, fromLogits } = LOSS_SPECS[f.fn];
  const [A] = f.inputs;
  const outputs = v.size(v.depth);
  const m = v.rows;
  const rowIndex: IndexPart = v.batched ? 'r' : 0;
  const L = (r: IndexPart) => (v.batched ? tensorTex('L', [r]) : 'L');
  const terms = (r: number) => range(outputs).map((j) => ({ y: v.unit('y', outputs, j, r), yHat: v.unit(A, outputs, j, r) }));
  const formula = tex.formula(L(rowIndex), v.unitTex('y', outputs, 'j', rowIndex), v.unitTex(A, outputs, 'j', rowIndex), outputs > 1 ? '\\sum_j ' : '');
  const row = (r: number) => tex.row(L(r), terms(r), n(v.data('L')[r]), { n, raw });
  const lines = capped(
    range(m).map((r) => ({ tex: row(r), element: { tensor: v.layout.loss, index: [r] } })),
    MAX_LINES - 2,
    'rows',
  );
  if (f.fromLogits && fromLogits) lines.push(note(fromLogits(tensorTex(f.inputs[2]))));
  if (v.batched && m > 1) {
    const mean = v.data('L').reduce((a, b) => a + b, 0) / m;
    lines.push(note(`\\tfrac{1}{${m}}\\sum_r ${tensorTex('L', ['r'])} = ${n(mean)}\\quad ${text('the mean over the batch')}`));
  }
  return equations('Loss', formula, lines);
}

function lossGrad(v: View, spec: MlpStageSpec, f: FormulaOf<'lossGrad'>): StageEquations {
  const [A] = f.inputs;
  const G = spec.produces[0];
  const outputs = v.size(v.depth);
  const formula = `${v.unitTex(G, outputs, LETTERS[v.depth], 'r')} = ${v.unitTex(A, outputs, LETTERS[v.depth], 'r')} - ${v.unitTex('y', outputs, LETTERS[v.depth], 'r')}`;
  const lines: Line[] = range(outputs).map((j) => ({
    tex: `${v.unitTex(G, outputs, j)} = ${n(v.unit(A, outputs, j))} - ${raw(v.unit('y', outputs, j))} = ${n(v.unit(G, outputs, j))}`,
    element: v.unitRef(G, j),
  }));
  // Fused with the sigmoid: a note on why it is ŷ − y (the loss's slope and the sigmoid's cancel).
  const fused = f.fused ? LOSS_SPECS[f.fn].fused : null;
  if (fused) lines.unshift(note(fused.tex));
  const title = fused ? `Backward: ${tensorLabel(G)}, ${fused.phrase}` : `Backward: ${tensorLabel(G)}`;
  return equations(title, formula, [...capped(lines, MAX_LINES), ...v.batchNote()]);
}

function activationGrad(v: View, spec: MlpStageSpec, f: FormulaOf<'activationGrad'>): StageEquations {
  const l = spec.layer!;
  const { noun, tex } = ACTIVATION_SPECS[f.fn];
  const G = spec.produces[0];
  const names = v.layout.layers[l - 1];
  const width = v.size(l);
  const j = LETTERS[l];
  const formula = `${v.unitTex(G, width, j, 'r')} = ${tex.slope(v.unitTex(names.A, width, j, 'r'), v.unitTex(names.Z, width, j, 'r'))}`;
  const line = (jj: number) =>
    `${v.unitTex(G, width, jj)} = ${tex.slopeLine(
      { value: n(v.unit(G, width, jj)), a: v.unit(names.A, width, jj), z: v.unit(names.Z, width, jj), zSymbol: v.unitTex(names.Z, width, jj) },
      n,
    )}`;
  return equations(`Backward: ${tensorLabel(G)}, the ${noun}’s slope`, formula, [
    ...capped(
      range(width).map((jj) => ({ tex: line(jj), element: v.unitRef(G, jj) })),
      MAX_LINES,
    ),
    ...v.batchNote(),
  ]);
}

function hadamard(v: View, spec: MlpStageSpec): StageEquations {
  const [dA, slope] = spec.formula.inputs;
  const G = spec.produces[0];
  const width = v.size(spec.layer!);
  const lines = range(width).map((j) => ({
    tex: `${v.unitTex(G, width, j)} = ${p(v.unit(dA, width, j))}${dot}${p(v.unit(slope, width, j))} = ${n(v.unit(G, width, j))}`,
    element: v.unitRef(G, j),
  }));
  return equations(`Backward: ${tensorLabel(G)}`, `${tensorTex(G)} = ${tensorTex(dA)} \\odot ${tensorTex(slope)}`, [...capped(lines, MAX_LINES), ...v.batchNote()]);
}

/** δ of a layer as symbols and as numbers: dL_dZ, or the notebook's product dL_dC_act·dC_act_dC. */
function delta(v: View, names: readonly string[], width: number) {
  return {
    tex: (j: IndexPart, r: IndexPart = 0) => names.map((name) => v.unitTex(name, width, j, r)).join(''),
    numbers: (j: number, r = 0) => names.map((name) => p(v.unit(name, width, j, r))).join(dot),
    composite: names.length > 1,
  };
}

function outer(v: View, spec: MlpStageSpec, f: FormulaOf<'outer'>): StageEquations {
  const l = spec.layer!;
  const [A, ...deltaNames] = f.inputs;
  const G = spec.produces[0];
  const nIn = v.size(l - 1);
  const nOut = v.size(l);
  const [i, j] = [LETTERS[l - 1], LETTERS[l]];
  const d = delta(v, deltaNames, nOut);
  const g = (ii: IndexPart, jj: IndexPart) => v.entryTex(G, nIn, nOut, ii, jj);
  const m = v.rows;
  let formula: string;
  let line: (ii: number, jj: number) => string;
  if (f.batchMean) {
    formula = `${g(i, j)} = \\frac{1}{m}\\sum_r ${v.unitTex(A, nIn, i, 'r')}\\,${d.tex(j, 'r')},\\quad m = ${m}`;
    line = (ii, jj) => {
      const terms = shortened(
        range(m).map((r) => `${p(v.unit(A, nIn, ii, r))}${dot}${d.numbers(jj, r)}`),
        '\\cdots',
      );
      return `${g(ii, jj)} = \\tfrac{1}{${m}}\\bigl(${terms.join(' + ')}\\bigr) = ${n(v.entry(G, nOut, ii, jj))}`;
    };
  } else if (d.composite) {
    formula = `${g(i, j)} = ${d.tex(j)}\\,${v.unitTex(A, nIn, i)}`;
    line = (ii, jj) => `${g(ii, jj)} = ${d.numbers(jj)}${dot}${p(v.unit(A, nIn, ii))} = ${n(v.entry(G, nOut, ii, jj))}`;
  } else {
    formula = `${g(i, j)} = ${v.unitTex(A, nIn, i)}\\,${d.tex(j)}`;
    line = (ii, jj) => `${g(ii, jj)} = ${p(v.unit(A, nIn, ii))}${dot}${d.numbers(jj)} = ${n(v.entry(G, nOut, ii, jj))}`;
  }
  const lines = range(nIn).flatMap((ii) => range(nOut).map((jj) => ({ tex: line(ii, jj), element: { tensor: G, index: [ii, jj] } })));
  return equations(`Backward: ${tensorLabel(G)}`, formula, capped(lines, MAX_LINES));
}

function biasGrad(v: View, spec: MlpStageSpec, f: FormulaOf<'biasGrad'>): StageEquations {
  const l = spec.layer!;
  const [D] = f.inputs;
  const G = spec.produces[0];
  const width = v.size(l);
  const j = LETTERS[l];
  const m = v.rows;
  const g = (jj: IndexPart) => v.biasTex(G, width, jj);
  let formula: string;
  let line: (jj: number) => string;
  if (f.batchMean) {
    formula = `${g(j)} = \\frac{1}{m}\\sum_r ${v.unitTex(D, width, j, 'r')},\\quad m = ${m}`;
    line = (jj) => {
      const terms = shortened(range(m).map((r) => p(v.unit(D, width, jj, r))), '\\cdots');
      return `${g(jj)} = \\tfrac{1}{${m}}\\bigl(${terms.join(' + ')}\\bigr) = ${n(v.data(G)[jj])}`;
    };
  } else {
    formula = `${g(j)} = ${v.unitTex(D, width, j)}\\quad ${text('since')}\\ \\partial Z_j / \\partial b_j = 1`;
    line = (jj) => `${g(jj)} = ${n(v.data(G)[jj])}`;
  }
  return equations(
    `Backward: ${tensorLabel(G)}`,
    formula,
    capped(
      range(width).map((jj) => ({ tex: line(jj), element: { tensor: G, index: [jj] } })),
      MAX_LINES,
    ),
  );
}

function backprop(v: View, spec: MlpStageSpec): StageEquations {
  const l = spec.layer!;
  const deltaNames = spec.formula.inputs.slice(0, -1);
  const W = spec.formula.inputs[spec.formula.inputs.length - 1];
  const G = spec.produces[0];
  const nIn = v.size(l - 1);
  const nOut = v.size(l);
  const [i, j] = [LETTERS[l - 1], LETTERS[l]];
  const d = delta(v, deltaNames, nOut);
  const g = (ii: IndexPart, r: IndexPart = 0) => v.unitTex(G, nIn, ii, r);
  const w = (ii: IndexPart, jj: IndexPart) => v.entryTex(W, nIn, nOut, ii, jj);
  let formula: string;
  let lines: Line[];
  if (nOut === 1) {
    formula = `${g(i, 'r')} = ${d.tex(j, 'r')}\\,${w(i, j)}`;
    lines = range(nIn).map((ii) => ({
      tex: `${g(ii)} = ${d.numbers(0)}${dot}${p(v.entry(W, nOut, ii, 0))} = ${n(v.unit(G, nIn, ii))}`,
      element: v.unitRef(G, ii),
    }));
    lines = capped(lines, MAX_LINES);
  } else {
    formula = `${g(i, 'r')} = \\sum_${j} ${d.tex(j, 'r')}\\,${w(i, j)}`;
    const blocks = range(nIn).map((ii) => {
      const terms = shortened(
        range(nOut).map((jj) => ({ symbol: `${d.tex(jj)}${w(ii, jj)}`, number: `${d.numbers(jj)}${dot}${p(v.entry(W, nOut, ii, jj))}` })),
        { symbol: '\\cdots', number: '\\cdots' },
      );
      return { tex: sumBlock(g(ii), terms.map((t) => t.symbol), terms.map((t) => t.number), v.unit(G, nIn, ii)), element: v.unitRef(G, ii) };
    });
    lines = capped(blocks, MAX_BLOCKS);
  }
  return equations(`Backward: ${tensorLabel(G)}`, formula, [...lines, ...v.batchNote()]);
}

function update(v: View): StageEquations {
  const { layout, s } = v;
  const eta = s.learningRate;
  const pairs = layout.parameters.map((P) => ({ P, G: gradientOf(layout, P) }));
  const formula =
    pairs.length <= 2
      ? pairs.map(({ P, G }) => `${tensorTex(P)} \\leftarrow ${tensorTex(P)} - \\eta\\,${tensorTex(G)}`).join(',\\qquad ')
      : `P \\leftarrow P - \\eta\\,\\frac{\\partial L}{\\partial P}\\quad ${text('for')}\\ P = ${pairs.map(({ P }) => tensorTex(P)).join(', ')}`;
  const perParameter = pairs.map(({ P, G }) => {
    const t = s.tensors[P];
    const shape = t?.shape ?? [0];
    const [rows, cols] = shape.length === 2 ? shape : [1, shape[0]];
    const values = v.data(P);
    const grads = v.data(G);
    return range(values.length).map((k): Line => {
      const [ii, jj] = [Math.floor(k / cols), k % cols];
      // The snapshot holds the updated parameters; the old ones are new + η·gradient.
      const symbol = shape.length === 2 ? v.entryTex(P, rows, cols, ii, jj) : v.biasTex(P, cols, jj);
      return {
        tex: `${symbol} \\leftarrow ${n(values[k] + eta * grads[k])} - ${eta}${dot}${p(grads[k])} = ${n(values[k])}`,
        element: { tensor: P, index: shape.length === 2 ? [ii, jj] : [jj] },
      };
    });
  });
  const total = perParameter.reduce((sum, ls) => sum + ls.length, 0);
  const each = total <= MAX_LINES ? Infinity : Math.max(2, Math.floor(MAX_LINES / pairs.length));
  const lines = perParameter.flatMap((ls, k) =>
    ls.length <= each ? ls : [...ls.slice(0, each), note(`${text(`… and ${ls.length - each} more of`)}\\ ${tensorTex(pairs[k].P)}`)],
  );
  if (v.batched) lines.unshift(note(text('each gradient is the mean over the batch’s rows, applied once')));
  return equations('Update: gradient descent step', formula, lines);
}

function gradientOf(layout: MlpLayout, parameter: string): string {
  for (const names of layout.layers) {
    if (names.W === parameter) return names.dL_dW;
    if (names.b === parameter) return names.dL_db!;
  }
  return `dL_d${parameter}`;
}
