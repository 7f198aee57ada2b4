import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { keyed } from 'lit/directives/keyed.js';
import type { Tensor } from '../../shared/engine/tensor.js';
import { parseDecimal } from '../../shared/protocol/decimal.js';
import { LIMITS } from '../../shared/protocol/limits.js';
import { flagKey } from '../../shared/protocol/flag-key.js';
import { tensorLabel } from '../../shared/engine/mlp/tensor-names.js';
import type { FlagView } from '../lib/collab.js';
import { diverging, maxAbs } from '../lib/colors.js';
import { CommandRequestEvent, FlagToggleEvent } from '../lib/events.js';
import { fmt, full, spoken } from '../lib/format.js';
import { unflatten } from '../lib/names.js';
import { fieldError, numberFieldStyles } from '../lib/number-field.js';
import { buttonStyles, panelStyles } from '../lib/shared-styles.js';
import { pointAt, spotlightStyles } from '../lib/spotlight.js';

/** Rows of a batched tensor shown before "… and N more rows": enough to see the pattern, few enough to scroll past. */
export const MAX_SHOWN_ROWS = 16;
/** Rows of a batched tensor not computed yet: its dashed outline, short. */
const PENDING_ROWS = 3;

/**
 * One tensor: its name, shape and values (4 decimals; full precision in the title and when
 * focused). Not yet computed in this pass, it is a dashed empty shape with its name, so students
 * see what is coming. A batched tensor shows one row per sample of the batch (the first
 * MAX_SHOWN_ROWS of them). Parameters can be edited by the instructor: click a cell, type, Enter.
 * With flags, a student's cells are "I'm lost here" toggles and the instructor's show counts.
 */
@customElement('tensor-card')
export class TensorCard extends LitElement {
  @property() name = 'A';
  @property({ attribute: false }) tensor: Tensor | undefined = undefined;
  /** The shape it has, or will have once computed in this pass (the placeholder's shape). */
  @property({ attribute: false }) shape: readonly number[] = [1];
  /**
   * Set for a tensor with one row per sample of a batched pass: the sample number of its first
   * row, shown beside each row. A one-axis tensor (the batch's losses) is then drawn as a column.
   */
  @property({ attribute: false }) firstSample: number | null = null;
  /** Flat indices that changed with the last update; outlined briefly. */
  @property({ attribute: false }) changed: ReadonlySet<number> = new Set();
  /** Bumped on every change so the outline animation restarts. */
  @property({ type: Number }) generation = 0;
  @property({ type: Boolean }) editable = false;
  @property({ attribute: false }) flags: FlagView | null = null;
  /** Key of what the instructor points the class at (`W[2,3]` marks that cell). */
  @property({ attribute: false }) spotlight: string | null = null;
  /** The instructor is pointing: a click spotlights the cell's element (instead of editing it). */
  @property({ type: Boolean }) pointing = false;

  @state() private editing: number | null = null;
  /** The table is wider than the card (an 8×8 matrix on a phone): the caption says it scrolls. */
  @state() private overflowing = false;
  private readonly resized = new ResizeObserver(() => this.measure());

  override connectedCallback(): void {
    super.connectedCallback();
    this.resized.observe(this);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resized.disconnect();
  }

  protected override updated(): void {
    this.measure();
  }

  private measure(): void {
    const figure = this.renderRoot.querySelector('figure');
    const over = figure !== null && figure.scrollWidth > figure.clientWidth + 1;
    if (over !== this.overflowing) this.overflowing = over;
  }
  /** Why the edited cell's text is not a number, shown under it until the text changes. */
  @state() private editError: string | null = null;

  static override styles = [
    panelStyles,
    buttonStyles,
    spotlightStyles,
    numberFieldStyles,
    css`
      :host {
        display: block;
        max-width: 100%;
      }
      figure {
        margin: 0;
        border: 1px solid var(--border);
        border-radius: 0.4rem;
        padding: 0.4rem 0.5rem 0.5rem;
        max-width: 100%;
        overflow-x: auto;
      }
      figure.pending {
        border-style: dashed;
        color: var(--muted);
      }
      /* A visible cue that the table goes on past the card's edge (the cells' colours hide a shadow). */
      .scrolls {
        margin-left: auto;
        color: var(--muted);
        font-weight: 600;
        position: sticky;
        right: 0;
      }
      figcaption {
        display: flex;
        gap: 0.5rem;
        align-items: baseline;
        font-size: 0.85rem;
        margin-bottom: 0.25rem;
        white-space: nowrap;
      }
      .name {
        font-weight: 700;
      }
      .shape {
        color: var(--muted);
        font-size: 0.8rem;
      }
      table {
        border-collapse: separate;
        border-spacing: 2px;
      }
      td {
        font-family: var(--mono);
        font-variant-numeric: tabular-nums;
        font-size: 0.85rem;
        padding: 0.15rem 0.35rem;
        text-align: right;
        min-width: 4.6rem;
        height: 1.7rem;
        border-radius: 0.2rem;
        outline: 2px solid transparent;
        color: #111;
      }
      td.empty {
        border: 1px dashed #afb8c1;
        min-width: 4.6rem;
      }
      td.changed {
        outline: 3px solid var(--fg);
        outline-offset: -1px;
        animation: flash 2.4s ease-out forwards;
      }
      @keyframes flash {
        0%, 60% { outline-color: var(--fg); }
        100% { outline-color: transparent; }
      }
      @media (prefers-reduced-motion: reduce) {
        /* No fading: the outline simply stays until the next change. */
        td.changed {
          animation: none;
        }
      }
      td {
        position: relative;
      }
      td.flagged {
        box-shadow: inset 0 0 0 3px var(--flag);
      }
      .flag {
        position: absolute;
        top: -0.35rem;
        right: -0.2rem;
        font-family: system-ui, sans-serif;
        font-size: 0.7rem;
        font-weight: 700;
        line-height: 1;
        padding: 0.1rem 0.2rem;
        border-radius: 0.6rem;
        background: var(--flag);
        color: #fff;
        pointer-events: none;
      }
      td:focus-visible {
        outline: 3px solid var(--focus);
      }
      .cell-button {
        all: unset;
        cursor: pointer;
        display: block;
        width: 100%;
        text-decoration: underline dotted;
      }
      .cell-button:focus-visible {
        outline: 3px solid var(--focus);
      }
      /* A finger's target (WCAG 2.2 2.5.8): the whole cell's height, at least 24 px, on phones and touch screens. */
      @media (pointer: coarse), (max-width: 600px) {
        .cell-button {
          display: flex;
          align-items: center;
          justify-content: flex-end;
          min-height: 24px;
        }
      }
      .cell-button.pointable {
        cursor: crosshair;
        min-height: 1.3em;
      }
      /* Inside the cell (the card scrolls sideways and would clip a ring outside it), over any change outline. */
      td[data-spotlit] {
        outline: 4px solid var(--spotlight);
        outline-offset: -4px;
        box-shadow: inset 0 0 0 8px var(--spotlight-glow);
        animation: none;
      }
      th.row {
        font-family: var(--mono);
        font-size: 0.75rem;
        font-weight: 400;
        color: var(--muted);
        text-align: right;
        padding-right: 0.25rem;
      }
      .more {
        font-size: 0.8rem;
        color: var(--muted);
        margin: 0.25rem 0 0;
      }
      input {
        width: 7rem;
        font-family: var(--mono);
        min-height: 1.7rem;
        padding: 0.1rem 0.3rem;
      }
      /* A refused edit's reason under the cell's field: wrapped to a few lines, not one that widens the table. */
      td .field-error {
        display: block;
        width: 12rem;
        white-space: normal;
        font-family: system-ui, sans-serif;
      }
    `,
  ];

  /** Rows and columns as drawn: a vector is one row, except the batch's per-sample values, one per row. */
  private grid(): [number, number] {
    const shape = this.shape;
    if (shape.length === 2) return [shape[0], shape[1]];
    return this.firstSample !== null ? [shape[0], 1] : [1, shape[0]];
  }

  override render() {
    const name = this.name;
    const shape = this.shape;
    const [rows, cols] = this.grid();
    // A batch still to come needs only a hint of its rows: the caption gives the shape.
    const shown = Math.min(rows, this.tensor || this.firstSample === null ? MAX_SHOWN_ROWS : PENDING_ROWS);
    const t = this.tensor;
    const label = tensorLabel(name);
    const max = t ? maxAbs(t.data) : 0;
    const batched = this.firstSample !== null;
    return html`
      <figure class=${t ? '' : 'pending'} data-testid="tensor-${name}" data-pending=${t ? 'false' : 'true'}>
        <figcaption>
          <span class="name">${label}</span><span class="shape">${shape.join(' × ')}${batched ? ', a row per sample' : ''}</span>${t
            ? nothing
            : html`<span class="shape">not yet computed</span>`}${this.overflowing
            ? html`<span class="scrolls" data-testid="scrolls-${name}">scroll ⇆</span>`
            : nothing}
        </figcaption>
        <table aria-label="${label}, ${shape.join(' by ')}${t ? '' : ', not yet computed'}">
          <tbody>
            ${Array.from(
              { length: shown },
              (_, i) => html`<tr>
                ${batched ? html`<th class="row" scope="row" title="sample ${this.firstSample! + i}">#${this.firstSample! + i}</th>` : nothing}
                ${Array.from({ length: cols }, (_, j) => this.cell(i * cols + j, i, j, max, rows, cols))}
              </tr>`,
            )}
          </tbody>
        </table>
        ${rows > shown ? html`<p class="more" data-testid="more-rows-${name}">… and ${rows - shown} more rows</p>` : nothing}
      </figure>
    `;
  }

  /** Where element k is, as people read it: 1-based, one number for a vector. */
  private where(k: number, i: number, j: number, rows: number, cols: number): string {
    return rows > 1 && cols > 1 ? `[${i + 1},${j + 1}]` : `[${k + 1}]`;
  }

  private cell(k: number, i: number, j: number, max: number, rows: number, cols: number) {
    const t = this.tensor;
    const label = tensorLabel(this.name);
    const where = this.where(k, i, j, rows, cols);
    const index = unflatten(this.shape, k);
    const key = flagKey({ type: 'element', tensor: this.name, index });
    const spotlit = this.spotlight === key ? 'true' : nothing;
    const point = () => pointAt(this, { type: 'element', tensor: this.name, index }, this.spotlight);
    const pointButton = (text: unknown, description: string) =>
      html`<button class="cell-button pointable" aria-pressed=${spotlit === 'true' ? 'true' : 'false'} data-testid="point-${this.name}-${k}"
        aria-label="Spotlight ${label}${where} for the class${description}" @click=${point}>${text}</button>`;
    if (!t) {
      return html`<td class="empty" data-testid="cell-${this.name}-${k}" data-spotlit=${spotlit}>${this.pointing ? pointButton('', ', not yet computed') : nothing}</td>`;
    }
    const value = t.data[k];
    if (this.editing === k) {
      return html`<td data-testid="cell-${this.name}-${k}">
        <input
          type="text"
          inputmode="decimal"
          autocomplete="off"
          aria-label="New value of ${label}${where}"
          aria-invalid=${this.editError ? 'true' : nothing}
          aria-describedby=${this.editError ? 'edit-error' : nothing}
          .value=${String(value)}
          @keydown=${(e: KeyboardEvent) => this.onEditKey(e, k)}
          @input=${() => (this.editError = null)}
          @blur=${() => (this.editing = null)}
        />
        ${fieldError('edit-error', this.editError)}
      </td>`;
    }
    const changed = this.changed.has(k);
    const mine = this.flags?.mine?.has(key) ?? false;
    const count = this.flags?.counts?.[key] ?? 0;
    const content = this.pointing
      ? pointButton(fmt(value), `, now ${spoken(value)}`)
      : this.editable
      ? html`<button class="cell-button" aria-label="Edit ${label}${where}, now ${spoken(value)}" @click=${() => this.startEdit(k)}>${fmt(value)}</button>`
      : this.flags?.mine
        ? html`<button class="cell-button" aria-pressed=${mine ? 'true' : 'false'} data-testid="flag-${this.name}-${k}"
            aria-label="${spoken(value)}, ${label}${where}, flag: I'm lost here"
            @click=${() => this.dispatchEvent(new FlagToggleEvent({ type: 'element', tensor: this.name, index }, !mine))}>${fmt(value)}</button>`
        : fmt(value);
    const badge = mine
      ? html`<span class="flag" aria-hidden="true">⚑</span>`
      : count
        ? html`<span class="flag" data-testid="flag-count-${this.name}-${k}">⚑${count}<span class="visually-hidden"> student${count > 1 ? 's' : ''} lost here</span></span>`
        : nothing;
    const td = html`<td
      class="${changed ? 'changed' : ''} ${mine || count ? 'flagged' : ''}"
      style="background:${diverging(value, max, 0.5)}"
      title="${label}${where} = ${full(value)}"
      tabindex=${this.editable || this.flags?.mine || this.pointing ? -1 : 0}
      data-testid="cell-${this.name}-${k}"
      data-value=${String(value)}
      data-spotlit=${spotlit}
    >${content}${badge}</td>`;
    // Re-created on each change so the outline animation plays again.
    return changed ? keyed(`${k}:${this.generation}`, td) : td;
  }

  private async startEdit(k: number): Promise<void> {
    this.editing = k;
    this.editError = null;
    await this.updateComplete;
    const input = this.renderRoot.querySelector('input');
    input?.focus();
    input?.select();
  }

  private onEditKey(e: KeyboardEvent, k: number): void {
    e.stopPropagation(); // arrows and letters here are typing, not lecture shortcuts
    if (e.key === 'Escape') {
      this.editing = null;
      return;
    }
    if (e.key !== 'Enter') return;
    const input = e.target as HTMLInputElement;
    // As typed (0,5 is 0.5); a refusal stays beside the cell, which keeps the text to correct.
    const result = parseDecimal(input.value, { min: -LIMITS.maxWeightMagnitude, max: LIMITS.maxWeightMagnitude });
    this.editError = result.ok ? null : result.error;
    if (!result.ok) return;
    const value = result.value;
    this.editing = null;
    // The protocol's index: [row, column] of a weight matrix, [i] of a bias.
    this.dispatchEvent(new CommandRequestEvent({ type: 'setWeight', tensor: this.name, index: unflatten(this.shape, k), value }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tensor-card': TensorCard;
  }
}
