import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { makeDataset } from '../../shared/datasets/spec.js';
import { notebookWeightsFit } from '../../shared/engine/mlp/config.js';
import { PRESET_NAMES, type Preset } from '../../shared/engine/mlp/init.js';
import type { Command } from '../../shared/protocol/commands.js';
import { parseDecimal, parseWholeNumber } from '../../shared/protocol/decimal.js';
import { LIMITS } from '../../shared/protocol/limits.js';
import type { Snapshot } from '../../shared/protocol/snapshot.js';
import { CommandRequestEvent } from '../lib/events.js';
import { fmt } from '../lib/format.js';
import { fieldError, numberFieldStyles, numberIn } from '../lib/number-field.js';
import { barStyles, buttonStyles, panelStyles, keyHintStyles } from '../lib/shared-styles.js';
import './network-setup.js';

/** Up to this many training rows the sample is picked from a list of the rows; beyond, by number. */
const MAX_LISTED_ROWS = 64;

/**
 * The instructor's bar: stepping, whole passes, training with progress, sample, learning rate
 * and reset, and the network and data setup it opens; the page's own buttons (pointing, the
 * projector display, the key list) go in its slot, last. Step comes first, so it is among the
 * first Tab stops, and a lecture that has not started says to press it. It only asks for
 * commands (bp-command events); the page sends them.
 */
@customElement('instructor-controls')
export class InstructorControls extends LitElement {
  @property({ attribute: false }) snapshot: Snapshot | null = null;
  @property({ type: Boolean }) connected = false;

  @state() private epochs = '1000';
  @state() private rate = '';
  @state() private preset: Preset = 'notebook';
  @state() private seed = '';
  @state() private setupOpen = false;
  private rateTyped = false;
  /** Why a numeric field's text was refused, by the field's id; shown beside it (the field keeps the text). */
  @state() private refused: Readonly<Partial<Record<NumberField, string>>> = {};

  static override styles = [
    keyHintStyles,
    panelStyles,
    buttonStyles,
    barStyles,
    numberFieldStyles,
    css`
      #epochs,
      #seed,
      #sample {
        width: 5.5rem;
      }
      #rate {
        width: 4.5rem;
      }
      progress {
        width: 10rem;
        height: 1rem;
      }
      /* The bar wraps on laptops: a rule would open the next row; space tells the groups apart. */
      .bar {
        gap: 0.4rem 1.4rem;
      }
      .group + .group {
        border-left: 0;
        padding-left: 0;
      }
      /* The page's bar is the chrome: no second frame inside it. */
      .panel {
        padding: 0;
        border: 0;
        background: transparent;
      }
      .setup {
        margin-top: 0.75rem;
        /* The bar stays at the top of the screen: the setup scrolls inside it, below the bar's rows. */
        max-height: calc(100vh - 12rem);
        overflow: auto;
      }
      .hint {
        margin: 0;
        padding: 0.3rem 0.6rem;
        border-radius: 0.4rem;
        background: var(--update-bg);
        border: 1px solid var(--update);
        font-weight: 600;
      }
      /* Until the first stage runs, Step wears a ring too: the hint names it, the ring shows it. */
      button.start {
        box-shadow: 0 0 0 3px var(--update-bg), 0 0 0 5px var(--update);
      }
    `,
  ];

  override willUpdate(): void {
    // The lecture's rate fills the field once; after that the field is the instructor's (cleared stays cleared).
    if (!this.rateTyped && this.rate === '' && this.snapshot) this.rate = String(this.snapshot.learningRate);
  }

  override render() {
    const s = this.snapshot;
    if (!s) return nothing;
    const training = s.training;
    const off = !this.connected || training !== null;
    const notebookFits = notebookWeightsFit(s.network);
    const preset = this.chosenPreset();
    const notStarted = s.stage === 'idle' && !training;
    return html`
      <section class="panel" aria-label="Instructor controls">
        <div class="bar">
          <div class="group" role="group" aria-label="Step through the pass">
            <button class="primary ${notStarted ? 'start' : ''}" ?disabled=${off} @click=${() => this.ask({ type: 'step' })} data-testid="step">Step ▶ <kbd>→</kbd></button>
            <button ?disabled=${off || s.undoDepth === 0} @click=${() => this.ask({ type: 'back' })} data-testid="back">◀ Back <kbd>←</kbd></button>
            <button ?disabled=${off} @click=${() => this.ask({ type: 'forward' })}>Forward pass <kbd>F</kbd></button>
            <button ?disabled=${off} @click=${() => this.ask({ type: 'backward' })}>Backward pass <kbd>B</kbd></button>
            <button ?disabled=${off} @click=${() => this.ask({ type: 'update' })}>Update <kbd>U</kbd></button>
          </div>
          <div class="group" role="group" aria-label="Training">
            <label for="epochs">Epochs</label>
            <input
              id="epochs"
              type="text"
              inputmode="numeric"
              autocomplete="off"
              .value=${this.epochs}
              @input=${(e: Event) => this.typed('epochs', (e.target as HTMLInputElement).value)}
              ?disabled=${training !== null}
              aria-invalid=${this.refused.epochs ? 'true' : nothing}
              aria-describedby=${this.refused.epochs ? 'epochs-error' : nothing}
            />
            ${fieldError('epochs-error', this.refused.epochs ?? null)}
            <button ?disabled=${off} @click=${() => this.train()} data-testid="train">Train ▸ <kbd>T</kbd></button>
            ${training
              ? html`<progress max=${training.epochsTotal} .value=${training.epochsDone} aria-label="Training progress"></progress>
                  <span class="num" aria-live="polite">${training.epochsDone}/${training.epochsTotal}</span>
                  <button ?disabled=${!this.connected} @click=${() => this.ask({ type: 'stop' })} data-testid="stop">■ Stop</button>`
              : nothing}
          </div>
          <div class="group" role="group" aria-label="Sample and learning rate">
            ${this.renderSample(s, off)}
            <label for="rate">η</label>
            <input id="rate" type="text" inputmode="decimal" autocomplete="off" .value=${this.rate}
              @input=${(e: Event) => this.typed('rate', (e.target as HTMLInputElement).value)}
              @keydown=${(e: KeyboardEvent) => e.key === 'Enter' && this.setRate()}
              aria-invalid=${this.refused.rate ? 'true' : nothing} aria-describedby=${this.refused.rate ? 'rate-error' : nothing} />
            <button ?disabled=${off || numberIn(this.rate) === s.learningRate} @click=${() => this.setRate()}>Set η</button>
            ${fieldError('rate-error', this.refused.rate ?? null)}
          </div>
          <div class="group" role="group" aria-label="Reset the weights">
            <label for="preset">Weights</label>
            <select id="preset" @change=${(e: Event) => (this.preset = (e.target as HTMLSelectElement).value as Preset)}>
              ${PRESET_NAMES.map((p) => html`<option value=${p} ?selected=${p === preset} ?disabled=${p === 'notebook' && !notebookFits}>${p}</option>`)}
            </select>
            ${preset === 'random'
              ? html`<label for="seed">Seed</label>
                  <input id="seed" type="text" inputmode="numeric" autocomplete="off" placeholder="any" .value=${this.seed}
                    @input=${(e: Event) => this.typed('seed', (e.target as HTMLInputElement).value)}
                    aria-invalid=${this.refused.seed ? 'true' : nothing} aria-describedby=${this.refused.seed ? 'seed-error' : nothing} />
                  ${fieldError('seed-error', this.refused.seed ?? null)}`
              : nothing}
            <button ?disabled=${off} @click=${() => this.reset()}>Reset</button>
          </div>
          <div class="group" role="group" aria-label="Network and data">
            <button aria-expanded=${this.setupOpen ? 'true' : 'false'} aria-controls="setup" @click=${() => (this.setupOpen = !this.setupOpen)} data-testid="open-setup">
              Network &amp; data…
            </button>
          </div>
          <div class="group" role="group" aria-label="Lecture hall"><slot></slot></div>
          ${notStarted ? html`<p class="hint" data-testid="first-step-hint">Press Step (→) to run the first stage</p>` : nothing}
        </div>
        ${this.setupOpen
          ? html`<network-setup id="setup" class="setup" .snapshot=${s} .connected=${this.connected} @bp-setup-close=${() => (this.setupOpen = false)}></network-setup>`
          : nothing}
      </section>
    `;
  }

  /** The row of the next pass: a list of the rows when they are few, a number otherwise. */
  private renderSample(s: Snapshot, off: boolean) {
    const rows = makeDataset(s.dataset).train;
    if (rows.length > MAX_LISTED_ROWS) {
      const type = (e: Event) => {
        const index = this.read('sample', (e.target as HTMLInputElement).value, parseWholeNumber, { min: 0, max: rows.length - 1 });
        if (index !== undefined) this.ask({ type: 'selectSample', index });
      };
      return html`<label for="sample">Sample (0–${rows.length - 1})</label>
        <input id="sample" type="text" inputmode="numeric" autocomplete="off" .value=${String(s.sampleIndex)} ?disabled=${off} @change=${type}
          aria-invalid=${this.refused.sample ? 'true' : nothing} aria-describedby=${this.refused.sample ? 'sample-error' : nothing} />
        ${fieldError('sample-error', this.refused.sample ?? null)}`;
    }
    const choose = (e: Event) => this.ask({ type: 'selectSample', index: Number((e.target as HTMLSelectElement).value) });
    return html`<label for="sample">Sample</label>
      <select id="sample" ?disabled=${off} @change=${choose}>
        ${rows.map((x, i) => html`<option value=${i} ?selected=${i === s.sampleIndex}>${i}: ${rowText(x.x)} → ${x.y}</option>`)}
      </select>`;
  }

  /** T on the keyboard trains with the epochs in the box; a box that does not hold a whole number says why instead. */
  train(): void {
    const epochs = this.read('epochs', this.epochs, parseWholeNumber, { min: 1, max: LIMITS.maxEpochs });
    if (epochs !== undefined) this.ask({ type: 'train', epochs });
  }

  private setRate(): void {
    const value = this.read('rate', this.rate, parseDecimal, { min: 0, max: LIMITS.maxLearningRate });
    if (value !== undefined) this.ask({ type: 'setLearningRate', value });
  }

  /** A field's number, or undefined with the refusal shown beside the field. */
  private read(field: NumberField, text: string, parse: typeof parseDecimal, bounds: { min: number; max: number }): number | undefined {
    const result = parse(text, bounds);
    this.refused = { ...this.refused, [field]: result.ok ? undefined : result.error };
    return result.ok ? result.value : undefined;
  }

  /** Keeps a field's text as typed; typing clears its refusal, which was about the text before. */
  private typed(field: Exclude<NumberField, 'sample'>, text: string): void {
    this[field] = text;
    if (field === 'rate') this.rateTyped = true;
    if (this.refused[field]) this.refused = { ...this.refused, [field]: undefined };
  }

  /** The preset a reset would use: the notebook's weights fit a 3-4-1 network only; any other gets random ones. */
  private chosenPreset(): Preset {
    return this.preset === 'notebook' && this.snapshot && !notebookWeightsFit(this.snapshot.network) ? 'random' : this.preset;
  }

  private reset(): void {
    const preset = this.chosenPreset();
    if (preset !== 'random' || this.seed.trim() === '') {
      this.ask({ type: 'reset', preset });
      return;
    }
    const seed = this.read('seed', this.seed, parseWholeNumber, { min: 0, max: LIMITS.maxSeed });
    if (seed !== undefined) this.ask({ type: 'reset', preset: 'random', seed });
  }

  private ask(command: Command): void {
    this.dispatchEvent(new CommandRequestEvent(command));
  }
}

/** The bar's numeric fields, each a text field read by parseDecimal. */
type NumberField = 'epochs' | 'rate' | 'seed' | 'sample';

/** A row's features as the notebook writes bits ("101"), or as numbers ("1.25, −0.5"). */
function rowText(x: readonly number[]): string {
  return x.every((v) => v === 0 || v === 1) ? x.join('') : x.map((v) => fmt(v, 2)).join(', ');
}

declare global {
  interface HTMLElementTagNameMap {
    'instructor-controls': InstructorControls;
  }
}
