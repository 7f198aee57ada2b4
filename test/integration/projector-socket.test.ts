/**
 * A projector display (`auth.display: 'projector'`) over real socket.io against the real server:
 * it watches as a student does, but is nobody: not counted among the students, and it neither
 * answers nor flags; it hears how many answered, never what.
 */
import { describe, expect, it } from 'vitest';
import type { PredictionCount } from '../../shared/protocol/collab.js';
import type { Presence } from '../../shared/protocol/socket.js';
import { createLecture } from '../support/clients.js';
import { useServer } from '../support/suite.js';

const suite = useServer();
const { connect, state } = suite;

describe('projector display socket', () => {
  it('is counted as a projector, not a student, by everyone', async () => {
    const { id, instructorToken } = await createLecture(suite.server.url);
    const instructor = await connect({ lectureId: id, token: instructorToken });
    const student = await connect({ lectureId: id, name: 'Ada', clientId: suite.server.clientId('ada') });
    const seen = instructor.next<Presence>('presence', (p) => p.projectors === 1);
    const seenByStudent = student.next<Presence>('presence', (p) => p.projectors === 1);
    const projector = await connect({ lectureId: id, display: 'projector', name: 'Projector' });
    expect(projector.state?.seq).toBe(0);
    expect(await seen).toEqual({ students: 1, instructors: 1, projectors: 1, names: ['Ada'] });
    expect(await seenByStudent).toEqual({ students: 1, instructors: 1, projectors: 1 });
  });

  it('cannot answer, flag or command (403, nothing changes), and hears the count of answers but not their values', async () => {
    const { id, instructorToken } = await createLecture(suite.server.url);
    const instructor = await connect({ lectureId: id, token: instructorToken });
    const projector = await connect({ lectureId: id, display: 'projector' });
    const student = await connect({ lectureId: id, clientId: suite.server.clientId('grace') });
    expect((await instructor.command({ type: 'step' })).ok).toBe(true);
    expect((await instructor.command({ type: 'ask', tensor: 'C_act', index: [0] })).ok).toBe(true);
    await projector.atSeq(2);

    const updates: unknown[] = [];
    projector.socket.on('prediction:update', (u) => updates.push(u));
    const counted = projector.next<PredictionCount>('prediction:count', (c) => c.count === 1);
    expect(await student.socket.emitWithAck('prediction:submit', { value: 0.25 })).toEqual({ ok: true });
    expect(await counted).toEqual({ askSeq: 2, count: 1 });

    const answer = await projector.socket.emitWithAck('prediction:submit', { value: 0.9 });
    expect(answer).toMatchObject({ ok: false, status: 403 });
    const flag = await projector.socket.emitWithAck('flag', { target: { type: 'stage', stage: 'input' }, on: true });
    expect(flag).toMatchObject({ ok: false, status: 403 });
    const command = await projector.command({ type: 'step' });
    expect(command).toMatchObject({ ok: false, status: 403 });

    // The projector's answer was not counted: the reveal has the student's only.
    expect((await instructor.command({ type: 'reveal' })).ok).toBe(true);
    const revealed = await projector.until((s) => s?.prediction?.status === 'revealed');
    expect(revealed.prediction?.stats?.count).toBe(1);
    expect(revealed.prediction?.stats?.mean).toBe(0.25);
    expect((await state(id)).stage).toBe('input');
    expect(updates).toEqual([]);
  });
});
