/**
 * A lecture whose log the server cannot fold (a store damaged by hand, or written by a newer
 * engine) refuses its own requests and sockets with an error; the process and every other
 * lecture go on. Before, the socket handshake threw out of socket.io's middleware, which has no
 * catch, and the process exited.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CONNECT_ERRORS } from '../../shared/protocol/socket.js';
import { PROTOCOL_VERSION } from '../../shared/protocol/version.js';
import { startServer, type TestServer } from '../support/server.js';
import { connectError, createLecture, http, LectureClient } from '../support/clients.js';
import { captureLogs, restoreLogs } from '../support/logs.js';

let server: TestServer | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  restoreLogs();
  await server?.close();
  server = undefined;
});

describe('a lecture whose log cannot be folded', () => {
  it('is refused with an error while the server and the other lectures go on', async () => {
    const first = await startServer();
    const broken = await createLecture(first.url);
    const fine = await createLecture(first.url);
    expect((await http(first.url, 'POST', `/api/lectures/${broken.id}/commands`, { type: 'step' }, broken.instructorToken)).status).toBe(200);
    await first.app.close();
    first.store.close();
    const db = new Database(join(first.dataDir, 'backprop-live.sqlite'));
    db.prepare('UPDATE events SET command = ? WHERE lecture_id = ?').run(JSON.stringify({ type: 'setWeight', tensor: 'Q', index: [0], value: 1 }), broken.id);
    db.close();

    captureLogs();
    server = await startServer({ dataDir: first.dataDir });
    const refused = await connectError(server.url, { protocol: PROTOCOL_VERSION, lectureId: broken.id });
    expect(refused.data?.code).toBe(CONNECT_ERRORS.unavailable);
    expect((await http(server.url, 'GET', `/api/lectures/${broken.id}/state`)).status).toBe(500);

    const student = await LectureClient.connect(server.url, { lectureId: fine.id });
    expect(student.state?.lectureId).toBe(fine.id);
    expect((await http(server.url, 'POST', `/api/lectures/${fine.id}/commands`, { type: 'step' }, fine.instructorToken)).status).toBe(200);
    await student.atSeq(1);
    student.close();
  });
});
