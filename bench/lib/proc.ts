/**
 * Child processes of the benchmarks: spawned with a raised open-file limit, tracked so that every
 * one of them is killed when the bench ends, fails or is interrupted, and measured from outside
 * (/proc/<pid>/status and /proc/<pid>/stat).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

const children = new Set<ChildProcess>();

function killAll(): void {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null) {
      try {
        c.kill('SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }
  children.clear();
}

process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    killAll();
    process.exit(130);
  });
}

export interface SpawnOptions {
  readonly env?: Record<string, string | undefined>;
  /** Node flags before the script, e.g. --expose-gc. */
  readonly nodeArgs?: readonly string[];
  readonly ipc?: boolean;
  /** Echo the child's stderr (stdout is always captured for the caller). */
  readonly quiet?: boolean;
}

/**
 * `node --import tsx <script>` under `/bin/sh -c 'ulimit -n …; exec node …'`, so the child is the
 * node process itself (its pid is the pid to measure) and may hold thousands of sockets.
 */
export function spawnNode(script: string, args: readonly string[] = [], options: SpawnOptions = {}): ChildProcess {
  const node = [process.execPath, '--import', 'tsx', ...(options.nodeArgs ?? []), script, ...args];
  const child = spawn('/bin/sh', ['-c', 'ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$@"', 'sh', ...node], {
    stdio: ['ignore', 'pipe', 'pipe', ...(options.ipc ? (['ipc'] as const) : [])],
    env: { ...process.env, ...options.env },
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  let errTail = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => {
    errTail = (errTail + d).slice(-4000);
    if (!options.quiet) process.stderr.write(`[${script.split('/').pop()} ${child.pid}] ${d}`);
  });
  (child as ChildProcess & { errTail: () => string }).errTail = () => errTail;
  return child;
}

/** Resolves with the first stdout match of `pattern`; rejects if the child exits first or on timeout. */
export function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => done(new Error(`timed out waiting for ${pattern} (output: ${out.slice(-500)})`)), timeoutMs);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = out.match(pattern);
      if (m) done(null, m);
    };
    const onExit = (code: number | null) => done(new Error(`child exited (${code}) before printing ${pattern}: ${out.slice(-500)}`));
    function done(err: Error | null, m?: RegExpMatchArray) {
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve(m!);
    }
    child.stdout!.on('data', onData);
    child.on('exit', onExit);
  });
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
export async function stop(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await gone;
  clearTimeout(timer);
}

/** Resident set size of a process in bytes (VmRSS), from outside. */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(status);
  return m ? Number(m[1]) * 1024 : NaN;
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** CPU time (user + system) a process has used, in ms, from outside (10 ms resolution). */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); utime is field 14, stime field 15.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

/** The machine's CPU time so far (all cores, busy and idle), in ms, to see how loaded it was. */
export function machineCpu(): { busyMs: number; totalMs: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = v[3] + (v[4] || 0);
  const total = v.reduce((a, b) => a + b, 0);
  return { busyMs: ((total - idle) * 1000) / TICKS_PER_SECOND, totalMs: (total * 1000) / TICKS_PER_SECOND };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A clock shared by every process on the machine: ms since the Unix epoch, sub-ms resolution. */
export const now = () => performance.timeOrigin + performance.now();
