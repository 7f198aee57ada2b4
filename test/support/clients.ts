/** Real HTTP and socket.io clients for the integration tests. */
import { io, type Socket } from 'socket.io-client';
import type { Command } from '../../shared/protocol/commands.js';
import type { CreatedLecture } from '../../shared/protocol/http.js';
import { applyFrame, type Frame, type Snapshot } from '../../shared/protocol/snapshot.js';
import type { ClientToServerEvents, CommandAck, HandshakeAuth, ServerToClientEvents } from '../../shared/protocol/socket.js';
import { PROTOCOL_VERSION } from '../../shared/protocol/version.js';

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export async function http(base: string, method: string, path: string, body?: unknown, token?: string) {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(base + path, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  let json: any = undefined;
  try {
    json = JSON.parse(text);
  } catch {
    /* not JSON: the test looks at text */
  }
  return { status: res.status, json, text };
}

export async function createLecture(base: string, body: object = {}): Promise<CreatedLecture> {
  const res = await http(base, 'POST', '/api/lectures', body);
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${res.text}`);
  return res.json;
}

/**
 * A socket.io client that keeps its own copy of the lecture by applying frames to the
 * snapshot, exactly as a browser does, and remembers every frame seq it saw.
 */
export class LectureClient {
  readonly socket: ClientSocket;
  state: Snapshot | null = null;
  readonly seenSeqs: number[] = [];
  readonly snapshots: number[] = [];
  readonly errors: Error[] = [];

  constructor(base: string, auth: Omit<HandshakeAuth, 'protocol'> & { protocol?: number }) {
    this.socket = io(base, { auth: { protocol: PROTOCOL_VERSION, ...auth }, transports: ['websocket'], forceNew: true, reconnection: false });
    this.socket.on('snapshot', (s) => {
      this.state = s;
      this.snapshots.push(s.seq);
    });
    this.socket.on('frame', (f: Frame) => {
      this.seenSeqs.push(f.seq);
      if (!this.state) return;
      try {
        this.state = applyFrame(this.state, f);
      } catch (e) {
        this.errors.push(e as Error);
      }
    });
  }

  static async connect(base: string, auth: Omit<HandshakeAuth, 'protocol'> & { protocol?: number }): Promise<LectureClient> {
    const c = new LectureClient(base, auth);
    await new Promise<void>((resolve, reject) => {
      c.socket.once('connect', () => resolve());
      c.socket.once('connect_error', reject);
    });
    await c.until((s) => s !== null);
    return c;
  }

  command(command: Command | unknown): Promise<CommandAck> {
    return this.socket.timeout(30_000).emitWithAck('command', command as Command);
  }

  /** Resolves once the local copy satisfies `predicate`. */
  until(predicate: (s: Snapshot | null) => boolean, timeoutMs = 10_000): Promise<Snapshot> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (predicate(this.state)) {
          clearInterval(timer);
          clearTimeout(deadline);
          resolve(this.state!);
          return true;
        }
        return false;
      };
      const timer = setInterval(check, 5);
      const deadline = setTimeout(() => {
        clearInterval(timer);
        reject(new Error(`timed out waiting; state seq ${this.state?.seq}`));
      }, timeoutMs);
      check();
    });
  }

  /** Resolves with the first event of `name` that satisfies `predicate` (listening from now on). */
  next<T>(name: string, predicate: (value: T) => boolean = () => true, timeoutMs = 10_000): Promise<T> {
    const socket = this.socket as unknown as { on(n: string, h: (v: T) => void): void; off(n: string, h: (v: T) => void): void };
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching ${name}`)), timeoutMs);
      const handler = (value: T) => {
        if (!predicate(value)) return;
        clearTimeout(timer);
        socket.off(name, handler);
        resolve(value);
      };
      socket.on(name, handler);
    });
  }

  atSeq(seq: number): Promise<Snapshot> {
    return this.until((s) => s !== null && s.seq >= seq);
  }

  close(): void {
    this.socket.disconnect();
  }
}

/** connect_error of a refused handshake. */
export function connectError(base: string, auth: Record<string, unknown>): Promise<Error & { data?: { code?: string } }> {
  const socket = io(base, { auth, transports: ['websocket'], forceNew: true, reconnection: false });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => {
      socket.disconnect();
      reject(new Error('connected, expected a refusal'));
    });
    socket.once('connect_error', (err) => {
      socket.disconnect();
      resolve(err as Error & { data?: { code?: string } });
    });
  });
}
