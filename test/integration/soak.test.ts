/**
 * Soak and reconnect storm: hundreds of students connecting, dropping and reconnecting at random
 * while the instructor steps and trains. Afterwards every connected student holds exactly the
 * server's state, having seen a gap-free run of frames (or a snapshot where it had a gap).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import { mulberry32 } from '../../shared/engine/prng.js';
import type { Command } from '../../shared/protocol/commands.js';
import { applyFrame, type Frame, type Snapshot } from '../../shared/protocol/snapshot.js';
import { PROTOCOL_VERSION } from '../../shared/protocol/version.js';
import { startServer, type TestServer } from '../support/server.js';
import { createLecture, http, LectureClient } from '../support/clients.js';

let server: TestServer;
beforeAll(async () => {
  // Hundreds of students, all from this machine: lift the per-address cap (edge-limits.test.ts tests it).
  server = await startServer({ app: { maxSocketsPerAddress: 10_000 } });
});
afterAll(async () => {
  await server?.close();
});

/**
 * A student that survives its own reconnects: it keeps its copy of the state across sockets,
 * reconnects with `lastSeq`, and checks every frame follows the last seq it held.
 */
class SoakStudent {
  state: Snapshot | null = null;
  socket: Socket | null = null;
  violations: string[] = [];
  snapshotsAfterGap = 0;

  constructor(
    private readonly url: string,
    private readonly lectureId: string,
  ) {}

  connect(): Promise<void> {
    const auth = { protocol: PROTOCOL_VERSION, lectureId: this.lectureId, ...(this.state ? { lastSeq: this.state.seq } : {}) };
    const socket = io(this.url, { auth, transports: ['websocket'], forceNew: true, reconnection: false });
    this.socket = socket;
    socket.on('snapshot', (s: Snapshot) => {
      if (this.state && s.seq < this.state.seq) this.violations.push(`snapshot went back from ${this.state.seq} to ${s.seq}`);
      if (this.state) this.snapshotsAfterGap++;
      this.state = s;
    });
    socket.on('frame', (f: Frame) => {
      if (!this.state) return this.violations.push(`frame ${f.seq} before any state`);
      if (f.seq !== this.state.seq + 1) return this.violations.push(`frame ${f.seq} after ${this.state.seq}`);
      this.state = applyFrame(this.state, f);
    });
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
  }

  drop(): void {
    this.socket?.disconnect();
    this.socket = null;
  }

  get connected(): boolean {
    return this.socket?.connected ?? false;
  }
}

async function until(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const serverState = async (id: string): Promise<Snapshot> => (await http(server.url, 'GET', `/api/lectures/${id}/state`)).json;

/** Every student ends at the server's seq, holding exactly its state, having seen no gap or step back. */
async function expectEveryStudentExact(id: string, students: SoakStudent[]): Promise<void> {
  const final = await serverState(id);
  await until(() => students.every((s) => s.state?.seq === final.seq));
  for (const s of students) {
    expect(s.violations).toEqual([]);
    expect(s.state).toEqual(final);
  }
}

describe('soak', () => {
  it('500 students joining, dropping and reconnecting at random while the instructor steps and trains', async () => {
    const { id, instructorToken } = await createLecture(server.url);
    const instructor = await LectureClient.connect(server.url, { lectureId: id, token: instructorToken });
    const students = Array.from({ length: 500 }, () => new SoakStudent(server.url, id));
    await Promise.all(students.map((s) => s.connect()));

    const random = mulberry32(2026);
    const commands: Command[] = [{ type: 'step' }, { type: 'step' }, { type: 'forward' }, { type: 'backward' }, { type: 'update' }, { type: 'back' }, { type: 'train', epochs: 300 }];
    for (let round = 0; round < 40; round++) {
      // A few students drop, a few come back (with their lastSeq), while commands go on.
      const churn: Promise<void>[] = [];
      for (const s of students) {
        const r = random();
        if (s.connected && r < 0.05) s.drop();
        else if (!s.connected && r < 0.5) churn.push(s.connect());
      }
      const ack = await instructor.command(commands[Math.floor(random() * commands.length)]);
      expect(ack.ok || (!ack.ok && ack.status === 409)).toBe(true);
      await Promise.all(churn);
    }
    await Promise.all(students.filter((s) => !s.connected).map((s) => s.connect()));

    await expectEveryStudentExact(id, students);
    instructor.close();
    students.forEach((s) => s.drop());
  });

  it('a reconnect storm: every student drops at once and catches up exactly with its last seq', async () => {
    const { id, instructorToken } = await createLecture(server.url);
    const instructor = await LectureClient.connect(server.url, { lectureId: id, token: instructorToken });
    const students = Array.from({ length: 300 }, () => new SoakStudent(server.url, id));
    await Promise.all(students.map((s) => s.connect()));
    await instructor.command({ type: 'forward' });
    await until(() => students.every((s) => s.state?.seq === 1));

    students.forEach((s) => s.drop());
    for (let i = 0; i < 3; i++) await instructor.command({ type: 'step' });
    await Promise.all(students.map((s) => s.connect()));
    await instructor.command({ type: 'step' });

    await expectEveryStudentExact(id, students);
    instructor.close();
    students.forEach((s) => s.drop());
  });
});
