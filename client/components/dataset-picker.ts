import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { POINT_LIMITS, POINT_SETS, type PointSet } from '../../shared/datasets/points.js';
import type { DatasetSpec } from '../../shared/datasets/spec.js';
import { TRUTH_TABLE_INPUTS, TRUTH_TABLES, type TruthTable } from '../../shared/datasets/truth-tables.js';
import { parseDecimal, type DecimalOptions } from '../../shared/protocol/decimal.js';
import { LIMITS } from '../../shared/protocol/limits.js';
import { CommandRequestEvent, CsvUploadRequestEvent, type CsvUploadSource, type CsvUploadState } from '../lib/events.js';
import { dataDraft, datasetSpec, describeIssue, type DataDraft } from '../lib/network-drafts.js';
import { fieldError, numberFieldStyles } from '../lib/number-field.js';
import { buttonStyles, formStyles, panelStyles } from '../lib/shared-styles.js';

const TABLE_NAMES: Record<TruthTable, string> = { notebook: "the notebook's (3 inputs)", xor: 'XOR', and: 'AND', or: 'OR' };

/**
 * The data picker of the setup panel: a truth table or a generated point set (raises the
 * setDataset command as a CommandRequestEvent), or a CSV file (read here and raised as a
 * CsvUploadRequestEvent: the lecture page uploads it, and the server then applies a setDataset).
 * The draft starts from the lecture's data and follows it when it changes. Upload problems, as
 * the page reports them in `upload`, show here by line and column.
 */
@customElement('dataset-picker')
export class DatasetPicker extends LitElement implements CsvUploadSource {
  /** The lecture's data (not `dataset`: HTMLElement has one). */
  @property({ attribute: false }) spec: DatasetSpec | null = null;
  /** How the last upload went: set by the lecture page that sends it. */
  @property({ attribute: false }) upload: CsvUploadState = { status: 'idle' };
  /** While training runs or the connection is down. */
  @property({ type: Boolean }) disabled = false;

  @state() private draft: DataDraft = dataDraft({ kind: 'truthTable', table: 'notebook' });
  @state() private file: File | null = null;
  @state() private csvShare = 1;
  /** Why a numeric field's text was refused, by field id: shown beside it, and nothing is applied meanwhile. */
  @state() private refused: ReadonlyMap<string, string> = new Map();

  private source: DatasetSpec | null = null;

  static override styles = [
    panelStyles,
    buttonStyles,
    formStyles,
    numberFieldStyles,
    css`
      input[type='radio'] {
        min-height: auto;
        padding: 0;
        margin: 0;
      }
      input[type='file'] {
        max-width: 100%;
      }
      .error ul {
        margin: 0.25rem 0 0;
        padding-left: 1.2rem;
        font-family: var(--mono);
        font-size: 0.8rem;
      }
      .ok {
        color: var(--ok);
        margin: 0;
        font-size: 0.9rem;
      }
    `,
  ];

  protected override willUpdate(): void {
    const spec = this.spec;
    if (spec && spec !== this.source) {
      this.source = spec;
      this.draft = dataDraft(spec);
    }
  }

  override render() {
    if (!this.spec) return nothing;
    const d = this.draft;
    // role="none": the setup's own fieldset is the group; this one only disables.
    return html`<fieldset class="all" role="none" ?disabled=${this.disabled}>
      <form aria-labelledby="data-title" @submit=${(e: Event) => this.apply(e)}>
        <h3 id="data-title">Data</h3>
        <div class="row" role="radiogroup" aria-label="Kind of data">
          ${(
            [
              ['truthTable', 'Truth table'],
              ['points', 'Points in the plane'],
              ['csv', 'CSV file'],
            ] as const
          ).map(
            ([kind, label]) => html`<label class="choice"><input type="radio" name="kind" value=${kind} .checked=${d.kind === kind}
              @change=${() => this.patch({ kind })} /> ${label}</label>`,
          )}
        </div>
        ${d.kind === 'truthTable' ? this.renderTable(d) : d.kind === 'points' ? this.renderPoints(d) : this.renderCsv()}
      </form>
    </fieldset>`;
  }

  private renderTable(d: DataDraft) {
    return html`<div class="row">
        <label for="table">Table</label>
        <select id="table" @change=${(e: Event) => this.patch({ table: (e.target as HTMLSelectElement).value as TruthTable })}>
          ${TRUTH_TABLES.map((t) => html`<option value=${t} ?selected=${t === d.table}>${TABLE_NAMES[t]}</option>`)}
        </select>
        ${d.table === 'notebook'
          ? nothing
          : html`<label for="table-inputs">inputs</label>
              ${this.numberField('table-inputs', d.tableInputs, { integer: true, min: TRUTH_TABLE_INPUTS.min, max: TRUTH_TABLE_INPUTS.max }, (tableInputs) =>
                this.patch({ tableInputs }),
              )}`}
      </div>
      <div class="row"><button class="primary" type="submit" data-testid="apply-data">Use this data</button></div>`;
  }

  private renderPoints(d: DataDraft) {
    const num = (id: string, label: string, value: number, attrs: { min: number; max: number; step: number | 'any' }, set: (v: number) => Partial<DataDraft>) =>
      html`<label for=${id}>${label}</label>
        ${this.numberField(id, value, { integer: attrs.step === 1, min: attrs.min, max: attrs.max }, (v) => this.patch(set(v)))}`;
    return html`<div class="row">
        <label for="point-set">Set</label>
        <select id="point-set" @change=${(e: Event) => this.patch({ set: (e.target as HTMLSelectElement).value as PointSet })}>
          ${POINT_SETS.map((p) => html`<option value=${p} ?selected=${p === d.set}>${p}</option>`)}
        </select>
        ${num('point-count', 'points', d.count, { min: POINT_LIMITS.minCount, max: POINT_LIMITS.maxCount, step: 1 }, (count) => ({ count }))}
      </div>
      <div class="row">
        ${num('point-noise', 'noise', d.noise, { min: 0, max: POINT_LIMITS.maxNoise, step: 0.05 }, (noise) => ({ noise }))}
        ${num('point-share', 'train share', d.trainFraction, { min: POINT_LIMITS.minTrainFraction, max: POINT_LIMITS.maxTrainFraction, step: 0.05 }, (trainFraction) => ({ trainFraction }))}
        ${num('point-seed', 'seed', d.seed, { min: 0, max: LIMITS.maxSeed, step: 1 }, (seed) => ({ seed }))}
      </div>
      <div class="row"><button class="primary" type="submit" data-testid="apply-data">Use this data</button></div>`;
  }

  private renderCsv() {
    const u = this.upload;
    return html`<p class="muted note">Numbers only; the last column is the target; a first line of names is optional.</p>
      <div class="row">
        <label for="csv-file">File</label>
        <input id="csv-file" type="file" accept=".csv,.tsv,.txt,text/csv"
          @change=${(e: Event) => ((this.file = (e.target as HTMLInputElement).files?.[0] ?? null), (this.upload = { status: 'idle' }))} />
      </div>
      <div class="row">
        <label for="csv-share">train share</label>
        ${this.numberField('csv-share', this.csvShare, { min: POINT_LIMITS.minTrainFraction, max: 1 }, (share) => (this.csvShare = share))}
        <button class="primary" type="submit" ?disabled=${!this.file || u.status === 'sending'} data-testid="upload-csv">
          ${u.status === 'sending' ? 'Uploading…' : 'Upload'}
        </button>
      </div>
      ${u.status === 'done' ? html`<p class="ok" role="status" data-testid="upload-done">${u.message}</p>` : nothing}
      ${u.status === 'failed'
        ? html`<div class="error" role="alert" data-testid="upload-error">
            ${u.issues.length ? html`The file was not used:` : u.message}
            ${u.issues.length ? html`<ul>${u.issues.map((i) => html`<li>${describeIssue(i)}</li>`)}</ul>` : nothing}
          </div>`
        : nothing}`;
  }

  private patch(patch: Partial<DataDraft>): void {
    this.draft = { ...this.draft, ...patch };
  }

  /** A numeric field read by parseDecimal: a number reaches `use`; a refusal shows beside the field instead. */
  private numberField(id: string, value: number, options: DecimalOptions, use: (value: number) => void) {
    const error = this.refused.get(id) ?? null;
    const read = (e: Event) => {
      const result = parseDecimal((e.target as HTMLInputElement).value, options);
      const refused = new Map(this.refused);
      if (result.ok) refused.delete(id);
      else refused.set(id, result.error);
      this.refused = refused;
      if (result.ok) use(result.value);
    };
    return html`<input id=${id} class="number" type="text" inputmode=${options.integer ? 'numeric' : 'decimal'} autocomplete="off" .value=${String(value)}
        @change=${read} aria-invalid=${error ? 'true' : nothing} aria-describedby=${error ? `${id}-error` : nothing} />
      ${fieldError(`${id}-error`, error)}`;
  }

  private apply(e: Event): void {
    e.preventDefault();
    // A field whose text was refused still shows it: applying the draft's older number would be a different one.
    if ([...this.refused.keys()].some((id) => this.renderRoot.querySelector(`#${id}`))) return;
    if (this.draft.kind === 'csv') {
      void this.uploadCsv();
      return;
    }
    this.dispatchEvent(new CommandRequestEvent({ type: 'setDataset', dataset: datasetSpec(this.draft) }));
  }

  /** Reads the chosen file and asks the lecture page to make it the lecture's data. */
  private async uploadCsv(): Promise<void> {
    const file = this.file;
    if (!this.spec || !file) return;
    this.upload = { status: 'sending' };
    let text: string;
    try {
      text = await file.text();
    } catch (err) {
      this.upload = { status: 'failed', message: `The file was not used: ${err instanceof Error ? err.message : String(err)}`, issues: [] };
      return;
    }
    this.dispatchEvent(new CsvUploadRequestEvent({ name: file.name, text, trainFraction: this.csvShare }, this));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'dataset-picker': DatasetPicker;
  }
}
