import { parseIdentifiedCommand } from '../../shared/protocol/commands.js';
import type { CommandAck, Role } from '../../shared/protocol/socket.js';
import type { LectureDirectory, LiveLecture } from '../live-lecture.js';

/**
 * The answer to a `command` event: only the instructor's socket may send one; it is validated
 * (the command's schema and its `commandId`, then, in its turn, its dataset against the server's)
 * as the room runs it. A repeat of a command id is acked as the first time: `{ok: true, seq}`.
 */
export function runCommand(raw: unknown, role: Role, room: LiveLecture, registry: LectureDirectory): CommandAck | Promise<CommandAck> {
  if (role !== 'instructor') return { ok: false, status: 403, error: 'only the instructor can send commands' };
  const parsed = parseIdentifiedCommand(raw);
  if (!parsed.ok) return { ok: false, status: 400, error: parsed.error };
  const { command, commandId } = parsed.value;
  return room
    .command(command, () => registry.datasetProblem(room, command), undefined, commandId)
    .then((result) => (result.ok ? { ok: true, seq: result.seq } : { ok: false, status: result.status, error: result.error }));
}
