/** Abuse: floods, oversized payloads, guessing codes and tokens, and a create key for public servers. */
import { afterEach, describe, expect, it } from 'vitest';
import { LIMITS } from '../../shared/protocol/limits.js';
import { CONNECT_ERRORS } from '../../shared/protocol/socket.js';
import { PROTOCOL_VERSION } from '../../shared/protocol/version.js';
import { ManualClock, startServer, type TestServer } from '../support/server.js';
import { connectError, createLecture, http, LectureClient } from '../support/clients.js';

let server: TestServer | undefined;
const clients: LectureClient[] = [];
afterEach(async () => {
  while (clients.length) clients.pop()!.close();
  await server?.close();
  server = undefined;
});

async function connect(url: string, auth: Parameters<typeof LectureClient.connect>[1]) {
  const c = await LectureClient.connect(url, auth);
  clients.push(c);
  return c;
}

describe('a flooding student', () => {
  it('is rate-limited with a clear error while the lecture goes on for everyone else', async () => {
    server = await startServer();
    const { id, instructorToken } = await createLecture(server.url);
    const instructor = await connect(server.url, { lectureId: id, token: instructorToken });
    const flooder = await connect(server.url, { lectureId: id });
    const other = await connect(server.url, { lectureId: id });

    const acks = await Promise.all(Array.from({ length: 200 }, () => flooder.socket.timeout(10_000).emitWithAck('sync', { lastSeq: 0 })));
    const limited = acks.filter((a) => 'status' in a && a.status === 429);
    expect(limited.length).toBeGreaterThan(150);
    expect((limited[0] as { error: string }).error).toMatch(/too many messages/);

    // The instructor and the other student are unaffected.
    expect(await instructor.command({ type: 'step' })).toEqual({ ok: true, seq: 1 });
    await other.atSeq(1);
    await flooder.atSeq(1); // frames still reach the flooder: only what it sends is limited
  });
});

describe('oversized payloads', () => {
  it('are refused over HTTP (413) and over socket.io (the connection is dropped), changing nothing', async () => {
    server = await startServer();
    const { id, instructorToken } = await createLecture(server.url);
    const big = { type: 'step', pad: 'x'.repeat(LIMITS.maxPayloadBytes + 10) };
    const res = await http(server.url, 'POST', `/api/lectures/${id}/commands`, big, instructorToken);
    expect(res.status).toBe(413);
    expect(res.json.error).toMatch(/larger than/);

    const instructor = await connect(server.url, { lectureId: id, token: instructorToken });
    const dropped = new Promise<string>((resolve) => instructor.socket.once('disconnect', (reason) => resolve(reason)));
    instructor.socket.emit('command', big as never, () => undefined);
    expect(await dropped).toMatch(/transport (close|error)/);
    expect((await http(server.url, 'GET', `/api/lectures/${id}/state`)).json.seq).toBe(0);
  });
});

describe('guessing', () => {
  it('refuses guessed codes and tokens, then delays the address’s further failures, never a right guess', async () => {
    const clock = new ManualClock();
    server = await startServer({ clock, guessesPerMinute: 5 });
    const { id, instructorToken } = await createLecture(server.url);
    for (let i = 0; i < 5; i++) expect((await http(server.url, 'GET', `/api/lectures/ZZZZZ${i + 2}/state`)).status).toBe(404);
    // Five free failures used: the sixth is still answered but starts a delay; failures during it are refused.
    expect((await http(server.url, 'GET', '/api/lectures/ZZZZZ7/state')).status).toBe(404);
    const delayed = await http(server.url, 'GET', '/api/lectures/ZZZZZ8/state');
    expect(delayed.status).toBe(429);
    expect(delayed.json.error).toMatch(/too many failed attempts/);
    const socketDelayed = await connectError(server.url, { protocol: PROTOCOL_VERSION, lectureId: 'ZZZZZ9' });
    expect(socketDelayed.data?.code).toBe(CONNECT_ERRORS.tooManyAttempts);
    // Tokens are counted per address and lecture: five free failures, a sixth that starts the delay, then refusals.
    for (let i = 0; i < 6; i++) {
      const err = await connectError(server.url, { protocol: PROTOCOL_VERSION, lectureId: id, token: `guess-${i}` });
      expect(err.data?.code).toBe(CONNECT_ERRORS.badToken);
    }
    expect((await connectError(server.url, { protocol: PROTOCOL_VERSION, lectureId: id, token: 'guess-7' })).data?.code).toBe(CONNECT_ERRORS.tooManyAttempts);

    // The right code and the right token are never refused.
    expect((await http(server.url, 'GET', `/api/lectures/${id}/state`)).status).toBe(200);
    expect((await http(server.url, 'POST', `/api/lectures/${id}/commands`, { type: 'step' }, instructorToken)).status).toBe(200);
    const instructor = await connect(server.url, { lectureId: id, token: instructorToken });
    expect(instructor.state?.seq).toBe(1);

    clock.advance(5 * 60_000);
    expect((await http(server.url, 'GET', '/api/lectures/ZZZZZA/state')).status).toBe(404);
  });
});

describe('CREATE_KEY', () => {
  it('makes creating a lecture require the key, and says so', async () => {
    server = await startServer({ createKey: 'open-sesame' });
    expect((await http(server.url, 'GET', '/api/health')).json).toMatchObject({ createKeyRequired: true });
    const without = await http(server.url, 'POST', '/api/lectures', {});
    expect(without.status).toBe(401);
    expect(without.json.error).toMatch(/create key/);
    const wrong = await fetch(`${server.url}/api/lectures`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-create-key': 'nope' }, body: '{}' });
    expect(wrong.status).toBe(401);
    const right = await fetch(`${server.url}/api/lectures`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-create-key': 'open-sesame' }, body: '{"listed":true}' });
    expect(right.status).toBe(201);
    expect((await http(server.url, 'GET', '/api/lectures')).json).toHaveLength(1);
  });

  it('is not needed when unset', async () => {
    server = await startServer();
    expect((await http(server.url, 'GET', '/api/health')).json).toMatchObject({ createKeyRequired: false });
    expect((await http(server.url, 'POST', '/api/lectures', {})).status).toBe(201);
  });
});
