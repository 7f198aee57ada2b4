import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { ACTIVATIONS, LOSSES, MLP_LIMITS, OUTPUT_ACTIVATIONS, type Activation, type Loss, type MlpConfig, type OutputActivation } from '../../shared/engine/mlp/config.js';
import { parseCommand } from '../../shared/protocol/commands.js';
import { parseDecimal, parseWholeNumber, type DecimalOptions } from '../../shared/protocol/decimal.js';
import { LIMITS } from '../../shared/protocol/limits.js';
import { CommandRequestEvent } from '../lib/events.js';
import { ACTIVATION_SPECS } from '../../shared/engine/mlp/activations.js';
import { LOSS_SPECS, lossFitsOutput } from '../../shared/engine/mlp/losses.js';
import { networkCommand, networkDraft, type BatchMode, type HiddenLayerDraft, type NetworkDraft } from '../lib/network-drafts.js';
import { fieldError, numberFieldStyles } from '../lib/number-field.js';
import { buttonStyles, formStyles, panelStyles } from '../lib/shared-styles.js';

/**
 * The architecture editor of the setup panel: hidden layers, output, loss, biases, batch and a
 * weights seed. "Apply network" raises the setNetwork command as a CommandRequestEvent. The draft
 * starts from the lecture's network and follows it when it changes (an apply here or on another
 * device, an undo). A command the protocol would refuse reads as a sentence under the form.
 */
@customElement('network-editor')
export class NetworkEditor extends LitElement {
  /** The lecture's network. */
  @property({ attribute: false }) network: MlpConfig | null = null;
  /** While training runs or the connection is down. */
  @property({ type: Boolean }) disabled = false;

  /** Null until the lecture's network arrives: the form starts from it, not from a network of its own. */
  @state() private draft: NetworkDraft | null = null;
  @state() private weightsSeed = '';
  @state() private problem: string | null = null;
  /** Why a numeric field's text was refused, by field id: shown beside it, and nothing is applied meanwhile. */
  @state() private refused: ReadonlyMap<string, string> = new Map();

  private source: MlpConfig | null = null;

  static override styles = [
    panelStyles,
    buttonStyles,
    formStyles,
    numberFieldStyles,
    css`
      input[type='checkbox'] {
        min-height: auto;
        padding: 0;
        margin: 0;
      }
      ol {
        margin: 0;
        padding: 0;
        list-style: none;
        display: grid;
        gap: 0.35rem;
      }
    `,
  ];

  protected override willUpdate(): void {
    const n = this.network;
    if (n && n !== this.source) {
      this.source = n;
      this.draft = networkDraft(n);
      this.problem = null;
    }
  }

  override render() {
    const n = this.network;
    const d = this.draft;
    if (!n || !d) return nothing;
    const layers = d.hidden.length;
    // role="none": the setup's own fieldset is the group; this one only disables.
    return html`<fieldset class="all" role="none" ?disabled=${this.disabled}>
      <form aria-labelledby="network-title" @submit=${(e: Event) => this.apply(e)}>
        <h3 id="network-title">Network</h3>
        <p class="muted note">${n.inputs} input${n.inputs === 1 ? '' : 's'}, as many as the data has features.</p>
        <ol aria-label="Hidden layers">
          ${d.hidden.map(
            (h, i) => html`<li class="row">
              <span>Hidden layer ${i + 1}</span>
              <label for=${`units-${i}`}>neurons</label>
              ${this.numberField(`units-${i}`, h.units, { integer: true, min: 1, max: MLP_LIMITS.maxUnits }, (units) => this.setLayer(i, { units }))}
              <label for=${`activation-${i}`}>activation</label>
              <select id=${`activation-${i}`} @change=${(e: Event) => this.setLayer(i, { activation: (e.target as HTMLSelectElement).value as Activation })}>
                ${ACTIVATIONS.map((a) => html`<option value=${a} ?selected=${a === h.activation}>${ACTIVATION_SPECS[a].name}</option>`)}
              </select>
              <button type="button" ?disabled=${layers <= MLP_LIMITS.minHiddenLayers} @click=${() => this.removeLayer(i)} aria-label=${`Remove hidden layer ${i + 1}`}>✕</button>
            </li>`,
          )}
        </ol>
        <div class="row">
          <button type="button" ?disabled=${layers >= MLP_LIMITS.maxHiddenLayers} @click=${() => this.addLayer()}>+ Add a layer</button>
        </div>
        <div class="row">
          <label for="output">Output</label>
          <select id="output" @change=${(e: Event) => this.setOutput((e.target as HTMLSelectElement).value as OutputActivation)}>
            ${OUTPUT_ACTIVATIONS.map((a) => html`<option value=${a} ?selected=${a === d.output}>${ACTIVATION_SPECS[a].name}</option>`)}
          </select>
          <label for="loss">Loss</label>
          <select id="loss" @change=${(e: Event) => this.patch({ loss: (e.target as HTMLSelectElement).value as Loss })}>
            ${LOSSES.map((loss) => {
              const needs = LOSS_SPECS[loss].needs;
              return html`<option value=${loss} ?selected=${d.loss === loss} ?disabled=${!lossFitsOutput(loss, d.output)}>${LOSS_SPECS[loss].name}${needs ? ` (${needs.output} output)` : ''}</option>`;
            })}
          </select>
          <label class="choice"><input type="checkbox" .checked=${d.biases} @change=${(e: Event) => this.patch({ biases: (e.target as HTMLInputElement).checked })} /> biases</label>
        </div>
        <div class="row">
          <label for="batch">Batch</label>
          <select id="batch" @change=${(e: Event) => this.patch({ batchMode: (e.target as HTMLSelectElement).value as BatchMode })}>
            <option value="sample" ?selected=${d.batchMode === 'sample'}>per sample</option>
            <option value="mini" ?selected=${d.batchMode === 'mini'}>mini-batch</option>
            <option value="full" ?selected=${d.batchMode === 'full'}>full batch</option>
          </select>
          ${d.batchMode === 'mini'
            ? html`<label for="batch-size">rows</label>
                ${this.numberField('batch-size', d.batchSize, { integer: true, min: 2, max: MLP_LIMITS.maxBatchSize }, (batchSize) => this.patch({ batchSize }))}`
            : nothing}
        </div>
        <div class="row">
          <label for="weights-seed">Weights seed</label>
          <input id="weights-seed" class="number" type="text" inputmode="numeric" autocomplete="off" placeholder="fresh" .value=${this.weightsSeed}
            @input=${(e: Event) => this.typeSeed((e.target as HTMLInputElement).value)}
            aria-invalid=${this.refused.has('weights-seed') ? 'true' : nothing} aria-describedby=${this.refused.has('weights-seed') ? 'weights-seed-error' : nothing} />
          <button class="primary" type="submit" data-testid="apply-network">Apply network</button>
          ${fieldError('weights-seed-error', this.refused.get('weights-seed') ?? null)}
        </div>
        ${this.problem ? html`<p class="error" role="alert">${this.problem}</p>` : nothing}
      </form>
    </fieldset>`;
  }

  /** The draft the form edits: its handlers run only once the form is drawn, so the network has come. */
  private get edited(): NetworkDraft {
    if (!this.draft) throw new Error('the network editor has no network yet');
    return this.draft;
  }

  private patch(patch: Partial<NetworkDraft>): void {
    this.draft = { ...this.edited, ...patch };
    this.problem = null;
  }

  private setLayer(i: number, patch: Partial<HiddenLayerDraft>): void {
    this.patch({ hidden: this.edited.hidden.map((h, k) => (k === i ? { ...h, ...patch } : h)) });
  }

  private addLayer(): void {
    const last = this.edited.hidden.at(-1) ?? { units: 4, activation: 'tanh' as const };
    this.patch({ hidden: [...this.edited.hidden, { ...last }] });
  }

  private removeLayer(i: number): void {
    this.patch({ hidden: this.edited.hidden.filter((_, k) => k !== i) });
  }

  /** A loss the new output cannot take (cross-entropy needs a sigmoid) falls back to the notebook's ½(y − ŷ)². */
  private setOutput(output: OutputActivation): void {
    this.patch({ output, loss: lossFitsOutput(this.edited.loss, output) ? this.edited.loss : 'halfSquaredError' });
  }

  /** A numeric field read by parseDecimal: a number reaches `use`; a refusal shows beside the field instead. */
  private numberField(id: string, value: number, options: DecimalOptions, use: (value: number) => void) {
    const error = this.refused.get(id) ?? null;
    const read = (e: Event) => {
      const result = parseDecimal((e.target as HTMLInputElement).value, options);
      this.refuse(id, result.ok ? null : result.error);
      if (result.ok) use(result.value);
    };
    return html`<input id=${id} class="number" type="text" inputmode=${options.integer ? 'numeric' : 'decimal'} autocomplete="off" .value=${String(value)}
        @change=${read} aria-invalid=${error ? 'true' : nothing} aria-describedby=${error ? `${id}-error` : nothing} />
      ${fieldError(`${id}-error`, error)}`;
  }

  /** Sets (or, with null, clears) the refusal shown beside field `id`. */
  private refuse(id: string, error: string | null): void {
    const refused = new Map(this.refused);
    if (error === null) refused.delete(id);
    else refused.set(id, error);
    this.refused = refused;
  }

  private typeSeed(text: string): void {
    this.weightsSeed = text;
    this.refuse('weights-seed', null);
  }

  /** Checks the command here first, so a typo reads as a sentence next to the form rather than a refusal. */
  private apply(e: Event): void {
    e.preventDefault();
    // An empty seed means fresh weights; any other text must be a whole number, said beside the field.
    const seed = this.weightsSeed.trim() === '' ? null : parseWholeNumber(this.weightsSeed, { min: 0, max: LIMITS.maxSeed });
    if (seed && !seed.ok) this.refuse('weights-seed', seed.error);
    // A field whose text was refused still shows it: applying the draft's older number would be a different one.
    if ([...this.refused.keys()].some((id) => this.renderRoot.querySelector(`#${id}`))) return;
    const command = networkCommand(this.edited, seed?.ok ? String(seed.value) : '');
    const parsed = parseCommand(command);
    if (!parsed.ok) {
      this.problem = parsed.error;
      return;
    }
    this.problem = null;
    this.dispatchEvent(new CommandRequestEvent(command));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'network-editor': NetworkEditor;
  }
}
