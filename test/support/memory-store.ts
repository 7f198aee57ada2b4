/**
 * The LectureStore port kept in memory: a real implementation for unit tests of the room and the
 * registry (no SQLite, nothing on disk). Like SqliteStore it keeps what it is given as text and
 * numbers, not the objects themselves, so a lecture read back is a copy, as after a restart; and
 * it keeps the same rules (an event names only a stored table; a new pass's event clears flags).
 * Given a `latency`, every call waits for it before it acts, as a network database's round trip
 * does, so tests see what callers do while a write is under way.
 */
import type { TrainingResult } from '../../shared/lecture/decider.js';
import type { PredictionStats } from '../../shared/protocol/collab.js';
import type { LectureSummary } from '../../shared/protocol/http.js';
import type {
  CommandRecord,
  KeyframeQuery,
  LecturePage,
  LectureRecord,
  LectureStore,
  LoadedEvent,
  NarrationCaps,
  NarrationChunk,
  NarrationPut,
  NarrationTakeStart,
  StoredEvent,
  StoredKeyframe,
  StoredNarrationChunk,
  StoredNarrationTake,
} from '../../server/ports.js';

/** A narration take as kept: its start, and its chunks by index with copies of their bytes. */
interface TakeRow extends NarrationTakeStart {
  readonly take: number;
  readonly chunks: Map<number, StoredNarrationChunk & { readonly data: Uint8Array }>;
}

interface Row {
  readonly format: number;
  readonly seq: number;
  readonly at: number;
  readonly command: string;
  readonly frame: string;
  readonly reveal: string | null;
  trained: StoredTraining | null;
  readonly commandId: string | null;
}

/** A training as stored: plain arrays of its parameters, float64 copies of its losses. */
interface StoredTraining {
  readonly params: string;
  readonly losses: Float64Array;
  readonly testLosses: Float64Array;
}

function storeTraining(result: TrainingResult): StoredTraining {
  const params = JSON.stringify(result.params, (_k, v) => (ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v));
  return { params, losses: Float64Array.from(result.losses), testLosses: Float64Array.from(result.testLosses) };
}

const trainingBytes = (t: StoredTraining | null) => (t ? t.params.length + (t.losses.length + t.testLosses.length) * 8 : 0);

export class MemoryStore implements LectureStore {
  constructor(private readonly latency: () => Promise<void> = async () => {}) {}

  private readonly lectures = new Map<string, LectureRecord>();
  private readonly logs = new Map<string, Row[]>();
  /** lecture → "askSeq clientId" → value. */
  private readonly answerValues = new Map<string, Map<string, number>>();
  /** lecture → flag key → client ids. */
  private readonly flagged = new Map<string, Map<string, Set<string>>>();
  private readonly tables = new Map<string, { text: string; used: boolean }>();
  /** lecture → its keyframes (copies of their bytes), by seq. */
  private readonly keyframeRows = new Map<string, Map<number, StoredKeyframe>>();
  /** lecture → its narration takes, in take order. */
  private readonly takes = new Map<string, TakeRow[]>();
  /** How many events were appended, refused or not (a refusal must append none). */
  appends = 0;

  /** Memory always answers. */
  async ping(): Promise<void> {}

  async createLecture(record: LectureRecord): Promise<void> {
    await this.latency();
    if (this.lectures.has(record.id)) throw new Error(`lecture ${record.id} exists`);
    this.lectures.set(record.id, { ...record });
    this.logs.set(record.id, []);
  }

  async getLecture(id: string): Promise<LectureRecord | undefined> {
    await this.latency();
    const record = this.lectures.get(id);
    return record && { ...record };
  }

  async listLectures(page: LecturePage = { limit: 100 }): Promise<LectureSummary[]> {
    await this.latency();
    const before = page.before ?? { createdAt: Number.MAX_SAFE_INTEGER, id: '' };
    return [...this.lectures.values()]
      .filter((l) => l.listed && (l.createdAt < before.createdAt || (l.createdAt === before.createdAt && (before.id === '' || l.id < before.id))))
      .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1))
      .slice(0, page.limit)
      .map((l) => ({ id: l.id, title: l.title, createdAt: l.createdAt, eventCount: this.log(l.id).length }));
  }

  async appendEvent(lectureId: string, event: StoredEvent, options: { clearFlags?: boolean } = {}): Promise<number> {
    await this.latency();
    this.appends++;
    const log = this.log(lectureId);
    const last = log[log.length - 1]?.seq ?? 0;
    if (event.seq <= last) throw new Error(`event ${event.seq} of ${lectureId} is stored already`);
    const { command } = event;
    const digest = command.type === 'setDataset' && command.dataset.kind === 'csv' ? command.dataset.digest : null;
    const table = digest ? this.tables.get(digest) : undefined;
    if (digest && !table) throw new Error(`no CSV with digest ${digest.slice(0, 12)}… is stored`);
    if (event.commandId !== undefined && log.some((r) => r.commandId === event.commandId)) throw new Error(`command id ${event.commandId} is stored already`);
    const row: Row = {
      format: event.format,
      seq: event.seq,
      at: event.at,
      command: JSON.stringify(command),
      frame: JSON.stringify(event.frame),
      reveal: event.reveal ? JSON.stringify(event.reveal) : null,
      trained: event.trained ? storeTraining(event.trained) : null,
      commandId: event.commandId ?? null,
    };
    if (table) table.used = true;
    log.push(row);
    if (options.clearFlags) this.flagged.delete(lectureId);
    return rowBytes(row);
  }

  async events(lectureId: string, afterSeq = 0): Promise<LoadedEvent[]> {
    await this.latency();
    return this.log(lectureId)
      .filter((r) => r.seq > afterSeq)
      .map((r) => ({
        format: r.format,
        seq: r.seq,
        at: r.at,
        command: JSON.parse(r.command),
        frame: JSON.parse(r.frame),
        ...(r.reveal ? { reveal: JSON.parse(r.reveal) as PredictionStats } : {}),
        ...(r.trained ? { trained: { params: JSON.parse(r.trained.params), losses: r.trained.losses.slice(), testLosses: r.trained.testLosses.slice() } } : {}),
        ...(r.commandId !== null ? { commandId: r.commandId } : {}),
        bytes: rowBytes(r),
      }));
  }

  async findCommand(lectureId: string, commandId: string): Promise<CommandRecord | undefined> {
    await this.latency();
    const row = this.log(lectureId).find((r) => r.commandId === commandId);
    return row && { seq: row.seq, type: (JSON.parse(row.command) as { type: string }).type };
  }

  async *eventsJson(lectureId: string, upToSeq: number): AsyncIterable<string> {
    await this.latency();
    yield '[';
    for (const r of this.log(lectureId).filter((e) => e.seq <= upToSeq)) yield `${r.seq === 1 ? '' : ','}{"seq":${r.seq},"at":${r.at},"command":${r.command},"frame":${r.frame}}`;
    yield ']';
  }

  async attachTrainingResult(lectureId: string, seq: number, result: TrainingResult): Promise<void> {
    await this.latency();
    const row = this.log(lectureId).find((r) => r.seq === seq);
    if (row) row.trained = storeTraining(result);
  }

  async putKeyframe(lectureId: string, keyframe: StoredKeyframe): Promise<void> {
    await this.latency();
    this.log(lectureId);
    const rows = this.keyframeRows.get(lectureId) ?? new Map<number, StoredKeyframe>();
    rows.set(keyframe.seq, { ...keyframe, state: keyframe.state.slice() });
    // The two latest of each format and event format, as the real stores keep.
    const same = [...rows.values()].filter((k) => k.format === keyframe.format && k.eventFormat === keyframe.eventFormat).sort((a, b) => b.seq - a.seq);
    for (const old of same.slice(2)) rows.delete(old.seq);
    this.keyframeRows.set(lectureId, rows);
  }

  async latestKeyframe(lectureId: string, q: KeyframeQuery): Promise<StoredKeyframe | undefined> {
    await this.latency();
    const found = [...(this.keyframeRows.get(lectureId)?.values() ?? [])]
      .filter((k) => k.format === q.format && k.eventFormat === q.eventFormat && k.seq < (q.beforeSeq ?? Infinity))
      .sort((a, b) => b.seq - a.seq)[0];
    return found && { ...found, state: found.state.slice() };
  }

  async saveAnswer(lectureId: string, askSeq: number, clientId: string, value: number): Promise<void> {
    await this.latency();
    const answers = this.answerValues.get(lectureId) ?? new Map<string, number>();
    answers.set(`${askSeq} ${clientId}`, value);
    this.answerValues.set(lectureId, answers);
  }

  async saveAnswers(lectureId: string, askSeq: number, answers: readonly { clientId: string; value: number }[]): Promise<void> {
    await this.latency();
    const stored = this.answerValues.get(lectureId) ?? new Map<string, number>();
    for (const a of answers) stored.set(`${askSeq} ${a.clientId}`, a.value);
    this.answerValues.set(lectureId, stored);
  }

  async answers(lectureId: string, askSeq: number): Promise<Map<string, number>> {
    await this.latency();
    const found = new Map<string, number>();
    for (const [key, value] of this.answerValues.get(lectureId) ?? []) {
      const space = key.indexOf(' ');
      if (Number(key.slice(0, space)) === askSeq) found.set(key.slice(space + 1), value);
    }
    return found;
  }

  async setFlag(lectureId: string, clientId: string, key: string, on: boolean): Promise<void> {
    await this.latency();
    const flags = this.flagged.get(lectureId) ?? new Map<string, Set<string>>();
    const who = flags.get(key) ?? new Set<string>();
    if (on) who.add(clientId);
    else who.delete(clientId);
    if (who.size) flags.set(key, who);
    else flags.delete(key);
    this.flagged.set(lectureId, flags);
  }

  async flags(lectureId: string): Promise<Map<string, Set<string>>> {
    await this.latency();
    return new Map([...(this.flagged.get(lectureId) ?? [])].map(([key, who]) => [key, new Set(who)]));
  }

  async putDataset(digest: string, text: string): Promise<void> {
    await this.latency();
    if (!this.tables.has(digest)) this.tables.set(digest, { text, used: false });
  }

  async forgetUnusedDataset(digest: string): Promise<void> {
    await this.latency();
    if (this.tables.get(digest)?.used === false) this.tables.delete(digest);
  }

  async datasetText(digest: string): Promise<string | undefined> {
    await this.latency();
    return this.tables.get(digest)?.text;
  }

  async createNarrationTake(lectureId: string, start: NarrationTakeStart, maxTakes: number): Promise<number | undefined> {
    await this.latency();
    this.log(lectureId);
    const takes = this.takes.get(lectureId) ?? [];
    if (takes.length >= maxTakes) return undefined;
    const take = (takes[takes.length - 1]?.take ?? 0) + 1;
    takes.push({ take, mime: start.mime, startedAt: start.startedAt, chunks: new Map() });
    this.takes.set(lectureId, takes);
    return take;
  }

  async putNarrationChunk(lectureId: string, take: number, chunk: NarrationChunk, caps: NarrationCaps): Promise<NarrationPut> {
    await this.latency();
    // Checked and stored with no await between: one step, as the real stores' transaction.
    const takes = this.takes.get(lectureId) ?? [];
    const row = takes.find((t) => t.take === take);
    if (!row) return 'no-take';
    if (row.chunks.has(chunk.index)) return 'repeat';
    const all = takes.flatMap((t) => [...t.chunks.values()]);
    if (all.reduce((sum, c) => sum + c.bytes, 0) + chunk.data.byteLength > caps.maxBytes) return 'over-bytes';
    if (all.length + 1 > caps.maxChunks) return 'over-chunks';
    const { index, at, audioAt, duration } = chunk;
    row.chunks.set(index, { index, at, audioAt, duration, bytes: chunk.data.byteLength, data: chunk.data.slice() });
    return 'stored';
  }

  async narration(lectureId: string): Promise<StoredNarrationTake[]> {
    await this.latency();
    return (this.takes.get(lectureId) ?? []).map((t) => ({
      take: t.take,
      mime: t.mime,
      startedAt: t.startedAt,
      chunks: [...t.chunks.values()].sort((a, b) => a.index - b.index).map(({ index, at, audioAt, duration, bytes }) => ({ index, at, audioAt, duration, bytes })),
    }));
  }

  async narrationChunkData(lectureId: string, take: number, fromIndex: number, toIndex: number): Promise<{ index: number; data: Uint8Array }[]> {
    await this.latency();
    const chunks = [...((this.takes.get(lectureId) ?? []).find((t) => t.take === take)?.chunks.values() ?? [])];
    return chunks.filter((c) => c.index >= fromIndex && c.index <= toIndex).sort((a, b) => a.index - b.index).map((c) => ({ index: c.index, data: c.data.slice() }));
  }

  async narrationBytes(lectureId: string): Promise<number> {
    await this.latency();
    return (this.takes.get(lectureId) ?? []).reduce((sum, t) => sum + [...t.chunks.values()].reduce((s, c) => s + c.bytes, 0), 0);
  }

  async deleteNarration(lectureId: string): Promise<void> {
    await this.latency();
    this.takes.delete(lectureId);
  }

  async close(): Promise<void> {}

  private log(lectureId: string): Row[] {
    const log = this.logs.get(lectureId);
    if (!log) throw new Error(`no lecture ${lectureId}`);
    return log;
  }
}

/** What an event takes, counted as SqliteStore counts its columns (for the lecture's quota). */
function rowBytes(r: Row): number {
  return r.command.length + r.frame.length + (r.reveal?.length ?? 0) + trainingBytes(r.trained) + (r.commandId?.length ?? 0);
}
