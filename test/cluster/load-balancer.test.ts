/**
 * deploy/haproxy.cfg, the load balancer of docker-compose.cluster.yml, run for real (Debian's
 * haproxy) in front of three nodes: the file as shipped, with only its addresses rewritten from the
 * compose network's names to this machine's ports (and its maxconn to this machine's open-file
 * limit: compose raises the container's to 65,536). It spreads requests over every node, passes the
 * WebSocket upgrade that the websocket-only client needs, hands the nodes the client's own address
 * (never one it forged in X-Forwarded-For), keeps /metrics private, and takes nodes
 * out while /api/ready says they cannot reach the database, although they are alive.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/child-server.js';
import { converged, useCluster } from '../support/cluster.js';
import { createLecture, http, LectureClient } from '../support/clients.js';

const CONFIG = resolve(import.meta.dirname, '../../deploy/haproxy.cfg');
// As docker-compose.cluster.yml sets them: the nodes believe one proxy hop. Few creations an
// address, so that a limit by address shows whose address the nodes see.
const CREATIONS_PER_HOUR = 3;
const cluster = useCluster({ nodes: 3, env: { TRUST_PROXY: '1', CREATIONS_PER_HOUR: String(CREATIONS_PER_HOUR) } });

let balancer: ChildProcess | undefined;
let lbUrl = '';
let log = '';
const dir = mkdtempSync(join(tmpdir(), 'backprop-haproxy-'));

/** The shipped config with app-a:3000… replaced by the nodes' ports here, and no Docker DNS. */
function localConfig(port: number): string {
  const shipped = readFileSync(CONFIG, 'utf8');
  const ports = new Map(cluster.nodes.map((n) => [`app-${n.id.toLowerCase()}:3000`, new URL(n.url).host]));
  let text = shipped
    .replace(/^(\s*bind) :8080$/m, `$1 127.0.0.1:${port}`)
    .replace(/^(\s*maxconn) \d+$/m, '$1 2000')
    .replace(/ resolvers docker/g, '')
    .replace(/^resolvers docker\n(?:[ \t]+.*\n)+/m, '');
  for (const [name, host] of ports) {
    if (!text.includes(name)) throw new Error(`deploy/haproxy.cfg names no server ${name}`);
    text = text.replace(name, host);
  }
  return text;
}

beforeAll(async () => {
  const port = await freePort();
  const file = join(dir, 'haproxy.cfg');
  writeFileSync(file, localConfig(port));
  balancer = spawn('haproxy', ['-db', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  balancer.stdout!.on('data', (d) => (log = (log + d).slice(-8000)));
  balancer.stderr!.on('data', (d) => (log = (log + d).slice(-8000)));
  await new Promise<void>((resolve, reject) => {
    balancer!.once('error', (e) => reject(new Error(`haproxy could not be started (Debian's haproxy package): ${e.message}`)));
    balancer!.once('exit', (code) => reject(new Error(`haproxy exited with ${code}:\n${log}`)));
    balancer!.once('spawn', resolve);
  });
  lbUrl = `http://127.0.0.1:${port}`;
  // Up once its first checks of every node have passed (rise 2: about 2 s).
  await until(async () => (await healthThrough()).size === 3, 15_000);
});

afterAll(() => {
  balancer?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** The node ids that answered 30 health requests through the balancer (503s leave none). */
async function healthThrough(): Promise<Set<string>> {
  const nodes = new Set<string>();
  for (let i = 0; i < 30; i++) {
    const answer = await http(lbUrl, 'GET', '/api/health').catch(() => undefined);
    if (answer?.status === 200) nodes.add(answer.json.node);
  }
  return nodes;
}

/** Sockets open on one node, any role, as its /metrics counts them. */
async function openSockets(url: string): Promise<number> {
  const { text } = await http(url, 'GET', '/metrics');
  return [...text.matchAll(/^backprop_sockets\{[^}]*\} (\d+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
}

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (balancer && (balancer.exitCode !== null || balancer.signalCode !== null)) throw new Error(`haproxy exited:\n${log}`);
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms; haproxy's log:\n${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the cluster load balancer (deploy/haproxy.cfg)', () => {
  it('spreads requests over all three nodes', async () => {
    expect([...(await healthThrough())].sort()).toEqual(['A', 'B', 'C']);
  });

  it('passes the WebSocket upgrade: an instructor and students (websocket only) connect through it, wherever it sends them', async () => {
    const { id, instructorToken } = await createLecture(lbUrl);
    const instructor = await LectureClient.connect(lbUrl, { lectureId: id, token: instructorToken });
    const students = await Promise.all(Array.from({ length: 6 }, () => LectureClient.connect(lbUrl, { lectureId: id })));
    try {
      expect(instructor.socket.io.engine.transport.name).toBe('websocket');
      for (const student of students) expect(student.state).toMatchObject({ lectureId: id, seq: 0 });
      expect(await instructor.command({ type: 'step' })).toMatchObject({ ok: true, seq: 1 });
      expect(await instructor.command({ type: 'step' })).toMatchObject({ ok: true, seq: 2 });
      expect((await converged(cluster.nodes, id, [instructor, ...students])).seq).toBe(2);
      // leastconn spread the seven connections: every node has some of the class.
      for (const node of cluster.nodes) expect(await openSockets(node.url)).toBeGreaterThan(0);
    } finally {
      instructor.close();
      for (const student of students) student.close();
    }
  });

  it("gives the nodes the client's address, not one it wrote itself in X-Forwarded-For", async () => {
    // Were a forged header believed, every creation would come from a new address and none be refused.
    const attempts = CREATIONS_PER_HOUR * cluster.nodes.length + 1;
    const statuses: number[] = [];
    for (let i = 0; i < attempts; i++) {
      const res = await fetch(`${lbUrl}/api/lectures`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': `203.0.113.${i + 1}` }, body: '{}' });
      statuses.push(res.status);
    }
    expect(statuses).toContain(429);
  });

  it('does not serve /metrics, which each node still serves to a scraper that reaches it directly', async () => {
    expect((await http(lbUrl, 'GET', '/metrics')).status).toBe(404);
    expect((await http(lbUrl, 'GET', '/metrics/')).status).toBe(404);
    expect((await http(cluster.nodes[0].url, 'GET', '/metrics')).status).toBe(200);
  });

  it('takes nodes out while /api/ready fails (PostgreSQL away), though they are alive, and back once ready', async () => {
    await cluster.pg.pause();
    try {
      // Two failed checks 2 s apart: out in about 4 s.
      await until(async () => (await http(lbUrl, 'GET', '/api/health')).status === 503, 15_000);
      for (const node of cluster.nodes) expect((await http(node.url, 'GET', '/api/health')).status).toBe(200);
    } finally {
      await cluster.pg.resume();
    }
    await until(async () => (await healthThrough()).size === 3, 15_000);
  });
});
