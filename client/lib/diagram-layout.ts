/**
 * Where the network diagram draws things, in viewBox units: one column of nodes per layer
 * (inputs, hidden layers, output) and the loss under the output. The notebook's 3-4-1 keeps the
 * exact geometry it always had; other networks get columns sized to their widest layer: full
 * nodes (two numbers each) up to 8 units, compact ones (one number) up to 16.
 */
import type { MlpLayout } from '../../shared/index.js';

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
};

/** Widest layer drawn with full (two-number) nodes. */
export const FULL_NODES_UP_TO = 8;

const cache = new WeakMap<MlpLayout, DiagramGeometry>();

export function diagramGeometry(layout: MlpLayout, biases: boolean): DiagramGeometry {
  if (layout.notebook) return NOTEBOOK;
  let g = cache.get(layout);
  if (!g) {
    g = generalGeometry(layout, biases);
    cache.set(layout, g);
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
  const unitW = compact ? 84 : 132;
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
  };
}
