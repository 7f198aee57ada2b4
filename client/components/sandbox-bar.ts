import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { LIMITS, NOTEBOOK_SAMPLES, STAGE_OUTPUTS, type Command, type Snapshot, type TensorName } from '../../shared/index.js';
import { CommandRequestEvent, StudentActionEvent } from '../lib/events.js';
import { elementLabel, indexOf } from '../lib/collab.js';
import { fmt, STAGE_LABELS } from '../lib/format.js';
import { buttonStyles, panelStyles } from '../lib/shared-styles.js';

/** The numbers worth comparing at a glance: the output, the loss, and whatever the sandbox just computed. */
function compared(s: Snapshot): TensorName[] {
  const names: TensorName[] = ['C_act', 'L'];
  if (s.stage !== 'idle' && s.stage !== 'input') for (const n of STAGE_OUTPUTS[s.stage]) if (!names.includes(n)) names.push(n);
  return names;
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

  static override styles = [
    panelStyles,
    buttonStyles,
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
      .group {
        display: flex;
        flex-wrap: wrap;
        gap: 0.35rem;
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
      kbd {
        font-family: var(--mono);
        font-size: 0.7rem;
        border: 1px solid currentColor;
        border-radius: 0.2rem;
        padding: 0 0.2rem;
      }
    `,
  ];

  override willUpdate(): void {
    if (this.rate === '' && this.mine) this.rate = String(this.mine.learningRate);
  }

  override render() {
    const s = this.mine;
    const l = this.live;
    if (!s) return nothing;
    const value = (snap: Snapshot | null, n: TensorName) => (snap?.tensors[n] ? snap.tensors[n]!.data[0] : null);
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
          <select id="sb-sample" @change=${(e: Event) => this.ask({ type: 'selectSample', index: Number((e.target as HTMLSelectElement).value) })}>
            ${NOTEBOOK_SAMPLES.map((x, i) => html`<option value=${i} ?selected=${i === s.sampleIndex}>${i}: ${x.x.join('')} → ${x.y}</option>`)}
          </select>
          <label for="sb-rate">η</label>
          <input id="sb-rate" type="number" min="0" step="any" max=${LIMITS.maxLearningRate} .value=${this.rate}
            @input=${(e: Event) => (this.rate = (e.target as HTMLInputElement).value)}
            @keydown=${(e: KeyboardEvent) => e.key === 'Enter' && this.ask({ type: 'setLearningRate', value: Number(this.rate) })} />
          <button ?disabled=${Number(this.rate) === s.learningRate} @click=${() => this.ask({ type: 'setLearningRate', value: Number(this.rate) })}>Set η</button>
        </div>
      </div>
      <p class="muted" style="margin:0">Click a value of W or V below to change it in your copy.</p>
      ${this.error ? html`<p class="error" role="alert" data-testid="sandbox-error">${this.error}</p>` : nothing}
      <table data-testid="sandbox-compare" aria-label="The live lecture beside your sandbox">
        <thead><tr><th scope="col"></th><th scope="col">live</th><th scope="col">yours</th></tr></thead>
        <tbody>
          <tr><th scope="row">stage</th><td data-testid="compare-live-stage">${l ? STAGE_LABELS[l.stage] : '—'}</td><td data-testid="compare-mine-stage">${STAGE_LABELS[s.stage]}</td></tr>
          ${compared(s).map((n) => {
            const a = value(l, n);
            const b = value(s, n);
            return html`<tr><th scope="row">${elementLabel(n, indexOf(n, 0))}</th>
              <td data-testid="compare-live-${n}">${a === null ? 'not yet' : fmt(a)}</td>
              <td data-testid="compare-mine-${n}">${b === null ? 'not yet' : fmt(b)}</td></tr>`;
          })}
        </tbody>
      </table>
    </section>`;
  }

  private ask(command: Command): void {
    this.dispatchEvent(new CommandRequestEvent(command));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sandbox-bar': SandboxBar;
  }
}
