/**
 * The cluster harness itself (test/support/cluster.ts, redis.ts, postgres.ts's pause): three nodes
 * start under their own ids, Redis stops and comes back empty on its port, PostgreSQL pauses and
 * comes back with its data, a node restarts under the same id, and `converged` tells a student who
 * is behind from one who is not. The cluster's own behaviour is tested in the other files here.
 */
import { Redis } from 'ioredis';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { converged, useCluster } from '../support/cluster.js';
import { createLecture, http, LectureClient } from '../support/clients.js';

const cluster = useCluster({ nodes: 3 });

/** A Redis client that fails at once instead of queueing or reconnecting, so a stopped server shows. */
function redisClient(url: string): Redis {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
  // The failure reaches the caller through connect() and the command's promise; the event would be unhandled.
  client.on('error', () => undefined);
  return client;
}

async function ping(url: string): Promise<string> {
  const client = redisClient(url);
  try {
    await client.connect();
    return await client.ping();
  } finally {
    client.disconnect();
  }
}

describe('the cluster harness', () => {
  it('starts three nodes, each answering /api/health with its own id, on ports of their own', async () => {
    const { nodes } = cluster;
    expect(nodes.map((n) => n.id)).toEqual(['A', 'B', 'C']);
    expect(new Set(nodes.map((n) => n.url)).size).toBe(3);
    for (const node of nodes) {
      expect(await http(node.url, 'GET', '/api/health')).toMatchObject({ status: 200, json: { ok: true, node: node.id } });
      await node.waitReady();
    }
    // Every node was given both URLs: the cluster's database has the server's schema.
    const client = new pg.Client({ connectionString: cluster.databaseUrl });
    await client.connect();
    try {
      const tables = await client.query("SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = 'lectures'");
      expect(tables.rows[0].n).toBe(1);
    } finally {
      await client.end();
    }
  });

  it('stops Redis and starts it again on the same port, empty', async () => {
    const { redis } = cluster;
    const client = redisClient(redis.url);
    await client.connect();
    await client.set('harness', 'before');
    client.disconnect();
    const pid = redis.pid;
    await redis.stop();
    expect(redis.pid).toBeUndefined();
    await expect(ping(redis.url)).rejects.toThrow();
    await redis.start();
    expect(redis.pid).not.toBe(pid);
    expect(await ping(redis.url)).toBe('PONG');
    const again = redisClient(redis.url);
    await again.connect();
    try {
      expect(await again.get('harness')).toBeNull();
    } finally {
      again.disconnect();
    }
    await redis.kill9();
    await expect(ping(redis.url)).rejects.toThrow();
    await redis.start();
    expect(await ping(redis.url)).toBe('PONG');
  });

  it('pauses PostgreSQL (connections refused) and resumes it on the same port with its data', async () => {
    const { pg: server, databaseUrl } = cluster;
    const before = new pg.Client({ connectionString: databaseUrl });
    await before.connect();
    await before.query('CREATE TABLE harness_probe (n int)');
    await before.query('INSERT INTO harness_probe VALUES (42)');
    // pg emits the cut connection's error more than once; every one is this test's to read.
    const lost = new Promise<Error>((resolve) => before.on('error', resolve));
    const pid = server.pid;
    await server.pause();
    // Its open connection is cut, and a new one is refused.
    expect((await lost).message).toMatch(/terminat|shut/i);
    await before.end().catch(() => undefined);
    const during = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 2000 });
    await expect(during.connect()).rejects.toThrow();
    await server.resume();
    expect(server.pid).not.toBe(pid);
    const after = new pg.Client({ connectionString: databaseUrl });
    await after.connect();
    try {
      expect((await after.query('SELECT n FROM harness_probe')).rows).toEqual([{ n: 42 }]);
      await after.query('DROP TABLE harness_probe');
    } finally {
      await after.end();
    }
    for (const node of cluster.nodes) await node.waitReady();
  });

  it('kills a node with kill -9 and starts it again under the same id; stop() waits for a SIGTERM exit', async () => {
    const [a, , c] = cluster.nodes;
    const oldUrl = a.url;
    await a.kill9();
    expect(a.running).toBe(false);
    expect(a.child.signalCode).toBe('SIGKILL');
    await expect(http(oldUrl, 'GET', '/api/health')).rejects.toThrow();
    const newUrl = await a.start();
    expect(a.url).toBe(newUrl);
    expect(await http(newUrl, 'GET', '/api/health')).toMatchObject({ status: 200, json: { node: 'A' } });
    await c.stop();
    expect(c.running).toBe(false);
    expect(c.child.signalCode ?? c.child.exitCode).not.toBe('SIGKILL');
    await c.start();
    await c.waitReady();
    expect(await http(c.url, 'GET', '/api/health')).toMatchObject({ status: 200, json: { node: 'C' } });
  });

  it('sends signals by PID: a SIGSTOPped node does not answer until SIGCONT', async () => {
    const b = cluster.nodes[1];
    b.signal('SIGSTOP');
    try {
      const answer = await Promise.race([http(b.url, 'GET', '/api/health').then(() => 'answered'), new Promise((r) => setTimeout(() => r('silent'), 500))]);
      expect(answer).toBe('silent');
    } finally {
      b.signal('SIGCONT');
    }
    expect(await http(b.url, 'GET', '/api/health')).toMatchObject({ status: 200, json: { node: 'B' } });
  });

  it('converged() waits for students to catch up and names the one who cannot', async () => {
    const a = cluster.nodes[0];
    const { id, instructorToken } = await createLecture(a.url);
    const instructor = await LectureClient.connect(a.url, { lectureId: id, token: instructorToken });
    const student = await LectureClient.connect(a.url, { lectureId: id });
    const gone = await LectureClient.connect(a.url, { lectureId: id });
    try {
      gone.close();
      expect(await instructor.command({ type: 'step' })).toMatchObject({ ok: true, seq: 1 });
      const agreed = await converged([a], id, [instructor, student]);
      expect(agreed.seq).toBe(1);
      await expect(converged([a], id, [student, gone], 300)).rejects.toThrow(/1 of 2 students differ .*seq 1.*first at seq 0/);
    } finally {
      instructor.close();
      student.close();
    }
  });
});
