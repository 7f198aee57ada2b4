export * from './version.js';
export * from './limits.js';
export * from './collab.js';
export * from './loss-series.js';
export * from './commands.js';
export * from './snapshot.js';
export * from './http.js';
export * from './socket.js';
