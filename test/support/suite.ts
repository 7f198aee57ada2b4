/**
 * One real server for a test file, and the socket.io clients each test opens closed after it:
 * the setup every socket-level integration test shares.
 */
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { Snapshot } from '../../shared/protocol/snapshot.js';
import { startServer, type StartOptions, type TestServer } from './server.js';
import { http, LectureClient } from './clients.js';

export interface ServerSuite {
  /** The running server (available inside tests). */
  readonly server: TestServer;
  /** Connects a client that is closed after the current test. */
  connect(auth: Parameters<typeof LectureClient.connect>[1]): Promise<LectureClient>;
  /** Closes a client made some other way after the current test too. */
  closeAfterTest(client: LectureClient): LectureClient;
  /** The lecture's snapshot over HTTP. */
  state(lectureId: string): Promise<Snapshot>;
}

export function useServer(options: StartOptions = {}): ServerSuite {
  let server: TestServer | undefined;
  const open: LectureClient[] = [];
  beforeAll(async () => {
    server = await startServer(options);
  });
  afterEach(() => {
    while (open.length) open.pop()!.close();
  });
  afterAll(async () => {
    await server?.close();
  });
  const running = (): TestServer => {
    if (!server) throw new Error('the server starts in beforeAll; use it inside a test');
    return server;
  };
  // Plain functions (no `this`), so a test file may destructure them.
  const closeAfterTest = (client: LectureClient) => {
    open.push(client);
    return client;
  };
  return {
    get server() {
      return running();
    },
    connect: async (auth) => closeAfterTest(await LectureClient.connect(running().url, auth)),
    closeAfterTest,
    state: async (lectureId) => (await http(running().url, 'GET', `/api/lectures/${lectureId}/state`)).json,
  };
}
