/**
 * The server's log lines, as a test sees them: each JSON line parsed (with the line as written),
 * whether it came from a server in this process (captureLogs) or a child's stdout (parseLogLines).
 */
import { setLogDestination } from '../../server/log.js';

/** One line as pino wrote it: the fields every line has, and whatever else it carries. */
export interface LogLine {
  readonly level: string;
  readonly time: string;
  readonly node: string;
  readonly msg: string;
  readonly lecture?: string;
  readonly err?: { readonly type: string; readonly message: string; readonly stack: string };
  readonly [field: string]: unknown;
  /** The line exactly as written, without its newline. */
  readonly raw: string;
}

/** Parses one written line; throws (naming it) if it is not a JSON object. */
export function parseLogLine(raw: string): LogLine {
  const parsed: unknown = JSON.parse(raw);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`not a JSON object: ${raw}`);
  return { ...parsed, raw } as LogLine;
}

/** Every complete line of `text` (a child's stdout so far), parsed. */
export function parseLogLines(text: string): LogLine[] {
  return text.split('\n').slice(0, -1).map(parseLogLine);
}

/**
 * Sends this process's server log lines to the returned list instead of stdout until `restore`
 * (call it in a finally or afterEach): what a test once saw by spying on console.error.
 */
export function captureLogs(): { readonly lines: LogLine[]; restore(): void } {
  const lines: LogLine[] = [];
  let partial = '';
  setLogDestination({
    write(chunk: string) {
      partial += chunk;
      const complete = partial.split('\n');
      partial = complete.pop()!;
      for (const raw of complete) lines.push(parseLogLine(raw));
    },
  });
  return { lines, restore: () => setLogDestination() };
}

/** Back to stdout (an afterEach's part, whatever a test captured). */
export function restoreLogs(): void {
  setLogDestination();
}

/** Every line written while `run` runs, captured (not written to stdout). */
export async function logLinesDuring(run: () => Promise<unknown>): Promise<LogLine[]> {
  const captured = captureLogs();
  try {
    await run();
  } finally {
    captured.restore();
  }
  return captured.lines;
}
