import { hostname } from 'node:os';
import { pino, type DestinationStream, type Logger } from 'pino';

/**
 * The server's one logger: JSON lines on stdout (pino), each with the node that wrote it, and
 * those about a lecture with its id (`log.child({ lecture })`). User strings go in fields, never
 * into `msg`: JSON escapes them, so a newline in an Origin header cannot forge a second line.
 */

/** The levels LOG_LEVEL may name; `silent` writes nothing. */
const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
type Level = (typeof LEVELS)[number];

/** LOG_LEVEL, default `info`; anything else stops the start with the sentence that says why. */
export function readLogLevel(text: string | undefined): Level {
  if (text === undefined || text === '') return 'info';
  const level = LEVELS.find((l) => l === text.toLowerCase());
  if (!level) throw new Error(`LOG_LEVEL must be one of ${LEVELS.join(', ')}; got "${text.slice(0, 40)}"`);
  return level;
}

/** Which process wrote a line: NODE_ID, else this machine's hostname (several nodes log to one place). */
export const NODE_ID = process.env.NODE_ID || hostname();

/** stdout, written synchronously, so the line before a `process.exit` is not lost. */
const stdout = pino.destination({ dest: 1, sync: true });
let destination: DestinationStream = stdout;

/** Lines go through this, so a test can look at them (captureLogs in test/support/logs.ts). */
const sink: DestinationStream = { write: (line: string) => destination.write(line) };

export const log: Logger = pino(
  {
    level: readLogLevel(process.env.LOG_LEVEL),
    base: { node: NODE_ID },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Names, not numbers: `"level":"error"` is what an operator greps for.
    formatters: { level: (label) => ({ level: label }) },
  },
  sink,
);

/** Tests only: sends every line to `to` instead of stdout; without an argument, back to stdout. */
export function setLogDestination(to?: DestinationStream): void {
  destination = to ?? stdout;
}

/** The logger of one lecture's lines. */
export function lectureLog(lecture: string): Logger {
  return log.child({ lecture });
}
