import type { Server, Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents, SocketData } from '../../shared/protocol/socket.js';

/** The socket.io server with the protocol's event maps (shared/protocol/socket.ts). */
export type TypedServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
/** One client's socket, its `data` set by the handshake. */
export type TypedSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

/** The room of a lecture's instructors (aggregates and names are for their eyes). */
export const instructorsOf = (lectureId: string) => `${lectureId}#instructors`;
