/**
 * GET /metrics, /api/health and /api/ready on the real server: the counters move by exactly what
 * real socket.io clients and HTTP requests did, sockets are counted by role, no label carries a
 * lecture id or anything a user typed, METRICS_TOKEN and METRICS=off hold, and readiness follows
 * the store (a PostgreSQL this file starts, then stops).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { NODE_ID } from '../../server/log.js';
import { COMMAND_TYPES } from '../../shared/protocol/commands.js';
import { CATCH_UP_KINDS, COMMAND_OUTCOMES, OWNER_REQUESTS, OWNERSHIP_CHANGES, SOCKET_ROLES, STORE_OPERATIONS } from '../../server/metrics.js';
import { createLecture, http, LectureClient } from '../support/clients.js';
import { startPostgres } from '../support/postgres.js';
import { startServer, type TestServer } from '../support/server.js';
import { STORES } from '../support/stores.js';
import { useServer } from '../support/suite.js';

type Labels = Record<string, string>;
interface Sample {
  readonly name: string;
  readonly labels: Labels;
  readonly value: number;
}

/** The samples of a Prometheus text exposition (comments left out). */
function samples(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
    out.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return out;
}

/** The sum of a metric's samples whose labels include `labels`. */
function value(text: string, name: string, labels: Labels = {}): number {
  return samples(text)
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

async function scrape(base: string): Promise<string> {
  const res = await fetch(`${base}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  return res.text();
}

/** Polls until `check` passes (a socket's disconnect reaches the server a moment after the client's). */
async function eventually(check: () => Promise<void>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

/** Distinctive text a user chose; it must appear nowhere in /metrics. */
const MARK = `hostile${Date.now().toString(36)}`;
const HOSTILE = `${MARK}"} 1 backprop_sockets{role="${MARK}\\`;

describe('/metrics after real commands', () => {
  const suite = useServer({ eventLimits: { student: { burst: 100, perSecond: 100 }, instructor: { burst: 500, perSecond: 500 } } });

  it('moves every counter by exactly what was done, counts sockets by role, and labels nothing with user input', async () => {
    const { url } = suite.server;
    const before = await scrape(url);
    const lecture = await createLecture(url, { title: HOSTILE });
    const instructor = await suite.connect({ lectureId: lecture.id, token: lecture.instructorToken, name: HOSTILE });
    const students = [await suite.connect({ lectureId: lecture.id, name: HOSTILE }), await suite.connect({ lectureId: lecture.id, name: `${MARK} two` })];
    const projector = await suite.connect({ lectureId: lecture.id, display: 'projector' });

    // Three steps over socket.io, two over HTTP, one refusal (nothing to reveal) and one repeat of a command id.
    for (let i = 0; i < 3; i++) expect(await instructor.command({ type: 'step' })).toMatchObject({ ok: true });
    for (let i = 0; i < 2; i++) expect((await http(url, 'POST', `/api/lectures/${lecture.id}/commands`, { type: 'step' }, lecture.instructorToken)).status).toBe(200);
    expect(await instructor.command({ type: 'reveal' })).toMatchObject({ ok: false, status: 409 });
    const commandId = `${MARK}-id`;
    expect(await instructor.command({ type: 'step', commandId })).toMatchObject({ ok: true, seq: 6 });
    expect(await instructor.command({ type: 'step', commandId })).toMatchObject({ ok: true, seq: 6 });
    await Promise.all([...students, projector].map((c) => c.atSeq(6)));

    // Two catch-ups: a reconnect with lastSeq, and a sync; both from memory (or a snapshot when smaller).
    // It gets frames, not a snapshot, so it is not made by connect (which waits for one).
    const late = suite.closeAfterTest(new LectureClient(url, { lectureId: lecture.id, name: HOSTILE, lastSeq: 4 }));
    await eventually(async () => expect(late.seenSeqs).toEqual([5, 6]));
    expect(await students[0].socket.emitWithAck('sync', { lastSeq: 5 })).toMatchObject({ type: 'frames' });

    const after = await scrape(url);
    const moved = (name: string, labels: Labels = {}) => value(after, name, labels) - value(before, name, labels);
    expect(moved('backprop_commands_total', { type: 'step', outcome: 'applied' })).toBe(6);
    expect(moved('backprop_commands_total', { type: 'step', outcome: 'repeat' })).toBe(1);
    expect(moved('backprop_commands_total', { type: 'reveal', outcome: 'refused' })).toBe(1);
    expect(moved('backprop_commands_total')).toBe(8);
    expect(moved('backprop_command_duration_seconds_count', { type: 'step', outcome: 'applied' })).toBe(6);
    expect(moved('backprop_command_duration_seconds_sum')).toBeGreaterThan(0);
    // Each frame went to the room's four sockets (instructor, two students, projector); the late one joined after.
    expect(moved('backprop_frames_broadcast_total')).toBe(6);
    expect(moved('backprop_frames_delivered_total')).toBe(24);
    expect(moved('backprop_catch_ups_total', { kind: 'memory' }) + moved('backprop_catch_ups_total', { kind: 'snapshot' })).toBe(2);
    expect(moved('backprop_catch_ups_total', { kind: 'store' })).toBe(0);
    expect(moved('backprop_catch_ups_total', { kind: 'memory' })).toBe(2);
    // Six events appended; the repeat was found in the store (findCommand), the refusal appended nothing.
    expect(moved('backprop_store_duration_seconds_count', { operation: 'appendEvent', outcome: 'ok' })).toBe(6);
    expect(moved('backprop_store_duration_seconds_count', { operation: 'createLecture', outcome: 'ok' })).toBe(1);
    expect(value(after, 'backprop_sockets', { role: 'instructor' })).toBe(1);
    expect(value(after, 'backprop_sockets', { role: 'student' })).toBe(3);
    expect(value(after, 'backprop_sockets', { role: 'projector' })).toBe(1);
    expect(value(after, 'backprop_lectures_loaded')).toBeGreaterThanOrEqual(1);
    // prom-client's process metrics, event-loop delay among them, with the node's id like every series.
    expect(value(after, 'nodejs_eventloop_lag_p99_seconds')).toBeGreaterThanOrEqual(0);
    expect(after).toMatch(/^nodejs_eventloop_lag_p99_seconds\{node="[^"]+"\} /m);
    for (const s of samples(after)) expect(s.labels.node, s.name).toBe(NODE_ID);

    // No lecture id, no title, name or command id, anywhere; our labels only from the code's lists.
    expect(after).not.toContain(lecture.id);
    expect(after).not.toContain(MARK);
    const allowed: Record<string, readonly string[]> = { role: SOCKET_ROLES, type: [...COMMAND_TYPES, 'other'], outcome: [...COMMAND_OUTCOMES, 'ok', 'error'], kind: CATCH_UP_KINDS, operation: STORE_OPERATIONS, change: OWNERSHIP_CHANGES, request: OWNER_REQUESTS };
    for (const s of samples(after).filter((x) => x.name.startsWith('backprop_'))) {
      for (const [label, v] of Object.entries(s.labels)) {
        if (label === 'node' || label === 'le') continue;
        expect(allowed[label], `${s.name} label ${label}`).toBeDefined();
        expect(allowed[label]).toContain(v);
      }
    }

    for (const c of [instructor, ...students, projector, late]) c.close();
    await eventually(async () => {
      const closed = await scrape(url);
      for (const role of SOCKET_ROLES) expect(value(closed, 'backprop_sockets', { role })).toBe(value(before, 'backprop_sockets', { role }));
    });
  });

  it('gives /api/health the node id', async () => {
    const health = await http(suite.server.url, 'GET', '/api/health');
    expect(health.status).toBe(200);
    expect(health.json).toMatchObject({ ok: true, node: NODE_ID });
  });
});

describe('/metrics settings', () => {
  const servers: TestServer[] = [];
  afterAll(async () => {
    for (const s of servers) await s.close();
  });

  it('with METRICS_TOKEN, answers only Authorization: Bearer <token>', async () => {
    const server = await startServer({ app: { metricsToken: 'scrape-secret' } });
    servers.push(server);
    const get = (authorization?: string) => fetch(`${server.url}/metrics`, { headers: authorization ? { authorization } : {} });
    const none = await get();
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await none.text()).not.toContain('backprop_');
    expect((await get('Bearer scrape-secreT')).status).toBe(401);
    expect((await get('Bearer scrape-secret-and-more')).status).toBe(401);
    expect((await get('Basic scrape-secret')).status).toBe(401);
    const right = await get('Bearer scrape-secret');
    expect(right.status).toBe(200);
    expect(await right.text()).toContain('backprop_commands_total');
  });

  it('with METRICS=off, serves no metrics', async () => {
    const server = await startServer({ app: { serveMetrics: false } });
    servers.push(server);
    const res = await fetch(`${server.url}/metrics`, { redirect: 'manual' });
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain('backprop_');
  });
});

describe.each(STORES)('/api/ready on %s', (store) => {
  const suite = useServer({ store });

  it('is ready while the store answers', async () => {
    const res = await http(suite.server.url, 'GET', '/api/ready');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ ready: true, node: NODE_ID });
    // The ping is a store operation like any other, timed.
    expect(value(await scrape(suite.server.url), 'backprop_store_duration_seconds_count', { operation: 'ping', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
  });
});

describe('/api/ready when PostgreSQL stops', () => {
  it('answers 503 with the reason once the database is gone, while /api/health stays alive', async () => {
    const postgres = await startPostgres();
    let server: TestServer | undefined;
    try {
      server = await startServer({ databaseUrl: await postgres.createDatabase() });
      expect((await http(server.url, 'GET', '/api/ready')).status).toBe(200);
      await postgres.stop();
      const started = Date.now();
      const res = await http(server.url, 'GET', '/api/ready');
      expect(res.status).toBe(503);
      expect(res.json).toMatchObject({ ready: false, node: NODE_ID });
      expect(res.json.reason).toMatch(/^the store does not answer: ./);
      expect(Date.now() - started).toBeLessThan(3000);
      expect((await http(server.url, 'GET', '/api/health')).status).toBe(200);
      expect(value(await scrape(server.url), 'backprop_store_duration_seconds_count', { operation: 'ping', outcome: 'error' })).toBe(1);
    } finally {
      await server?.close();
      await postgres.stop();
    }
  });
});
