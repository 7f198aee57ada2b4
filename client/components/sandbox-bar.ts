import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { mlpLayout } from '../../shared/engine/mlp/layout.js';
import { packedData } from '../../shared/lecture/setup.js';
import type { Command } from '../../shared/protocol/commands.js';
import { parseDecimal, parseWholeNumber } from '../../shared/protocol/decimal.js';
import { LIMITS } from '../../shared/protocol/limits.js';
import type { Snapshot } from '../../shared/protocol/snapshot.js';
import { elementLabel, stageLabel } from '../../shared/engine/mlp/tensor-names.js';
import { CommandRequestEvent, StudentActionEvent } from '../lib/events.js';
import { fmt } from '../lib/format.js';
import { fieldError, numberFieldStyles, numberIn } from '../lib/number-field.js';
import { unflatten } from '../lib/names.js';
import { buttonStyles, groupStyles, kbdStyles, panelStyles } from '../lib/shared-styles.js';

/** Up to this many rows the sample is picked from a list; beyond, its number is typed. */
const LISTED_ROWS = 64;
/** Parameters an update changes, compared at most this many (their first elements). */
const COMPARED_PARAMETERS = 4;

/** The numbers worth comparing at a glance: the output, the loss, and whatever the sandbox just computed. */
function compared(s: Snapshot): string[] {
  const layout = mlpLayout(s.network);
  const names = [layout.layers.at(-1)!.A, layout.loss];
  const stage = layout.stages.find((st) => st.stage === s.stage);
  if (stage && stage.phase !== 'update' && s.stage !== 'input') for (const n of stage.produces) if (!names.includes(n)) names.push(n);
  if (stage?.phase === 'update') names.push(...stage.produces.slice(0, COMPARED_PARAMETERS));
  return names;
}

/** A row as the sample list shows it: "5: 101 → 1" for a truth table, "5: (1.2, −0.4) → 0" for points. */
function rowText(x: ArrayLike<number>, y: number, i: number): string {
  const values = Array.from(x);
  const whole = values.every(Number.isInteger);
  const features = whole ? values.join('') : `(${values.map((v) => fmt(v, 2)).join(', ')})`;
  return `${i}: ${features} → ${Number.isInteger(y) ? y : fmt(y, 2)}`;
}

/**
 * The student's sandbox bar: their own copy of the network, stepped here in the browser
 * (nothing is sent), with the live lecture's numbers beside theirs and one click back to live.
 */
@customElement('sandbox-bar')
export class SandboxBar extends LitElement {
  @property({ attribute: false }) mine: Snapshot | null = null;
  @property({ attribute: false }) live: Snapshot | null = null;
  @property() error = '';

  @state() private rate = '';
  private rateTyped = false;
  /** Why the η or sample field's text was refused; shown beside it. */
  @state() private rateError: string | null = null;
  @state() private sampleError: string | null = null;

  static override styles = [
    panelStyles,
    buttonStyles,
    numberFieldStyles,
    groupStyles,
    kbdStyles,
    css`
      .panel {
        border: 2px solid var(--forward);
        background: var(--forward-bg);
        display: grid;
        gap: 0.5rem;
      }
      .row {
        display: flex;
        flex-wrap: wrap;
        gap: 0.35rem 0.75rem;
        align-items: center;
      }
      h2 {
        margin: 0;
        font-size: 1rem;
        flex: 1 1 12rem;
      }
      #sb-rate {
        width: 4.5rem;
      }
      select {
        max-width: 9rem;
      }
      table {
        justify-self: start;
        border-collapse: collapse;
        font-size: 0.9rem;
      }
      th,
      td {
        padding: 0.15rem 0.6rem 0.15rem 0;
        text-align: right;
      }
      th:first-child,
      td:first-child {
        text-align: left;
      }
      td {
        font-family: var(--mono);
        font-variant-numeric: tabular-nums;
      }
      .error {
        color: var(--danger);
        font-weight: 600;
        margin: 0;
      }
    `,
  ];

  override willUpdate(): void {
    if (!this.rateTyped && this.rate === '' && this.mine) this.rate = String(this.mine.learningRate);
  }

  override render() {
    const s = this.mine;
    const l = this.live;
    if (!s) return nothing;
    const value = (snap: Snapshot | null, n: string) => (snap?.tensors[n] ? snap.tensors[n].data[0] : null);
    return html`<section class="panel" aria-labelledby="sandbox-title" data-testid="sandbox-bar">
      <div class="row">
        <h2 id="sandbox-title">Your sandbox <span class="muted">· only in this browser, nothing is sent</span></h2>
        <button class="primary" data-testid="back-to-live" @click=${() => this.dispatchEvent(new StudentActionEvent({ type: 'live' }))}>Back to live <kbd>L</kbd></button>
      </div>
      <div class="row">
        <div class="group" role="group" aria-label="Step your copy">
          <button class="primary" data-testid="sandbox-step" @click=${() => this.ask({ type: 'step' })}>Step ▶</button>
          <button ?disabled=${s.undoDepth === 0} data-testid="sandbox-back" @click=${() => this.ask({ type: 'back' })}>◀ Back</button>
          <button @click=${() => this.ask({ type: 'forward' })}>Forward</button>
          <button @click=${() => this.ask({ type: 'backward' })}>Backward</button>
          <button @click=${() => this.ask({ type: 'update' })}>Update</button>
        </div>
        <div class="group" role="group" aria-label="Sample and learning rate of your copy">
          <label for="sb-sample">Sample</label>
          ${this.renderSample(s)}
          <label for="sb-rate">η</label>
          <input id="sb-rate" type="text" inputmode="decimal" autocomplete="off" .value=${this.rate}
            @input=${(e: Event) => this.typeRate((e.target as HTMLInputElement).value)}
            @keydown=${(e: KeyboardEvent) => e.key === 'Enter' && this.setRate()}
            aria-invalid=${this.rateError ? 'true' : nothing} aria-describedby=${this.rateError ? 'sb-rate-error' : nothing} />
          <button ?disabled=${numberIn(this.rate) === s.learningRate} @click=${() => this.setRate()}>Set η</button>
          ${fieldError('sb-rate-error', this.rateError)}
        </div>
      </div>
      <p class="muted" style="margin:0">Click a value of ${this.parameterNames(s)} below to change it in your copy.</p>
      ${this.error ? html`<p class="error" role="alert" data-testid="sandbox-error">${this.error}</p>` : nothing}
      <table data-testid="sandbox-compare" aria-label="The live lecture beside your sandbox">
        <thead><tr><th scope="col"></th><th scope="col">live</th><th scope="col">yours</th></tr></thead>
        <tbody>
          <tr><th scope="row">stage</th><td data-testid="compare-live-stage">${l ? stageLabel(l.stage) : '—'}</td><td data-testid="compare-mine-stage">${stageLabel(s.stage)}</td></tr>
          ${compared(s).map((n) => {
            const a = value(l, n);
            const b = value(s, n);
            const shape = s.tensors[n]?.shape ?? l?.tensors[n]?.shape ?? [1];
            return html`<tr><th scope="row">${elementLabel(n, unflatten(shape, 0), shape)}</th>
              <td data-testid="compare-live-${n}">${a === null ? 'not yet' : fmt(a)}</td>
              <td data-testid="compare-mine-${n}">${b === null ? 'not yet' : fmt(b)}</td></tr>`;
          })}
        </tbody>
      </table>
    </section>`;
  }

  /** "W or V", "W1, b1, W2 or b2": what the student may edit. */
  private parameterNames(s: Snapshot): string {
    const names = mlpLayout(s.network).parameters;
    return names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
  }

  /** Which training row the next pass starts from: a list for a small table, a number for a big set. */
  private renderSample(s: Snapshot) {
    const data = packedData(s.dataset).train;
    const select = (index: number) => this.ask({ type: 'selectSample', index });
    if (data.count > LISTED_ROWS) {
      const type = (e: Event) => {
        const result = parseWholeNumber((e.target as HTMLInputElement).value, { min: 0, max: data.count - 1 });
        this.sampleError = result.ok ? null : result.error;
        if (result.ok) select(result.value);
      };
      return html`<input id="sb-sample" type="text" inputmode="numeric" autocomplete="off" .value=${String(s.sampleIndex)} @change=${type}
          aria-invalid=${this.sampleError ? 'true' : nothing} aria-describedby=${this.sampleError ? 'sb-sample-error' : nothing} />
        ${fieldError('sb-sample-error', this.sampleError)}`;
    }
    return html`<select id="sb-sample" @change=${(e: Event) => select(Number((e.target as HTMLSelectElement).value))}>
      ${Array.from({ length: data.count }, (_, i) => {
        const x = data.x.subarray(i * data.inputs, (i + 1) * data.inputs);
        return html`<option value=${i} ?selected=${i === s.sampleIndex}>${rowText(x, data.y[i * data.outputs], i)}</option>`;
      })}
    </select>`;
  }

  private ask(command: Command): void {
    this.dispatchEvent(new CommandRequestEvent(command));
  }

  /** The field's text as typed; typing clears a refusal, which was about the text before. */
  private typeRate(text: string): void {
    this.rate = text;
    this.rateTyped = true;
    this.rateError = null;
  }

  /** η as typed (0,5 is 0.5), or the reason it is not one beside the field. */
  private setRate(): void {
    const result = parseDecimal(this.rate, { min: 0, max: LIMITS.maxLearningRate });
    this.rateError = result.ok ? null : result.error;
    if (result.ok) this.ask({ type: 'setLearningRate', value: result.value });
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sandbox-bar': SandboxBar;
  }
}
