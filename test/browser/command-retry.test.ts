/**
 * The console's commands carry ids and survive a lost answer: the instructor clicks Step, the
 * server commits it and the connection drops before the ack; the page reconnects, sends the step
 * once more with the same id, and the lecture has stepped once.
 */
import { describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { TestServer } from '../support/server.js';
import type { StoredEvent } from '../../server/ports.js';
import { createLecture, eventually, onServer, openPage, withServerAndBrowser } from './support.js';
import { http } from '../support/clients.js';

let server: TestServer;
let browser: Browser;
/** What the store does right after a commit (here: drop every connection once). */
let afterCommit: (event: StoredEvent) => void = () => {};
const appended: StoredEvent[] = [];
/** The command ids the server received, in order (a retry shows as the same id twice). */
const received: unknown[] = [];

withServerAndBrowser((s, b) => {
  [server, browser] = [s, b];
  const append = server.store.appendEvent.bind(server.store);
  server.store.appendEvent = async (lectureId, event, options) => {
    const bytes = await append(lectureId, event, options);
    appended.push(event);
    afterCommit(event);
    return bytes;
  };
  server.app.io.on('connection', (socket) => socket.prependAny((name, sent) => name === 'command' && received.push((sent as { commandId?: unknown }).commandId)));
});

describe('the console sends each command once', () => {
  it('an ack lost to a dropped connection: retried with the same id after the reconnect, stepped once', async () => {
    const lecture = await createLecture(server.url);
    const p = await openPage(browser, onServer(server.url, lecture.instructorUrl));
    const { page } = p;
    try {
      await page.locator('[data-testid="connection-status"][data-status="live"]').waitFor();
      let dropped = 0;
      afterCommit = () => {
        if (dropped++ > 0) return;
        // The network goes before the ack is written; socket.io reconnects by itself.
        for (const s of server.app.io.of('/').sockets.values()) s.conn.close();
      };
      await page.getByRole('button', { name: /^Step/ }).first().click();
      await eventually(() => page.locator('[data-testid="current-stage"]').textContent()).toBe('input');
      await eventually(() => page.locator('[data-testid="connection-status"]').getAttribute('data-status')).toBe('live');
      expect(dropped).toBe(1);
      const ids = appended.map((e) => e.commandId);
      expect(ids).toEqual([expect.stringMatching(/^[0-9a-f-]{32,36}$/)]);
      // Sent twice, the second time after the reconnect, with the same id; applied once.
      expect(received).toEqual([ids[0], ids[0]]);
      const recording = (await http(server.url, 'GET', `/api/lectures/${lecture.id}/recording`)).json;
      expect(recording.events.map((e: { command: { type: string } }) => e.command.type)).toEqual(['step']);
      // The next click is a new command with an id of its own.
      await page.getByRole('button', { name: /^Step/ }).first().click();
      await eventually(() => appended.length).toBe(2);
      expect(appended[1].commandId).not.toBe(appended[0].commandId);
    } finally {
      afterCommit = () => {};
      await p.close();
    }
  });
});
