import { parseCommand } from '../../shared/protocol/commands.js';
import type { CommandAck, Role } from '../../shared/protocol/socket.js';
import type { LectureRoom } from '../lecture-room.js';
import type { LectureRegistry } from '../lectures.js';

/**
 * The answer to a `command` event: only the instructor's socket may send one; it is validated
 * (the command's schema, then, in its turn, its dataset against the server's) as the room runs it.
 */
export function runCommand(raw: unknown, role: Role, room: LectureRoom, registry: LectureRegistry): CommandAck | Promise<CommandAck> {
  if (role !== 'instructor') return { ok: false, status: 403, error: 'only the instructor can send commands' };
  const command = parseCommand(raw);
  if (!command.ok) return { ok: false, status: 400, error: command.error };
  return room.command(command.value, () => registry.datasetProblem(room, command.value)).then((result) => (result.ok ? { ok: true, seq: result.seq } : { ok: false, status: result.status, error: result.error }));
}
