import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { mlpComputedInPass, mlpLayout } from '../../shared/engine/mlp/layout.js';
import { upcomingShape } from '../../shared/lecture/setup.js';
import { parseWholeNumber } from '../../shared/protocol/decimal.js';
import type { Snapshot } from '../../shared/protocol/snapshot.js';
import { snapshotNetwork } from '../../shared/lecture/snapshot-network.js';
import { elementLabel, tensorLabel } from '../../shared/engine/mlp/tensor-names.js';
import { CommandRequestEvent } from '../lib/events.js';
import { unflatten } from '../lib/names.js';
import { fieldError, numberFieldStyles } from '../lib/number-field.js';
import { buttonStyles, panelStyles } from '../lib/shared-styles.js';

/** Up to this many elements are offered in one list; bigger tensors pick a row and a column. */
const LISTED_ELEMENTS = 64;

/** A whole number in [0, n): the element chosen before, kept inside a shape that changed. */
const clampIndex = (x: number, n: number) => Math.max(0, Math.min(n - 1, Number.isFinite(x) ? Math.round(x) : 0));

/**
 * "Ask the class": the instructor picks a tensor that this pass has not computed yet and one
 * of its elements; the class predicts it until its stage runs (or the instructor reveals).
 */
@customElement('prediction-ask')
export class PredictionAsk extends LitElement {
  @property({ attribute: false }) snapshot: Snapshot | null = null;
  @property({ type: Boolean }) connected = false;

  @state() private tensor: string | null = null;
  /** The chosen element, one number per axis (clamped to the tensor's shape when shown). */
  @state() private index: number[] = [0];
  /** Why the row or column typed is not one of the tensor's (shown beside it). */
  @state() private axisError: { axis: number; text: string } | null = null;

  static override styles = [
    numberFieldStyles,
    panelStyles,
    buttonStyles,
    css`
      :host {
        display: contents;
      }
      .row {
        display: flex;
        flex-wrap: wrap;
        gap: 0.35rem;
        align-items: center;
      }
    `,
  ];

  /** The tensors still to come in this pass (after a complete pass: all of the next one); inputs are known before a pass, so asking about them teaches nothing. */
  private pending(s: Snapshot): string[] {
    const layout = mlpLayout(s.network);
    return layout.tensorNames.filter((n) => n !== layout.input && n !== layout.target && !mlpComputedInPass(layout, s.stage, n));
  }

  override render() {
    const s = this.snapshot;
    if (!s) return nothing;
    const pending = this.pending(s);
    const output = mlpLayout(s.network).layers.at(-1)!.A;
    const tensor = this.tensor && pending.includes(this.tensor) ? this.tensor : (pending.find((n) => n === output) ?? pending[0] ?? null);
    const shape = tensor ? (upcomingShape(snapshotNetwork(s), tensor) ?? [1]) : [1];
    const index = shape.map((n, axis) => clampIndex(this.index[axis] ?? 0, n));
    const open = s.prediction?.status === 'open';
    const off = !this.connected || s.training !== null || open || !tensor;
    return html`<div class="row" role="group" aria-label="Prediction question">
      <label for="ask-tensor">Ask the class</label>
      <select id="ask-tensor" ?disabled=${open || !pending.length} data-testid="ask-tensor"
        @change=${(e: Event) => {
          this.tensor = (e.target as HTMLSelectElement).value;
          this.index = [0, 0];
        }}>
        ${pending.map((n) => html`<option value=${n} ?selected=${n === tensor}>${tensorLabel(n)}</option>`)}
      </select>
      ${tensor ? this.renderElement(tensor, shape, index, open) : nothing}
      <button ?disabled=${off} data-testid="ask" title=${open ? 'A question is open: reveal it first' : 'Students predict the value before its stage runs'}
        @click=${() => tensor && this.dispatchEvent(new CommandRequestEvent({ type: 'ask', tensor, index }))}>Ask ?</button>
    </div>`;
  }

  /** One list of elements for a small tensor; a number per axis (1-based, as the cards count) for a big one. */
  private renderElement(tensor: string, shape: readonly number[], index: readonly number[], open: boolean) {
    const size = shape.reduce((a, b) => a * b, 1);
    if (size <= 1) return nothing;
    if (size <= LISTED_ELEMENTS) {
      const flat = shape.length === 2 ? index[0] * shape[1] + index[1] : index[0];
      return html`<label for="ask-element" class="visually-hidden">Element</label>
        <select id="ask-element" ?disabled=${open} data-testid="ask-element" @change=${(e: Event) => (this.index = unflatten(shape, Number((e.target as HTMLSelectElement).value)))}>
          ${Array.from({ length: size }, (_, k) => html`<option value=${k} ?selected=${k === flat}>${elementLabel(tensor, unflatten(shape, k), shape)}</option>`)}
        </select>`;
    }
    const names = shape.length === 2 ? ['row', 'column'] : ['element'];
    return shape.map((n, axis) => {
      const set = (e: Event) => {
        const read = parseWholeNumber((e.target as HTMLInputElement).value, { min: 1, max: n });
        this.axisError = read.ok ? null : { axis, text: `${names[axis]}: ${read.error}` };
        if (!read.ok) return;
        const next = [...index];
        next[axis] = read.value - 1;
        this.index = next;
      };
      const error = this.axisError?.axis === axis ? this.axisError.text : null;
      return html`<label for="ask-axis-${axis}">${names[axis]}</label>
        <input id="ask-axis-${axis}" type="text" inputmode="numeric" autocomplete="off" class="number" .value=${String(index[axis] + 1)} ?disabled=${open}
          aria-invalid=${error ? 'true' : 'false'} aria-describedby=${error ? `ask-axis-${axis}-error` : nothing}
          data-testid="ask-axis-${axis}" @change=${set} />${fieldError(`ask-axis-${axis}-error`, error)}`;
    });
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'prediction-ask': PredictionAsk;
  }
}
