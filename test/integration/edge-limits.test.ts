/**
 * Issue 10, findings 6-8: one student never locks out the class, one machine is not a class.
 * Guessing slows only the guesser's failures; addresses follow TRUST_PROXY for HTTP and sockets
 * alike; creations and HTTP commands are rate-limited; one address opens a bounded number of
 * students' sockets; client ids are the server's; the instructor sees how many addresses answered.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { io } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { PredictionUpdate } from '../../shared/protocol/collab.js';
import { CONNECT_ERRORS } from '../../shared/protocol/socket.js';
import { PROTOCOL_VERSION } from '../../shared/protocol/version.js';
import { parseTrustProxy } from '../../server/client-address.js';
import { ManualClock, startServer, type StartOptions, type TestServer } from '../support/server.js';
import { createLecture, http, type ClientSocket } from '../support/clients.js';

let server: TestServer | undefined;
const sockets: ClientSocket[] = [];
afterEach(async () => {
  while (sockets.length) sockets.pop()!.disconnect();
  await server?.close();
  server = undefined;
});

async function start(options: StartOptions & { trustProxy?: string; maxSocketsPerAddress?: number; creationsPerHour?: number } = {}): Promise<TestServer> {
  const { trustProxy, maxSocketsPerAddress, creationsPerHour, ...rest } = options;
  server = await startServer({
    ...rest,
    app: { ...rest.app, trustProxy: trustProxy === undefined ? undefined : parseTrustProxy(trustProxy), maxSocketsPerAddress, creationsPerHour },
  });
  return server;
}

interface Opened {
  readonly socket: ClientSocket;
  /** The id the server issued (identity), when connected. */
  readonly clientId?: string;
  readonly code?: string;
  readonly message?: string;
}

/** A socket.io handshake, optionally through a "proxy" (an X-Forwarded-For header); resolves connected or refused. */
function open(auth: Record<string, unknown>, forwardedFor?: string): Promise<Opened> {
  const socket: ClientSocket = io(server!.url, {
    auth: { protocol: PROTOCOL_VERSION, ...auth },
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    extraHeaders: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {},
  });
  sockets.push(socket);
  return new Promise((resolve) => {
    socket.once('identity', ({ clientId }) => resolve({ socket, clientId }));
    socket.once('connect_error', (err) => {
      const code = (err as { data?: { code?: string } }).data?.code;
      socket.disconnect();
      resolve({ socket, code, message: err.message });
    });
  });
}

/** An HTTP request as if forwarded for `forwardedFor`. */
async function request(method: string, path: string, options: { body?: unknown; token?: string; forwardedFor?: string } = {}) {
  const headers: Record<string, string> = {};
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.forwardedFor) headers['x-forwarded-for'] = options.forwardedFor;
  const res = await fetch(server!.url + path, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  const text = await res.text();
  return { status: res.status, retryAfter: res.headers.get('retry-after'), json: text ? JSON.parse(text) : undefined };
}

describe('guessing slows only the failures', () => {
  it('lets a student who mistyped the code 30 times in with the right code, over sockets and HTTP', async () => {
    await start({ clock: new ManualClock() });
    const { id } = await createLecture(server!.url);
    const codes: (string | undefined)[] = [];
    for (let i = 0; i < 30; i++) codes.push((await open({ lectureId: `ZZZZZ${(i % 8) + 2}` })).code);
    expect(codes.slice(0, 20).every((c) => c === CONNECT_ERRORS.unknownLecture)).toBe(true);
    // Beyond the free failures, wrong codes are delayed…
    expect(codes).toContain(CONNECT_ERRORS.tooManyAttempts);
    const refused = await request('GET', '/api/lectures/ZZZZZ9/state');
    expect(refused.status).toBe(429);
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    // …and the right one is never refused.
    const joined = await open({ lectureId: id.toLowerCase() });
    expect(joined.code).toBeUndefined();
    expect(joined.clientId).toBeDefined();
    expect((await request('GET', `/api/lectures/${id}/state`)).status).toBe(200);
  });

  it('never refuses the instructor’s right token, while another address or the same one guesses', async () => {
    await start({ clock: new ManualClock(), trustProxy: 'loopback' });
    const { id, instructorToken } = await createLecture(server!.url);
    for (const guesser of ['198.51.100.66', '198.51.100.7']) {
      for (let i = 0; i < 30; i++) {
        const guess = await open({ lectureId: id, token: `guess-${i}` }, guesser);
        expect([CONNECT_ERRORS.badToken, CONNECT_ERRORS.tooManyAttempts]).toContain(guess.code);
      }
      const http429 = await request('POST', `/api/lectures/${id}/commands`, { body: { type: 'step' }, token: 'wrong', forwardedFor: guesser });
      expect(http429.status).toBe(429);
    }
    // The instructor is at 198.51.100.7 too (the same NAT as the second guesser).
    const instructor = await open({ lectureId: id, token: instructorToken }, '198.51.100.7');
    expect(instructor.code).toBeUndefined();
    const step = await request('POST', `/api/lectures/${id}/commands`, { body: { type: 'step' }, token: instructorToken, forwardedFor: '198.51.100.7' });
    expect(step.status).toBe(200);
    expect(step.json.seq).toBe(1);
  });
});

describe('one client-address rule (TRUST_PROXY) for HTTP and socket.io', () => {
  it('with TRUST_PROXY, two clients behind the proxy are two addresses', async () => {
    await start({ trustProxy: 'loopback', maxSocketsPerAddress: 1, creationsPerHour: 1 });
    expect((await request('POST', '/api/lectures', { body: {}, forwardedFor: '203.0.113.1' })).status).toBe(201);
    const lecture = await request('POST', '/api/lectures', { body: {}, forwardedFor: '203.0.113.2' });
    expect(lecture.status).toBe(201);
    expect((await request('POST', '/api/lectures', { body: {}, forwardedFor: '203.0.113.1' })).status).toBe(429);
    const id = lecture.json.id;
    expect((await open({ lectureId: id }, '203.0.113.1')).code).toBeUndefined();
    expect((await open({ lectureId: id }, '203.0.113.2')).code).toBeUndefined();
    // The same /64 is one address; the proxy's own hop is believed, a client's forged one is not.
    expect((await open({ lectureId: id }, '2001:db8:5:6::1')).code).toBeUndefined();
    expect((await open({ lectureId: id }, '2001:db8:5:6::2')).code).toBe(CONNECT_ERRORS.tooManySockets);
    expect((await open({ lectureId: id }, '203.0.113.1')).code).toBe(CONNECT_ERRORS.tooManySockets);
  });

  it('without TRUST_PROXY, a forged X-Forwarded-For changes nothing', async () => {
    await start({ maxSocketsPerAddress: 1, creationsPerHour: 1 });
    const lecture = await request('POST', '/api/lectures', { body: {}, forwardedFor: '203.0.113.1' });
    expect(lecture.status).toBe(201);
    expect((await request('POST', '/api/lectures', { body: {}, forwardedFor: '203.0.113.2' })).status).toBe(429);
    expect((await open({ lectureId: lecture.json.id }, '203.0.113.1')).code).toBeUndefined();
    expect((await open({ lectureId: lecture.json.id }, '203.0.113.2')).code).toBe(CONNECT_ERRORS.tooManySockets);
  });
});

describe('anonymous use is limited', () => {
  it('creations beyond the rate get 429 with Retry-After, and a minute later one more', async () => {
    const clock = new ManualClock();
    await start({ clock, creationsPerHour: 3 });
    for (let i = 0; i < 3; i++) expect((await request('POST', '/api/lectures', { body: {} })).status).toBe(201);
    const refused = await request('POST', '/api/lectures', { body: {} });
    expect(refused.status).toBe(429);
    expect(refused.json.error).toMatch(/at most 3 lectures an hour from one address/);
    expect(Number(refused.retryAfter)).toBe(1200);
    clock.advance(20 * 60_000);
    expect((await request('POST', '/api/lectures', { body: {} })).status).toBe(201);
  });

  it('HTTP commands beyond the instructor’s rate get 429 and run nothing', async () => {
    const clock = new ManualClock();
    await start({ clock, eventLimits: { student: { burst: 30, perSecond: 10 }, instructor: { burst: 5, perSecond: 2 } } });
    const { id, instructorToken } = await createLecture(server!.url);
    for (let i = 0; i < 5; i++) expect((await request('POST', `/api/lectures/${id}/commands`, { body: { type: 'step' }, token: instructorToken })).status).toBe(200);
    const refused = await request('POST', `/api/lectures/${id}/commands`, { body: { type: 'step' }, token: instructorToken });
    expect(refused.status).toBe(429);
    expect(refused.json.error).toMatch(/too many commands/);
    expect(refused.retryAfter).toBe('1');
    expect((await request('GET', `/api/lectures/${id}/state`)).json.seq).toBe(5);
    clock.advance(1000);
    expect((await request('POST', `/api/lectures/${id}/commands`, { body: { type: 'step' }, token: instructorToken })).status).toBe(200);
  });

  it('lists only lectures their creator listed, a page at a time, from an index', async () => {
    const clock = new ManualClock();
    await start({ clock });
    const hidden = await createLecture(server!.url, { title: 'not asked to be listed' });
    const listed: string[] = [];
    for (let i = 0; i < 5; i++) {
      clock.advance(i === 2 ? 0 : 1000); // two with the same created_at: the cursor's id breaks the tie
      listed.push((await createLecture(server!.url, { title: `L${i}`, listed: true })).id);
    }
    const first = await request('GET', '/api/lectures?limit=2');
    expect(first.json.map((l: { title: string }) => l.title)).toEqual(['L4', 'L3']);
    const seen = [...first.json];
    while (seen.length < 10) {
      const last = seen[seen.length - 1];
      const page = await request('GET', `/api/lectures?limit=2&before=${last.createdAt}.${last.id}`);
      expect(page.status).toBe(200);
      if (page.json.length === 0) break;
      seen.push(...page.json);
    }
    expect(seen.map((l) => l.id).sort()).toEqual([...listed].sort());
    expect(seen.map((l) => l.id)).not.toContain(hidden.id);
    expect((await request('GET', '/api/lectures?limit=1000')).status).toBe(400);
    expect((await request('GET', '/api/lectures?before=x')).json.error).toMatch(/before must be the cursor/);
    const db = new Database(join(server!.dataDir, 'backprop-live.sqlite'), { readonly: true });
    try {
      const plan = db.prepare("EXPLAIN QUERY PLAN SELECT id FROM lectures WHERE listed = 1 AND created_at < 5 ORDER BY created_at DESC, id DESC LIMIT 2").all();
      expect(JSON.stringify(plan)).toMatch(/lectures_listed/);
    } finally {
      db.close();
    }
  });
});

describe('one machine is not a class', () => {
  it('opens at most MAX_SOCKETS_PER_ADDRESS students’ sockets per lecture; the instructor and other lectures still get in', async () => {
    await start({ maxSocketsPerAddress: 20 });
    const { id, instructorToken } = await createLecture(server!.url);
    const other = await createLecture(server!.url);
    const attempts: Opened[] = [];
    for (let batch = 0; batch < 3; batch++) attempts.push(...(await Promise.all(Array.from({ length: 20 }, () => open({ lectureId: id })))));
    const admitted = attempts.filter((a) => a.code === undefined);
    expect(admitted).toHaveLength(20);
    const refusal = attempts.find((a) => a.code !== undefined)!;
    expect(refusal.code).toBe(CONNECT_ERRORS.tooManySockets);
    expect(refusal.message).toMatch(/already has 20 students connected/);
    expect((await open({ lectureId: id, token: instructorToken })).code).toBeUndefined();
    expect((await open({ lectureId: other.id })).code).toBeUndefined();
    // One leaves: one more may come.
    admitted[0].socket.disconnect();
    await new Promise((r) => setTimeout(r, 100));
    expect((await open({ lectureId: id })).code).toBeUndefined();
  });

  it('issues client ids: a chosen or forged id is replaced, so nobody answers as someone else', async () => {
    await start({ trustProxy: 'loopback' });
    const { id, instructorToken } = await createLecture(server!.url);
    const instructor = await open({ lectureId: id, token: instructorToken });
    const updates: PredictionUpdate[] = [];
    instructor.socket.on('prediction:update', (u) => updates.push(u));
    expect(await instructor.socket.emitWithAck('command', { type: 'ask', tensor: 'C_act', index: [0] })).toMatchObject({ ok: true });

    const alice = await open({ lectureId: id, clientId: 'alice' }, '203.0.113.1');
    expect(alice.clientId).not.toBe('alice');
    const mallory = await open({ lectureId: id, clientId: 'alice' }, '203.0.113.2');
    const forged = await open({ lectureId: id, clientId: `${alice.clientId!.slice(0, 22)}.${'A'.repeat(22)}` }, '203.0.113.2');
    expect(new Set([alice.clientId, mallory.clientId, forged.clientId]).size).toBe(3);
    expect(await alice.socket.emitWithAck('prediction:submit', { value: 0.5 })).toEqual({ ok: true });
    expect(await mallory.socket.emitWithAck('prediction:submit', { value: 100 })).toEqual({ ok: true });
    expect(await forged.socket.emitWithAck('prediction:submit', { value: 100 })).toEqual({ ok: true });
    // Alice's answer stands beside the others (with chosen ids, Mallory would have replaced it), and the
    // instructor sees that the three answers came from two addresses.
    await until(() => updates.at(-1)?.count === 3);
    expect(updates.at(-1)).toMatchObject({ count: 3, addresses: 2 });

    // A signed id is kept across a reconnect: still one student, one answer.
    alice.socket.disconnect();
    const again = await open({ lectureId: id, clientId: alice.clientId }, '203.0.113.1');
    expect(again.clientId).toBe(alice.clientId);
    expect(await again.socket.emitWithAck('prediction:submit', { value: 0.25 })).toEqual({ ok: true });
    const reveal = await instructor.socket.emitWithAck('command', { type: 'reveal' });
    expect(reveal).toMatchObject({ ok: true });
    const state = (await http(server!.url, 'GET', `/api/lectures/${id}/state`)).json;
    expect(state.prediction.stats.count).toBe(3);
  });

  it('lets one address answer as at most MAX_SOCKETS_PER_ADDRESS students, however often it reconnects', async () => {
    await start({ maxSocketsPerAddress: 2 });
    const { id, instructorToken } = await createLecture(server!.url);
    const instructor = await open({ lectureId: id, token: instructorToken });
    await instructor.socket.emitWithAck('command', { type: 'ask', tensor: 'C_act', index: [0] });
    const outcomes = [];
    for (let i = 0; i < 4; i++) {
      const student = await open({ lectureId: id });
      outcomes.push(await student.socket.emitWithAck('prediction:submit', { value: i }));
      student.socket.disconnect();
    }
    expect(outcomes.slice(0, 2)).toEqual([{ ok: true }, { ok: true }]);
    expect(outcomes[2]).toMatchObject({ ok: false, status: 429, error: expect.stringMatching(/at most 2 students may answer from one address/) });
  });
});

async function until(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
