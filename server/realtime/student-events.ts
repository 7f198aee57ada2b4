import { FlagRequest, PredictionSubmit } from '../../shared/protocol/collab.js';
import { describeIssues } from '../../shared/protocol/commands.js';
import type { Outcome, SocketData } from '../../shared/protocol/socket.js';
import type { LiveLecture } from '../live-lecture.js';

/** Why this socket may not answer or flag, or null when it may (a student's, not a projector's). */
export function notAStudent(data: SocketData): Outcome | null {
  if (data.role !== 'student') return { ok: false, status: 403, error: 'only students answer and flag' };
  if (data.display) return { ok: false, status: 403, error: 'a projector display shows the lecture; it does not answer or flag' };
  return null;
}

/** The answer to `prediction:submit`: a student's value for the open prediction, one per client id. */
export function submitPrediction(raw: unknown, data: SocketData, room: LiveLecture, maxSocketsPerAddress: number): Outcome | Promise<Outcome> {
  const refused = notAStudent(data);
  if (refused) return refused;
  const parsed = PredictionSubmit.safeParse(raw);
  if (!parsed.success) return { ok: false, status: 400, error: describeIssues(parsed.error) };
  return room.submitAnswer(data.clientId, parsed.data.value, data.address, maxSocketsPerAddress);
}

/** The answer to `flag`: a student flags (or unflags) a stage or an element. */
export function flagTarget(raw: unknown, data: SocketData, room: LiveLecture): Outcome | Promise<Outcome> {
  const refused = notAStudent(data);
  if (refused) return refused;
  const parsed = FlagRequest.safeParse(raw);
  if (!parsed.success) return { ok: false, status: 400, error: describeIssues(parsed.error) };
  return room.flag(data.clientId, parsed.data.target, parsed.data.on);
}
