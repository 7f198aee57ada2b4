/** The parent's side of the generator processes (bench/lib/generator.ts). */
import type { ChildProcess } from 'node:child_process';
import type { ClientKind, ConnectReply, GeneratorRequest, JoinReply, TargetReport } from './generator.js';
import { spawnNode } from './proc.js';

type Reply = ConnectReply | JoinReply | TargetReport | { type: 'seq-done'; target: string; seq: number } | { type: 'closed'; target: string } | { type: 'ready' };

export class Generators {
  private readonly seqDone = new Map<string, number>();
  private readonly seqWaiters = new Map<string, () => void>();

  private constructor(readonly procs: ChildProcess[]) {
    for (const p of procs) {
      p.on('message', (msg: Reply) => {
        if (msg.type !== 'seq-done') return;
        const key = `${msg.target}#${msg.seq}`;
        const n = (this.seqDone.get(key) ?? 0) + 1;
        this.seqDone.set(key, n);
        if (n >= this.expected.get(msg.target)!) this.seqWaiters.get(key)?.();
      });
      p.on('exit', (code, signal) => {
        if (!this.closing) console.error(`generator ${p.pid} exited (${code ?? signal})`);
      });
    }
  }

  private readonly expected = new Map<string, number>();
  private closing = false;

  static async start(count: number): Promise<Generators> {
    const procs = Array.from({ length: count }, () => spawnNode('bench/lib/generator.ts', [], { ipc: true }));
    await Promise.all(procs.map((p) => Generators.next(p, (m) => m.type === 'ready', 60_000)));
    return new Generators(procs);
  }

  get pids(): number[] {
    return this.procs.map((p) => p.pid!);
  }

  private static next<T extends Reply>(p: ChildProcess, match: (m: Reply) => boolean, timeoutMs: number): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        p.off('message', onMessage);
        reject(new Error(`generator ${p.pid} did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      const onMessage = (m: Reply) => {
        if (!match(m)) return;
        clearTimeout(timer);
        p.off('message', onMessage);
        resolve(m as T);
      };
      p.on('message', onMessage);
    });
  }

  private ask<T extends Reply>(p: ChildProcess, req: GeneratorRequest, match: (m: Reply) => boolean, timeoutMs: number): Promise<T> {
    const answer = Generators.next<T>(p, match, timeoutMs);
    p.send(req);
    return answer;
  }

  private shares(total: number): number[] {
    const g = this.procs.length;
    return this.procs.map((_, i) => Math.floor(total / g) + (i < total % g ? 1 : 0));
  }

  /** Connects `count` students to `url`, split over the generators; resolves when each has its snapshot. */
  async connect(target: string, url: string, count: number, kind: ClientKind, auth: object, timeoutMs = 120_000): Promise<{ ok: number; failed: number; ms: number; errors: string[] }> {
    const shares = this.shares(count);
    const replies = await Promise.all(
      this.procs.map((p, i) =>
        this.ask<ConnectReply>(p, { type: 'connect', target, url, count: shares[i], kind, auth }, (m) => m.type === 'connected' && m.target === target, timeoutMs),
      ),
    );
    this.expected.set(target, shares.filter((s) => s > 0).length);
    return {
      ok: replies.reduce((a, r) => a + r.ok, 0),
      failed: replies.reduce((a, r) => a + r.failed, 0),
      ms: Math.max(...replies.map((r) => r.ms)),
      errors: replies.flatMap((r) => r.errors),
    };
  }

  /** Joins `count` students at `perSecond` in total; resolves with every joiner's connect-to-snapshot time. */
  async join(target: string, url: string, count: number, perSecond: number, kind: ClientKind, auth: object, timeoutMs = 120_000): Promise<{ times: number[]; failed: number; snapshotBytes: number; errors: string[] }> {
    const shares = this.shares(count);
    const replies = await Promise.all(
      this.procs.map((p, i) =>
        this.ask<JoinReply>(
          p,
          { type: 'join', target, url, count: shares[i], kind, auth, perSecond: (perSecond * shares[i]) / count },
          (m) => m.type === 'joined' && m.target === target,
          timeoutMs,
        ),
      ),
    );
    return {
      times: replies.flatMap((r) => r.times),
      failed: replies.reduce((a, r) => a + r.failed, 0),
      snapshotBytes: Math.max(...replies.map((r) => r.snapshotBytes)),
      errors: replies.flatMap((r) => r.errors),
    };
  }

  /** Resolves true once every generator holding sockets of `target` saw `seq` on all of them; false on timeout. */
  waitSeq(target: string, seq: number, timeoutMs: number): Promise<boolean> {
    const key = `${target}#${seq}`;
    if ((this.seqDone.get(key) ?? 0) >= this.expected.get(target)!) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.seqWaiters.delete(key);
        resolve(false);
      }, timeoutMs);
      this.seqWaiters.set(key, () => {
        clearTimeout(timer);
        this.seqWaiters.delete(key);
        resolve(true);
      });
    });
  }

  report(target: string): Promise<TargetReport[]> {
    return Promise.all(this.procs.map((p) => this.ask<TargetReport>(p, { type: 'report', target }, (m) => m.type === 'report' && m.target === target, 60_000)));
  }

  async close(target: string): Promise<void> {
    await Promise.all(this.procs.map((p) => this.ask(p, { type: 'close', target }, (m) => m.type === 'closed' && m.target === target, 30_000)));
    for (const key of [...this.seqDone.keys()]) if (key.startsWith(`${target}#`)) this.seqDone.delete(key);
  }

  async exit(): Promise<void> {
    this.closing = true;
    await Promise.all(
      this.procs.map(
        (p) =>
          new Promise<void>((resolve) => {
            if (p.exitCode !== null || p.signalCode !== null) return resolve();
            const timer = setTimeout(() => p.kill('SIGKILL'), 5000);
            p.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            p.send({ type: 'exit' });
          }),
      ),
    );
  }
}
