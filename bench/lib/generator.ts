/**
 * A load-generator process (child of a bench, driven over IPC): holds a share of the student
 * sockets of one or more targets and records, per frame seq, the shared-clock time each socket
 * received it. It also measures itself (process.cpuUsage) so that a run where the generator, not the
 * server, was the bottleneck can be flagged.
 *
 * Receipt time: for raw clients the moment the WebSocket message event fires, before any parsing;
 * for socket.io-client the moment the `frame` handler runs (after its decoding, as an app sees it).
 */
import { io, type Socket } from 'socket.io-client';
import { RawClient } from './raw-client.js';
import { now } from './proc.js';

export type ClientKind = 'sio' | 'raw';

export type GeneratorRequest =
  | { type: 'connect'; target: string; url: string; count: number; kind: ClientKind; auth: object; inFlight?: number }
  | { type: 'join'; target: string; url: string; count: number; kind: ClientKind; auth: object; perSecond: number }
  | { type: 'report'; target: string }
  | { type: 'close'; target: string }
  | { type: 'exit' };

export interface ConnectReply {
  type: 'connected';
  target: string;
  ok: number;
  failed: number;
  ms: number;
  errors: string[];
}

export interface JoinReply {
  type: 'joined';
  target: string;
  ok: number;
  failed: number;
  /** Per joiner: ms from creating the socket to receiving the snapshot. */
  times: number[];
  snapshotBytes: number;
  errors: string[];
}

export interface TargetReport {
  type: 'report';
  target: string;
  sockets: number;
  /** seq → receipt times (shared clock, ms) of every socket that got it. */
  receipts: Record<number, number[]>;
  /** seq → packet length (characters of the socket.io packet) seen by the first socket. */
  frameBytes: Record<number, number>;
  /** CPU this process used between the first and the last receipt of each frame, and that wall time. */
  busyCpuMs: number;
  busyWallMs: number;
  /** CPU and wall since the sockets were connected. */
  cpuMs: number;
  wallMs: number;
  disconnects: number;
}

interface Frame {
  first: number;
  cpuAtFirst: number;
  times: number[];
}

interface TargetState {
  clients: Array<RawClient | Socket>;
  frames: Map<number, Frame>;
  frameBytes: Record<number, number>;
  busyCpuMs: number;
  busyWallMs: number;
  cpuAtStart: number;
  wallAtStart: number;
  disconnects: number;
}

const targets = new Map<string, TargetState>();
const cpuNowMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const send = (msg: unknown) => process.send!(msg);

function stateOf(target: string): TargetState {
  let s = targets.get(target);
  if (!s) {
    s = { clients: [], frames: new Map(), frameBytes: {}, busyCpuMs: 0, busyWallMs: 0, cpuAtStart: cpuNowMs(), wallAtStart: now(), disconnects: 0 };
    targets.set(target, s);
  }
  return s;
}

function onFrame(target: string, s: TargetState, seq: number, at: number, bytes: number): void {
  let f = s.frames.get(seq);
  if (!f) {
    f = { first: at, cpuAtFirst: cpuNowMs(), times: [] };
    s.frames.set(seq, f);
    s.frameBytes[seq] = bytes;
  }
  f.times.push(at);
  if (f.times.length === s.clients.length) {
    s.busyCpuMs += cpuNowMs() - f.cpuAtFirst;
    s.busyWallMs += now() - f.first;
    send({ type: 'seq-done', target, seq });
  }
}

const SEQ = /"seq":(\d+)/;

/** One student socket; resolves with the time its snapshot arrived and the snapshot's packet length. */
function openClient(target: string, s: TargetState, url: string, kind: ClientKind, auth: object): Promise<{ client: RawClient | Socket; snapshotAt: number; snapshotBytes: number }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no snapshot within 30 s')), 30_000);
    if (kind === 'raw') {
      let client: RawClient | undefined;
      RawClient.connect(url, auth, {
        onEvent: (name, packet, at) => {
          if (name === 'frame') onFrame(target, s, Number(SEQ.exec(packet.slice(0, 40))?.[1]), at, packet.length);
          else if (name === 'snapshot') {
            clearTimeout(timer);
            // The socket counts once its snapshot is here: push it before resolving so frame counting includes it.
            const push = () => resolve({ client: client!, snapshotAt: at, snapshotBytes: packet.length });
            if (client) push();
            else queueMicrotask(push);
          }
        },
        onClose: () => s.disconnects++,
      }).then(
        (c) => (client = c),
        (err) => {
          clearTimeout(timer);
          reject(err);
        },
      );
    } else {
      const socket = io(url, { auth, transports: ['websocket'], forceNew: true, reconnection: false });
      socket.on('frame', (f: { seq: number }) => onFrame(target, s, f.seq, now(), NaN));
      socket.once('snapshot', () => {
        clearTimeout(timer);
        resolve({ client: socket, snapshotAt: now(), snapshotBytes: NaN });
      });
      socket.once('connect_error', (err) => {
        clearTimeout(timer);
        socket.close();
        reject(err);
      });
      socket.on('disconnect', () => s.disconnects++);
    }
  });
}

async function connect(req: Extract<GeneratorRequest, { type: 'connect' }>): Promise<void> {
  const s = stateOf(req.target);
  const t0 = now();
  let ok = 0;
  let failed = 0;
  const errors: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < req.count) {
      next++;
      try {
        const { client } = await openClient(req.target, s, req.url, req.kind, req.auth);
        s.clients.push(client);
        ok++;
      } catch (err) {
        failed++;
        if (errors.length < 5) errors.push(String((err as Error).message ?? err));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(req.inFlight ?? 64, req.count) }, worker));
  s.cpuAtStart = cpuNowMs();
  s.wallAtStart = now();
  const reply: ConnectReply = { type: 'connected', target: req.target, ok, failed, ms: now() - t0, errors };
  send(reply);
}

async function join(req: Extract<GeneratorRequest, { type: 'join' }>): Promise<void> {
  const s = stateOf(req.target);
  const t0 = now();
  const times: number[] = [];
  const errors: string[] = [];
  let failed = 0;
  let snapshotBytes = 0;
  const all: Promise<void>[] = [];
  for (let i = 0; i < req.count; i++) {
    const due = t0 + (i * 1000) / req.perSecond;
    const wait = due - now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const started = now();
    all.push(
      openClient(req.target, s, req.url, req.kind, req.auth).then(
        ({ client, snapshotAt, snapshotBytes: bytes }) => {
          s.clients.push(client);
          times.push(snapshotAt - started);
          snapshotBytes = Math.max(snapshotBytes, bytes || 0);
        },
        (err) => {
          failed++;
          if (errors.length < 5) errors.push(String((err as Error).message ?? err));
        },
      ),
    );
  }
  await Promise.all(all);
  const reply: JoinReply = { type: 'joined', target: req.target, ok: times.length, failed, times, snapshotBytes, errors };
  send(reply);
}

function report(target: string): void {
  const s = stateOf(target);
  const receipts: Record<number, number[]> = {};
  for (const [seq, f] of s.frames) receipts[seq] = f.times;
  const reply: TargetReport = {
    type: 'report',
    target,
    sockets: s.clients.length,
    receipts,
    frameBytes: s.frameBytes,
    busyCpuMs: s.busyCpuMs,
    busyWallMs: s.busyWallMs,
    cpuMs: cpuNowMs() - s.cpuAtStart,
    wallMs: now() - s.wallAtStart,
    disconnects: s.disconnects,
  };
  send(reply);
}

function close(target: string): void {
  const s = targets.get(target);
  if (s) for (const c of s.clients) c.close();
  targets.delete(target);
  send({ type: 'closed', target });
}

process.on('message', (req: GeneratorRequest) => {
  switch (req.type) {
    case 'connect':
      void connect(req);
      break;
    case 'join':
      void join(req);
      break;
    case 'report':
      report(req.target);
      break;
    case 'close':
      close(req.target);
      break;
    case 'exit':
      process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
send({ type: 'ready' });
