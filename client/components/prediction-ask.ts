import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { computedInPass, TENSOR_NAMES, TENSOR_SHAPES, type Snapshot, type TensorName } from '../../shared/index.js';
import { elementLabel, indexOf } from '../lib/collab.js';
import { CommandRequestEvent } from '../lib/events.js';
import { TENSOR_LABELS } from '../lib/format.js';
import { buttonStyles, panelStyles } from '../lib/shared-styles.js';

/** Inputs are known before a pass: asking about them teaches nothing. */
const ASKABLE = TENSOR_NAMES.filter((n) => n !== 'A' && n !== 'y');

/**
 * "Ask the class": the instructor picks a tensor that this pass has not computed yet and one
 * of its elements; the class predicts it until its stage runs (or the instructor reveals).
 */
@customElement('prediction-ask')
export class PredictionAsk extends LitElement {
  @property({ attribute: false }) snapshot: Snapshot | null = null;
  @property({ type: Boolean }) connected = false;

  @state() private tensor: TensorName | null = null;
  @state() private element = 0;

  static override styles = [
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

  /** The tensors still to come in this pass (after a complete pass: all of the next one). */
  private get pending(): TensorName[] {
    const s = this.snapshot;
    return s ? ASKABLE.filter((n) => !computedInPass(s.stage, n)) : [];
  }

  override render() {
    const s = this.snapshot;
    if (!s) return nothing;
    const pending = this.pending;
    const tensor = this.tensor && pending.includes(this.tensor) ? this.tensor : (pending.find((n) => n === 'C_act') ?? pending[0] ?? null);
    const size = tensor ? TENSOR_SHAPES[tensor].reduce((a: number, b: number) => a * b, 1) : 0;
    const element = Math.min(this.element, Math.max(0, size - 1));
    const open = s.prediction?.status === 'open';
    const off = !this.connected || s.training !== null || open || !tensor;
    return html`<div class="row" role="group" aria-label="Prediction question">
      <label for="ask-tensor">Ask the class</label>
      <select id="ask-tensor" ?disabled=${open || !pending.length} data-testid="ask-tensor"
        @change=${(e: Event) => {
          this.tensor = (e.target as HTMLSelectElement).value as TensorName;
          this.element = 0;
        }}>
        ${pending.map((n) => html`<option value=${n} ?selected=${n === tensor}>${TENSOR_LABELS[n] ?? n}</option>`)}
      </select>
      ${size > 1
        ? html`<label for="ask-element" class="visually-hidden">Element</label>
            <select id="ask-element" ?disabled=${open} data-testid="ask-element" @change=${(e: Event) => (this.element = Number((e.target as HTMLSelectElement).value))}>
              ${Array.from({ length: size }, (_, k) => html`<option value=${k} ?selected=${k === element}>${elementLabel(tensor!, indexOf(tensor!, k))}</option>`)}
            </select>`
        : nothing}
      <button ?disabled=${off} data-testid="ask" title=${open ? 'A question is open: reveal it first' : 'Students predict the value before its stage runs'}
        @click=${() => tensor && this.dispatchEvent(new CommandRequestEvent({ type: 'ask', tensor, index: indexOf(tensor, element) }))}>Ask ?</button>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'prediction-ask': PredictionAsk;
  }
}
