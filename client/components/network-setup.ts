import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import {
  ACTIVATIONS,
  datasetLabel,
  layerSizes,
  LIMITS,
  MLP_LIMITS,
  NOTEBOOK_MLP_CONFIG,
  OUTPUT_ACTIVATIONS,
  parseCommand,
  POINT_DEFAULTS,
  POINT_LIMITS,
  POINT_SETS,
  TRUTH_TABLE_INPUTS,
  TRUTH_TABLES,
  type Activation,
  type Command,
  type DatasetSpec,
  type Loss,
  type MlpConfig,
  type OutputActivation,
  type PointSet,
  type Snapshot,
  type TruthTable,
} from '../../shared/index.js';
import { ApiError, uploadDatasetCsv, type FileIssue } from '../lib/api.js';
import { CommandRequestEvent } from '../lib/events.js';
import { buttonStyles, panelStyles } from '../lib/shared-styles.js';
import { takeInstructorToken } from '../lib/token.js';

/** The panel asks to be closed (its Close button). */
export class SetupCloseEvent extends Event {
  static readonly type = 'bp-setup-close';
  constructor() {
    super(SetupCloseEvent.type, { bubbles: true, composed: true });
  }
}

declare global {
  interface HTMLElementEventMap {
    'bp-setup-close': SetupCloseEvent;
  }
}

type BatchMode = 'sample' | 'mini' | 'full';
type DataKind = 'truthTable' | 'points' | 'csv';

/** The architecture being edited, before it is sent. */
interface NetworkDraft {
  readonly hidden: readonly { readonly units: number; readonly activation: Activation }[];
  readonly output: OutputActivation;
  readonly loss: Loss;
  readonly biases: boolean;
  readonly batchMode: BatchMode;
  readonly batchSize: number;
}

/** The generated dataset being chosen, before it is sent. */
interface DataDraft {
  readonly kind: DataKind;
  readonly table: TruthTable;
  readonly tableInputs: number;
  readonly set: PointSet;
  readonly count: number;
  readonly noise: number;
  readonly trainFraction: number;
  readonly seed: number;
}

/** How a CSV upload went. */
type UploadState =
  | { readonly status: 'idle' }
  | { readonly status: 'sending' }
  | { readonly status: 'done'; readonly message: string }
  | { readonly status: 'failed'; readonly message: string; readonly issues: readonly FileIssue[] };

const ACTIVATION_NAMES: Record<Activation, string> = { sigmoid: 'sigmoid σ', tanh: 'tanh', relu: 'ReLU', linear: 'linear' };
const LOSS_NAMES: Record<Loss, string> = { halfSquaredError: '½(y − ŷ)²', crossEntropy: 'cross-entropy' };
const TABLE_NAMES: Record<TruthTable, string> = { notebook: "the notebook's (3 inputs)", xor: 'XOR', and: 'AND', or: 'OR' };
const DEFAULT_MINI_BATCH = 10;

function networkDraft(c: MlpConfig): NetworkDraft {
  return {
    hidden: c.hidden.map((h) => ({ units: h.units, activation: h.activation })),
    output: c.output.activation,
    loss: c.loss,
    biases: c.biases,
    batchMode: c.batch === 'full' ? 'full' : c.batch === 1 ? 'sample' : 'mini',
    batchSize: typeof c.batch === 'number' && c.batch > 1 ? c.batch : DEFAULT_MINI_BATCH,
  };
}

function dataDraft(spec: DatasetSpec): DataDraft {
  const base: DataDraft = {
    kind: 'truthTable',
    table: 'notebook',
    tableInputs: TRUTH_TABLE_INPUTS.default,
    set: 'circle',
    count: POINT_DEFAULTS.count,
    noise: POINT_DEFAULTS.noise,
    trainFraction: POINT_DEFAULTS.trainFraction,
    seed: POINT_DEFAULTS.seed,
  };
  switch (spec.kind) {
    case 'truthTable':
      return { ...base, table: spec.table, tableInputs: spec.inputs ?? TRUTH_TABLE_INPUTS.default };
    case 'points':
      return { ...base, kind: 'points', set: spec.set, count: spec.count, noise: spec.noise, trainFraction: spec.trainFraction, seed: spec.seed };
    case 'csv':
      return { ...base, kind: 'csv' };
  }
}

/**
 * The setNetwork command a draft asks for (a network without `inputs`, which follow the data); a
 * weights seed, when given, picks the random preset with it.
 */
function networkCommand(d: NetworkDraft, seed: string): Command {
  const network = {
    hidden: d.hidden.map((h) => ({ units: h.units, activation: h.activation })),
    output: { units: 1, activation: d.output },
    loss: d.loss,
    biases: d.biases,
    batch: d.batchMode === 'full' ? ('full' as const) : d.batchMode === 'sample' ? 1 : d.batchSize,
  };
  const weights = seed.trim() === '' ? {} : { preset: 'random' as const, seed: Number(seed) };
  return { type: 'setNetwork', network, ...weights };
}

function datasetSpec(d: DataDraft): DatasetSpec {
  if (d.kind === 'points') return { kind: 'points', set: d.set, count: d.count, noise: d.noise, trainFraction: d.trainFraction, seed: d.seed };
  return d.table === 'notebook' ? { kind: 'truthTable', table: 'notebook' } : { kind: 'truthTable', table: d.table, inputs: d.tableInputs };
}

/** "2-4-1 · tanh, sigmoid out · cross-entropy · biases · per sample". */
export function describeNetwork(c: MlpConfig): string {
  const batch = c.batch === 'full' ? 'full batch' : c.batch === 1 ? 'per sample' : `batches of ${c.batch}`;
  const acts = [...new Set(c.hidden.map((h) => h.activation))].join('/');
  return [layerSizes(c).join('-'), `${acts}, ${c.output.activation} out`, LOSS_NAMES[c.loss], c.biases ? 'biases' : 'no biases', batch].join(' · ');
}

/**
 * The instructor's setup of what the lecture's network is and what it learns: an architecture
 * editor (sends setNetwork), a dataset picker (sends setDataset), a CSV upload (HTTP, then the
 * server applies a setDataset), and a way back to the notebook. The drafts start from the
 * lecture's current network and data and follow them when they change. Everything is disabled
 * while training runs. Refusals of commands show in the page's alert, as for every control;
 * upload problems show here, by line and column.
 */
@customElement('network-setup')
export class NetworkSetup extends LitElement {
  @property({ attribute: false }) snapshot: Snapshot | null = null;
  @property({ type: Boolean }) connected = false;

  @state() private network: NetworkDraft = networkDraft(NOTEBOOK_MLP_CONFIG);
  @state() private data: DataDraft = dataDraft({ kind: 'truthTable', table: 'notebook' });
  @state() private weightsSeed = '';
  @state() private problem: string | null = null;
  @state() private file: File | null = null;
  @state() private csvShare = 1;
  @state() private upload: UploadState = { status: 'idle' };

  private networkSource: MlpConfig | null = null;
  private dataSource: DatasetSpec | null = null;

  static override styles = [
    panelStyles,
    buttonStyles,
    css`
      .head {
        display: flex;
        align-items: center;
        gap: 0.5rem;
        justify-content: space-between;
        flex-wrap: wrap;
      }
      .head h2 {
        margin: 0;
      }
      .now {
        margin: 0.25rem 0 0.75rem;
        font-size: 0.9rem;
      }
      fieldset.all {
        border: 0;
        padding: 0;
        margin: 0;
        min-width: 0;
      }
      .columns {
        display: grid;
        grid-template-columns: minmax(0, 1fr) minmax(0, 1fr);
        gap: 1rem;
      }
      @media (max-width: 900px) {
        .columns {
          grid-template-columns: minmax(0, 1fr);
        }
      }
      form {
        display: grid;
        gap: 0.5rem;
        align-content: start;
        min-width: 0;
      }
      h3 {
        font-size: 0.9rem;
        margin: 0;
      }
      .row {
        display: flex;
        flex-wrap: wrap;
        gap: 0.35rem 0.5rem;
        align-items: center;
        font-size: 0.9rem;
      }
      .note {
        margin: 0;
        font-size: 0.85rem;
      }
      label.choice {
        display: inline-flex;
        align-items: center;
        gap: 0.3rem;
      }
      input[type='checkbox'],
      input[type='radio'] {
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
      input[type='number'] {
        width: 5rem;
      }
      fieldset.part {
        border: 1px solid var(--border);
        border-radius: 0.4rem;
        padding: 0.5rem;
        margin: 0;
        min-width: 0;
        display: grid;
        gap: 0.5rem;
      }
      legend {
        font-size: 0.85rem;
        font-weight: 600;
        padding: 0 0.25rem;
      }
      input[type='file'] {
        max-width: 100%;
      }
      .error {
        color: var(--danger);
        background: var(--danger-bg);
        border: 1px solid var(--danger);
        border-radius: 0.4rem;
        padding: 0.4rem 0.6rem;
        margin: 0;
        font-size: 0.9rem;
        overflow-wrap: anywhere;
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
      .notebook {
        margin-top: 0.75rem;
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.5rem;
      }
    `,
  ];

  protected override willUpdate(): void {
    const s = this.snapshot;
    if (!s) return;
    // The drafts follow the lecture: after an apply (here or on another device), or an undo.
    if (s.network !== this.networkSource) {
      this.networkSource = s.network;
      this.network = networkDraft(s.network);
      this.problem = null;
    }
    if (s.dataset !== this.dataSource) {
      this.dataSource = s.dataset;
      this.data = dataDraft(s.dataset);
    }
  }

  override render() {
    const s = this.snapshot;
    if (!s) return nothing;
    const off = !this.connected || s.training !== null;
    return html`
      <section class="panel" aria-labelledby="setup-title" data-testid="network-setup">
        <div class="head">
          <h2 id="setup-title">Network and data</h2>
          <button @click=${() => this.dispatchEvent(new SetupCloseEvent())}>Close</button>
        </div>
        <p class="now">
          Now: <span class="num" data-testid="setup-network">${describeNetwork(s.network)}</span> on
          <strong data-testid="setup-dataset">${datasetLabel(s.dataset)}</strong>
          ${s.training ? html`<br /><span class="muted">Training is running: stop it to change the setup.</span>` : nothing}
        </p>
        <fieldset class="all" ?disabled=${off}>
          <div class="columns">${this.renderNetwork(s)} ${this.renderData()}</div>
          <div class="notebook">
            <button @click=${() => this.backToNotebook()} data-testid="back-to-notebook">Back to the notebook</button>
            <span class="muted">its 8 rows and its 3-4-1 sigmoid network with the notebook's weights</span>
          </div>
        </fieldset>
      </section>
    `;
  }

  private renderNetwork(s: Snapshot) {
    const d = this.network;
    const layers = d.hidden.length;
    return html`<form aria-labelledby="network-title" @submit=${(e: Event) => this.applyNetwork(e)}>
      <h3 id="network-title">Network</h3>
      <p class="muted note">${s.network.inputs} input${s.network.inputs === 1 ? '' : 's'}, as many as the data has features.</p>
      <ol aria-label="Hidden layers">
        ${d.hidden.map(
          (h, i) => html`<li class="row">
            <span>Hidden layer ${i + 1}</span>
            <label for=${`units-${i}`}>neurons</label>
            <input id=${`units-${i}`} type="number" min="1" max=${MLP_LIMITS.maxUnits} step="1" .value=${String(h.units)}
              @change=${(e: Event) => this.setLayer(i, { units: Number((e.target as HTMLInputElement).value) })} />
            <label for=${`activation-${i}`}>activation</label>
            <select id=${`activation-${i}`} @change=${(e: Event) => this.setLayer(i, { activation: (e.target as HTMLSelectElement).value as Activation })}>
              ${ACTIVATIONS.map((a) => html`<option value=${a} ?selected=${a === h.activation}>${ACTIVATION_NAMES[a]}</option>`)}
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
          ${OUTPUT_ACTIVATIONS.map((a) => html`<option value=${a} ?selected=${a === d.output}>${ACTIVATION_NAMES[a]}</option>`)}
        </select>
        <label for="loss">Loss</label>
        <select id="loss" @change=${(e: Event) => this.patchNetwork({ loss: (e.target as HTMLSelectElement).value as Loss })}>
          <option value="halfSquaredError" ?selected=${d.loss === 'halfSquaredError'}>${LOSS_NAMES.halfSquaredError}</option>
          <option value="crossEntropy" ?selected=${d.loss === 'crossEntropy'} ?disabled=${d.output !== 'sigmoid'}>${LOSS_NAMES.crossEntropy} (sigmoid output)</option>
        </select>
         <label class="choice"><input type="checkbox" .checked=${d.biases} @change=${(e: Event) => this.patchNetwork({ biases: (e.target as HTMLInputElement).checked })} /> biases</label>
      </div>
      <div class="row">
        <label for="batch">Batch</label>
        <select id="batch" @change=${(e: Event) => this.patchNetwork({ batchMode: (e.target as HTMLSelectElement).value as BatchMode })}>
          <option value="sample" ?selected=${d.batchMode === 'sample'}>per sample</option>
          <option value="mini" ?selected=${d.batchMode === 'mini'}>mini-batch</option>
          <option value="full" ?selected=${d.batchMode === 'full'}>full batch</option>
        </select>
        ${d.batchMode === 'mini'
          ? html`<label for="batch-size">rows</label>
              <input id="batch-size" type="number" min="2" max=${MLP_LIMITS.maxBatchSize} step="1" .value=${String(d.batchSize)}
                @change=${(e: Event) => this.patchNetwork({ batchSize: Number((e.target as HTMLInputElement).value) })} />`
          : nothing}
      </div>
      <div class="row">
        <label for="weights-seed">Weights seed</label>
        <input id="weights-seed" type="number" min="0" max=${LIMITS.maxSeed} step="1" placeholder="fresh" .value=${this.weightsSeed}
          @input=${(e: Event) => (this.weightsSeed = (e.target as HTMLInputElement).value)} />
        <button class="primary" type="submit" data-testid="apply-network">Apply network</button>
      </div>
      ${this.problem ? html`<p class="error" role="alert">${this.problem}</p>` : nothing}
    </form>`;
  }

  private renderData() {
    const d = this.data;
    return html`<form aria-labelledby="data-title" @submit=${(e: Event) => this.applyData(e)}>
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
            @change=${() => this.patchData({ kind })} /> ${label}</label>`,
        )}
      </div>
      ${d.kind === 'truthTable' ? this.renderTable(d) : d.kind === 'points' ? this.renderPoints(d) : this.renderCsv()}
    </form>`;
  }

  private renderTable(d: DataDraft) {
    return html`<div class="row">
        <label for="table">Table</label>
        <select id="table" @change=${(e: Event) => this.patchData({ table: (e.target as HTMLSelectElement).value as TruthTable })}>
          ${TRUTH_TABLES.map((t) => html`<option value=${t} ?selected=${t === d.table}>${TABLE_NAMES[t]}</option>`)}
        </select>
        ${d.table === 'notebook'
          ? nothing
          : html`<label for="table-inputs">inputs</label>
              <input id="table-inputs" type="number" min=${TRUTH_TABLE_INPUTS.min} max=${TRUTH_TABLE_INPUTS.max} step="1" .value=${String(d.tableInputs)}
                @change=${(e: Event) => this.patchData({ tableInputs: Number((e.target as HTMLInputElement).value) })} />`}
      </div>
      <div class="row"><button class="primary" type="submit" data-testid="apply-data">Use this data</button></div>`;
  }

  private renderPoints(d: DataDraft) {
    const num = (id: string, label: string, value: number, attrs: { min: number; max: number; step: number | 'any' }, set: (v: number) => Partial<DataDraft>) =>
      html`<label for=${id}>${label}</label>
        <input id=${id} type="number" min=${attrs.min} max=${attrs.max} step=${attrs.step} .value=${String(value)}
          @change=${(e: Event) => this.patchData(set(Number((e.target as HTMLInputElement).value)))} />`;
    return html`<div class="row">
        <label for="point-set">Set</label>
        <select id="point-set" @change=${(e: Event) => this.patchData({ set: (e.target as HTMLSelectElement).value as PointSet })}>
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
        <input id="csv-share" type="number" min=${POINT_LIMITS.minTrainFraction} max="1" step="0.05" .value=${String(this.csvShare)}
          @change=${(e: Event) => (this.csvShare = Number((e.target as HTMLInputElement).value))} />
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

  private patchNetwork(patch: Partial<NetworkDraft>): void {
    this.network = { ...this.network, ...patch };
    this.problem = null;
  }

  private setLayer(i: number, patch: Partial<NetworkDraft['hidden'][number]>): void {
    this.patchNetwork({ hidden: this.network.hidden.map((h, k) => (k === i ? { ...h, ...patch } : h)) });
  }

  private addLayer(): void {
    const last = this.network.hidden.at(-1) ?? { units: 4, activation: 'tanh' as const };
    this.patchNetwork({ hidden: [...this.network.hidden, { ...last }] });
  }

  private removeLayer(i: number): void {
    this.patchNetwork({ hidden: this.network.hidden.filter((_, k) => k !== i) });
  }

  /** Cross-entropy needs a sigmoid output: a linear output falls back to ½(y − ŷ)². */
  private setOutput(output: OutputActivation): void {
    this.patchNetwork({ output, loss: output === 'sigmoid' ? this.network.loss : 'halfSquaredError' });
  }

  private patchData(patch: Partial<DataDraft>): void {
    this.data = { ...this.data, ...patch };
  }

  /** Checks the command here first, so a typo reads as a sentence next to the form rather than a refusal. */
  private applyNetwork(e: Event): void {
    e.preventDefault();
    const command = networkCommand(this.network, this.weightsSeed);
    const parsed = parseCommand(command);
    if (!parsed.ok) {
      this.problem = parsed.error;
      return;
    }
    this.problem = null;
    this.send(command);
  }

  private applyData(e: Event): void {
    e.preventDefault();
    if (this.data.kind === 'csv') {
      void this.uploadCsv();
      return;
    }
    this.send({ type: 'setDataset', dataset: datasetSpec(this.data) });
  }

  private async uploadCsv(): Promise<void> {
    const s = this.snapshot;
    const file = this.file;
    if (!s || !file) return;
    const token = takeInstructorToken(s.lectureId);
    if (!token) {
      this.upload = { status: 'failed', message: 'This page has no instructor token any more: open the instructor link again.', issues: [] };
      return;
    }
    this.upload = { status: 'sending' };
    try {
      const text = await file.text();
      await uploadDatasetCsv(s.lectureId, token, { name: file.name, text, trainFraction: this.csvShare });
      this.upload = { status: 'done', message: `${file.name} is the lecture's data now.` };
    } catch (err) {
      const issues = err instanceof ApiError ? err.issues : [];
      const message = err instanceof Error ? err.message : String(err);
      this.upload = { status: 'failed', message: `The file was not used: ${message}`, issues };
    }
  }

  /** The notebook's truth table, then its network with its weights: every name and number as in the notebook. */
  private backToNotebook(): void {
    this.send({ type: 'setDataset', dataset: { kind: 'truthTable', table: 'notebook' } });
    const { inputs: _followsTheData, ...network } = NOTEBOOK_MLP_CONFIG;
    this.send({ type: 'setNetwork', network, preset: 'notebook' });
  }

  private send(command: Command): void {
    this.dispatchEvent(new CommandRequestEvent(command));
  }
}

/** "line 3, column 2: …": the parser's messages name their place already; any other gets it in front. */
export function describeIssue(i: FileIssue): string {
  if (i.line === 0 || i.message.startsWith(`line ${i.line}`)) return i.message;
  const where = i.column === null ? `line ${i.line}` : `line ${i.line}, column ${i.column}`;
  return `${where}: ${i.message}`;
}

declare global {
  interface HTMLElementTagNameMap {
    'network-setup': NetworkSetup;
  }
}
