/**
 * The floor for the fan-out bench: a bare socket.io server (same options as ours) that keeps no
 * state and, for each `command`, relays the next of a list of real frames (RELAY_FRAMES, a JSON file
 * of the frames our server sends for one pass) to the room with `io.to(room).emit`, then acks.
 */
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { Server } from 'socket.io';
import './probe.js';

const frames = JSON.parse(readFileSync(process.env.RELAY_FRAMES!, 'utf8')) as Array<Record<string, unknown>>;
const http = createServer((_req, res) => res.writeHead(404).end());
const io = new Server(http, { maxHttpBufferSize: 16 * 1024, perMessageDeflate: false, serveClient: false });
const ROOM = 'lecture';
let seq = 0;

io.on('connection', (socket) => {
  socket.join(ROOM);
  socket.emit('snapshot', { seq });
  socket.on('command', (_command: unknown, ack: unknown) => {
    seq++;
    const frame = { ...frames[(seq - 1) % frames.length], seq };
    io.to(ROOM).emit('frame', frame);
    if (typeof ack === 'function') ack({ ok: true, seq });
  });
  socket.on('sync', (_req: unknown, ack: unknown) => {
    if (typeof ack === 'function') ack({ type: 'frames', frames: [] });
  });
});

http.listen(0, '127.0.0.1', () => {
  const address = http.address();
  console.log(`sio-relay listening on http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`);
});
process.on('SIGTERM', () => process.exit(0));
