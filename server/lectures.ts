import { hasCsvText, provideCsvText, shortDigest } from '../shared/datasets/csv-texts.js';
import { datasetProblem } from '../shared/datasets/spec.js';
import { createLecture, evolve, type LectureState } from '../shared/lecture/decider.js';
import { toSnapshot } from '../shared/lecture/views.js';
import type { Command } from '../shared/protocol/commands.js';
import type { CreateLectureBody } from '../shared/protocol/http.js';
import type { Frame, Snapshot } from '../shared/protocol/snapshot.js';
import { EVENT_FORMAT_VERSION, eventFormatProblem } from '../shared/lecture/event-format.js';
import { KEYFRAME_FORMAT, openKeyframe } from '../shared/lecture/keyframe.js';
import { KeyframeError } from '../shared/lecture/keyframe-bytes.js';
import { withTrainingResult } from '../shared/lecture/trainer.js';
import { digestOf, digestsOfEvents, loadCsvTexts } from './csv-datasets.js';
import { hashToken, newJoinCode, newSeed, newToken, tokenMatches } from './ids.js';
import { LectureRoom, type RoomDeps, type RoomStored } from './lecture-room.js';
import type { LectureRecord, StoredEvent } from './ports.js';
import { LectureQuota, parseQuotaUsage, type QuotaUsage } from './lecture-quota.js';
import { lectureLog } from './log.js';
import type { LectureDirectory } from './live-lecture.js';
import { waitAtMost } from './time-bounds.js';

/** A lecture as the store holds it (LectureRegistry.read). */
export interface StoredLecture extends RoomStored {
  readonly record: LectureRecord;
  readonly state: LectureState;
  /** The frames of the events folded after the keyframe (the most recent ones a catch-up may need). */
  readonly frames: Frame[];
  readonly quota: LectureQuota;
}

/** How many unreadable keyframes a load passes over (each an older one) before it folds from the start. */
const KEYFRAME_TRIES = 3;
/** How long closing waits for the rooms' queued turns (the last keyframes) before the store is closed. */
const CLOSE_WAIT_MS = 5_000;

/**
 * Every lecture the server knows: created here, or brought back from the store from its latest
 * keyframe and the events after it (from the start when it has none this code reads).
 */
export class LectureRegistry implements LectureDirectory<LectureRoom> {
  private readonly rooms = new Map<string, LectureRoom>();
  /** Lectures being brought back from the store: whoever asks meanwhile shares the one load. */
  private readonly loading = new Map<string, Promise<LectureRoom | undefined>>();

  constructor(private readonly deps: RoomDeps) {}

  async create(body: CreateLectureBody): Promise<{ room: LectureRoom; token: string }> {
    const { store, clock, random } = this.deps;
    let id = newJoinCode(random);
    while (await store.getLecture(id)) id = newJoinCode(random);
    const token = newToken(random);
    const preset = body.preset ?? 'notebook';
    const record: LectureRecord = {
      id,
      title: body.title?.trim() || `Lecture ${id}`,
      createdAt: clock.now(),
      listed: body.listed,
      tokenHash: hashToken(token),
      preset,
      seed: body.seed ?? (preset === 'random' ? newSeed(random) : 0),
      learningRate: body.learningRate ?? 1,
    };
    await store.createLecture(record);
    const room = new LectureRoom(record, initialState(record), [], this.deps);
    this.rooms.set(id, room);
    return { room, token };
  }

  /**
   * The lecture with this (normalised) code, loaded from the store on first use; two first asks
   * at once share one load. A load that fails is tried again by the next ask.
   */
  async get(id: string): Promise<LectureRoom | undefined> {
    const cached = this.inMemory(id);
    if (cached) return cached;
    let loading = this.loading.get(id);
    if (!loading) {
      loading = this.load(id).finally(() => this.loading.delete(id));
      this.loading.set(id, loading);
    }
    return loading;
  }

  /** The lecture with this code if it is in memory (a socket admitted by the handshake, whose get loaded it). */
  inMemory(id: string): LectureRoom | undefined {
    const cached = this.rooms.get(id);
    cached?.touch();
    return cached;
  }

  /**
   * Brings a lecture back from the store: from its latest readable keyframe (else the start), the
   * events after it folded, its flags and open answers.
   */
  private async load(id: string): Promise<LectureRoom | undefined> {
    const stored = await this.read(id);
    if (!stored) return undefined;
    const { record, state, frames, quota, flags, answers } = stored;
    const room = new LectureRoom(record, state, frames, this.deps, quota, { flags, answers });
    this.rooms.set(id, room);
    return room;
  }

  /**
   * A lecture as the store holds it now, without opening it: its state folded from its latest
   * readable keyframe (else the start), the frames folded, its quota's usage, its flags and open
   * answers. What a room is opened from, and what a cluster node's replica of a lecture starts from.
   */
  async read(id: string): Promise<StoredLecture | undefined> {
    const { store } = this.deps;
    const record = await store.getLecture(id);
    if (!record) return undefined;
    const keyframe = await this.latestKeyframe(record);
    let state = keyframe?.state ?? initialState(record);
    const frames: Frame[] = [];
    const quota = new LectureQuota(this.deps.limits, keyframe?.usage);
    for (const loaded of await store.events(id, state.seq)) {
      // Before anything reads it: an event of a newer format would be misread, so the lecture is not loaded at all.
      const problem = eventFormatProblem(loaded.format, { lectureId: id, seq: loaded.seq });
      if (problem) throw new Error(problem);
      // Event by event, so that a lecture of many uploads never needs more texts at once than the cache keeps.
      await this.loadTexts([loaded]);
      const event = await this.withStoredTrainingResult(id, state, loaded);
      state = evolve(state, event);
      frames.push(event.frame);
      quota.record(event.at, event.command, loaded.bytes);
    }
    const open = state.prediction?.status === 'open' ? state.prediction.askSeq : null;
    const [flags, answers] = await Promise.all([store.flags(id), open === null ? new Map<string, number>() : store.answers(id, open)]);
    return { record, state, frames, quota, flags, answers };
  }

  /** Forgets one lecture's room (its node no longer owns it); the next `get` opens it again from the store. */
  forget(id: string): void {
    this.rooms.get(id)?.dispose();
    this.rooms.delete(id);
  }

  /**
   * The state of the lecture's latest keyframe this code reads, with the quota's usage up to it, or
   * undefined. A keyframe is a cache of the fold: one that does not read back (cut, altered, its
   * tables gone) is passed over for the one before it, and none means folding from the start.
   */
  private async latestKeyframe(record: LectureRecord): Promise<{ state: LectureState; usage: QuotaUsage } | undefined> {
    let beforeSeq: number | undefined;
    for (let tries = 0; tries < KEYFRAME_TRIES; tries++) {
      const stored = await this.deps.store.latestKeyframe(record.id, { format: KEYFRAME_FORMAT, eventFormat: EVENT_FORMAT_VERSION, beforeSeq });
      if (!stored) return undefined;
      try {
        const usage = parseQuotaUsage(stored.usage);
        if (!usage) throw new KeyframeError('its quota usage is not one');
        const opened = openKeyframe(stored.state);
        if (opened.seq !== stored.seq) throw new KeyframeError(`it holds seq ${opened.seq}, its row says ${stored.seq}`);
        // The uploaded tables its states use, before decoding makes their datasets.
        const digests = opened.datasets.map(digestOf).filter((d) => d !== null);
        const unknown = await loadCsvTexts(this.deps.store, digests);
        if (unknown.length) throw new KeyframeError(`the store has no CSV with digest ${unknown.map(shortDigest).join(', ')}`);
        const state = opened.decode();
        if (state.lectureId !== record.id) throw new KeyframeError(`it is lecture ${state.lectureId}'s`);
        return { state, usage };
      } catch (err) {
        lectureLog(record.id).error({ err, seq: stored.seq }, `its keyframe at seq ${stored.seq} is passed over; loading from an earlier one`);
        beforeSeq = stored.seq;
      }
    }
    return undefined;
  }

  /**
   * A `train` event stored before training results were kept is trained once more, here, and its
   * result stored with it: from then on no load of the lecture trains again.
   */
  private async withStoredTrainingResult(id: string, state: LectureState, event: StoredEvent): Promise<StoredEvent> {
    const completed = withTrainingResult(state, event);
    if (completed.trained && completed !== event) await this.deps.store.attachTrainingResult(id, event.seq, completed.trained);
    return completed;
  }

  /**
   * Forgets lectures nobody has used for `idleMs` (no socket, no training, no request): they come
   * back from the store, exactly, the next time someone asks. Memory then holds the lectures in use.
   */
  evictIdle(idleMs: number, inUse: (id: string) => boolean): number {
    const now = this.deps.clock.now();
    let evicted = 0;
    for (const [id, room] of this.rooms) {
      if (room.busy || inUse(id) || now - room.lastUsed < idleMs) continue;
      room.dispose();
      this.rooms.delete(id);
      evicted++;
    }
    return evicted;
  }

  /** How many lectures are in memory. */
  get loaded(): number {
    return this.rooms.size;
  }

  /** Makes the uploaded tables these events name available to makeDataset (before folding or exporting them). */
  async loadTexts(events: Parameters<typeof digestsOfEvents>[0]): Promise<void> {
    const unknown = await loadCsvTexts(this.deps.store, digestsOfEvents(events));
    if (unknown.length) throw new Error(`the store has no CSV with digest ${unknown.map(shortDigest).join(', ')}`);
  }

  /**
   * Why a command's uploaded table cannot be used, or null; asked before deciding it, after
   * loading the table's text from the store: a digest nobody uploaded, or rows that make no
   * dataset with the command's split.
   */
  async datasetProblem(room: Pick<LectureRoom, 'id'>, command: Command): Promise<string | null> {
    if (command.type !== 'setDataset' || command.dataset.kind !== 'csv') return null;
    const { digest } = command.dataset;
    // The store, not the cache, says whether it was uploaded: the cache may hold a refused upload's text.
    const text = await this.deps.store.datasetText(digest);
    if (text === undefined) {
      return `no CSV with digest ${shortDigest(digest)} was uploaded; upload the CSV first: POST /api/lectures/${room.id}/dataset.csv`;
    }
    if (!hasCsvText(digest)) provideCsvText(digest, text);
    return datasetProblem(command.dataset);
  }

  isInstructor(room: LectureRoom, token: string): boolean {
    return tokenMatches(token, room.record.tokenHash);
  }

  initialSnapshot(record: LectureRecord): Snapshot {
    return toSnapshot(initialState(record));
  }

  async close(): Promise<void> {
    await Promise.all([...this.rooms.values()].map((room) => room.stopTraining()));
    // Then the keyframes those last commits keep, so the store closes after them; not for ever (a
    // database that stopped answering must not hold a shutdown: a keyframe is only a cache).
    await waitAtMost(Promise.all([...this.rooms.values()].map((room) => room.settled())), CLOSE_WAIT_MS);
  }
}

function initialState(record: LectureRecord): LectureState {
  return createLecture({
    lectureId: record.id,
    title: record.title,
    preset: record.preset,
    seed: record.seed,
    learningRate: record.learningRate,
  });
}
