/**
 * The inputs this round added, sent hostile values: the handshake's `display`, the `spotlight`,
 * `setErrata`, `bookmark` and `setNarration` commands and the `/join?code=` and `/<code>` routes get Object.prototype names,
 * control and separator characters and huge sizes; each is refused with a clear answer, changes
 * nothing, and the server goes on serving.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../shared/protocol/version.js';
import { startServer, type TestServer } from '../support/server.js';
import { connectError, createLecture, http, LectureClient } from '../support/clients.js';
import { LINE_SEPARATORS, PROTOTYPE_NAMES } from '../support/hostile.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ guessesPerMinute: 10_000, eventLimits: { student: { burst: 10_000, perSecond: 10_000 }, instructor: { burst: 10_000, perSecond: 10_000 } } });
});
afterAll(async () => {
  await server?.close();
});

// Sizes past a socket message's 16 KiB close the connection before any handler (edge-limits.test.ts); here, 8 KiB.
const HOSTILE_STRINGS = [...PROTOTYPE_NAMES, ...LINE_SEPARATORS, 'projector\u0000', 'PROJECTOR', ' projector', '\u202eprojector', 'x'.repeat(8_000)];

describe('hostile values on the inputs added for the lecture hall and phones', () => {
  it('a handshake whose display is anything but "projector" is refused as malformed, and nothing is counted', async () => {
    const { id, instructorToken } = await createLecture(server.url);
    for (const display of [...HOSTILE_STRINGS, 1, true, null, {}, ['projector']]) {
      const err = await connectError(server.url, { protocol: PROTOCOL_VERSION, lectureId: id, display });
      expect(err.data?.code, JSON.stringify(display).slice(0, 40)).toBe('bad-handshake');
    }
    const instructor = await LectureClient.connect(server.url, { lectureId: id, token: instructorToken });
    try {
      const presence = new Promise<unknown>((resolve) => instructor.socket.once('presence', resolve));
      expect(await presence).toMatchObject({ students: 0, projectors: 0 });
    } finally {
      instructor.close();
    }
  });

  it('spotlight and setErrata with hostile targets and values: a 400 each, nothing recorded', async () => {
    const { id, instructorToken } = await createLecture(server.url);
    const instructor = await LectureClient.connect(server.url, { lectureId: id, token: instructorToken });
    try {
      const bad: unknown[] = [
        ...HOSTILE_STRINGS.flatMap((s) => [
          { type: 'spotlight', target: { type: 'element', tensor: s, index: [0, 0] } },
          { type: 'spotlight', target: { type: 'stage', stage: s } },
          { type: 'spotlight', target: { type: s } },
          { type: 'setErrata', on: s },
        ]),
        { type: 'spotlight', target: { type: 'element', tensor: 'W', index: [1e9, 0] } },
        { type: 'spotlight', target: { type: 'element', tensor: 'W', index: Array.from({ length: 3_000 }, () => 0) } },
        // An own "__proto__" key, as JSON from the wire has it (a literal would set the prototype instead).
        JSON.parse('{"type":"spotlight","target":{"type":"element","tensor":"W","index":[0,0],"__proto__":{"polluted":true}}}'),
        { type: 'spotlight' },
        { type: 'setErrata' },
      ];
      for (const command of bad) {
        const ack = await instructor.command(command);
        expect(ack.ok, JSON.stringify(command).slice(0, 80)).toBe(false);
        if (!ack.ok) expect([400, 413]).toContain(ack.status);
      }
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      const state = (await http(server.url, 'GET', `/api/lectures/${id}/state`)).json;
      expect({ seq: state.seq, spotlight: state.spotlight, errata: state.errata }).toEqual({ seq: 0, spotlight: null, errata: false });
    } finally {
      instructor.close();
    }
  });

  it('bookmark and setNarration with hostile labels and values: a 400 each, nothing recorded; a student may send neither', async () => {
    const { id, instructorToken } = await createLecture(server.url);
    const instructor = await LectureClient.connect(server.url, { lectureId: id, token: instructorToken });
    const student = await LectureClient.connect(server.url, { lectureId: id });
    try {
      const bad: unknown[] = [
        ...HOSTILE_STRINGS.flatMap((s) => [{ type: 'setNarration', on: s }, { type: 'bookmark', label: s, [s]: 1 }]),
        ...LINE_SEPARATORS.map((s) => ({ type: 'bookmark', label: s })),
        { type: 'bookmark', label: '\u200b\u202e\u0000' },
        { type: 'bookmark', label: 'x'.repeat(81) },
        { type: 'bookmark', label: { toString: 'x' } },
        { type: 'bookmark' },
        { type: 'setNarration' },
        JSON.parse('{"type":"bookmark","label":"a","__proto__":{"polluted":true}}'),
      ];
      for (const command of bad) {
        const ack = await instructor.command(command);
        expect(ack.ok, JSON.stringify(command).slice(0, 80)).toBe(false);
        if (!ack.ok) expect([400, 413]).toContain(ack.status);
      }
      for (const command of [{ type: 'bookmark', label: 'mine' }, { type: 'setNarration', on: true }]) {
        const ack = await student.command(command);
        expect(ack).toMatchObject({ ok: false, status: 403 });
      }
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect((await http(server.url, 'GET', `/api/lectures/${id}/state`)).json).toMatchObject({ seq: 0, narrating: false });
      // What is allowed is recorded as cleaned, and "__proto__" is only text.
      expect(await instructor.command({ type: 'bookmark', label: ' __proto__\u202e ' })).toMatchObject({ ok: true });
      expect(await instructor.command({ type: 'setNarration', on: true })).toMatchObject({ ok: true });
      const recording = (await http(server.url, 'GET', `/api/lectures/${id}/recording`)).json;
      expect(recording.events.map((e: { command: unknown }) => e.command)).toEqual([{ type: 'bookmark', label: '__proto__' }, { type: 'setNarration', on: true }]);
      expect((await http(server.url, 'GET', `/api/lectures/${id}/state`)).json).toMatchObject({ seq: 2, narrating: true });
    } finally {
      instructor.close();
      student.close();
    }
  });

  it('/join?code= and /<code> with hostile text get a page, never a crash or a redirect elsewhere', async () => {
    for (const s of HOSTILE_STRINGS.slice(0, -1)) {
      for (const path of [`/join?code=${encodeURIComponent(s)}`, `/${encodeURIComponent(s)}`]) {
        const res = await fetch(server.url + path, { redirect: 'manual' });
        expect([302, 400, 404], path.slice(0, 60)).toContain(res.status);
        if (res.status === 302) expect(res.headers.get('location'), path).toMatch(/^\/lecture\/[2-9A-Z]{6}$/);
        else expect(await res.text()).toContain('<meta name="viewport"');
      }
    }
    const huge = await fetch(`${server.url}/join?code=${'a'.repeat(50_000)}`, { redirect: 'manual' });
    expect([400, 414, 431]).toContain(huge.status);
    expect((await http(server.url, 'GET', '/api/health')).json).toMatchObject({ ok: true });
  });
});
