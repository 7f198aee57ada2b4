/**
 * A lecture's state as bytes, exactly: what the store keeps every so often so that a lecture comes
 * back by decoding its latest keyframe and folding only the events after it, not its whole log.
 *
 * The state is a graph, and the keyframe keeps its shape: every object that states share by
 * reference (a network, a tensor, a config, a dataset, a loss log) is written once and read back
 * once, so the undo stack shares tensors as it did, and the identities the decider and frames
 * compare (`config !==`, `dataset !==`, `testLoss !==`) come back as they were. Loss logs that view
 * one buffer are written as its longest prefix once and read back onto one buffer again. Numbers
 * are float64 bytes (never decimal text), the few structured values (a network's config, a dataset
 * spec, the spotlight) are JSON checked by their zod schemas. The layout ends in a checksum: a
 * keyframe that does not read back whole is refused (KeyframeError), and the loader folds from an
 * earlier one or from the start instead, since a keyframe is only ever a cache of the fold.
 */
import { DatasetSpecSchema, type DatasetSpec } from '../datasets/spec.js';
import { LossLog } from '../engine/loss-log.js';
import { MlpConfigSchema, type MlpConfig } from '../engine/mlp/config.js';
import { PRESET_NAMES, type Preset } from '../engine/mlp/init.js';
import { mlpLayout } from '../engine/mlp/layout.js';
import type { MlpState } from '../engine/mlp/network.js';
import type { Tensor } from '../engine/tensor.js';
import { FlagTarget, PACING_MODES, type Pacing, type Prediction, type PredictionStats, type SpotlightTarget } from '../protocol/collab.js';
import type { LectureState } from './decider.js';
import { EVENT_FORMAT_VERSION } from './event-format.js';
import { checksum, KeyframeError, NONE, Reader, Writer } from './keyframe-bytes.js';
import { packedData } from './setup.js';

/**
 * The layout of a keyframe's bytes, by number. A keyframe is read only by code of the same layout
 * and the same event format (EVENT_FORMAT_VERSION: the meaning of the state the events fold to);
 * any other is ignored and the lecture folded from its events. Raise it with any change below.
 */
// 2: the narration flag (setNarration) follows the errata flag.
export const KEYFRAME_FORMAT = 2;

/** Whether this code reads a keyframe written in `format` by code of event format `eventFormat`. */
export function keyframeReadable(format: number, eventFormat: number): boolean {
  return format === KEYFRAME_FORMAT && eventFormat === EVENT_FORMAT_VERSION;
}

const MAGIC = 0x4b465042; // "BPFK" little-endian
const HEADER_BYTES = 16;
const TENSOR_ARRAY = 0;
const TENSOR_FLOAT64 = 1;
/** Numbers each distinct object once, in the order first met. */
class Table<T> {
  readonly items: T[] = [];
  private readonly ids = new Map<T, number>();

  id(item: T): number {
    let id = this.ids.get(item);
    if (id === undefined) {
      id = this.items.length;
      this.items.push(item);
      this.ids.set(item, id);
    }
    return id;
  }
}

interface SavedState {
  readonly network: MlpState;
  readonly dataset: DatasetSpec;
  readonly preset: Preset;
  readonly seed: number;
  readonly testLoss: LossLog;
}

/** The undo stack from the bottom (the oldest state kept) to the top. */
function undoStack(state: LectureState): { saved: SavedState; depth: number; bytes: number }[] {
  const nodes: { saved: SavedState; depth: number; bytes: number }[] = [];
  for (let n = state.undo; n; n = n.below) nodes.push({ saved: n.saved, depth: n.depth, bytes: n.bytes });
  return nodes.reverse();
}

/** The lecture's state as keyframe bytes. Throws when the state is not one a fold makes (a network's rows not its dataset's). */
export function encodeKeyframe(state: LectureState): Uint8Array {
  const stack = undoStack(state);
  const saved: SavedState[] = [...stack.map((n) => n.saved), state];
  const configs = new Table<MlpConfig>();
  const datasets = new Table<DatasetSpec>();
  const networks = new Table<MlpState>();
  const tensors = new Table<Tensor>();
  const logs = new Table<LossLog>();
  for (const s of saved) {
    datasets.id(s.dataset);
    networks.id(s.network);
    logs.id(s.testLoss);
  }
  const rowsOf = new Map(datasets.items.map((spec, id) => [packedData(spec).train, id] as const));
  for (const n of networks.items) {
    configs.id(n.config);
    logs.id(n.lossHistory);
    for (const name of Object.keys(n.tensors)) tensors.id(n.tensors[name]);
  }

  const w = new Writer();
  w.text(state.lectureId);
  w.text(state.title);
  w.u32(state.seq);
  w.u32(configs.items.length);
  for (const c of configs.items) w.text(JSON.stringify(c));
  w.u32(datasets.items.length);
  for (const d of datasets.items) w.text(JSON.stringify(d));
  w.u32(tensors.items.length);
  for (const t of tensors.items) writeTensor(w, t);
  writeLogs(w, logs.items);
  w.u32(networks.items.length);
  for (const n of networks.items) {
    const rows = rowsOf.get(n.data);
    if (rows === undefined) throw new Error("a network's rows are not those of any dataset of the lecture");
    w.u32(configs.id(n.config));
    w.u32(rows);
    w.text(n.stage);
    w.u32(n.sampleIndex);
    w.f64(n.epoch);
    w.f64(n.learningRate);
    const names = Object.keys(n.tensors);
    w.u32(names.length);
    for (const name of names) {
      w.text(name);
      w.u32(tensors.id(n.tensors[name]));
    }
    w.u32(logs.id(n.lossHistory));
    w.f64(n.epochLossSum);
    w.f64(n.epochLossCount);
  }
  const writeSaved = (s: SavedState) => {
    w.u32(networks.id(s.network));
    w.u32(datasets.id(s.dataset));
    w.text(s.preset);
    w.f64(s.seed);
    w.u32(logs.id(s.testLoss));
  };
  w.u32(stack.length);
  for (const node of stack) {
    writeSaved(node.saved);
    w.u32(node.depth);
    w.f64(node.bytes);
  }
  writeSaved(state);
  w.text(state.pacing);
  writePrediction(w, state.prediction);
  w.text(state.spotlight === null ? 'null' : JSON.stringify(state.spotlight));
  w.u8(state.errata ? 1 : 0);
  w.u8(state.narrating ? 1 : 0);
  const body = w.finish();

  const out = new Uint8Array(HEADER_BYTES + body.length);
  out.set(body, HEADER_BYTES);
  const header = new DataView(out.buffer);
  header.setUint32(0, MAGIC, true);
  header.setUint32(4, KEYFRAME_FORMAT, true);
  header.setUint32(8, body.length, true);
  header.setUint32(12, checksum(out, HEADER_BYTES), true);
  return out;
}

function writeTensor(w: Writer, t: Tensor): void {
  w.u8(t.shape.length);
  for (const d of t.shape) w.u32(d);
  w.u8(Array.isArray(t.data) ? TENSOR_ARRAY : TENSOR_FLOAT64);
  w.f64s(t.data);
}

/**
 * Loss logs by the buffer they view: each buffer's longest log once, then each log as its buffer
 * and length (every log on one buffer is a prefix of the longest: a buffer is written only past
 * the end of its newest log).
 */
function writeLogs(w: Writer, logs: readonly LossLog[]): void {
  const longest = new Map<ArrayBufferLike, LossLog>();
  for (const log of logs) {
    if (log.length === 0) continue;
    const buffer = log.view().buffer;
    const known = longest.get(buffer);
    if (!known || known.length < log.length) longest.set(buffer, log);
  }
  const buffers = [...longest.keys()];
  const bufferIds = new Map(buffers.map((b, i) => [b, i] as const));
  w.u32(buffers.length);
  for (const b of buffers) w.f64s(longest.get(b)!.view());
  w.u32(logs.length);
  for (const log of logs) {
    w.u32(log.length === 0 ? NONE : bufferIds.get(log.view().buffer)!);
    w.u32(log.length);
  }
}

function writeNullable(w: Writer, x: number | null): void {
  w.u8(x === null ? 0 : 1);
  if (x !== null) w.f64(x);
}

function writePrediction(w: Writer, p: Prediction | null): void {
  w.u8(p === null ? 0 : 1);
  if (p === null) return;
  w.u32(p.askSeq);
  w.text(p.tensor);
  w.f64s(p.index);
  w.text(p.status);
  writeNullable(w, p.actual);
  w.u8(p.stats === null ? 0 : 1);
  if (p.stats === null) return;
  w.f64(p.stats.count);
  writeNullable(w, p.stats.mean);
  writeNullable(w, p.stats.median);
  w.f64s(p.stats.histogram.edges);
  w.f64s(p.stats.histogram.counts);
}

/**
 * A keyframe opened: its seq and the datasets its states use, read before the rest, so that the
 * caller can make the uploaded tables they name available (makeDataset needs their texts) before
 * `decode` rebuilds the state.
 */
export interface OpenedKeyframe {
  readonly seq: number;
  readonly datasets: readonly DatasetSpec[];
  decode(): LectureState;
}

/** Checks a keyframe's header and checksum and reads its first part; throws KeyframeError when it is not one this code reads. */
export function openKeyframe(given: Uint8Array): OpenedKeyframe {
  // Aligned to 8 as it was written (a store's buffer may start anywhere), so numbers copy in bulk.
  const bytes = given.byteOffset % 8 === 0 ? given : given.slice();
  if (bytes.length < HEADER_BYTES || bytes.length % 4 !== 0) throw new KeyframeError('it ends too early');
  const header = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (header.getUint32(0, true) !== MAGIC) throw new KeyframeError('it does not begin as a keyframe');
  const format = header.getUint32(4, true);
  if (format !== KEYFRAME_FORMAT) throw new KeyframeError(`its layout is ${format}; this code reads ${KEYFRAME_FORMAT}`);
  if (header.getUint32(8, true) !== bytes.length - HEADER_BYTES) throw new KeyframeError('its length is not the one written');
  if (header.getUint32(12, true) !== checksum(bytes, HEADER_BYTES)) throw new KeyframeError('its checksum does not match');
  const r = new Reader(bytes, HEADER_BYTES);
  const lectureId = r.text();
  const title = r.text();
  const seq = r.u32();
  const configs: MlpConfig[] = [];
  for (let i = r.u32(); i > 0; i--) configs.push(r.checked<MlpConfig>(MlpConfigSchema, 'a network config'));
  const datasets: DatasetSpec[] = [];
  for (let i = r.u32(); i > 0; i--) datasets.push(r.checked<DatasetSpec>(DatasetSpecSchema, 'a dataset'));
  return { seq, datasets, decode: () => decodeRest(r, { lectureId, title, seq, configs, datasets }) };
}

/** The lecture's state a keyframe holds; throws KeyframeError when it cannot be read. */
export function decodeKeyframe(bytes: Uint8Array): LectureState {
  return openKeyframe(bytes).decode();
}

interface Head {
  readonly lectureId: string;
  readonly title: string;
  readonly seq: number;
  readonly configs: readonly MlpConfig[];
  readonly datasets: readonly DatasetSpec[];
}

function decodeRest(r: Reader, head: Head): LectureState {
  const { configs, datasets } = head;
  const tensors: Tensor[] = [];
  for (let i = r.u32(); i > 0; i--) tensors.push(readTensor(r));
  const logs = readLogs(r);
  const networks: MlpState[] = [];
  for (let i = r.u32(); i > 0; i--) networks.push(readNetwork(r, configs, datasets, tensors, logs));
  const readSaved = (): SavedState => ({
    network: networks[r.ref(networks.length, 'network')],
    dataset: datasets[r.ref(datasets.length, 'dataset')],
    preset: r.oneOf(PRESET_NAMES, 'preset'),
    seed: r.f64(),
    testLoss: logs[r.ref(logs.length, 'loss log')],
  });
  let undo = null as LectureState['undo'];
  for (let i = r.u32(); i > 0; i--) {
    const saved = readSaved();
    const depth = r.u32();
    if (depth !== (undo?.depth ?? 0) + 1) throw new KeyframeError('the undo stack is out of order');
    undo = { saved, below: undo, depth, bytes: r.f64() };
  }
  const current = readSaved();
  const pacing: Pacing = r.oneOf(PACING_MODES, 'pacing');
  const prediction = readPrediction(r);
  const spotlight = r.checked<SpotlightTarget | null>({ safeParse: (v) => (v === null ? { success: true } : FlagTarget.safeParse(v)) }, 'the spotlight');
  const errata = r.u8() === 1;
  const narrating = r.u8() === 1;
  r.end();
  return {
    lectureId: head.lectureId,
    title: head.title,
    seq: head.seq,
    preset: current.preset,
    seed: current.seed,
    dataset: current.dataset,
    network: current.network,
    testLoss: current.testLoss,
    undo,
    pacing,
    prediction,
    spotlight,
    errata,
    narrating,
  };
}

function readTensor(r: Reader): Tensor {
  const shape: number[] = [];
  for (let i = r.u8(); i > 0; i--) shape.push(r.u32());
  const kind = r.u8();
  if (kind !== TENSOR_ARRAY && kind !== TENSOR_FLOAT64) throw new KeyframeError(`a tensor's kind ${kind} is unknown`);
  const data = kind === TENSOR_ARRAY ? r.f64s() : r.f64Array();
  if (data.length !== shape.reduce((a, b) => a * b, 1)) throw new KeyframeError(`a tensor of shape [${shape.join(', ')}] has ${data.length} numbers`);
  return { shape, data: data as readonly number[] };
}

/** The logs, each buffer's rebuilt shortest first so that they all view one buffer again. */
function readLogs(r: Reader): LossLog[] {
  const values: Float64Array[] = [];
  for (let i = r.u32(); i > 0; i--) values.push(r.f64Array());
  const refs: { buffer: number; length: number }[] = [];
  for (let i = r.u32(); i > 0; i--) {
    const buffer = r.ref(values.length, 'loss buffer', true);
    const length = r.u32();
    if ((buffer === NONE) !== (length === 0) || (buffer !== NONE && length > values[buffer].length)) throw new KeyframeError('a loss log is longer than its buffer');
    refs.push({ buffer, length });
  }
  const logs = new Array<LossLog>(refs.length).fill(LossLog.EMPTY);
  const order = refs.map((_, i) => i).sort((a, b) => refs[a].length - refs[b].length);
  const newest = new Map<number, LossLog>();
  for (const i of order) {
    const { buffer, length } = refs[i];
    if (buffer === NONE) continue;
    const before = newest.get(buffer) ?? LossLog.EMPTY;
    // A second log of the same length cannot view the same buffer through appends: it gets its own.
    const log = before.length < length ? before.append(values[buffer].subarray(before.length, length)) : LossLog.of(values[buffer].subarray(0, length));
    newest.set(buffer, log);
    logs[i] = log;
  }
  return logs;
}

function readNetwork(r: Reader, configs: readonly MlpConfig[], datasets: readonly DatasetSpec[], tensors: readonly Tensor[], logs: readonly LossLog[]): MlpState {
  const config = configs[r.ref(configs.length, 'config')];
  const data = packedData(datasets[r.ref(datasets.length, 'dataset')]).train;
  const layout = mlpLayout(config);
  const stage = r.text();
  if (stage !== 'idle' && !layout.stages.some((s) => s.stage === stage)) throw new KeyframeError(`this network has no stage ${stage.slice(0, 40)}`);
  const sampleIndex = r.u32();
  if (sampleIndex >= data.count) throw new KeyframeError(`row ${sampleIndex} is outside the data`);
  const epoch = r.f64();
  const learningRate = r.f64();
  const named: Record<string, Tensor> = {};
  for (let i = r.u32(); i > 0; i--) {
    const name = r.text();
    // Only the layout's own names: nothing read here sets a property such as __proto__.
    if (!layout.tensorNames.includes(name) || Object.hasOwn(named, name)) throw new KeyframeError(`this network has no tensor ${name.slice(0, 40)}`);
    named[name] = tensors[r.ref(tensors.length, 'tensor')];
  }
  for (const p of layout.parameters) if (!Object.hasOwn(named, p)) throw new KeyframeError(`a network has no ${p}`);
  const lossHistory = logs[r.ref(logs.length, 'loss log')];
  const epochLossSum = r.f64();
  const epochLossCount = r.f64();
  return { config, data, stage, sampleIndex, epoch, learningRate, tensors: named, lossHistory, epochLossSum, epochLossCount };
}

function readNullable(r: Reader): number | null {
  return r.u8() === 1 ? r.f64() : null;
}

function readPrediction(r: Reader): Prediction | null {
  if (r.u8() === 0) return null;
  const askSeq = r.u32();
  const tensor = r.text();
  const index = r.f64s();
  const status = r.oneOf(['open', 'revealed'] as const, 'a prediction status');
  const actual = readNullable(r);
  if (r.u8() === 0) return { askSeq, tensor, index, status, actual, stats: null };
  const count = r.f64();
  const mean = readNullable(r);
  const median = readNullable(r);
  const stats: PredictionStats = { count, mean, median, histogram: { edges: r.f64s(), counts: r.f64s() } };
  return { askSeq, tensor, index, status, actual, stats };
}
