/** The socket handlers' own logic, without socket.io: sync's validation and spacing, presence, who may answer. */
import { describe, expect, it } from 'vitest';
import type { CatchUp, SocketData } from '../../shared/protocol/socket.js';
import { SyncRequestSchema } from '../../shared/protocol/socket.js';
import { answerSync, type SyncContext } from '../../server/realtime/sync.js';
import { countPresence } from '../../server/realtime/presence.js';
import { notAStudent } from '../../server/realtime/student-events.js';
import { cleanName } from '../../server/realtime/handshake.js';
import { LIMITS } from '../../shared/protocol/limits.js';
import { answer, INTERNAL_ERROR } from '../../server/realtime/acks.js';
import { runCommand } from '../../server/realtime/command.js';
import type { LectureRoom } from '../../server/lecture-room.js';
import type { LectureRegistry } from '../../server/lectures.js';
import { SnapshotSpacing } from '../../server/send-buffer.js';
import { ManualClock } from '../support/server.js';
import { captureLogs } from '../support/logs.js';

const frames: CatchUp = { type: 'frames', frames: [] };
const snapshot = { type: 'snapshot', snapshot: {} } as unknown as CatchUp;

function context(answer: CatchUp, overrides: Partial<SyncContext> = {}) {
  const asked: number[] = [];
  const clock = new ManualClock();
  const snapshots = new SnapshotSpacing(clock, 5000);
  const ctx: SyncContext = {
    room: { catchUp: (lastSeq: number) => (asked.push(lastSeq), answer) },
    socketId: 's1',
    snapshots,
    snapshotIntervalMs: 5000,
    dropIfBehind: () => false,
    ...overrides,
  };
  return { ctx, asked, clock };
}

describe('sync', () => {
  it('is refused with 400 unless it is {lastSeq: integer}, and the room is not asked', () => {
    const { ctx, asked } = context(frames);
    for (const raw of [undefined, null, 3, 'x', [], {}, { lastSeq: '3' }, { lastSeq: 1.5 }, { lastSeq: NaN }, { lastSeq: Infinity }, { lastSeq: null }, { lastSeq: 'constructor' }]) {
      expect(answerSync(raw, ctx)).toEqual({ error: 'sync needs {lastSeq: integer}', status: 400 });
    }
    expect(asked).toEqual([]);
  });

  it('passes the parsed lastSeq to the room, negative or beyond the lecture too (they get a snapshot there)', () => {
    const { ctx, asked } = context(frames);
    for (const lastSeq of [0, 4, -1, 1e300]) expect(answerSync({ lastSeq, extra: true }, ctx)).toBe(frames);
    expect(asked).toEqual([0, 4, -1, 1e300]);
  });

  it('answers nothing to a socket that does not read its answers', () => {
    const { ctx, asked } = context(frames, { dropIfBehind: () => true });
    expect(answerSync({ lastSeq: 1 }, ctx)).toBeUndefined();
    expect(asked).toEqual([]);
  });

  it('sends one snapshot per interval: sooner, 429 with the seconds to wait; frames always', () => {
    const { ctx, clock } = context(snapshot);
    expect(answerSync({ lastSeq: 0 }, ctx)).toBe(snapshot);
    clock.advance(1200);
    expect(answerSync({ lastSeq: 0 }, ctx)).toEqual({ error: 'a snapshot was sent less than 5 s ago; sync again in 4 s', status: 429, retryAfter: 4 });
    expect(answerSync({ lastSeq: 0 }, { ...ctx, room: { catchUp: () => frames } })).toBe(frames);
    clock.advance(3800);
    expect(answerSync({ lastSeq: 0 }, ctx)).toBe(snapshot);
  });

  it('has a schema that keeps only lastSeq', () => {
    expect(SyncRequestSchema.parse({ lastSeq: 7, more: 1 })).toEqual({ lastSeq: 7 });
  });
});

const member = (data: Partial<SocketData>): SocketData => ({ lectureId: 'L', role: 'student', name: '', clientId: 'c', address: 'a', ...data });

describe('presence', () => {
  it('counts instructors, projectors and students once per client id, with their names sorted', () => {
    const { presence, names } = countPresence([
      member({ role: 'instructor', clientId: 'i', name: 'Prof' }),
      member({ display: 'projector', clientId: 'p' }),
      member({ clientId: 'a', name: 'Zoë' }),
      member({ clientId: 'a', name: 'Zoë' }),
      member({ clientId: 'b', name: 'Ada' }),
      member({ clientId: 'c' }),
      undefined,
    ]);
    expect(presence).toEqual({ students: 3, instructors: 1, projectors: 1 });
    expect(names).toEqual(['Ada', 'Zoë']);
  });
});

describe('who answers and flags', () => {
  it('is a student, never the instructor or a projector display', () => {
    expect(notAStudent(member({}))).toBeNull();
    expect(notAStudent(member({ role: 'instructor' }))).toMatchObject({ ok: false, status: 403 });
    expect(notAStudent(member({ display: 'projector' }))).toMatchObject({ ok: false, status: 403, error: expect.stringContaining('projector') });
  });
});

describe('display names', () => {
  it('lose control and format characters and surrounding space', () => {
    expect(cleanName('  A\u0000d\u200ba\n ')).toBe('Ada');
    expect(cleanName(undefined)).toBe('');
    // Capped by characters: an emoji at the cap stays whole; an emoji sequence keeps its joiner; a line separator goes.
    expect(cleanName('😀'.repeat(100))).toBe('😀'.repeat(LIMITS.maxNameLength));
    expect(cleanName('Ada 👩\u200d🏫\u2028')).toBe('Ada 👩\u200d🏫');
  });
});

describe('every handler answers through answer()', () => {
  it('acks a result at once, a promised one when it comes, and nothing for none', async () => {
    const acks: unknown[] = [];
    const ack = (r: unknown) => acks.push(r);
    answer('now', ack, () => 1);
    expect(acks).toEqual([1]);
    answer('none', ack, () => undefined);
    answer('later', ack, () => Promise.resolve(2));
    expect(acks).toEqual([1]);
    await Promise.resolve();
    await Promise.resolve();
    expect(acks).toEqual([1, 2]);
  });

  it('logs what a handler throws or rejects with and acks a 500; without an ack it still runs', async () => {
    const logged = captureLogs();
    const acks: unknown[] = [];
    answer('sync', (r: unknown) => acks.push(r), () => {
      throw new Error('boom');
    });
    answer('command', (r: unknown) => acks.push(r), () => Promise.reject(new Error('later boom')));
    await new Promise((r) => setImmediate(r));
    expect(acks).toEqual([INTERNAL_ERROR, INTERNAL_ERROR]);
    expect(logged.lines.map((l) => [l.level, l.msg, l.err?.message])).toEqual([
      ['error', 'sync failed', 'boom'],
      ['error', 'command failed', 'later boom'],
    ]);
    let ran = false;
    answer('flag', undefined, () => ((ran = true), 3));
    expect(ran).toBe(true);
    logged.restore();
  });

  it('refuses a student’s command before reading it or asking the room', () => {
    const untouched = {} as LectureRoom & LectureRegistry;
    expect(runCommand({ type: 'step' }, 'student', untouched, untouched)).toEqual({ ok: false, status: 403, error: 'only the instructor can send commands' });
  });
});
