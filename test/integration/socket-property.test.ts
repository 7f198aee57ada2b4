/**
 * A property over the whole socket surface: random events (every event name the server knows, and
 * others) with random payloads, with and without acknowledgements, from instructors and students
 * of two lectures. The server keeps serving, every acknowledgement is well-formed, and each
 * lecture's state changes only when a valid command was acknowledged as applied.
 */
import fc from 'fast-check';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Snapshot } from '../../shared/protocol/snapshot.js';
import { startServer, type TestServer } from '../support/server.js';
import { createLecture, http, LectureClient } from '../support/clients.js';
import { LINE_SEPARATORS, PROTOTYPE_NAMES } from '../support/hostile.js';

const EVENTS = ['command', 'sync', 'prediction:submit', 'flag', 'snapshot', 'frame', 'presence', 'error', 'message', ...PROTOTYPE_NAMES];
/** The events the server handles, each with an acknowledgement. */
const KNOWN = ['command', 'sync', 'prediction:submit', 'flag'];
/** Names socket.io's client refuses to send: they never reach the server. */
const RESERVED = new Set(['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener']);

interface Lecture {
  readonly id: string;
  readonly instructor: LectureClient;
  readonly student: LectureClient;
}

let server: TestServer;
const lectures: Lecture[] = [];

beforeAll(async () => {
  const fast = { burst: 1e6, perSecond: 1e6 };
  server = await startServer({ eventLimits: { student: fast, instructor: fast } });
  for (let i = 0; i < 2; i++) {
    const { id, instructorToken } = await createLecture(server.url);
    const instructor = await LectureClient.connect(server.url, { lectureId: id, token: instructorToken });
    const student = await LectureClient.connect(server.url, { lectureId: id, name: `student ${i}` });
    lectures.push({ id, instructor, student });
  }
});
afterAll(async () => {
  for (const l of lectures) {
    l.instructor.close();
    l.student.close();
  }
  await server?.close();
});

const text = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom(...PROTOTYPE_NAMES),
  fc.tuple(fc.string({ maxLength: 4 }), fc.constantFrom(...LINE_SEPARATORS)).map(([a, b]) => a + b),
);
const value = fc.oneof(text, fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.integer({ min: -1, max: 9 }), { maxLength: 3 }));
/** Shapes the handlers look at (a command's type, a flag's target, a sync's lastSeq), filled with anything. */
const payload = fc.oneof(
  fc.anything({ maxDepth: 3 }),
  fc.record(
    { type: fc.oneof(fc.constantFrom('step', 'ask', 'setWeight', 'flag', 'reveal', 'setPacing', 'selectSample', 'back', 'bookmark', 'setNarration'), text), tensor: value, index: value, value, mode: value, label: value, on: value },
    { requiredKeys: ['type'] },
  ),
  fc.record({ target: fc.record({ type: fc.oneof(fc.constantFrom('stage', 'element'), text), stage: value, tensor: value, index: value }), on: value }),
  fc.record({ lastSeq: value }),
  fc.record({ value }),
);
const message = fc.record({
  lecture: fc.integer({ min: 0, max: 1 }),
  fromInstructor: fc.boolean(),
  event: fc
    .oneof({ arbitrary: fc.constantFrom(...KNOWN), weight: 4 }, fc.constantFrom(...EVENTS), text)
    .filter((e) => !RESERVED.has(e)),
  payload,
  withAck: fc.boolean(),
});

const state = async (id: string): Promise<Snapshot> => (await http(server.url, 'GET', `/api/lectures/${id}/state`)).json;

describe('random socket events', () => {
  it('never take the server down, and change a lecture only through an acknowledged command', { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(message, { minLength: 1, maxLength: 20 }), async (messages) => {
        const before = await Promise.all(lectures.map((l) => state(l.id)));
        const applied = new Set<number>();
        for (const m of messages) {
          const lecture = lectures[m.lecture];
          // Untyped on purpose: the property sends what the typed protocol would not let a test write.
          const socket = (m.fromInstructor ? lecture.instructor : lecture.student).socket as unknown as Socket;
          if (!m.withAck) {
            socket.emit(m.event, m.payload);
            continue;
          }
          const known = KNOWN.includes(m.event);
          const ack = await socket
            .timeout(known ? 5000 : 50)
            .emitWithAck(m.event, m.payload)
            .catch(() => 'no answer');
          // Known events always answer; unknown ones are ignored.
          if (known) {
            expect(ack, `${m.event} ${JSON.stringify(m.payload)}`).toEqual(expect.any(Object));
            const status = (ack as { status?: number }).status;
            if (status !== undefined) expect(status).toBeLessThan(500);
          }
          if (m.event === 'command' && (ack as { ok?: boolean }).ok === true && m.fromInstructor) applied.add(m.lecture);
        }
        const after = await Promise.all(lectures.map((l) => state(l.id)));
        lectures.forEach((_l, i) => {
          if (!applied.has(i)) expect(after[i]).toEqual(before[i]);
        });
        // Every copy of every lecture is still the server's.
        for (const [i, l] of lectures.entries()) {
          await l.student.atSeq(after[i].seq);
          expect(l.student.state).toEqual(after[i]);
        }
      }),
      { numRuns: 80 },
    );
    for (const l of lectures) {
      expect(l.student.socket.connected).toBe(true);
      expect(l.student.errors).toEqual([]);
    }
    expect((await http(server.url, 'GET', '/api/health')).status).toBe(200);
  });
});
