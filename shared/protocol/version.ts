/** Bumped on every incompatible change of the socket.io or HTTP protocol; checked at the handshake. */
export const PROTOCOL_VERSION = 2;
