/**
 * Fuzzed bad input against the real server: random and adversarial bodies and socket payloads
 * never crash it, never change the lecture when refused, and always get a clear error.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_TYPES as ALL_COMMAND_TYPES, parseCommand } from '../../shared/protocol/commands.js';
import { startServer, type TestServer } from '../support/server.js';
import { createLecture, http, LectureClient } from '../support/clients.js';
import { LINE_SEPARATORS, PROTOTYPE_NAMES } from '../support/hostile.js';

let server: TestServer;
let lecture: { id: string; instructorToken: string };
let instructor: LectureClient;

beforeAll(async () => {
  // The fuzzer sends hundreds of commands a second: lift the per-socket rate limit (tested in abuse.test.ts).
  const fast = { burst: 1e6, perSecond: 1e6 };
  server = await startServer({ eventLimits: { student: fast, instructor: fast } });
  lecture = await createLecture(server.url);
  instructor = await LectureClient.connect(server.url, { lectureId: lecture.id, token: lecture.instructorToken });
});
afterAll(async () => {
  instructor?.close();
  await server?.close();
});

const COMMAND_TYPES = [...ALL_COMMAND_TYPES, ...PROTOTYPE_NAMES];
const weird = fc.oneof(
  fc.constantFrom(NaN, Infinity, -Infinity, -0, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 0.1, -1, 8, 100001, 2 ** 32),
  fc.string({ maxLength: 20 }),
  fc.constantFrom(null, true, false, [], {}, [0], [0, 0, 0], [-1, 0], [0, 4], ['0', '0']),
  fc.constantFrom(...PROTOTYPE_NAMES),
  fc.tuple(fc.string({ maxLength: 6 }), fc.constantFrom(...LINE_SEPARATORS), fc.string({ maxLength: 6 })).map((parts) => parts.join('')),
);
/** Command-shaped objects with wrong or boundary values: the inputs most likely to slip past validation. */
const nearlyCommand = fc.record(
  {
    type: fc.oneof(fc.constantFrom(...COMMAND_TYPES), fc.string({ maxLength: 12 })),
    epochs: weird,
    index: weird,
    value: weird,
    tensor: fc.oneof(fc.constantFrom('W', 'V', 'B', 'w', 'B_act'), weird),
    mode: weird,
    network: fc.oneof(weird, fc.record({ hidden: weird, loss: weird })),
    dataset: fc.oneof(weird, fc.record({ kind: fc.constantFrom('csv', 'points', 'truthTable'), table: weird, set: weird, name: weird, text: weird })),
    preset: fc.oneof(fc.constantFrom('notebook', 'random', 'Notebook'), weird),
    seed: weird,
    label: weird,
    on: weird,
  },
  { requiredKeys: ['type'] },
);
const anyPayload = fc.oneof(nearlyCommand, fc.anything({ maxDepth: 3 }), fc.jsonValue({ maxDepth: 3 }));

const snapshot = async () => (await http(server.url, 'GET', `/api/lectures/${lecture.id}/state`)).json;

describe('fuzzed input', () => {
  it('socket commands: a refused payload changes nothing and says why', async () => {
    await fc.assert(
      fc.asyncProperty(anyPayload, async (payload) => {
        if (parseCommand(payload).ok) return; // a valid command is the other test's business
        const before = await snapshot();
        const ack = await instructor.command(payload);
        expect(ack.ok).toBe(false);
        if (!ack.ok) expect(ack.error).toMatch(/\w{3,}/);
        expect(await snapshot()).toEqual(before);
      }),
      { numRuns: 300 },
    );
  });

  it('HTTP bodies: malformed, wrong or hostile bodies get a 4xx JSON error and change nothing', async () => {
    const rawBody = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
      nearlyCommand.map((v) => JSON.stringify(v)),
      fc.constantFrom('{"type":"step"', '{"type": NaN}', '[]', 'null', '{"__proto__":{"type":"step"}}', '\u0000', '{"type":"train","epochs":1e999}'),
    );
    await fc.assert(
      fc.asyncProperty(rawBody, async (body) => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(body);
        } catch {
          parsed = Symbol('malformed');
        }
        if (parseCommand(parsed).ok) return;
        const before = await snapshot();
        const res = await http(server.url, 'POST', `/api/lectures/${lecture.id}/commands`, body, lecture.instructorToken);
        expect([400, 409, 413]).toContain(res.status);
        expect(typeof res.json?.error).toBe('string');
        expect(await snapshot()).toEqual(before);
      }),
      { numRuns: 200 },
    );
  });

  it('valid random command sequences keep every student copy exact and the server up', async () => {
    const student = await LectureClient.connect(server.url, { lectureId: lecture.id });
    const validCommand = fc.oneof(
      fc.constantFrom({ type: 'step' }, { type: 'back' }, { type: 'forward' }, { type: 'backward' }, { type: 'update' }),
      fc.record({ type: fc.constant('selectSample'), index: fc.integer({ min: 0, max: 7 }) }),
      fc.record({ type: fc.constant('train'), epochs: fc.integer({ min: 1, max: 20 }) }),
      fc.record({ type: fc.constant('setLearningRate'), value: fc.double({ min: 0.001, max: 100, noNaN: true }) }),
      fc.record({ type: fc.constant('setWeight'), tensor: fc.constant('V'), index: fc.tuple(fc.integer({ min: 0, max: 3 }), fc.constant(0)), value: fc.double({ min: -50, max: 50, noNaN: true }) }),
      fc.record({ type: fc.constant('reset'), preset: fc.constantFrom('notebook', 'random'), seed: fc.integer({ min: 0, max: 2 ** 32 - 1 }) }),
      fc.record({ type: fc.constant('bookmark'), label: fc.string({ minLength: 1, maxLength: 80 }).filter((l) => l.trim().length > 0) }),
      fc.record({ type: fc.constant('setNarration'), on: fc.boolean() }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(validCommand, { minLength: 1, maxLength: 25 }), async (commands) => {
        for (const c of commands) {
          const before = await snapshot();
          const ack = await instructor.command(c);
          if (!ack.ok) {
            expect(ack.status).toBe(409);
            expect(await snapshot()).toEqual(before);
          }
        }
        const now = await snapshot();
        await student.atSeq(now.seq);
        expect(student.state).toEqual(now);
      }),
      { numRuns: 25 },
    );
    expect(student.errors).toEqual([]);
    student.close();
  });
});
