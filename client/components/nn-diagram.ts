import { LitElement, css, html, svg, nothing, type PropertyValues } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { mlpLayout, type MlpLayout, type MlpStageSpec, type Snapshot, type SpotlightTarget } from '../../shared/index.js';
import { diverging, maxAbs } from '../lib/colors.js';
import { diagramGeometry, diagramTarget, type DiagramGeometry, type DiagramTarget } from '../lib/diagram-layout.js';
import { stageEquations, type ElementRef } from '../lib/equations.js';
import { ElementHoverEvent } from '../lib/events.js';
import { fmt, full } from '../lib/format.js';
import { columnHeading, columnShows, packedDataset, phaseAccent, phaseOf, tensorLabel, unitLabel, unitLayer } from '../lib/names.js';
import { panelStyles, scrollCueStyles, swatchStyles } from '../lib/shared-styles.js';
import { isActivation, pointAt, spotlightKey } from '../lib/spotlight.js';

const SUBSCRIPTS = '₀₁₂₃₄₅₆₇₈₉';
/** 12 → "₁₂". */
const sub = (k: number) => [...String(k)].map((d) => SUBSCRIPTS[Number(d)]).join('');

/** Data as the dataset has it: whole numbers as they are ("1"), others to 4 decimals. */
const raw = (x: number | undefined) => (x === undefined ? '…' : Number.isInteger(x) ? String(x) : fmt(x));

/** What the stage just computed, to be outlined: a column of nodes, the loss, the weights into layers. */
interface Hot {
  readonly column: number | null;
  readonly loss: boolean;
  /** Layers whose incoming weights (edges) just changed. */
  readonly edges: ReadonlySet<number>;
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

/** One line in a node: a label and a value (right-aligned). */
type NodeLine = readonly [label: string, value: string];

/**
 * The network as the notebook draws it, for any size: a column of nodes per layer, edges
 * coloured by the sign and sized by the magnitude of each weight on the shared diverging scale.
 * In the backward pass the edges show the gradient instead (once computed), with arrowheads
 * pointing back towards the inputs. Nodes show this pass's numbers: z and the activation a (two
 * lines) up to 8 units a layer, one number (the activation, or its gradient going backward) for
 * wider layers; in a batch, the batch's first row. The 3-4-1 notebook network looks as it always did.
 */
@customElement('nn-diagram')
export class NnDiagram extends LitElement {
  @property({ attribute: false }) snapshot: Snapshot | null = null;
  /** Instructor: flags per key; a node shows the sum over the elements it stands for. */
  @property({ attribute: false }) flagCounts: Readonly<Record<string, number>> | null = null;
  /**
   * The element someone points at (an equation line, or a node or edge here): its node is tinted
   * and ringed, its edge haloed, in the accent colour. Nothing is marked for a row of a batch
   * other than the first, which the nodes show.
   */
  @property({ attribute: false }) highlight: ElementRef | null = null;
  /** The instructor is pointing: a click on a node, an edge or the loss spotlights it for the class. */
  @property({ type: Boolean }) pointing = false;
  /**
   * "projector": the class's shared screen. Networks other than the notebook's get big nodes of one
   * number each (the one that matters now; the node's title keeps the rest), readable from the back row.
   */
  @property() display: string | null = null;

  /** Where the snapshot's spotlight is drawn ("node:1:2", "edge:1:0:3", "loss"), or null. */
  private spotPoint: string | null = null;

  /** The node or edge under the pointer ("node:1:2", "edge:1:0:3", "loss"), for the reverse link. */
  private pointed: string | null = null;
  private sent: string | null = null;

  static override styles = [
    scrollCueStyles,
    panelStyles,
    swatchStyles,
    css`
      .scroll {
        /* A wide network scrolls sideways inside the panel, never the page. */
        overflow-x: auto;
        overscroll-behavior-x: contain;
        scrollbar-width: thin;
      }
      svg {
        display: block;
        width: 100%;
        height: auto;
        max-height: var(--diagram-max-height, 70vh);
        font-family: var(--mono);
      }
      .node rect {
        fill: var(--bg);
        stroke: #6e7781;
        stroke-width: 1.5;
      }
      .node.pending text.value {
        fill: #8c959f;
      }
      .node.hot rect {
        stroke: var(--accent, var(--forward));
        stroke-width: 4;
      }
      .hot-tag {
        fill: var(--accent, var(--forward));
        font-size: var(--diagram-tag-size, 13px);
        font-weight: 700;
        font-family: system-ui, sans-serif;
      }
      /* The element pointed at in the equations: a ring round its node, a halo along its edge. */
      .node .ring {
        fill: none;
        stroke: var(--accent, var(--forward));
        stroke-width: 2.5;
      }
      /* The same tint as the marked equation line: the two read as one thing. */
      .node[data-highlight] rect.box {
        fill: color-mix(in srgb, var(--accent, var(--forward)) 16%, var(--bg));
      }
      .edge .halo {
        stroke: var(--accent, var(--forward));
        stroke-opacity: 0.4;
        stroke-linecap: round;
      }
      /* The instructor's spotlight: a thick ring or halo in its own colour, pulsing twice. */
      .spot-ring,
      .spot-halo {
        fill: none;
        stroke: var(--spotlight);
        stroke-linecap: round;
        animation: spot-pulse 1.2s ease-out 2;
      }
      .spot-ring {
        stroke-width: 5;
      }
      .spot-halo {
        stroke-opacity: 0.55;
      }
      @keyframes spot-pulse {
        0% {
          stroke-opacity: 0.1;
        }
        100% {
          stroke-opacity: 0.9;
        }
      }
      @media (prefers-reduced-motion: reduce) {
        .spot-ring,
        .spot-halo {
          animation: none;
        }
      }
      [data-pointable] {
        cursor: crosshair;
      }
      [data-pointable]:focus-visible {
        outline: 3px solid var(--focus);
      }
      .node .flag-badge rect {
        fill: var(--flag);
        stroke: none;
      }
      .flag-badge text {
        fill: #fff;
        font-size: 13px;
        font-weight: 700;
        font-family: system-ui, sans-serif;
      }
      .node.flagged rect.box,
      .node.flagged.hot rect.box {
        stroke: var(--flag);
        stroke-width: 3;
        stroke-dasharray: 6 3;
      }
      /* Sizes in viewBox units; a projector display sets bigger ones through these properties. */
      text {
        font-size: var(--diagram-text-size, 16px);
        fill: var(--fg);
      }
      text.name {
        font-weight: 700;
        font-family: system-ui, sans-serif;
      }
      text.bias {
        font-size: var(--diagram-bias-size, 12px);
        fill: var(--muted);
      }
      .compact text {
        font-size: var(--diagram-compact-text-size, 13px);
      }
      .node circle.bias-mark {
        stroke: #6e7781;
        stroke-width: 1;
      }
      text.heading {
        font-size: var(--diagram-heading-size, 13px);
        font-family: system-ui, sans-serif;
        fill: var(--muted);
      }
      text.heading.hot {
        fill: var(--accent, var(--forward));
        font-weight: 700;
      }
      .caption {
        font-size: var(--diagram-caption-size, 0.85rem);
        margin: 0.25rem 0 0;
        display: flex;
        flex-wrap: wrap;
        gap: 0.25rem 1rem;
        align-items: center;
      }
      .scale {
        display: inline-flex;
        align-items: center;
        gap: 0.3rem;
      }
    `,
  ];

  override render() {
    const s = this.snapshot;
    if (!s) return nothing;
    const layout = mlpLayout(s.network);
    const g = diagramGeometry(layout, s.network.biases, { projector: this.display === 'projector' });
    const spec = layout.stages.find((st) => st.stage === s.stage);
    const phase = phaseOf(s.network, s.stage);
    const backward = phase === 'backward';
    const hot = hotOf(layout, spec);
    const mark = this.highlight ? diagramTarget(layout, this.highlight) : null;
    this.spotPoint = s.spotlight?.type === 'element' ? pointOf(diagramTarget(layout, s.spotlight)) : null;
    const has = (name: string | null) => name !== null && s.tensors[name] !== undefined;
    const weights = layout.layers.map((n) => s.tensors[n.W]?.data ?? []);
    const grads = layout.layers.map((n) => (backward ? s.tensors[n.dL_dW]?.data : undefined));
    const wMax = Math.max(...weights.map((w) => maxAbs(w)), 1e-9);
    const gMax = Math.max(...grads.map((d) => maxAbs(d ?? [])), 1e-9);
    const last = layout.sizes.length - 1;
    const wide = layout.notebook ? nothing : `min-width: ${Math.round(g.width * 0.62)}px;${bigSizes(g)}`;
    return html`
      <section class="panel" style="--accent:${phaseAccent(phase)}" aria-labelledby="diagram-title">
        <h2 id="diagram-title">Network</h2>
        <div class="scroll scroll-cue">
          <svg viewBox="0 0 ${g.width} ${g.height}" style=${wide} role="img" aria-label=${this.describe(s, layout)}>
            <defs>
              <marker id="back-arrow" viewBox="0 0 10 10" refX="0" refY="5" markerWidth="4" markerHeight="4" orient="auto-start-reverse">
                <path d="M 0 0 L 10 5 L 0 10 z" fill="var(--backward)"></path>
              </marker>
              <marker id="down-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto">
                <path d="M 0 0 L 10 5 L 0 10 z" fill="#6e7781"></path>
              </marker>
            </defs>
            ${layout.layers.map((_, i) => this.edges(layout, g, i + 1, weights[i], grads[i], wMax, gMax, backward, hot.edges.has(i + 1), mark))}
            <line x1=${g.loss.x + g.columns[last].w / 2} y1=${g.columns[last].ys.at(-1)! + g.columns[last].h / 2}
              x2=${g.loss.x + g.columns[last].w / 2} y2=${g.loss.y - g.loss.h / 2 - 2}
              stroke="#6e7781" stroke-width="1.5" marker-end="url(#down-arrow)"></line>
            ${layout.sizes.map((_, c) => this.column(s, layout, g, c, backward, hot.column === c, mark?.kind === 'node' && mark.column === c ? mark.unit : null))}
            ${this.node(g, 'L', g.loss.x, g.loss.y, g.loss.w, g.loss.h, [['L', has('L') ? fmt(s.tensors.L!.data[0]) : '…'], ['y', has('y') ? raw(s.tensors.y!.data[0]) : '…']], hot.loss, mark?.kind === 'loss', !has('L'), false, null)}
            ${this.headings(layout, g, hot)}
          </svg>
        </div>
        ${this.caption(s, layout, g, backward)}
      </section>
    `;
  }

  /** The weights into layer l as edges (their gradients once computed in the backward pass). */
  private edges(
    layout: MlpLayout,
    g: DiagramGeometry,
    l: number,
    w: readonly number[],
    grad: readonly number[] | undefined,
    wMax: number,
    gMax: number,
    backward: boolean,
    hot: boolean,
    mark: DiagramTarget | null,
  ) {
    const from = g.columns[l - 1];
    const to = g.columns[l];
    const cols = layout.sizes[l];
    const name = layout.layers[l - 1].W;
    const heavy = !g.compact;
    const marked = mark?.kind === 'edge' && mark.layer === l ? mark.from * cols + mark.to : null;
    let spot: number | null = null;
    const edges = from.ys.flatMap((ya, i) =>
      to.ys.map((yb, j) => {
        const k = i * cols + j;
        const weight = w[k] ?? 0;
        const gradient = grad?.[k];
        const showGrad = gradient !== undefined;
        const value = showGrad ? gradient : weight;
        const max = showGrad ? gMax : wMax;
        const width = 1 + (heavy ? 6 : 3) * Math.min(1, Math.abs(value) / max);
        // Faded while the backward pass has not reached this layer's gradient yet.
        const opacity = backward && !showGrad ? 0.3 : 1;
        const label = edgeLabel(layout, name, i, j, cols);
        const title = showGrad ? `∂L/∂${label} = ${full(gradient)} (weight ${full(weight)})` : `${label} = ${full(weight)}`;
        const [x1, x2] = [from.x + from.w, to.x];
        const isMarked = marked === k;
        const point = `edge:${l}:${i}:${j}`;
        const spotlit = this.spotPoint === point;
        if (spotlit) spot = k;
        return svg`<g class="edge" data-edge=${label} data-highlight=${isMarked ? 'true' : nothing} data-point=${point}
          data-spotlit=${spotlit ? 'true' : nothing} tabindex=${this.pointing ? 0 : nothing} role=${this.pointing ? 'button' : nothing}
          aria-label=${this.pointing ? `Spotlight ${label} for the class` : nothing} aria-pressed=${this.pointing ? String(spotlit) : nothing}
          data-pointable=${this.pointing ? 'true' : nothing} @click=${this.onPointAt} @keydown=${this.onPointAt}
          @mouseenter=${this.onPoint} @mouseleave=${this.onPoint}>
          <title>${title}</title>
          ${spotlit ? svg`<line class="spot-halo" x1=${x1} y1=${ya} x2=${x2} y2=${yb} stroke-width=${width + (heavy ? 16 : 11)}></line>` : nothing}
          ${isMarked ? svg`<line class="halo" x1=${x1} y1=${ya} x2=${x2} y2=${yb} stroke-width=${width + (heavy ? 10 : 7)}></line>` : nothing}
          ${heavy ? svg`<line x1=${x1} y1=${ya} x2=${x2} y2=${yb} stroke="#d0d7de" stroke-width="1"></line>` : nothing}
          <line x1=${x1} y1=${ya} x2=${x2} y2=${yb} stroke=${diverging(value, max)} stroke-width=${width} stroke-opacity=${opacity}
            stroke-dasharray=${hot ? '10 4' : nothing}
            marker-start=${showGrad ? 'url(#back-arrow)' : nothing}></line>
        </g>`;
      }),
    );
    // The marked and the spotlit edge last, over the edges that cross them.
    const top = [spot, marked].filter((k): k is number => k !== null);
    return top.length === 0 ? edges : [...edges.filter((_, k) => !top.includes(k)), ...top.filter((k, n) => top.indexOf(k) === n).map((k) => edges[k])];
  }

  /** The nodes of layer c (0 = the inputs). */
  private column(s: Snapshot, layout: MlpLayout, g: DiagramGeometry, c: number, backward: boolean, hot: boolean, markedUnit: number | null) {
    const col = g.columns[c];
    return col.ys.map((y, j) => {
      const lines = c === 0 ? this.inputLines(s, layout, g, j) : this.unitLines(s, layout, g, c, j, backward);
      const pending = c === 0 ? !s.tensors[layout.input] : !s.tensors[layout.layers[c - 1].Z];
      const bias = c > 0 ? this.bias(s, layout, c, j, backward) : null;
      return this.node(g, nodeId(layout, c, j), col.x, y, col.w, col.h, lines, hot, markedUnit === j, pending, g.compact, bias, this.nodeTitle(s, layout, c, j), `node:${c}:${j}`);
    });
  }

  /** An input node: the feature's name and this row's value (the notebook: A₁ …). */
  private inputLines(s: Snapshot, layout: MlpLayout, g: DiagramGeometry, i: number): NodeLine[] {
    const value = raw(s.tensors[layout.input]?.data[i]);
    if (g.compact) return [['', value]];
    const names = packedDataset(s.dataset)?.featureNames ?? [];
    const name = layout.notebook ? `A${sub(i + 1)}` : (names[i] ?? `x${i + 1}`).slice(0, 5);
    return [[name, value]];
  }

  /** A unit's lines: z and the activation going forward, a gradient and the activation going backward. */
  private unitLines(s: Snapshot, layout: MlpLayout, g: DiagramGeometry, l: number, j: number, backward: boolean): NodeLine[] {
    const n = layout.layers[l - 1];
    const width = layout.sizes[l];
    const value = (name: string | null) => (name && s.tensors[name] ? fmt(s.tensors[name]!.data[j]) : null);
    const index = width > 1 ? sub(j + 1) : '';
    // Going backward: δ = ∂L/∂z once computed, else ∂L/∂a (the notebook's hidden rows show either as ∂B).
    const gradient = backward ? (value(n.dL_dZ) !== null ? ['∂z', value(n.dL_dZ)] : value(n.dL_dA) !== null ? ['∂a', value(n.dL_dA)] : null) : null;
    // Big nodes show z while the activation is not computed yet (at the z stage), small ones wait for a.
    if (g.compact) return [['', gradient ? gradient[1]! : (value(n.A) ?? (g.big ? value(n.Z) : null) ?? '…')]];
    if (layout.notebook) {
      const isOutput = l === layout.layers.length;
      const z = isOutput ? 'C' : `B${index}`;
      if (!isOutput && gradient) return [[`∂B${index}`, gradient[1]!], [`σ${index}`, value(n.A) ?? '…']];
      return [[z, value(n.Z) ?? '…'], [`σ${index}`, value(n.A) ?? '…']];
    }
    // The tensor cards' element names (Z1[3], A1[3]); a gradient is ∂ and the name (∂Z1[3] = ∂L/∂Z1[3]).
    const label = (name: string) => unitLabel(name, width, j);
    const first: NodeLine = gradient ? [`∂${label(value(n.dL_dZ) !== null ? n.Z : n.A)}`, gradient[1]!] : [label(n.Z), value(n.Z) ?? '…'];
    return [first, [label(n.A), value(n.A) ?? '…']];
  }

  /** A unit's bias (or its gradient once computed going backward), when the network has biases. */
  private bias(s: Snapshot, layout: MlpLayout, l: number, j: number, backward: boolean): { label: string; value: number } | null {
    const n = layout.layers[l - 1];
    if (!n.b) return null;
    const gradient = backward && n.dL_db ? s.tensors[n.dL_db]?.data[j] : undefined;
    // b1[3], as the tensor cards say (the notebook has no biases).
    const name = unitLabel(n.b, layout.sizes[l], j);
    if (gradient !== undefined) return { label: `∂${name}`, value: gradient };
    const b = s.tensors[n.b]?.data[j];
    return b === undefined ? null : { label: `+${name}`, value: b };
  }

  private nodeTitle(s: Snapshot, layout: MlpLayout, c: number, j: number): string {
    if (c === 0) return `${tensorLabel(layout.input)}[${j + 1}] = ${raw(s.tensors[layout.input]?.data[j])}`;
    const n = layout.layers[c - 1];
    const names = [n.Z, n.A, n.b, n.dL_dA, n.dA_dZ, n.dL_dZ, n.dL_db].filter((x): x is string => x !== null && s.tensors[x] !== undefined);
    return names.map((name) => `${tensorLabel(name)}[${j + 1}] = ${full(s.tensors[name]!.data[j])}`).join('\n') || 'not computed yet in this pass';
  }

  private node(
    g: DiagramGeometry,
    id: string,
    x: number,
    cy: number,
    w: number,
    h: number,
    lines: readonly NodeLine[],
    isHot: boolean,
    marked: boolean,
    pending: boolean,
    compact: boolean,
    bias: { label: string; value: number } | null,
    title?: string,
    point = 'loss',
  ) {
    const y = cy - h / 2;
    const flags = this.nodeFlags(id);
    const shift = g.big ? g.big.baselineShift : compact ? 4.5 : 5;
    const lineY = (k: number) => y + (lines.length === 1 ? h / 2 + shift : g.firstLine + k * g.lineStep);
    // Compact nodes stand 6 apart: their ring stays inside the gap.
    const pad = compact ? 2.5 : 4;
    const spotlit = this.spotPoint === point;
    const spotPad = pad + (compact ? 3 : 5);
    return svg`<g class="node ${isHot ? 'hot' : ''} ${pending ? 'pending' : ''} ${flags ? 'flagged' : ''} ${compact ? 'compact' : ''}" data-node=${id}
      data-highlight=${marked ? 'true' : nothing} data-point=${point} data-spotlit=${spotlit ? 'true' : nothing} tabindex=${this.pointing ? 0 : nothing} role=${this.pointing ? 'button' : nothing}
          aria-label=${this.pointing ? `Spotlight ${id} for the class` : nothing} aria-pressed=${this.pointing ? String(spotlit) : nothing}
          data-pointable=${this.pointing ? 'true' : nothing} @click=${this.onPointAt} @keydown=${this.onPointAt}
      @mouseenter=${this.onPoint} @mouseleave=${this.onPoint}>
      ${spotlit ? svg`<rect class="spot-ring" x=${x - spotPad} y=${y - spotPad} width=${w + 2 * spotPad} height=${h + 2 * spotPad} rx=${(compact ? 5 : 8) + spotPad}></rect>` : nothing}
      ${title ? svg`<title>${title}</title>` : nothing}
      ${marked ? svg`<rect class="ring" x=${x - pad} y=${y - pad} width=${w + 2 * pad} height=${h + 2 * pad} rx=${(compact ? 5 : 8) + pad}></rect>` : nothing}
      <rect class="box" x=${x} y=${y} width=${w} height=${h} rx=${compact ? 5 : 8}></rect>
      ${flags
        ? svg`<g class="flag-badge" data-testid="flag-node-${id}"><title>${flags} flag${flags > 1 ? 's' : ''}: lost here</title>
            <rect x=${x + w - 30} y=${y - 9} width="36" height="18" rx="9"></rect>
            <text x=${x + w - 12} y=${y + 5} text-anchor="middle">⚑${flags}</text></g>`
        : nothing}
      ${lines.map(
        ([name, value], k) => svg`<text x=${x + 8} y=${lineY(k)}>
          <tspan class="name">${name}</tspan><tspan class="value" x=${x + w - 8} text-anchor="end">${value}</tspan></text>`,
      )}
      ${bias && !compact
        ? svg`<text class="bias" x=${x + 8} y=${y + h - 7}>${bias.label}<tspan x=${x + w - 8} text-anchor="end">${fmt(bias.value)}</tspan></text>`
        : nothing}
      ${bias && compact
        ? svg`<circle class="bias-mark" cx=${x} cy=${y} r="5" fill=${diverging(bias.value, Math.max(Math.abs(bias.value), 1))}><title>${bias.label} = ${full(bias.value)}</title></circle>`
        : nothing}
      ${isHot && g.nodeTags ? svg`<text class="hot-tag" x=${x + w / 2} y=${y - 5} text-anchor="middle">◆ new</text>` : nothing}
    </g>`;
  }

  /** Column headings (not for the notebook, whose drawing has none) and ◆ tags over changed weights. */
  private headings(layout: MlpLayout, g: DiagramGeometry, hot: Hot) {
    const tags = [...hot.edges].map((l) => {
      const [from, to] = [g.columns[l - 1], g.columns[l]];
      return svg`<text class="hot-tag" x=${(from.x + from.w + to.x) / 2} y=${g.tagY} text-anchor="middle">◆ ${layout.layers[l - 1].W}</text>`;
    });
    if (g.headingY === null) return tags;
    const heading = (c: number) => columnHeading(layout, c);
    const big = g.big;
    const s = this.snapshot;
    return [
      ...g.columns.map((col, c) => {
        const isHot = hot.column === c;
        return svg`<text class="heading ${isHot ? 'hot' : ''}" x=${col.x + col.w / 2} y=${g.headingY!} text-anchor="middle">${isHot ? '◆ ' : ''}${heading(c)}</text>`;
      }),
      // Big nodes have one number and no label: the row under the headings says what it is.
      ...(big && s
        ? g.columns.map((col, c) => svg`<text class="heading shows" data-shows=${c} x=${col.x + col.w / 2} y=${big.showsY} text-anchor="middle">${shownIn(s, layout, c)}</text>`)
        : []),
      ...tags,
    ];
  }

  private caption(s: Snapshot, layout: MlpLayout, g: DiagramGeometry, backward: boolean) {
    const gradientNames = layout.layers.map((n) => tensorLabel(n.dL_dW)).join(', ');
    const edges = backward
      ? `edges: gradient ${gradientNames} (colour = sign, width = size)`
      : 'edges: weight (colour = sign, width = size)';
    return html`<p class="caption">
      <span class="scale"><span aria-hidden="true">−</span><i class="swatch" aria-hidden="true"></i><span aria-hidden="true">+</span> ${edges}</span>
      ${backward ? html`<span><span aria-hidden="true">◀</span> gradients flow backward</span>` : nothing}
      ${layout.notebook ? this.notebookLegend(s, backward) : this.legend(s, layout, g, backward)}
    </p>`;
  }

  private notebookLegend(s: Snapshot, backward: boolean) {
    return html`<span>σ = activation; hidden rows show ${backward && s.tensors.dL_dB_act ? '∂L/∂B (or ∂L/∂B_act)' : 'B'} and B_act</span>`;
  }

  private legend(s: Snapshot, layout: MlpLayout, g: DiagramGeometry, backward: boolean) {
    // Big nodes say what they show over their columns; nobody hovers a wall.
    if (g.big) return s.network.biases ? html`<span>● = bias (colour = sign)</span>` : nothing;
    const nodes = g.compact
      ? `nodes: the activation A1, A2 … of each unit${backward ? ' (∂L/∂Z1 … once computed going backward)' : ''}; hover for every value`
      : `nodes: unit j's pre-activation Z1[j] and activation A1[j] (the heading gives the function)${backward ? '; ∂Z1[j] = ∂L/∂Z1[j], ∂A1[j] = ∂L/∂A1[j]' : ''}`;
    const bias = s.network.biases ? (g.compact ? '; ● = bias (colour = sign)' : '; +b1[j] = bias') : '';
    const rows = s.tensors[layout.input]?.shape[0] ?? 0;
    const batch = layout.batched && rows > 1 ? html`<span data-testid="diagram-batch-note">batch of ${rows} rows: nodes show its first row (sample ${s.sampleIndex})</span>` : nothing;
    return html`<span>${nodes}${bias}</span>${batch}`;
  }

  /** Flags on the elements a node stands for: unit j of its layer's per-row tensors (any row of a batch); the loss node: L and y. */
  private nodeFlags(id: string): number {
    const counts = this.flagCounts;
    const s = this.snapshot;
    if (!counts || !s) return 0;
    const layout = mlpLayout(s.network);
    const { tensors, unit } = nodeTensors(layout, id);
    let sum = 0;
    for (const [key, count] of Object.entries(counts)) {
      const m = /^(\w+)\[([\d,]+)\]$/.exec(key);
      if (!m || !tensors.includes(m[1])) continue;
      const index = m[2].split(',').map(Number);
      if (unit === null || index[index.length - 1] === unit) sum += count;
    }
    return sum;
  }

  protected override updated(changed: PropertyValues<this>): void {
    // A new moment: the node under the pointer may stand for another line now.
    if (changed.has('snapshot')) this.report();
  }

  /** Pointing: a click, Enter or Space on a node, an edge or the loss spotlights what it stands for. */
  private readonly onPointAt = (e: Event): void => {
    if (!this.pointing || !this.snapshot) return;
    if (e instanceof KeyboardEvent) {
      if (!isActivation(e)) return;
      e.preventDefault();
    }
    const target = targetAt(this.snapshot, (e.currentTarget as Element).getAttribute('data-point') ?? '');
    if (target) pointAt(this, target, spotlightKey(this.snapshot.spotlight));
  };

  private readonly onPoint = (e: Event): void => {
    const point = (e.currentTarget as Element).getAttribute('data-point');
    if (e.type === 'mouseenter') this.pointed = point;
    else if (this.pointed === point) this.pointed = null;
    this.report();
  };

  /** The reverse link: the element of this stage's equations drawn where the pointer is, if any. */
  private report(): void {
    const element = this.pointed && this.snapshot ? elementAt(this.snapshot, this.pointed) : null;
    const key = element ? `${element.tensor}[${element.index.join(',')}]` : null;
    if (key === this.sent) return;
    this.sent = key;
    this.dispatchEvent(new ElementHoverEvent(element));
  }

  private describe(s: Snapshot, layout: MlpLayout): string {
    const done = s.stage === 'idle' ? 'no stage computed yet' : `stage ${s.stage} just computed`;
    const hidden = layout.sizes.slice(1, -1);
    const inner = hidden.length === 1 ? `${hidden[0]} hidden units` : `hidden layers of ${hidden.join(', ')} units`;
    const outputs = layout.sizes[layout.sizes.length - 1];
    return `Network diagram: ${layout.sizes[0]} inputs, ${inner}, ${outputs} output${outputs > 1 ? 's' : ''}; ${done}. Values are listed in the tensors panel.`;
  }
}

/** The first element the stage's equation lines are about that is drawn at a point ("node:1:2", "edge:1:0:3", "loss"). */
function elementAt(s: Snapshot, point: string): ElementRef | null {
  const layout = mlpLayout(s.network);
  const same = (t: DiagramTarget | null) => {
    if (!t) return false;
    if (t.kind === 'loss') return point === 'loss';
    return point === (t.kind === 'node' ? `node:${t.column}:${t.unit}` : `edge:${t.layer}:${t.from}:${t.to}`);
  };
  return stageEquations(s).elements.find((e) => e !== null && same(diagramTarget(layout, e))) ?? null;
}

/** The point a diagram target is drawn at ("node:1:2", "edge:1:0:3", "loss"). */
function pointOf(t: DiagramTarget | null): string | null {
  if (!t) return null;
  return t.kind === 'loss' ? 'loss' : t.kind === 'node' ? `node:${t.column}:${t.unit}` : `edge:${t.layer}:${t.from}:${t.to}`;
}

/**
 * What pointing at a point spotlights: an edge its weight, the loss node the loss, a unit the
 * element this stage's equations are about there, else its activation (an input node its input).
 */
function targetAt(s: Snapshot, point: string): SpotlightTarget | null {
  const layout = mlpLayout(s.network);
  const element = (tensor: string, index: number[]): SpotlightTarget => ({ type: 'element', tensor, index });
  if (point === 'loss') return element(layout.loss, [0]);
  const [kind, ...numbers] = point.split(':');
  const [a, b, c] = numbers.map(Number);
  if (kind === 'edge') return element(layout.layers[a - 1].W, [b, c]);
  if (kind !== 'node') return null;
  const linked = elementAt(s, point);
  if (linked) return element(linked.tensor, [...linked.index]);
  const unit = layout.batched ? [0, b] : [b];
  return element(a === 0 ? layout.input : layout.layers[a - 1].A, unit);
}

/** A big drawing's sizes, as the properties its stylesheet reads (nothing for the others). */
function bigSizes(g: DiagramGeometry): string {
  const big = g.big;
  if (!big) return '';
  const value = `${big.valueSize}px`;
  return `--diagram-text-size:${value};--diagram-compact-text-size:${value};--diagram-heading-size:${big.headingSize}px;--diagram-tag-size:${big.headingSize}px`;
}

/** What a big node's one number is, for the row under the column's heading (names.ts: A1, ∂L/∂Z2 …). */
function shownIn(s: Snapshot, layout: MlpLayout, c: number): string {
  return columnShows(layout, c, phaseOf(s.network, s.stage) === 'backward', (name) => s.tensors[name] !== undefined);
}

/** A node's id: the notebook's A1…A3, B1…B4, C; otherwise `n<layer>-<unit>` (1-based unit); the loss is L. */
function nodeId(layout: MlpLayout, c: number, j: number): string {
  if (!layout.notebook) return `n${c}-${j + 1}`;
  return c === 0 ? `A${j + 1}` : c === 1 ? `B${j + 1}` : 'C';
}

/** The tensors a node stands for and its unit (null: every element, for the loss node). */
function nodeTensors(layout: MlpLayout, id: string): { tensors: string[]; unit: number | null } {
  if (id === 'L') return { tensors: [layout.loss, layout.target], unit: null };
  let c: number;
  let j: number;
  const general = /^n(\d+)-(\d+)$/.exec(id);
  if (general) {
    [c, j] = [Number(general[1]), Number(general[2]) - 1];
  } else {
    c = id[0] === 'A' ? 0 : id[0] === 'B' ? 1 : 2;
    j = id === 'C' ? 0 : Number(id.slice(1)) - 1;
  }
  if (c === 0) return { tensors: [layout.input], unit: j };
  const n = layout.layers[c - 1];
  return { tensors: [n.Z, n.A, n.dL_dA, n.dA_dZ, n.dL_dZ].filter((x): x is string => x !== null), unit: j };
}

/** An edge's name: the notebook's W₁₂ and V₁; otherwise W1[1,2]. */
function edgeLabel(layout: MlpLayout, W: string, i: number, j: number, cols: number): string {
  if (layout.notebook) return cols === 1 ? `${W}${sub(i + 1)}` : `${W}${sub(i + 1)}${sub(j + 1)}`;
  return `${W}[${i + 1},${j + 1}]`;
}

declare global {
  interface HTMLElementTagNameMap {
    'nn-diagram': NnDiagram;
  }
}
