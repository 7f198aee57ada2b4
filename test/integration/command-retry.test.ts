/**
 * The console's command sender (client/lib/command-sender.ts, what LiveController.send uses) against
 * the real server, a real socket.io client that reconnects, on both stores: a command whose answer
 * was lost (the socket dropped right after the server committed it, or the answer was late) is
 * sent once more with the same id and applied once.
 */
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newCommandId, NO_ANSWER, sendCommand } from '../../client/lib/command-sender.js';
import { parseCommandId } from '../../shared/protocol/commands.js';
import { PROTOCOL_VERSION } from '../../shared/protocol/version.js';
import type { StoredEvent } from '../../server/ports.js';
import { startServer, type TestServer } from '../support/server.js';
import { createLecture, http, type ClientSocket } from '../support/clients.js';
import { STORES } from '../support/stores.js';

describe.each(STORES)('a lost answer is retried once with the same id on %s', (store) => {
  let server: TestServer;
  /** What the store does right after it has committed an event (the test's moment to lose the answer). */
  let afterCommit: (event: StoredEvent) => Promise<void> = async () => {};
  /** Every command id appended, in order. */
  const appended: (string | undefined)[] = [];
  beforeAll(async () => {
    server = await startServer({ store });
    const append = server.store.appendEvent.bind(server.store);
    server.store.appendEvent = async (lectureId, event, options) => {
      const bytes = await append(lectureId, event, options);
      appended.push(event.commandId);
      await afterCommit(event);
      return bytes;
    };
  });
  afterAll(async () => {
    await server?.close();
  });

  async function instructorSocket(): Promise<{ id: string; token: string; socket: ClientSocket }> {
    const { id, instructorToken } = await createLecture(server.url);
    const socket: ClientSocket = io(server.url, {
      auth: { protocol: PROTOCOL_VERSION, lectureId: id, token: instructorToken },
      transports: ['websocket'],
      forceNew: true,
      reconnectionDelay: 50,
      reconnectionDelayMax: 100,
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    return { id, token: instructorToken, socket };
  }

  const recorded = async (id: string) => (await http(server.url, 'GET', `/api/lectures/${id}/recording`)).json.events.map((e: { command: { type: string } }) => e.command.type);

  it('the socket dropped after the commit: sent again on reconnect with the same id, answered with its seq, applied once', async () => {
    const { id, socket } = await instructorSocket();
    let drops = 0;
    afterCommit = async (event) => {
      if (event.command.type !== 'step' || drops++ > 0) return;
      // The network goes, before the ack is written: the client reconnects by itself.
      for (const s of server.app.io.of('/').sockets.values()) s.conn.close();
    };
    const disconnected = new Promise<void>((r) => socket.once('disconnect', () => r()));
    try {
      const ack = await sendCommand(socket, { type: 'step' }, { timeoutMs: 5_000, commandId: 'lost-ack' });
      await disconnected;
      expect(drops).toBe(1);
      expect(ack).toEqual({ ok: true, seq: 1 });
      expect(appended.filter((c) => c === 'lost-ack')).toHaveLength(1);
      expect(await recorded(id)).toEqual(['step']);
      expect((await http(server.url, 'GET', `/api/lectures/${id}/state`)).json).toMatchObject({ seq: 1 });
    } finally {
      afterCommit = async () => {};
      socket.disconnect();
    }
  });

  it('no answer in time (a slow commit): sent again with the same id, which waits for the first and gets its answer', async () => {
    const { id, socket } = await instructorSocket();
    afterCommit = async (event) => {
      if (event.commandId === 'slow') await new Promise((r) => setTimeout(r, 400));
    };
    try {
      const ack = await sendCommand(socket, { type: 'forward' }, { timeoutMs: 250, commandId: 'slow' });
      expect(ack).toEqual({ ok: true, seq: 1 });
      expect(appended.filter((c) => c === 'slow')).toHaveLength(1);
      expect(await recorded(id)).toEqual(['forward']);
    } finally {
      afterCommit = async () => {};
      socket.disconnect();
    }
  });

  it('every command gets a fresh id the server accepts; a command never answered resolves with a sentence, not an error', async () => {
    const ids = new Set(Array.from({ length: 50 }, () => newCommandId()));
    expect(ids.size).toBe(50);
    for (const commandId of ids) expect(parseCommandId(commandId).ok).toBe(true);
    const { id, socket } = await instructorSocket();
    const sent: unknown[] = [];
    server.app.io.of('/').sockets.forEach((s) => s.prependAny((name, command) => name === 'command' && sent.push(command)));
    try {
      expect(await sendCommand(socket, { type: 'step' }, { timeoutMs: 5_000 })).toEqual({ ok: true, seq: 1 });
      expect(sent).toEqual([{ type: 'step', commandId: expect.stringMatching(/^[0-9a-f-]{32,36}$/) }]);
      // Gone for good: both attempts unanswered.
      socket.disconnect();
      expect(await sendCommand(socket, { type: 'step' }, { timeoutMs: 100, reconnectMs: 100 })).toEqual(NO_ANSWER);
      expect(await recorded(id)).toEqual(['step']);
    } finally {
      socket.disconnect();
    }
  });
});
