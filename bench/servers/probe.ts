/**
 * Loaded into a measured server with `--import` (nothing is added to the server's code): when the
 * process has an IPC channel, it answers {type:'mem'} with process.memoryUsage() after a full GC
 * (node --expose-gc) and {type:'cpu'} with process.cpuUsage().
 */
const gc = (globalThis as { gc?: () => void }).gc;

if (process.send) {
  process.on('message', (msg: { type?: string; id?: number }) => {
    if (msg?.type === 'mem') {
      if (gc) {
        gc();
        gc();
      }
      process.send!({ type: 'mem', id: msg.id, memory: process.memoryUsage(), gc: Boolean(gc) });
    } else if (msg?.type === 'cpu') {
      process.send!({ type: 'cpu', id: msg.id, cpu: process.cpuUsage() });
    }
  });
  // The IPC channel must not keep a server alive that wants to exit.
  process.channel?.unref();
}
export {};
