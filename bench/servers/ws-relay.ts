/**
 * The lower floor for the fan-out bench: a bare `ws` server speaking just enough Engine.IO v4 /
 * socket.io v5 for the same clients (open, namespace connect, pong ignored, event with ack). For each
 * `command` it serialises the next real frame once and `ws.send`s the same string to every client.
 */
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { WebSocketServer, type WebSocket } from 'ws';
import './probe.js';

const frames = JSON.parse(readFileSync(process.env.RELAY_FRAMES!, 'utf8')) as Array<Record<string, unknown>>;
const http = createServer((_req, res) => res.writeHead(404).end());
const wss = new WebSocketServer({ server: http, perMessageDeflate: false, maxPayload: 16 * 1024 });
const clients = new Set<WebSocket>();
let seq = 0;
let sid = 0;

wss.on('connection', (ws) => {
  const id = `s${sid++}`;
  ws.send(`0${JSON.stringify({ sid: id, upgrades: [], pingInterval: 25000, pingTimeout: 20000, maxPayload: 16384 })}`);
  ws.on('message', (data: Buffer) => {
    const packet = data.toString();
    if (packet.startsWith('40')) {
      ws.send(`40${JSON.stringify({ sid: id })}`);
      clients.add(ws);
      ws.send(`42${JSON.stringify(['snapshot', { seq }])}`);
    } else if (packet.startsWith('42')) {
      const bracket = packet.indexOf('[');
      const ackId = packet.slice(2, bracket);
      const name = JSON.parse(packet.slice(bracket))[0];
      if (name === 'command') {
        seq++;
        const frame = { ...frames[(seq - 1) % frames.length], seq };
        const encoded = `42${JSON.stringify(['frame', frame])}`;
        for (const c of clients) c.send(encoded);
        if (ackId) ws.send(`43${ackId}${JSON.stringify([{ ok: true, seq }])}`);
      } else if (ackId) {
        ws.send(`43${ackId}${JSON.stringify([{ type: 'frames', frames: [] }])}`);
      }
    }
  });
  ws.on('close', () => clients.delete(ws));
});

http.listen(0, '127.0.0.1', () => {
  const address = http.address();
  console.log(`ws-relay listening on http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`);
});
process.on('SIGTERM', () => process.exit(0));
