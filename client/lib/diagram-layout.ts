/**
 * Where the network diagram draws things, in viewBox units: one column of nodes per layer
 * (inputs, hidden layers, output) and the loss under the output. The notebook's 3-4-1 keeps the
 * exact geometry it always had; other networks get columns sized to their widest layer: full
 * nodes (two numbers each) up to 8 units, compact ones (one number) up to 16. A projector display
 * asks for big nodes instead (`{ projector: true }`): one number a node, sized from that number's
 * text, so the drawing is only as big as its numbers need and they read from the back row.
 */
import type { MlpLayout } from '../../shared/engine/mlp/layout.js';
import type { ElementRef } from './equations.js';

export interface ColumnGeometry {
  readonly x: number;
  readonly w: number;
  /** Node height. */
  readonly h: number;
  /** Centre of each node. */
  readonly ys: readonly number[];
}

export interface DiagramGeometry {
  readonly width: number;
  readonly height: number;
  /** Column l holds layer l (0 = the inputs). */
  readonly columns: readonly ColumnGeometry[];
  readonly loss: { readonly x: number; readonly w: number; readonly h: number; readonly y: number };
  /** One number per node (more than 8 units in a layer) rather than two. */
  readonly compact: boolean;
  /** Baseline of the first line in a node, and between lines. */
  readonly firstLine: number;
  readonly lineStep: number;
  /** Baseline of the column headings and of the ◆ tags over edges; null: no headings (the notebook). */
  readonly headingY: number | null;
  readonly tagY: number;
  /** "◆ new" over each changed node (room between nodes), rather than on the column heading. */
  readonly nodeTags: boolean;
  /** A projector display's big one-number nodes (compact is true too); null: the sizes of the stylesheet. */
  readonly big: BigNodes | null;
  /** How nodes are named: the notebook's own letters (A₁, B₂, σ₂, C) or the tensor cards' names (Z1[3], A1[3]). */
  readonly lettering: Lettering;
  /** Narrowest the drawing is shown (it scrolls sideways in a narrower panel); null: it shrinks to fit any panel. */
  readonly minWidth: number | null;
}

/** A drawing's notation: the notebook's, or the layer-indexed one the tensor cards use. */
export type Lettering = 'notebook' | 'cards';

/** Sizes of a projector display's drawing, in viewBox units. */
export interface BigNodes {
  /** Font size of the number in a node (and of the loss node's two lines). */
  readonly valueSize: number;
  /** Font size of the column headings and of the ◆ tags. */
  readonly headingSize: number;
  /** Baseline of the row under the headings that says what the numbers are (A1, Z1, ∂L/∂Z1 …: names.ts columnShows). */
  readonly showsY: number;
  /** Baseline of a node's number below the node's centre. */
  readonly baselineShift: number;
}

export interface DiagramOptions {
  /** A projector display: big one-number nodes for every network but the notebook's, which already reads well. */
  readonly projector?: boolean;
}

/** The notebook's drawing, unchanged: 520 × 330, boxes of 78/132/112 wide. */
const NOTEBOOK: DiagramGeometry = {
  width: 520,
  height: 330,
  columns: [
    { x: 6, w: 78, h: 42, ys: [85, 165, 245] },
    { x: 196, w: 132, h: 56, ys: [45, 125, 205, 285] },
    { x: 402, w: 112, h: 56, ys: [125] },
  ],
  loss: { x: 402, w: 112, h: 56, y: 245 },
  compact: false,
  firstLine: 22,
  lineStep: 20,
  headingY: null,
  tagY: 20,
  nodeTags: true,
  big: null,
  lettering: 'notebook',
  minWidth: null,
};

/**
 * The notebook on a projector display, whose numbers are bigger (projector-page sets them): the
 * hidden boxes 12 wider, so "∂B₂" and "−0.0150" do not run into each other. Nothing else moves.
 */
const NOTEBOOK_PROJECTOR: DiagramGeometry = {
  ...NOTEBOOK,
  columns: [NOTEBOOK.columns[0], { ...NOTEBOOK.columns[1], x: 190, w: 144 }, NOTEBOOK.columns[2]],
};

/** Widest layer drawn with full (two-number) nodes. */
export const FULL_NODES_UP_TO = 8;

const cache = new WeakMap<MlpLayout, DiagramGeometry>();
const bigCache = new WeakMap<MlpLayout, DiagramGeometry>();

export function diagramGeometry(layout: MlpLayout, biases: boolean, options: DiagramOptions = {}): DiagramGeometry {
  if (layout.notebook) return options.projector ? NOTEBOOK_PROJECTOR : NOTEBOOK;
  const [store, make] = options.projector ? [bigCache, bigGeometry] : [cache, generalGeometry];
  let g = store.get(layout);
  if (!g) {
    g = make(layout, biases);
    store.set(layout, g);
  }
  return g;
}

function generalGeometry(layout: MlpLayout, biases: boolean): DiagramGeometry {
  const { sizes } = layout;
  const last = sizes.length - 1;
  const compact = Math.max(...sizes) > FULL_NODES_UP_TO;
  // A full node holds z and the activation, and the bias under them when there are biases.
  const h = compact ? 26 : biases ? 62 : 48;
  const pitch = h + (compact ? 6 : 16);
  const inputW = compact ? 84 : 118;
  // Room for a label as the tensor cards write it and a number: "∂A1[8]" and "−0.9998".
  const unitW = compact ? 84 : 154;
  const gap = compact ? 70 : 80;
  const margin = 8;
  const top = 36;
  const lossBox = { w: Math.max(unitW, 112), h: 56 };
  const lossGap = 34;
  const outputHeight = sizes[last] * pitch + lossGap + lossBox.h;
  const body = Math.max(...sizes.map((n) => n * pitch), outputHeight);
  const columns = sizes.map((count, c) => {
    const x = margin + (c === 0 ? 0 : inputW + gap + (c - 1) * (unitW + gap));
    const height = c === last ? outputHeight : count * pitch;
    const start = top + (body - height) / 2;
    return { x, w: c === 0 ? inputW : unitW, h, ys: Array.from({ length: count }, (_, j) => start + j * pitch + pitch / 2) };
  });
  const out = columns[last];
  const loss = { x: out.x, ...lossBox, y: out.ys[out.ys.length - 1] + pitch / 2 + lossGap + lossBox.h / 2 };
  return {
    width: out.x + lossBox.w + margin,
    height: top + body + 6,
    columns,
    loss,
    compact,
    firstLine: 20,
    lineStep: 18,
    headingY: 18,
    tagY: 18,
    nodeTags: false,
    big: null,
    lettering: 'cards',
    minWidth: minWidthOf(out.x + lossBox.w + margin),
  };
}

/** A drawing narrower than this share of its width would make its numbers too small to read: it scrolls instead. */
const minWidthOf = (width: number) => Math.round(width * 0.62);

/**
 * The number in a big node, in viewBox units. Only its ratio to the rest of the drawing matters
 * (the SVG is scaled to its panel); 26 makes the drawing about as many units as it gets pixels on
 * a 1280×720 projector display, where the numbers must be 24 px.
 */
export const BIG_VALUE_SIZE = 26;

/** Characters of the widest number a node shows: "−0.9998" (fmt's four decimals and a sign). */
const VALUE_CHARS = 7;
/** Advance of a digit of the monospace font, per unit of font size (DejaVu Sans Mono: 0.602). */
const MONO_ADVANCE = 0.61;

/**
 * A projector display's drawing: one number a node, every size a multiple of the number's font
 * size F. Nodes are as wide as seven digits and as tall as a line with a little room, stacked
 * with a gap that leaves the spotlight's ring clear of the next node; columns stand 1.4 F apart
 * (the edges still read as a fan, and the equations beside keep their width); two rows of headings over them (the layer and its activation,
 * then what the numbers are). The loss node keeps its two lines (L and y).
 */
function bigGeometry(layout: MlpLayout): DiagramGeometry {
  const F = BIG_VALUE_SIZE;
  const { sizes } = layout;
  const last = sizes.length - 1;
  const pad = 0.3 * F;
  const unitW = Math.ceil(VALUE_CHARS * MONO_ADVANCE * F + 2 * pad);
  const h = Math.round(1.45 * F);
  const pitch = h + Math.round(0.4 * F);
  const gap = Math.round(1.4 * F);
  const margin = 8;
  const headingSize = Math.round(0.7 * F);
  const top = Math.round(2.15 * F);
  // "L 0.6931": a label, a space and six characters.
  const lossBox = { w: Math.ceil(8 * MONO_ADVANCE * F + 2 * pad), h: Math.round(2.7 * F) };
  const lossGap = Math.round(1.2 * F);
  const outputHeight = sizes[last] * pitch + lossGap + lossBox.h;
  const body = Math.max(...sizes.map((n) => n * pitch), outputHeight);
  const columns = sizes.map((count, c) => {
    const x = margin + c * (unitW + gap);
    const height = c === last ? outputHeight : count * pitch;
    const start = top + (body - height) / 2;
    return { x, w: unitW, h, ys: Array.from({ length: count }, (_, j) => start + j * pitch + pitch / 2) };
  });
  const out = columns[last];
  const loss = { x: out.x, ...lossBox, y: out.ys[out.ys.length - 1] + pitch / 2 + lossGap + lossBox.h / 2 };
  const showsY = Math.round(1.75 * F);
  return {
    width: out.x + lossBox.w + margin,
    height: top + body + 6,
    columns,
    loss,
    compact: true,
    firstLine: Math.round(1.1 * F),
    lineStep: Math.round(1.2 * F),
    headingY: Math.round(0.85 * F),
    tagY: showsY,
    nodeTags: false,
    big: { valueSize: F, headingSize, showsY, baselineShift: Math.round(0.36 * F) },
    lettering: 'cards',
    minWidth: minWidthOf(out.x + lossBox.w + margin),
  };
}

/**
 * Where the diagram draws one element: a unit's node (column c, unit j; its Z, A, their gradients,
 * its bias and the bias's gradient), the loss node (L and y), or the edge of weight (from, to)
 * into layer `layer` (the weight and its gradient).
 */
export type DiagramTarget =
  | { readonly kind: 'node'; readonly column: number; readonly unit: number }
  | { readonly kind: 'loss' }
  | { readonly kind: 'edge'; readonly layer: number; readonly from: number; readonly to: number };

/**
 * The part of the diagram an element is drawn on, or null when it is not drawn: the diagram shows
 * one row of a batch, the first, so an element of a later row has no place in it.
 */
export function diagramTarget(layout: MlpLayout, ref: ElementRef): DiagramTarget | null {
  const { tensor, index } = ref;
  const { sizes, layers } = layout;
  const inRange = (k: number | undefined, n: number) => k !== undefined && Number.isInteger(k) && k >= 0 && k < n;
  /** A per-row tensor's unit: [j], or [row, j] in a batch (row 0 only). */
  const unitOf = (width: number): number | null => {
    const expected = layout.batched ? 2 : 1;
    if (index.length !== expected || (layout.batched && index[0] !== 0)) return null;
    const j = index[expected - 1];
    return inRange(j, width) ? j : null;
  };
  const node = (column: number, unit: number | null): DiagramTarget | null => (unit === null ? null : { kind: 'node', column, unit });
  if (tensor === layout.input) return node(0, unitOf(sizes[0]));
  if (tensor === layout.loss) {
    const ok = index.length === 1 && index[0] === 0;
    return ok ? { kind: 'loss' } : null;
  }
  if (tensor === layout.target) return unitOf(sizes[sizes.length - 1]) === null ? null : { kind: 'loss' };
  for (let l = 1; l <= layers.length; l++) {
    const n = layers[l - 1];
    if (tensor === n.W || tensor === n.dL_dW) {
      const [from, to] = index;
      return index.length === 2 && inRange(from, sizes[l - 1]) && inRange(to, sizes[l]) ? { kind: 'edge', layer: l, from, to } : null;
    }
    if (tensor === n.b || tensor === n.dL_db) return index.length === 1 && inRange(index[0], sizes[l]) ? { kind: 'node', column: l, unit: index[0] } : null;
    if ([n.Z, n.A, n.dL_dA, n.dA_dZ, n.dL_dZ].includes(tensor)) return node(l, unitOf(sizes[l]));
  }
  return null;
}
