/**
 * The guess guard and the rate limits hold across nodes (issue 15): three real nodes over one
 * PostgreSQL and one Redis, a guesser whose failures are spread over A, B and C is refused after
 * as many as one process allows (GUESSES_PER_MINUTE), an address's lecture creations are counted
 * once for the cluster (CREATIONS_PER_HOUR), and a right code or token always gets in. While Redis
 * is away each node counts by itself, answers as usual and says so once in its log.
 *
 * Each test guesses from addresses of its own (TRUST_PROXY=loopback: the test is the proxy, and
 * names the client in X-Forwarded-For), so the counts of one test are not another's.
 */
import { io } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { CONNECT_ERRORS } from '../../shared/protocol/socket.js';
import { PROTOCOL_VERSION } from '../../shared/protocol/version.js';
import type { CreatedLecture } from '../../shared/protocol/http.js';
import { useCluster, type ClusterNode } from '../support/cluster.js';
import type { ClientSocket } from '../support/clients.js';

/** Free failures a minute: small, so that three nodes' worth (3 × 4) would plainly show. */
const GUESSES = 4;
const CREATIONS_PER_HOUR = 3;
const cluster = useCluster({ nodes: 3, env: { GUESSES_PER_MINUTE: String(GUESSES), CREATIONS_PER_HOUR: String(CREATIONS_PER_HOUR), TRUST_PROXY: 'loopback' } });

const sockets: ClientSocket[] = [];
afterEach(() => {
  while (sockets.length) sockets.pop()!.disconnect();
});

/** An HTTP request to a node as forwarded for `address`. */
async function request(node: ClusterNode, method: string, path: string, address: string, options: { body?: unknown; token?: string } = {}) {
  const headers: Record<string, string> = { 'x-forwarded-for': address };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const res = await fetch(node.url + path, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, retryAfter: res.headers.get('retry-after'), json, text };
}

/** A lecture created on `node` by `address`. */
async function create(node: ClusterNode, address: string): Promise<CreatedLecture> {
  const res = await request(node, 'POST', '/api/lectures', address, { body: {} });
  if (res.status !== 201) throw new Error(`create on ${node.id}: ${res.status} ${res.text}`);
  return res.json as CreatedLecture;
}

/** A socket.io handshake with a node from `address`: undefined when admitted, else its connect_error code. */
function handshake(node: ClusterNode, address: string, auth: Record<string, unknown>): Promise<string | undefined> {
  const socket: ClientSocket = io(node.url, {
    auth: { protocol: PROTOCOL_VERSION, ...auth },
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    extraHeaders: { 'x-forwarded-for': address },
  });
  sockets.push(socket);
  return new Promise((resolve) => {
    socket.once('identity', () => resolve(undefined));
    socket.once('connect_error', (err) => {
      socket.disconnect();
      resolve((err as { data?: { code?: string } }).data?.code ?? err.message);
    });
  });
}

/** Wrong join codes (valid in form, naming no lecture). */
const wrongCode = (i: number) => `ZZZZZ${(i % 8) + 2}`;

describe('guessing across the nodes', () => {
  it('refuses a guesser whose wrong codes are spread over A, B and C after as many as one node allows, and lets the right code in', async () => {
    const [a, b, c] = cluster.nodes;
    const lecture = await create(a, '203.0.113.1');
    const guesser = '198.51.100.10';
    // One process: GUESSES free failures, one more heard (it starts a 1 s delay), then 429.
    const statuses: number[] = [];
    for (let i = 0; i <= GUESSES + 1; i++) statuses.push((await request(cluster.nodes[i % 3], 'GET', `/api/lectures/${wrongCode(i)}/state`, guesser)).status);
    expect(statuses).toEqual([...Array(GUESSES + 1).fill(404), 429]);
    // The delay holds on a node that has not seen this guesser before, over socket.io too…
    expect(await handshake(c, guesser, { lectureId: wrongCode(7) })).toBe(CONNECT_ERRORS.tooManyAttempts);
    // …and the right code gets in anywhere, from the same address, meanwhile.
    expect(await handshake(a, guesser, { lectureId: lecture.id })).toBeUndefined();
    expect((await request(b, 'GET', `/api/lectures/${lecture.id}/state`, guesser)).status).toBe(200);
    // Another address is untouched.
    expect((await request(b, 'GET', `/api/lectures/${wrongCode(0)}/state`, '198.51.100.11')).status).toBe(404);
  });

  it('refuses wrong instructor tokens spread over the nodes the same way, and takes the right one', async () => {
    const [a, , c] = cluster.nodes;
    const lecture = await create(a, '203.0.113.2');
    const guesser = '198.51.100.20';
    const answers: (number | string | undefined)[] = [];
    for (let i = 0; i <= GUESSES + 1; i++) {
      const node = cluster.nodes[i % 3];
      // Half over HTTP, half over socket.io: one count per address and lecture for both.
      answers.push(i % 2 === 0 ? (await request(node, 'POST', `/api/lectures/${lecture.id}/commands`, guesser, { body: { type: 'step' }, token: `guess-${i}` })).status : await handshake(node, guesser, { lectureId: lecture.id, token: `guess-${i}` }));
    }
    const wrong = (i: number) => (i % 2 === 0 ? 401 : CONNECT_ERRORS.badToken);
    const refused = (i: number) => (i % 2 === 0 ? 429 : CONNECT_ERRORS.tooManyAttempts);
    expect(answers).toEqual([...Array.from({ length: GUESSES + 1 }, (_, i) => wrong(i)), refused(GUESSES + 1)]);
    const step = await request(c, 'POST', `/api/lectures/${lecture.id}/commands`, guesser, { body: { type: 'step' }, token: lecture.instructorToken });
    expect(step.status).toBe(200);
    expect(step.json.seq).toBe(1);
    expect(await handshake(a, guesser, { lectureId: lecture.id, token: lecture.instructorToken })).toBeUndefined();
  });
});

describe('lecture creation across the nodes', () => {
  it('counts an address’s creations once for the cluster: CREATIONS_PER_HOUR over A, B and C, then 429 with Retry-After', async () => {
    const creator = '198.51.100.30';
    const statuses: number[] = [];
    let refusal: Awaited<ReturnType<typeof request>> | undefined;
    for (let i = 0; i <= CREATIONS_PER_HOUR; i++) {
      const res = await request(cluster.nodes[i % 3], 'POST', '/api/lectures', creator, { body: {} });
      statuses.push(res.status);
      if (res.status === 429) refusal = res;
    }
    expect(statuses).toEqual([...Array(CREATIONS_PER_HOUR).fill(201), 429]);
    expect(refusal!.json.error).toMatch(new RegExp(`at most ${CREATIONS_PER_HOUR} lectures an hour from one address`));
    // One token back every 3600 / CREATIONS_PER_HOUR s.
    expect(Number(refusal!.retryAfter)).toBe(3600 / CREATIONS_PER_HOUR);
    // Refused on every node, not only the one that counted last; another address still creates.
    for (const node of cluster.nodes) expect((await request(node, 'POST', '/api/lectures', creator, { body: {} })).status).toBe(429);
    expect((await request(cluster.nodes[1], 'POST', '/api/lectures', '198.51.100.31', { body: {} })).status).toBe(201);
  });
});

describe('while Redis is away', () => {
  it('a node counts by itself, answers as usual, logs it once, and counts in Redis again once it is back', async () => {
    const [a, b] = cluster.nodes;
    const lecture = await create(a, '203.0.113.3');
    await cluster.redis.stop();
    try {
      // Wrong tokens for a lecture A holds (a lookup that needs nothing of Redis).
      const guesser = '198.51.100.40';
      const statuses: number[] = [];
      const wrongToken = (i: number) => request(a, 'POST', `/api/lectures/${lecture.id}/commands`, guesser, { body: { type: 'step' }, token: `guess-${i}` });
      for (let i = 0; i <= GUESSES + 1; i++) statuses.push((await wrongToken(i)).status);
      // The same policy on A's own counters: never a 500, and the guesser still slowed down.
      expect(statuses).toEqual([...Array(GUESSES + 1).fill(401), 429]);
      const warnings = a.logs().filter((l) => l.level === 'warn' && /guess guard and rate limits cannot reach Redis/.test(l.msg));
      expect(warnings).toHaveLength(1);
      // The right code is never refused for want of Redis.
      expect((await request(a, 'GET', `/api/lectures/${lecture.id}/state`, guesser)).status).toBe(200);
    } finally {
      await cluster.redis.start();
    }
    await Promise.all(cluster.nodes.map((n) => n.waitReady()));
    // Back in Redis: B has not seen this guesser, yet counts what A and C counted from now on.
    const guesser = '198.51.100.42';
    const statuses: number[] = [];
    for (let i = 0; i <= GUESSES + 1; i++) statuses.push((await request(cluster.nodes[i % 3], 'GET', `/api/lectures/${wrongCode(i)}/state`, guesser)).status);
    expect(statuses).toEqual([...Array(GUESSES + 1).fill(404), 429]);
    expect(a.logs().some((l) => l.level === 'info' && /count in Redis again/.test(l.msg))).toBe(true);
    expect((await request(b, 'GET', `/api/lectures/${lecture.id}/state`, guesser)).status).toBe(200);
  });
});
