/**
 * Issue 15, "operators can see it", on one process: the server's log is JSON on stdout, one object
 * a line, each naming the node, and those about a lecture naming it; a failure is one `error`
 * line with its stack; what a client sends cannot split a line; LOG_LEVEL=silent writes nothing.
 * The real server as a child process, its stdout as an operator's log collector reads it.
 */
import Database from 'better-sqlite3';
import { request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONNECT_ERRORS } from '../../shared/protocol/socket.js';
import { PROTOCOL_VERSION } from '../../shared/protocol/version.js';
import { EVENT_FORMAT_VERSION } from '../../shared/lecture/event-format.js';
import { connectError, createLecture, http, LectureClient } from '../support/clients.js';
import { freePort, useChildServers } from '../support/child-server.js';
import type { LogLine } from '../support/logs.js';

const servers = useChildServers('backprop-logs-', { store: 'sqlite' });

/** Resolves once `check` holds of the lines so far (the child writes them asynchronously to us). */
async function until(logs: () => LogLine[], check: (lines: LogLine[]) => boolean): Promise<LogLine[]> {
  for (let i = 0; i < 200; i++) {
    const lines = logs();
    if (check(lines)) return lines;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`the log never showed what was expected:\n${logs().map((l) => l.raw).join('\n')}`);
}

/** A few milliseconds for anything more the child would write about what has just happened. */
const settle = () => new Promise((r) => setTimeout(r, 150));

/** Sends one raw HTTP/1.1 request (headers fetch would refuse); resolves with the status line. */
function rawRequest(url: string, head: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(`${head}\r\nConnection: close\r\n\r\n`));
    let answer = '';
    socket.on('data', (d) => (answer += d));
    socket.on('error', reject);
    socket.on('close', () => resolve(answer.split('\r\n')[0]));
  });
}

describe('the server log', () => {
  it('is one JSON object a line, each with the node, and the lecture on the lines about one', async () => {
    const { url, logs, stdout } = await servers.start({ NODE_ID: 'node-a', LOG_LEVEL: 'info' });
    const lecture = await createLecture(url, { title: 'Logs' });
    expect((await http(url, 'GET', `/api/lectures/${lecture.id}/no-such-thing`)).status).toBe(404);
    expect((await http(url, 'GET', '/lecture/%zz')).status).toBe(400);
    const lines = await until(logs, (ls) => ls.some((l) => l.status === 400));

    expect(stdout().endsWith('\n')).toBe(true);
    for (const line of lines) {
      expect(line).toMatchObject({ node: 'node-a', level: expect.any(String), msg: expect.any(String), time: expect.any(String) });
      expect(line.raw).not.toContain('\n');
    }
    const listening = lines.find((l) => l.msg.includes('listening on'))!;
    expect(listening).toMatchObject({ level: 'info', url, msg: `Backprop Live listening on ${url} (data in ${servers.dataDir})` });
    expect(lines.find((l) => l.status === 404)).toMatchObject({ level: 'warn', lecture: lecture.id, method: 'GET' });
    expect(lines.find((l) => l.status === 400)).not.toHaveProperty('lecture');
  });

  it('shows a command that fails as one error line naming the lecture, with the stack', async () => {
    const first = await servers.start({ NODE_ID: 'node-b' });
    let { url } = first;
    const broken = await createLecture(url);
    const fine = await createLecture(url);
    for (const lecture of [broken, fine]) expect((await http(url, 'POST', `/api/lectures/${lecture.id}/commands`, { type: 'step' }, lecture.instructorToken)).status).toBe(200);
    await servers.kill9(first.child);
    // Written by a newer server: this one refuses to load it (event-format.test.ts).
    const db = new Database(join(servers.dataDir, 'backprop-live.sqlite'));
    db.prepare('UPDATE events SET format = ? WHERE lecture_id = ?').run(EVENT_FORMAT_VERSION + 1, broken.id);
    db.close();

    const again = await servers.start({ NODE_ID: 'node-b' });
    ({ url } = again);
    expect((await http(url, 'POST', `/api/lectures/${broken.id}/commands`, { type: 'step' }, broken.instructorToken)).status).toBe(500);
    const isError = (l: LogLine) => l.level === 'error';
    await until(again.logs, (ls) => ls.some(isError));
    await settle();
    const errors = again.logs().filter(isError);
    expect(errors).toHaveLength(1);
    const reason = `lecture ${broken.id} cannot be loaded: its event 1 was written by a newer server`;
    expect(errors[0]).toMatchObject({ node: 'node-b', lecture: broken.id, status: 500, method: 'POST', err: { message: expect.stringContaining(reason) } });
    expect(errors[0].err!.stack).toMatch(/\n\s+at /);

    // The same lecture over socket.io: the handshake's failure, one more line, naming it too.
    const refused = await connectError(url, { protocol: PROTOCOL_VERSION, lectureId: broken.id });
    expect(refused.data?.code).toBe(CONNECT_ERRORS.unavailable);
    const both = await until(again.logs, (ls) => ls.filter(isError).length >= 2);
    await settle();
    expect(again.logs().filter(isError)).toHaveLength(2);
    expect(both.filter(isError)[1]).toMatchObject({ lecture: broken.id, msg: 'handshake failed', err: { stack: expect.stringContaining(reason) } });

    // The other lecture is served as ever.
    const student = await LectureClient.connect(url, { lectureId: fine.id });
    expect(student.state?.lectureId).toBe(fine.id);
    student.close();
  });

  it('keeps what a client sends in fields, on one line: a newline cannot forge a second', async () => {
    const { url, logs } = await servers.start();
    const forged = '{"level":"error","node":"forged","msg":"forged"}';
    const count = () => logs().length;
    await until(logs, (ls) => ls.length > 0);
    const before = count();

    // A path whose code decodes to a newline and a forged line: one warning, the text in `reason`.
    const res = await http(url, 'GET', `/api/lectures/${encodeURIComponent(`X\n${forged}\r`)}/state`);
    expect(res.status).toBe(404);
    await until(logs, (ls) => ls.length > before);
    // An Origin with a newline never reaches the server's code (Node's HTTP parser refuses it):
    // nothing is logged for it, and certainly not two lines.
    const head = `GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: ${new URL(url).host}`;
    expect(await rawRequest(url, `${head}\r\nOrigin: http://evil.example\n${forged}`)).toMatch(/^(HTTP\/1\.1 400 |$)/);
    // One that does (a C1 control, NEL, which some viewers break lines at): one line, the Origin clipped and cleaned.
    const nel = await new Promise<number>((resolve, reject) => {
      const req = request(`${url}/socket.io/?EIO=4&transport=polling`, { headers: { origin: `http://evil.example\u0085${forged}${'x'.repeat(300)}` } }, (r) => {
        r.resume();
        resolve(r.statusCode!);
      });
      req.on('error', reject);
      req.end();
    });
    expect(nel).toBe(403);
    const lines = await until(logs, (ls) => ls.some((l) => typeof l.origin === 'string'));
    await settle();

    const after = logs().slice(before);
    expect(after).toHaveLength(2);
    expect(lines.every((l) => l.node !== 'forged' && l.msg !== 'forged')).toBe(true);
    const notFound = after.find((l) => l.status === 404)!;
    expect(notFound.level).toBe('warn');
    expect(notFound.reason).toContain('no lecture with code');
    expect(notFound.msg).not.toContain('X');
    const origin = after.find((l) => typeof l.origin === 'string')!;
    expect(origin).toMatchObject({ level: 'warn', msg: 'socket.io handshake refused: its Origin is not this site' });
    expect(String(origin.origin)).toMatch(/^http:\/\/evil\.example/);
    expect(String(origin.origin)).not.toMatch(/[\p{Cc}]/u);
    expect(String(origin.origin).length).toBeLessThanOrEqual(101);
  });

  it('writes nothing with LOG_LEVEL=silent, and serves as ever', async () => {
    const port = String(await freePort());
    const { url, stdout } = await servers.start({ LOG_LEVEL: 'silent', PORT: port });
    const lecture = await createLecture(url);
    expect((await http(url, 'POST', `/api/lectures/${lecture.id}/commands`, { type: 'step' }, lecture.instructorToken)).status).toBe(200);
    expect((await http(url, 'GET', '/api/lectures/ZZZZZZ/state')).status).toBe(404);
    await settle();
    expect(stdout()).toBe('');
  });
});
