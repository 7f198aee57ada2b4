/**
 * The servers a bench talks to, each a separate process on 127.0.0.1: our real server
 * (`server/main.ts`, PORT=0, a temporary DATA_DIR, no client build) on SQLite (`server`) or on a
 * PostgreSQL database the bench made (`server-pg`, DATABASE_URL), and the two bare relays.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuMs, rssBytes, spawnNode, stop, waitForOutput } from './proc.js';

export type TargetKind = 'server' | 'server-pg' | 'sio-relay' | 'ws-relay';
export const TARGET_KINDS: readonly TargetKind[] = ['server', 'sio-relay', 'ws-relay'];

/** The stores our server can run on in a bench; `--store` chooses among them. */
export type BenchStore = 'sqlite' | 'postgres';
export const BENCH_STORES: readonly BenchStore[] = ['sqlite', 'postgres'];

/** Our server's target kind on each store (`server` stays SQLite's, as in earlier results). */
export const SERVER_KIND: Readonly<Record<BenchStore, TargetKind>> = { sqlite: 'server', postgres: 'server-pg' };

/** Whether a target is our server (on either store) rather than a bare relay. */
export const isServer = (kind: TargetKind): boolean => kind === 'server' || kind === 'server-pg';

/** The stores `--store sqlite|postgres|both` names. */
export function parseStores(value: string): BenchStore[] {
  if (value === 'both') return [...BENCH_STORES];
  if (value === 'sqlite' || value === 'postgres') return [value];
  throw new Error(`--store ${value}: one of sqlite, postgres, both`);
}

export interface Target {
  readonly kind: TargetKind;
  readonly url: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** process.memoryUsage() after a full GC, asked over IPC (bench/servers/probe.ts). */
  memory(): Promise<NodeJS.MemoryUsage>;
  rss(): number;
  cpuMs(): number;
  stop(): Promise<void>;
}

export interface TargetOptions {
  /** JSON file with the frames a relay sends (required for relays). */
  readonly relayFrames?: string;
  /** Directory for a V8 CPU profile of the process (node --cpu-prof). */
  readonly cpuProfDir?: string;
  /** The PostgreSQL database of a `server-pg` target (required for it). */
  readonly databaseUrl?: string;
  /** More environment for the process, over the bench's own (a cluster node's REDIS_URL and NODE_ID). */
  readonly env?: Readonly<Record<string, string>>;
}

let memoryRequest = 0;

export async function startTarget(kind: TargetKind, options: TargetOptions = {}): Promise<Target> {
  if (kind === 'server-pg' && !options.databaseUrl) throw new Error('a server-pg target needs the databaseUrl of a PostgreSQL database');
  const server = isServer(kind);
  const dataDir = server ? mkdtempSync(join(tmpdir(), 'backprop-bench-')) : undefined;
  const nodeArgs = ['--expose-gc', ...(options.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', join(options.cpuProfDir, kind)] : [])];
  const script = server ? 'server/main.ts' : `bench/servers/${kind}.ts`;
  const child = spawnNode(script, [], {
    ipc: true,
    nodeArgs: server ? ['--import', './bench/servers/probe.ts', ...nodeArgs] : nodeArgs,
    env: {
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      // Set to '' (not left out) for SQLite, so a DATABASE_URL in the bench's own environment is not inherited.
      DATABASE_URL: kind === 'server-pg' ? options.databaseUrl : '',
      CLIENT_DIR: join(tmpdir(), 'backprop-bench-no-client'),
      RELAY_FRAMES: options.relayFrames,
      NODE_ENV: 'production',
      // Every simulated student connects from this machine: lift the per-address cap (default 200).
      MAX_SOCKETS_PER_ADDRESS: '1000000',
      ...options.env,
    },
  });
  const m = await waitForOutput(child, /listening on (http:\/\/[\w.]+:\d+)/, 60_000);
  const url = m[1].replace('localhost', '127.0.0.1');
  const pid = child.pid!;
  return {
    kind,
    url,
    pid,
    child,
    memory() {
      const id = ++memoryRequest;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${kind} did not answer a memory request`)), 10_000);
        const onMessage = (msg: { type?: string; id?: number; memory?: NodeJS.MemoryUsage }) => {
          if (msg?.type !== 'mem' || msg.id !== id) return;
          clearTimeout(timer);
          child.off('message', onMessage);
          resolve(msg.memory!);
        };
        child.on('message', onMessage);
        child.send({ type: 'mem', id });
      });
    },
    rss: () => rssBytes(pid),
    cpuMs: () => cpuMs(pid),
    async stop() {
      await stop(child, 10_000);
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Creates a lecture on our server over HTTP; returns its join code and instructor token. */
export async function createLecture(url: string, body: object = {}): Promise<{ id: string; instructorToken: string }> {
  const res = await fetch(`${url}/api/lectures`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: 'bench', ...body }) });
  if (res.status !== 201) throw new Error(`creating a lecture failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as { id: string; instructorToken: string };
}
