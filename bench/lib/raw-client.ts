/**
 * A minimal socket.io client for load generation: Engine.IO v4 over a bare `ws` WebSocket and the
 * socket.io v5 packet format, no reconnection, no buffering, no event emitter per packet. A full
 * socket.io-client costs several times more CPU per received frame, and beyond ~1,000 sockets the
 * generator, not the server, would be measured.
 *
 *   server → `0{"sid",…}`            engine open
 *   client → `40{auth JSON}`          socket.io CONNECT to namespace `/`
 *   server → `40{"sid"}` / `44{…}`    connected / refused (connect_error)
 *   server → `2`, client → `3`        ping / pong
 *   `42["event",…]`, `42<id>["event",…]` with ack, `43<id>[…]` the ack
 */
import WebSocket from 'ws';
import { now } from './proc.js';

export interface RawClientOptions {
  /** Called with the receipt time (shared clock) before anything is parsed. */
  onEvent?: (name: string, packet: string, receivedAt: number) => void;
  onClose?: () => void;
}

export function engineUrl(base: string): string {
  return base.replace(/^http/, 'ws') + '/socket.io/?EIO=4&transport=websocket';
}

/** The event name of a `42[…]` packet without parsing the payload. */
function eventName(packet: string): string {
  // 42["name",…  or 42<id>["name",…
  const start = packet.indexOf('["');
  if (start < 0) return '';
  const end = packet.indexOf('"', start + 2);
  return packet.slice(start + 2, end);
}

export class RawClient {
  readonly ws: WebSocket;
  connected = false;
  private nextAck = 0;
  private readonly acks = new Map<number, (args: unknown[], receivedAt: number) => void>();

  private constructor(
    url: string,
    private readonly auth: object,
    private readonly options: RawClientOptions,
    private readonly onConnect: (err: Error | null) => void,
  ) {
    this.ws = new WebSocket(engineUrl(url), { perMessageDeflate: false });
    this.ws.on('message', (data: Buffer) => this.receive(data.toString(), now()));
    this.ws.on('error', (err) => {
      if (!this.connected) this.onConnect(err);
    });
    this.ws.on('close', () => {
      if (!this.connected) this.onConnect(new Error('closed before connecting'));
      this.connected = false;
      this.options.onClose?.();
    });
  }

  /** Opens the WebSocket and the socket.io namespace; resolves once the server accepted the handshake. */
  static connect(url: string, auth: object, options: RawClientOptions = {}): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const client: RawClient = new RawClient(url, auth, options, (err) => {
        if (settled) return;
        settled = true;
        if (err) {
          client.ws.terminate();
          reject(err);
        } else resolve(client);
      });
    });
  }

  private receive(packet: string, at: number): void {
    const type = packet.charCodeAt(0);
    if (type === 0x34 /* 4: message */) {
      const sio = packet.charCodeAt(1);
      if (sio === 0x32 /* 2: EVENT */) {
        this.options.onEvent?.(eventName(packet), packet, at);
      } else if (sio === 0x33 /* 3: ACK */) {
        const bracket = packet.indexOf('[');
        const id = Number(packet.slice(2, bracket));
        const cb = this.acks.get(id);
        if (cb) {
          this.acks.delete(id);
          cb(JSON.parse(packet.slice(bracket)), at);
        }
      } else if (sio === 0x30 /* 0: CONNECT */) {
        this.connected = true;
        (this.onConnect as (e: Error | null) => void)(null);
      } else if (sio === 0x34 /* 4: CONNECT_ERROR */) {
        (this.onConnect as (e: Error | null) => void)(new Error(`connect_error ${packet.slice(2)}`));
      }
    } else if (type === 0x32 /* 2: ping */) {
      this.ws.send('3');
    } else if (type === 0x30 /* 0: open */) {
      this.ws.send('40' + JSON.stringify(this.auth));
    }
  }

  /** Emits an event; with `withAck` resolves with the ack's arguments and the time it arrived. */
  emit(name: string, payload: unknown): void {
    this.ws.send(`42${JSON.stringify([name, payload])}`);
  }

  emitWithAck(name: string, payload: unknown, timeoutMs = 30_000): Promise<{ args: unknown[]; receivedAt: number }> {
    const id = this.nextAck++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.acks.delete(id);
        reject(new Error(`no ack for ${name} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.acks.set(id, (args, receivedAt) => {
        clearTimeout(timer);
        resolve({ args, receivedAt });
      });
      this.ws.send(`42${id}${JSON.stringify([name, payload])}`);
    });
  }

  close(): void {
    this.ws.terminate();
  }
}
