/**
 * Issue 14's per-room queue, end to end: commands sent at once over socket.io (the instructor's
 * socket) and over HTTP (POST commands, a CSV upload) to the real server are applied one at a
 * time, in the order they reached the lecture, with seq contiguous, each acknowledged with the
 * seq it was stored under; a student watching receives every frame once, in order. On each store.
 */
import { describe, expect, it } from 'vitest';
import type { Command } from '../../shared/protocol/commands.js';
import type { CommandAck } from '../../shared/protocol/socket.js';
import { createLecture, http } from '../support/clients.js';
import { STORES } from '../support/stores.js';
import { useServer } from '../support/suite.js';

const COMMANDS = 40;
const CSV = 'x1,x2,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n';

/** What a command is in the log: its learning rate, or its type. */
const label = (command: { type: string; value?: unknown }): string => (command.type === 'setLearningRate' ? String(command.value) : command.type);

describe.each(STORES)('on %s', (store) => {
  const suite = useServer({ store });

  it('applies commands sent at once over socket.io and HTTP one at a time, in arrival order, with seq contiguous', async () => {
    const { id, instructorToken } = await createLecture(suite.server.url);
    const instructor = await suite.connect({ lectureId: id, token: instructorToken });
    const student = await suite.connect({ lectureId: id });
    // The order commands reach the lecture: its door, seen from inside the process.
    const room = (await suite.server.app.registry.get(id))!;
    const arrived: string[] = [];
    const door = room.command.bind(room);
    room.command = (command, check, applied) => {
      arrived.push(label(command));
      return door(command, check, applied);
    };

    const rates: Command[] = Array.from({ length: COMMANDS }, (_, i) => ({ type: 'setLearningRate', value: (i + 1) / 100 }));
    const bySocket: string[] = [];
    const sent: Promise<{ label: string; ack: CommandAck }>[] = rates.map((command, i) => {
      if (i % 2 === 0) {
        bySocket.push(label(command));
        return instructor.command(command).then((ack) => ({ label: label(command), ack }));
      }
      return http(suite.server.url, 'POST', `/api/lectures/${id}/commands`, command, instructorToken).then((r) => ({
        label: label(command),
        ack: r.status === 200 ? { ok: true, seq: r.json.seq } : { ok: false, status: r.status, error: r.text },
      }));
    });
    // An upload in the middle: its table is stored in the command's turn.
    const uploaded = fetch(`${suite.server.url}/api/lectures/${id}/dataset.csv?name=xor.csv`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', authorization: `Bearer ${instructorToken}` },
      body: CSV,
    }).then(async (r) => ({ label: 'setDataset', ack: (r.status === 200 ? { ok: true, seq: (await r.json()).seq } : { ok: false, status: r.status, error: await r.text() }) as CommandAck }));
    const results = await Promise.all([...sent.slice(0, COMMANDS / 2), uploaded, ...sent.slice(COMMANDS / 2)]);

    const total = COMMANDS + 1;
    expect(results.filter((r) => !r.ack.ok)).toEqual([]);
    const events = await suite.server.store.events(id);
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    const log = events.map((e) => label(e.command));
    // Applied in the order they reached the lecture, whichever transport brought them.
    expect(arrived).toHaveLength(total);
    expect(log).toEqual(arrived);
    // Each acknowledged with the seq it was stored under.
    for (const { label: which, ack } of results) expect(ack.ok && log[ack.seq - 1]).toBe(which);
    // One socket's commands keep the order they were sent in.
    expect(log.filter((l) => bySocket.includes(l))).toEqual(bySocket);
    // Every frame reached the class once, in order, and its copy is the lecture's.
    await student.atSeq(total);
    expect(student.seenSeqs).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(student.state).toEqual(await suite.state(id));
  });
});
