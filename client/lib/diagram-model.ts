/**
 * What the network diagram (components/nn-diagram.ts) draws, as plain objects: every node and
 * edge with the element it stands for, its position, its lines and what marks it (just computed,
 * pointed at, spotlit, flagged), then the headings and the caption. Pure, so it is tested without
 * a browser; the component only turns it into SVG. Whatever differs between networks is data of
 * the drawing (diagram-layout.ts: its geometry and its lettering), not a question asked here.
 */
import type { MlpLayout, MlpStageSpec } from '../../shared/engine/mlp/layout.js';
import { mlpLayout } from '../../shared/engine/mlp/layout.js';
import type { SpotlightTarget } from '../../shared/protocol/collab.js';
import { parseFlagKey } from '../../shared/protocol/flag-key.js';
import type { Snapshot } from '../../shared/protocol/snapshot.js';
import { tensorLabel } from '../../shared/engine/mlp/tensor-names.js';
import { diverging, maxAbs } from './colors.js';
import { diagramGeometry, diagramTarget, type ColumnGeometry, type DiagramGeometry, type DiagramTarget, type Lettering } from './diagram-layout.js';
import { stageEquations, type ElementRef } from './equations.js';
import { fmt, full } from './format.js';
import { columnHeading, columnShows, packedDataset, phaseAccent, phaseOf, unitLabel, unitLayer, weightLabel } from './names.js';

/** What the diagram is asked to draw. */
export interface DiagramInput {
  readonly snapshot: Snapshot;
  /** A projector display: big one-number nodes (diagram-layout.ts). */
  readonly projector: boolean;
  /** The element someone points at (an equation line, or a node or edge of the diagram). */
  readonly highlight: ElementRef | null;
  /** Instructor: flags per key (`B_act[2]`); a node shows the sum over the elements it stands for. */
  readonly flagCounts: Readonly<Record<string, number>> | null;
}

/** One line in a node: a label and a value (right-aligned), at baseline `y`. */
export interface NodeLine {
  readonly name: string;
  readonly value: string;
  readonly y: number;
}

/** A unit's bias (or its gradient), drawn under its lines or as a dot on a compact node's corner. */
export interface NodeBias {
  readonly label: string;
  readonly value: number;
}

/** A unit's node, an input's, or the loss node (L and y). */
export interface DiagramNode {
  /** Where it stands: `{kind: 'node', column, unit}` or `{kind: 'loss'}`. */
  readonly target: Extract<DiagramTarget, { kind: 'node' | 'loss' }>;
  /** Its name in the page (data-node, the flag badge's test id, the pointing label): A1, B2, C; n1-2; L. */
  readonly id: string;
  /** Its top-left corner and size. */
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
  /** One number (and a bias dot) rather than labelled lines. */
  readonly compact: boolean;
  readonly lines: readonly NodeLine[];
  readonly bias: NodeBias | null;
  /** Every value it stands for, for its tooltip; null for the loss node. */
  readonly title: string | null;
  /** Its layer was just computed (outlined; "◆ new" over it when `newTag`). */
  readonly hot: boolean;
  readonly newTag: boolean;
  /** Nothing computed for it yet in this pass. */
  readonly pending: boolean;
  /** It holds the element pointed at (ringed and tinted). */
  readonly marked: boolean;
  readonly spotlit: boolean;
  /** Flags on the elements it stands for (0: none). */
  readonly flags: number;
}

/** The edge of one weight: coloured by the sign and sized by the size of the weight, or of its gradient once computed. */
export interface DiagramEdge {
  readonly target: Extract<DiagramTarget, { kind: 'edge' }>;
  /** The weight's name (weightLabel): W₁₂ in the notebook, W1[1,2] otherwise. */
  readonly label: string;
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
  readonly width: number;
  readonly colour: string;
  /** Faded while the backward pass has not reached this layer's gradient yet. */
  readonly opacity: number;
  /** It shows the gradient (with an arrowhead pointing back towards the inputs). */
  readonly gradient: boolean;
  /** Its weights were just changed (dashed). */
  readonly hot: boolean;
  /** A thin grey line under it (full-size drawings). */
  readonly underline: boolean;
  /** Widths of the pointing halo and of the spotlight's halo. */
  readonly haloWidth: number;
  readonly spotHaloWidth: number;
  readonly title: string;
  readonly marked: boolean;
  readonly spotlit: boolean;
}

/** A text over the drawing: a column heading (hot when its layer was just computed), a "shows" row, a ◆ tag. */
export interface DiagramText {
  readonly x: number;
  readonly y: number;
  readonly text: string;
  readonly hot?: boolean;
  /** The column a "shows" row entry belongs to. */
  readonly column?: number;
}

/** What the caption under the drawing says besides the colour scale. */
export interface DiagramLegend {
  /** How the edges read. */
  readonly edges: string;
  /** How the nodes read; null: nothing to say (big nodes on a network without biases). */
  readonly nodes: string | null;
  /** A batch: which of its rows the nodes show. */
  readonly batch: string | null;
}

export interface DiagramModel {
  readonly geometry: DiagramGeometry;
  readonly backward: boolean;
  /** The colour of the phase (forward, backward, update) the pass is in. */
  readonly accent: string;
  /** The svg's own style: its narrowest width and a big drawing's text sizes; null for none. */
  readonly style: string | null;
  /** The diagram in a sentence, for screen readers. */
  readonly description: string;
  /** Edges in drawing order (each layer's marked and spotlit edges last, over those that cross them). */
  readonly edges: readonly DiagramEdge[];
  /** The arrow from the output down to the loss node. */
  readonly lossArrow: { readonly x1: number; readonly y1: number; readonly x2: number; readonly y2: number };
  /** Input nodes, then each layer's, then the loss node. */
  readonly nodes: readonly DiagramNode[];
  /** Column headings, then (big drawings) what each column's numbers are, then ◆ tags over changed weights. */
  readonly headings: readonly DiagramText[];
  readonly shows: readonly DiagramText[];
  readonly tags: readonly DiagramText[];
  readonly legend: DiagramLegend;
}

/** The diagram of a snapshot. */
export function diagramModel({ snapshot: s, projector, highlight, flagCounts }: DiagramInput): DiagramModel {
  const layout = mlpLayout(s.network);
  const g = diagramGeometry(layout, s.network.biases, { projector });
  const phase = phaseOf(s.network, s.stage);
  const backward = phase === 'backward';
  const hot = hotOf(layout, layout.stages.find((st) => st.stage === s.stage));
  const marks: Marks = {
    marked: highlight ? diagramTarget(layout, highlight) : null,
    spotlit: s.spotlight?.type === 'element' ? diagramTarget(layout, s.spotlight) : null,
  };
  const ctx: Context = { s, layout, g, backward, hot, marks, flags: nodeFlags(layout, flagCounts) };
  const last = g.columns[g.columns.length - 1];
  return {
    geometry: g,
    backward,
    accent: phaseAccent(phase),
    style: svgStyle(g),
    description: describe(s, layout),
    edges: edgesOf(ctx),
    lossArrow: { x1: g.loss.x + last.w / 2, y1: last.ys.at(-1)! + last.h / 2, x2: g.loss.x + last.w / 2, y2: g.loss.y - g.loss.h / 2 - 2 },
    nodes: [...g.columns.flatMap((_, c) => columnNodes(ctx, c)), lossNode(ctx)],
    ...headingsOf(ctx),
    legend: legendOf(ctx),
  };
}

/** Two targets are the same place in the drawing. */
export function sameTarget(a: DiagramTarget | null, b: DiagramTarget | null): boolean {
  if (!a || !b || a.kind !== b.kind) return false;
  if (a.kind === 'node' && b.kind === 'node') return a.column === b.column && a.unit === b.unit;
  if (a.kind === 'edge' && b.kind === 'edge') return a.layer === b.layer && a.from === b.from && a.to === b.to;
  return true;
}

/** The attribute naming a place (data-point): "node:1:2", "edge:1:0:3", "loss". The page only compares it. */
export function pointName(t: DiagramTarget): string {
  return t.kind === 'loss' ? 'loss' : t.kind === 'node' ? `node:${t.column}:${t.unit}` : `edge:${t.layer}:${t.from}:${t.to}`;
}

/** The first element this stage's equation lines are about that is drawn at a place, if any (the reverse link). */
export function linkedElement(s: Snapshot, at: DiagramTarget): ElementRef | null {
  const layout = mlpLayout(s.network);
  return stageEquations(s).elements.find((e) => e !== null && sameTarget(diagramTarget(layout, e), at)) ?? null;
}

/**
 * What pointing at a place spotlights: an edge its weight, the loss node the loss, a unit the
 * element this stage's equations are about there, else its activation (an input node its input).
 */
export function spotlightAt(s: Snapshot, at: DiagramTarget): SpotlightTarget {
  const layout = mlpLayout(s.network);
  const element = (tensor: string, index: readonly number[]): SpotlightTarget => ({ type: 'element', tensor, index: [...index] });
  if (at.kind === 'loss') return element(layout.loss, [0]);
  if (at.kind === 'edge') return element(layout.layers[at.layer - 1].W, [at.from, at.to]);
  const linked = linkedElement(s, at);
  if (linked) return element(linked.tensor, linked.index);
  const unit = layout.batched ? [0, at.unit] : [at.unit];
  return element(at.column === 0 ? layout.input : layout.layers[at.column - 1].A, unit);
}

/** What the stage just computed, to be outlined: a column of nodes, the loss, the weights into layers. */
interface Hot {
  readonly column: number | null;
  readonly loss: boolean;
  /** Layers whose incoming weights (edges) just changed. */
  readonly edges: ReadonlySet<number>;
}

/** The element pointed at and the spotlit one, where the drawing has them. */
interface Marks {
  readonly marked: DiagramTarget | null;
  readonly spotlit: DiagramTarget | null;
}

/** Everything a part of the model is computed from. */
interface Context {
  readonly s: Snapshot;
  readonly layout: MlpLayout;
  readonly g: DiagramGeometry;
  readonly backward: boolean;
  readonly hot: Hot;
  readonly marks: Marks;
  /** Flags per node (pointName of its target). */
  readonly flags: ReadonlyMap<string, number>;
}

function hotOf(layout: MlpLayout, spec: MlpStageSpec | undefined): Hot {
  const none: Hot = { column: null, loss: false, edges: new Set() };
  if (!spec) return none;
  if (spec.stage === 'input') return { ...none, column: 0 };
  if (spec.stage === 'update') return { ...none, edges: new Set(layout.layers.map((_, i) => i + 1)) };
  if (spec.stage === layout.loss) return { ...none, loss: true };
  const tensor = spec.produces[0];
  const layer = layout.layers.findIndex((n) => n.dL_dW === tensor);
  if (layer >= 0) return { ...none, edges: new Set([layer + 1]) };
  // A bias gradient belongs to its layer's nodes; the others to the layer of the tensor.
  const biasLayer = layout.layers.findIndex((n) => n.dL_db === tensor);
  return { ...none, column: biasLayer >= 0 ? biasLayer + 1 : unitLayer(layout, tensor) };
}

/** Data as the dataset has it: whole numbers as they are ("1"), others to 4 decimals. */
const raw = (x: number | undefined) => (x === undefined ? '…' : Number.isInteger(x) ? String(x) : fmt(x));

const SUBSCRIPTS = '₀₁₂₃₄₅₆₇₈₉';
/** 12 → "₁₂". */
const sub = (k: number) => [...String(k)].map((d) => SUBSCRIPTS[Number(d)]).join('');

function svgStyle(g: DiagramGeometry): string | null {
  if (g.minWidth === null) return null;
  const big = g.big;
  // A big drawing's sizes, as the properties its stylesheet reads.
  const sizes = big
    ? `--diagram-text-size:${big.valueSize}px;--diagram-compact-text-size:${big.valueSize}px;--diagram-heading-size:${big.headingSize}px;--diagram-tag-size:${big.headingSize}px`
    : '';
  return `min-width: ${g.minWidth}px;${sizes}`;
}

function describe(s: Snapshot, layout: MlpLayout): string {
  const done = s.stage === 'idle' ? 'no stage computed yet' : `stage ${s.stage} just computed`;
  const hidden = layout.sizes.slice(1, -1);
  const inner = hidden.length === 1 ? `${hidden[0]} hidden units` : `hidden layers of ${hidden.join(', ')} units`;
  const outputs = layout.sizes[layout.sizes.length - 1];
  return `Network diagram: ${layout.sizes[0]} inputs, ${inner}, ${outputs} output${outputs > 1 ? 's' : ''}; ${done}. Values are listed in the tensors panel.`;
}

/** Every layer's edges, each layer's marked and spotlit ones moved to its end. */
function edgesOf(ctx: Context): DiagramEdge[] {
  const { s, layout, backward } = ctx;
  const weights = layout.layers.map((n) => s.tensors[n.W]?.data ?? []);
  const grads = layout.layers.map((n) => (backward ? s.tensors[n.dL_dW]?.data : undefined));
  const scale = {
    weight: Math.max(...weights.map((w) => maxAbs(w)), 1e-9),
    gradient: Math.max(...grads.map((d) => maxAbs(d ?? [])), 1e-9),
  };
  return layout.layers.flatMap((_, i) => {
    const edges = layerEdges(ctx, i + 1, { weights: weights[i], gradients: grads[i], scale });
    const spotlit = edges.filter((e) => e.spotlit);
    const marked = edges.filter((e) => e.marked && !e.spotlit);
    return [...edges.filter((e) => !e.marked && !e.spotlit), ...spotlit, ...marked];
  });
}

/** The weights into one layer and their largest sizes across the network. */
interface LayerValues {
  readonly weights: readonly number[];
  /** Going backward, once computed. */
  readonly gradients: readonly number[] | undefined;
  readonly scale: { readonly weight: number; readonly gradient: number };
}

function layerEdges(ctx: Context, l: number, values: LayerValues): DiagramEdge[] {
  const { s, layout, g, marks } = ctx;
  const [from, to] = [g.columns[l - 1], g.columns[l]];
  const cols = layout.sizes[l];
  const name = layout.layers[l - 1].W;
  const heavy = !g.compact;
  return from.ys.flatMap((y1, i) =>
    to.ys.map((y2, j): DiagramEdge => {
      const target = { kind: 'edge', layer: l, from: i, to: j } as const;
      const k = i * cols + j;
      const weight = values.weights[k] ?? 0;
      const gradient = values.gradients?.[k];
      const shown = gradient ?? weight;
      const max = gradient !== undefined ? values.scale.gradient : values.scale.weight;
      const width = 1 + (heavy ? 6 : 3) * Math.min(1, Math.abs(shown) / max);
      const label = weightLabel(s.network, name, [i, j]);
      return {
        target,
        label,
        x1: from.x + from.w,
        y1,
        x2: to.x,
        y2,
        width,
        colour: diverging(shown, max),
        opacity: ctx.backward && gradient === undefined ? 0.3 : 1,
        gradient: gradient !== undefined,
        hot: ctx.hot.edges.has(l),
        underline: heavy,
        haloWidth: width + (heavy ? 10 : 7),
        spotHaloWidth: width + (heavy ? 16 : 11),
        title: gradient !== undefined ? `∂L/∂${label} = ${full(gradient)} (weight ${full(weight)})` : `${label} = ${full(weight)}`,
        marked: sameTarget(marks.marked, target),
        spotlit: sameTarget(marks.spotlit, target),
      };
    }),
  );
}

/** The nodes of column c (0 = the inputs). */
function columnNodes(ctx: Context, c: number): DiagramNode[] {
  const { s, layout, g } = ctx;
  const col = g.columns[c];
  const letters = LETTERINGS[g.lettering];
  return col.ys.map((cy, j) => {
    const target = { kind: 'node', column: c, unit: j } as const;
    const lines = c === 0 ? inputLines(ctx, letters, j) : unitLines(ctx, letters, c, j);
    return {
      ...box(col, cy),
      target,
      id: letters.nodeId(layout, c, j),
      compact: g.compact,
      lines: placeLines(g, box(col, cy), lines, g.compact),
      bias: c > 0 ? biasOf(ctx, c, j) : null,
      title: nodeTitle(s, layout, c, j),
      hot: ctx.hot.column === c,
      newTag: ctx.hot.column === c && g.nodeTags,
      pending: c === 0 ? !s.tensors[layout.input] : !s.tensors[layout.layers[c - 1].Z],
      ...marksOf(ctx, target),
    };
  });
}

function lossNode(ctx: Context): DiagramNode {
  const { s, g } = ctx;
  const target = { kind: 'loss' } as const;
  const has = (name: string) => s.tensors[name] !== undefined;
  const at = { x: g.loss.x, y: g.loss.y - g.loss.h / 2, w: g.loss.w, h: g.loss.h };
  const lines: Line[] = [
    ['L', has('L') ? fmt(s.tensors.L!.data[0]) : '…'],
    ['y', has('y') ? raw(s.tensors.y!.data[0]) : '…'],
  ];
  return {
    ...at,
    target,
    id: 'L',
    compact: false,
    lines: placeLines(g, at, lines, false),
    bias: null,
    title: null,
    hot: ctx.hot.loss,
    newTag: ctx.hot.loss && g.nodeTags,
    pending: !has('L'),
    ...marksOf(ctx, target),
  };
}

/** A node's box around its centre. */
const box = (col: ColumnGeometry, cy: number) => ({ x: col.x, y: cy - col.h / 2, w: col.w, h: col.h });

function marksOf(ctx: Context, target: DiagramNode['target']): Pick<DiagramNode, 'marked' | 'spotlit' | 'flags'> {
  return {
    marked: sameTarget(ctx.marks.marked, target),
    spotlit: sameTarget(ctx.marks.spotlit, target),
    flags: ctx.flags.get(pointName(target)) ?? 0,
  };
}

/** A line before it is placed: its label and its value. */
type Line = readonly [name: string, value: string];

/** Baselines: one line centred in the node, more from the drawing's first line on. */
function placeLines(g: DiagramGeometry, at: { y: number; h: number }, lines: readonly Line[], compact: boolean): NodeLine[] {
  const shift = g.big ? g.big.baselineShift : compact ? 4.5 : 5;
  return lines.map(([name, value], k) => ({ name, value, y: at.y + (lines.length === 1 ? at.h / 2 + shift : g.firstLine + k * g.lineStep) }));
}

/** An input node: the feature's name and this row's value. */
function inputLines(ctx: Context, letters: Letters, i: number): Line[] {
  const { s, layout, g } = ctx;
  const value = raw(s.tensors[layout.input]?.data[i]);
  if (g.compact) return [['', value]];
  return [[letters.inputName(layout, packedDataset(s.dataset)?.featureNames ?? [], i), value]];
}

/** What a unit's node can show: its values in this pass (formatted, null until computed). */
export interface UnitValues {
  readonly layout: MlpLayout;
  /** Its layer (1 = the first hidden layer) and unit. */
  readonly layer: number;
  readonly unit: number;
  readonly z: string | null;
  readonly a: string | null;
  /** Going backward: δ = ∂L/∂z once computed, else ∂L/∂a; null going forward or before either. */
  readonly gradient: { readonly of: 'z' | 'a'; readonly value: string } | null;
}

/** A unit's lines: z and the activation going forward, a gradient and the activation going backward. */
function unitLines(ctx: Context, letters: Letters, l: number, j: number): Line[] {
  const { s, layout, g, backward } = ctx;
  const n = layout.layers[l - 1];
  const value = (name: string | null) => (name && s.tensors[name] ? fmt(s.tensors[name]!.data[j]) : null);
  const [dz, da] = backward ? [value(n.dL_dZ), value(n.dL_dA)] : [null, null];
  const gradient = dz !== null ? ({ of: 'z', value: dz } as const) : da !== null ? ({ of: 'a', value: da } as const) : null;
  const unit: UnitValues = { layout, layer: l, unit: j, z: value(n.Z), a: value(n.A), gradient };
  // Big nodes show z while the activation is not computed yet (at the z stage), small ones wait for a.
  if (g.compact) return [['', gradient ? gradient.value : (unit.a ?? (g.big ? unit.z : null) ?? '…')]];
  return letters.unitLines(unit);
}

/** A unit's bias (or its gradient once computed going backward), when the network has biases. */
function biasOf(ctx: Context, l: number, j: number): NodeBias | null {
  const { s, layout, backward } = ctx;
  const n = layout.layers[l - 1];
  if (!n.b) return null;
  const gradient = backward && n.dL_db ? s.tensors[n.dL_db]?.data[j] : undefined;
  // b1[3], as the tensor cards say (the notebook has no biases).
  const name = unitLabel(n.b, layout.sizes[l], j);
  if (gradient !== undefined) return { label: `∂${name}`, value: gradient };
  const b = s.tensors[n.b]?.data[j];
  return b === undefined ? null : { label: `+${name}`, value: b };
}

function nodeTitle(s: Snapshot, layout: MlpLayout, c: number, j: number): string {
  if (c === 0) return `${tensorLabel(layout.input)}[${j + 1}] = ${raw(s.tensors[layout.input]?.data[j])}`;
  const n = layout.layers[c - 1];
  const names = [n.Z, n.A, n.b, n.dL_dA, n.dA_dZ, n.dL_dZ, n.dL_db].filter((x): x is string => x !== null && s.tensors[x] !== undefined);
  return names.map((name) => `${tensorLabel(name)}[${j + 1}] = ${full(s.tensors[name]!.data[j])}`).join('\n') || 'not computed yet in this pass';
}

/**
 * Flags per node (by pointName): a unit's node counts its layer's per-row tensors at its unit (any
 * row of a batch), an input node the input's, the loss node every flag on L and y. Biases are not
 * counted on the node (a flag names the element, and the node stands for its unit's activations).
 */
function nodeFlags(layout: MlpLayout, counts: Readonly<Record<string, number>> | null): Map<string, number> {
  const flags = new Map<string, number>();
  if (!counts) return flags;
  const column = nodeColumns(layout);
  for (const [key, count] of Object.entries(counts)) {
    const target = parseFlagKey(key);
    if (target?.type !== 'element') continue;
    const place: DiagramTarget | null =
      target.tensor === layout.loss || target.tensor === layout.target
        ? { kind: 'loss' }
        : column.has(target.tensor)
          ? { kind: 'node', column: column.get(target.tensor)!, unit: target.index[target.index.length - 1] }
          : null;
    if (place) flags.set(pointName(place), (flags.get(pointName(place)) ?? 0) + count);
  }
  return flags;
}

/** The column of each per-unit tensor a node stands for (its input, z, activation and their gradients). */
function nodeColumns(layout: MlpLayout): Map<string, number> {
  const column = new Map<string, number>([[layout.input, 0]]);
  layout.layers.forEach((n, i) => {
    for (const name of [n.Z, n.A, n.dL_dA, n.dA_dZ, n.dL_dZ]) if (name !== null) column.set(name, i + 1);
  });
  return column;
}

/** Column headings (none where the drawing has none) and ◆ tags over changed weights. */
function headingsOf(ctx: Context): Pick<DiagramModel, 'headings' | 'shows' | 'tags'> {
  const { s, layout, g, hot, backward } = ctx;
  const tags = [...hot.edges].map((l) => {
    const [from, to] = [g.columns[l - 1], g.columns[l]];
    return { x: (from.x + from.w + to.x) / 2, y: g.tagY, text: `◆ ${layout.layers[l - 1].W}` };
  });
  if (g.headingY === null) return { headings: [], shows: [], tags };
  const headingY = g.headingY;
  const headings = g.columns.map((col, c) => ({ x: col.x + col.w / 2, y: headingY, text: columnHeading(layout, c), hot: hot.column === c }));
  // Big nodes have one number and no label: the row under the headings says what it is.
  const big = g.big;
  const shows = big
    ? g.columns.map((col, c) => ({ x: col.x + col.w / 2, y: big.showsY, column: c, text: columnShows(layout, c, backward, (name) => s.tensors[name] !== undefined) }))
    : [];
  return { headings, shows, tags };
}

function legendOf(ctx: Context): DiagramLegend {
  const { layout, backward } = ctx;
  const gradientNames = layout.layers.map((n) => tensorLabel(n.dL_dW)).join(', ');
  const edges = backward ? `edges: gradient ${gradientNames} (colour = sign, width = size)` : 'edges: weight (colour = sign, width = size)';
  return { edges, ...LETTERINGS[ctx.g.lettering].legend(ctx) };
}

/** What a lettering decides: the names of nodes and of their lines, and how the caption explains them. */
interface Letters {
  nodeId(layout: MlpLayout, column: number, unit: number): string;
  inputName(layout: MlpLayout, featureNames: readonly string[], unit: number): string;
  /** A full-size unit node's two lines. */
  unitLines(unit: UnitValues): Line[];
  legend(ctx: Context): Pick<DiagramLegend, 'nodes' | 'batch'>;
}

/**
 * The notebook's drawing names nodes by their tensors (A1…A3, B1…B4, C), writes a unit's lines
 * B₂ and σ₂ (∂B₂ going backward on the hidden layer, which shows ∂L/∂B or ∂L/∂B_act), and has no
 * headings. Every other network names its nodes by position (n1-2) and its lines as the tensor
 * cards write elements (Z1[3], ∂A1[3]).
 */
const LETTERINGS: Readonly<Record<Lettering, Letters>> = {
  notebook: {
    nodeId: (layout, c, j) => `${c === 0 ? layout.input : layout.layers[c - 1].Z}${layout.sizes[c] > 1 ? j + 1 : ''}`,
    inputName: (layout, _names, i) => `${layout.input}${sub(i + 1)}`,
    unitLines: ({ layout, layer, unit, z, a, gradient }) => {
      const index = layout.sizes[layer] > 1 ? sub(unit + 1) : '';
      const Z = layout.layers[layer - 1].Z;
      const activation: Line = [`σ${index}`, a ?? '…'];
      const isOutput = layer === layout.layers.length;
      if (!isOutput && gradient) return [[`∂${Z}${index}`, gradient.value], activation];
      return [[`${Z}${index}`, z ?? '…'], activation];
    },
    legend: ({ s, backward }) => ({
      nodes: `σ = activation; hidden rows show ${backward && s.tensors.dL_dB_act ? '∂L/∂B (or ∂L/∂B_act)' : 'B'} and B_act`,
      batch: null,
    }),
  },
  cards: {
    nodeId: (_layout, c, j) => `n${c}-${j + 1}`,
    inputName: (_layout, names, i) => (names[i] ?? `x${i + 1}`).slice(0, 5),
    unitLines: ({ layout, layer, unit, z, a, gradient }) => {
      const n = layout.layers[layer - 1];
      // The tensor cards' element names (Z1[3], A1[3]); a gradient is ∂ and the name (∂Z1[3] = ∂L/∂Z1[3]).
      const label = (name: string) => unitLabel(name, layout.sizes[layer], unit);
      const first: Line = gradient ? [`∂${label(gradient.of === 'z' ? n.Z : n.A)}`, gradient.value] : [label(n.Z), z ?? '…'];
      return [first, [label(n.A), a ?? '…']];
    },
    legend: cardsLegend,
  },
};

function cardsLegend({ s, layout, g, backward }: Context): Pick<DiagramLegend, 'nodes' | 'batch'> {
  // Big nodes say what they show over their columns; nobody hovers a wall.
  if (g.big) return { nodes: s.network.biases ? '● = bias (colour = sign)' : null, batch: null };
  const nodes = g.compact
    ? `nodes: the activation A1, A2 … of each unit${backward ? ' (∂L/∂Z1 … once computed going backward)' : ''}; hover for every value`
    : `nodes: unit j's pre-activation Z1[j] and activation A1[j] (the heading gives the function)${backward ? '; ∂Z1[j] = ∂L/∂Z1[j], ∂A1[j] = ∂L/∂A1[j]' : ''}`;
  const bias = s.network.biases ? (g.compact ? '; ● = bias (colour = sign)' : '; +b1[j] = bias') : '';
  const rows = s.tensors[layout.input]?.shape[0] ?? 0;
  const batch = layout.batched && rows > 1 ? `batch of ${rows} rows: nodes show its first row (sample ${s.sampleIndex})` : null;
  return { nodes: `${nodes}${bias}`, batch };
}
