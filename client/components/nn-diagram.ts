import { LitElement, css, html, svg, nothing, type PropertyValues } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { Snapshot } from '../../shared/protocol/snapshot.js';
import { diverging } from '../lib/colors.js';
import type { DiagramTarget } from '../lib/diagram-layout.js';
import { diagramModel, linkedElement, pointName, sameTarget, spotlightAt, type DiagramEdge, type DiagramModel, type DiagramNode } from '../lib/diagram-model.js';
import type { ElementRef } from '../lib/equations.js';
import { ElementHoverEvent } from '../lib/events.js';
import { fmt, full } from '../lib/format.js';
import { panelStyles, scrollCueStyles, swatchStyles } from '../lib/shared-styles.js';
import { isActivation, pointAt, spotlightKey } from '../lib/spotlight.js';

/**
 * The network as the notebook draws it, for any size: a column of nodes per layer, edges
 * coloured by the sign and sized by the magnitude of each weight on the shared diverging scale.
 * In the backward pass the edges show the gradient instead (once computed), with arrowheads
 * pointing back towards the inputs. Nodes show this pass's numbers: z and the activation a (two
 * lines) up to 8 units a layer, one number (the activation, or its gradient going backward) for
 * wider layers; in a batch, the batch's first row. The 3-4-1 notebook network looks as it always did.
 * What is drawn where is lib/diagram-model.ts; this component turns it into SVG and handles pointing.
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

  /** The places drawn in the last render, by their data-point, for the pointer's handlers. */
  private places = new Map<string, DiagramTarget>();
  /** The node or edge under the pointer, for the reverse link. */
  private pointed: DiagramTarget | null = null;
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
    const model = diagramModel({ snapshot: s, projector: this.display === 'projector', highlight: this.highlight, flagCounts: this.flagCounts });
    const g = model.geometry;
    this.places = new Map([...model.nodes, ...model.edges].map((p) => [pointName(p.target), p.target]));
    const arrow = model.lossArrow;
    return html`
      <section class="panel" style="--accent:${model.accent}" aria-labelledby="diagram-title">
        <h2 id="diagram-title">Network</h2>
        <div class="scroll scroll-cue">
          <svg viewBox="0 0 ${g.width} ${g.height}" style=${model.style ?? nothing} role="img" aria-label=${model.description}>
            <defs>
              <marker id="back-arrow" viewBox="0 0 10 10" refX="0" refY="5" markerWidth="4" markerHeight="4" orient="auto-start-reverse">
                <path d="M 0 0 L 10 5 L 0 10 z" fill="var(--backward)"></path>
              </marker>
              <marker id="down-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto">
                <path d="M 0 0 L 10 5 L 0 10 z" fill="#6e7781"></path>
              </marker>
            </defs>
            ${model.edges.map((e) => this.edge(e))}
            <line x1=${arrow.x1} y1=${arrow.y1} x2=${arrow.x2} y2=${arrow.y2}
              stroke="#6e7781" stroke-width="1.5" marker-end="url(#down-arrow)"></line>
            ${model.nodes.map((n) => this.node(n))}
            ${this.headings(model)}
          </svg>
        </div>
        ${this.caption(model)}
      </section>
    `;
  }

  /** One weight's edge (its gradient once computed in the backward pass). */
  private edge(e: DiagramEdge) {
    const { x1, y1, x2, y2, width } = e;
    return svg`<g class="edge" data-edge=${e.label} data-highlight=${e.marked ? 'true' : nothing} data-point=${pointName(e.target)}
          data-spotlit=${e.spotlit ? 'true' : nothing} tabindex=${this.pointing ? 0 : nothing} role=${this.pointing ? 'button' : nothing}
          aria-label=${this.pointing ? `Spotlight ${e.label} for the class` : nothing} aria-pressed=${this.pointing ? String(e.spotlit) : nothing}
          data-pointable=${this.pointing ? 'true' : nothing} @click=${this.onPointAt} @keydown=${this.onPointAt}
          @mouseenter=${this.onPoint} @mouseleave=${this.onPoint}>
          <title>${e.title}</title>
          ${e.spotlit ? svg`<line class="spot-halo" x1=${x1} y1=${y1} x2=${x2} y2=${y2} stroke-width=${e.spotHaloWidth}></line>` : nothing}
          ${e.marked ? svg`<line class="halo" x1=${x1} y1=${y1} x2=${x2} y2=${y2} stroke-width=${e.haloWidth}></line>` : nothing}
          ${e.underline ? svg`<line x1=${x1} y1=${y1} x2=${x2} y2=${y2} stroke="#d0d7de" stroke-width="1"></line>` : nothing}
          <line x1=${x1} y1=${y1} x2=${x2} y2=${y2} stroke=${e.colour} stroke-width=${width} stroke-opacity=${e.opacity}
            stroke-dasharray=${e.hot ? '10 4' : nothing}
            marker-start=${e.gradient ? 'url(#back-arrow)' : nothing}></line>
        </g>`;
  }

  private node(n: DiagramNode) {
    const { x, y, w, h, id, compact, flags, bias } = n;
    // Compact nodes stand 6 apart: their ring stays inside the gap.
    const pad = compact ? 2.5 : 4;
    const spotPad = pad + (compact ? 3 : 5);
    return svg`<g class="node ${n.hot ? 'hot' : ''} ${n.pending ? 'pending' : ''} ${flags ? 'flagged' : ''} ${compact ? 'compact' : ''}" data-node=${id}
      data-highlight=${n.marked ? 'true' : nothing} data-point=${pointName(n.target)} data-spotlit=${n.spotlit ? 'true' : nothing} tabindex=${this.pointing ? 0 : nothing} role=${this.pointing ? 'button' : nothing}
          aria-label=${this.pointing ? `Spotlight ${id} for the class` : nothing} aria-pressed=${this.pointing ? String(n.spotlit) : nothing}
          data-pointable=${this.pointing ? 'true' : nothing} @click=${this.onPointAt} @keydown=${this.onPointAt}
      @mouseenter=${this.onPoint} @mouseleave=${this.onPoint}>
      ${n.spotlit ? svg`<rect class="spot-ring" x=${x - spotPad} y=${y - spotPad} width=${w + 2 * spotPad} height=${h + 2 * spotPad} rx=${(compact ? 5 : 8) + spotPad}></rect>` : nothing}
      ${n.title ? svg`<title>${n.title}</title>` : nothing}
      ${n.marked ? svg`<rect class="ring" x=${x - pad} y=${y - pad} width=${w + 2 * pad} height=${h + 2 * pad} rx=${(compact ? 5 : 8) + pad}></rect>` : nothing}
      <rect class="box" x=${x} y=${y} width=${w} height=${h} rx=${compact ? 5 : 8}></rect>
      ${flags
        ? svg`<g class="flag-badge" data-testid="flag-node-${id}"><title>${flags} flag${flags > 1 ? 's' : ''}: lost here</title>
            <rect x=${x + w - 30} y=${y - 9} width="36" height="18" rx="9"></rect>
            <text x=${x + w - 12} y=${y + 5} text-anchor="middle">⚑${flags}</text></g>`
        : nothing}
      ${n.lines.map(
        (line) => svg`<text x=${x + 8} y=${line.y}>
          <tspan class="name">${line.name}</tspan><tspan class="value" x=${x + w - 8} text-anchor="end">${line.value}</tspan></text>`,
      )}
      ${bias && !compact
        ? svg`<text class="bias" x=${x + 8} y=${y + h - 7}>${bias.label}<tspan x=${x + w - 8} text-anchor="end">${fmt(bias.value)}</tspan></text>`
        : nothing}
      ${bias && compact
        ? svg`<circle class="bias-mark" cx=${x} cy=${y} r="5" fill=${diverging(bias.value, Math.max(Math.abs(bias.value), 1))}><title>${bias.label} = ${full(bias.value)}</title></circle>`
        : nothing}
      ${n.newTag ? svg`<text class="hot-tag" x=${x + w / 2} y=${y - 5} text-anchor="middle">◆ new</text>` : nothing}
    </g>`;
  }

  /** Column headings, what big nodes show, and ◆ tags over changed weights. */
  private headings(model: DiagramModel) {
    return [
      ...model.headings.map(
        (t) => svg`<text class="heading ${t.hot ? 'hot' : ''}" x=${t.x} y=${t.y} text-anchor="middle">${t.hot ? '◆ ' : ''}${t.text}</text>`,
      ),
      ...model.shows.map((t) => svg`<text class="heading shows" data-shows=${t.column!} x=${t.x} y=${t.y} text-anchor="middle">${t.text}</text>`),
      ...model.tags.map((t) => svg`<text class="hot-tag" x=${t.x} y=${t.y} text-anchor="middle">${t.text}</text>`),
    ];
  }

  private caption({ backward, legend }: DiagramModel) {
    return html`<p class="caption">
      <span class="scale"><span aria-hidden="true">−</span><i class="swatch" aria-hidden="true"></i><span aria-hidden="true">+</span> ${legend.edges}</span>
      ${backward ? html`<span><span aria-hidden="true">◀</span> gradients flow backward</span>` : nothing}
      ${legend.nodes !== null ? html`<span>${legend.nodes}</span>` : nothing}${legend.batch !== null
        ? html`<span data-testid="diagram-batch-note">${legend.batch}</span>`
        : nothing}
    </p>`;
  }

  protected override updated(changed: PropertyValues<this>): void {
    // A new moment: the node under the pointer may stand for another line now.
    if (changed.has('snapshot')) this.report();
  }

  /** The place an event's node or edge stands for. */
  private placeOf(e: Event): DiagramTarget | null {
    return this.places.get((e.currentTarget as Element).getAttribute('data-point') ?? '') ?? null;
  }

  /** Pointing: a click, Enter or Space on a node, an edge or the loss spotlights what it stands for. */
  private readonly onPointAt = (e: Event): void => {
    if (!this.pointing || !this.snapshot) return;
    if (e instanceof KeyboardEvent) {
      if (!isActivation(e)) return;
      e.preventDefault();
    }
    const place = this.placeOf(e);
    if (place) pointAt(this, spotlightAt(this.snapshot, place), spotlightKey(this.snapshot.spotlight));
  };

  private readonly onPoint = (e: Event): void => {
    const place = this.placeOf(e);
    if (e.type === 'mouseenter') this.pointed = place;
    else if (sameTarget(this.pointed, place)) this.pointed = null;
    this.report();
  };

  /** The reverse link: the element of this stage's equations drawn where the pointer is, if any. */
  private report(): void {
    const element = this.pointed && this.snapshot ? linkedElement(this.snapshot, this.pointed) : null;
    const key = element ? `${element.tensor}[${element.index.join(',')}]` : null;
    if (key === this.sent) return;
    this.sent = key;
    this.dispatchEvent(new ElementHoverEvent(element));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'nn-diagram': NnDiagram;
  }
}
