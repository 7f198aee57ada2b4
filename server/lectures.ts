import { createLecture, evolve, toSnapshot, type CreateLectureBody, type Frame, type LectureState, type Snapshot } from '../shared/index.js';
import { hashToken, newJoinCode, newSeed, newToken, tokenMatches } from './ids.js';
import { LectureRoom, type RoomDeps } from './lecture-room.js';
import type { LectureRecord } from './ports.js';

/** Every lecture the server knows: created here, or brought back from the store by folding its events. */
export class LectureRegistry {
  private readonly rooms = new Map<string, LectureRoom>();

  constructor(private readonly deps: RoomDeps) {}

  create(body: CreateLectureBody): { room: LectureRoom; token: string } {
    const { store, clock, random } = this.deps;
    let id = newJoinCode(random);
    while (store.getLecture(id)) id = newJoinCode(random);
    const token = newToken(random);
    const preset = body.preset ?? 'notebook';
    const record: LectureRecord = {
      id,
      title: body.title?.trim() || `Lecture ${id}`,
      createdAt: clock.now(),
      listed: body.listed ?? true,
      tokenHash: hashToken(token),
      preset,
      seed: body.seed ?? (preset === 'random' ? newSeed(random) : 0),
      learningRate: body.learningRate ?? 1,
    };
    store.createLecture(record);
    const room = new LectureRoom(record, initialState(record), [], this.deps);
    this.rooms.set(id, room);
    return { room, token };
  }

  /** The lecture with this (normalised) code, loaded from the store on first use. */
  get(id: string): LectureRoom | undefined {
    const cached = this.rooms.get(id);
    if (cached) return cached;
    const record = this.deps.store.getLecture(id);
    if (!record) return undefined;
    let state = initialState(record);
    const frames: Frame[] = [];
    for (const event of this.deps.store.events(id)) {
      state = evolve(state, event);
      frames.push(event.frame);
    }
    const room = new LectureRoom(record, state, frames, this.deps);
    this.rooms.set(id, room);
    return room;
  }

  isInstructor(room: LectureRoom, token: string): boolean {
    return tokenMatches(token, room.record.tokenHash);
  }

  initialSnapshot(record: LectureRecord): Snapshot {
    return toSnapshot(initialState(record));
  }

  async close(): Promise<void> {
    await Promise.all([...this.rooms.values()].map((room) => room.stopTraining()));
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
