/**
 * Writing an nbformat-4 notebook, and numbers as Python reads them back: the pieces both notebook
 * exports (the teaching notebook's network, and any other network) share.
 */
import { isInertCode } from './text.js';

export interface Cell {
  readonly id: string;
  readonly cell_type: 'markdown' | 'code';
  readonly metadata: Record<string, never>;
  readonly source: string[];
  readonly outputs?: never[];
  readonly execution_count?: null;
}

export interface NotebookJson {
  readonly nbformat: 4;
  readonly nbformat_minor: 5;
  readonly metadata: Record<string, unknown>;
  readonly cells: Cell[];
}

/** A float as Python reads it back to the same double (JS prints the shortest round-trip form). */
export function py(x: number): string {
  if (Number.isNaN(x)) return "float('nan')";
  if (!Number.isFinite(x)) return x > 0 ? "float('inf')" : "-float('inf')";
  if (Object.is(x, -0)) return '-0.0';
  return Number.isInteger(x) ? `${x}.0` : String(x);
}

/** A text as nbformat stores it: lines that keep their newline, the last without. */
function lines(text: string): string[] {
  const parts = text.split('\n');
  return parts.map((line, i) => (i < parts.length - 1 ? `${line}\n` : line));
}

/** Collects markdown and code cells in order. */
export class NotebookWriter {
  readonly cells: Cell[] = [];

  md(text: string): void {
    this.cells.push({ id: `cell-${this.cells.length + 1}`, cell_type: 'markdown', metadata: {}, source: lines(text) });
  }

  /** A code cell: printable ASCII only (user text only through pyString), or the export fails rather than hand over a cell that might run it. */
  code(text: string): void {
    if (!isInertCode(text)) throw new Error(`a code cell holds a character outside printable ASCII: ${JSON.stringify(text.slice(0, 80))}`);
    this.cells.push({ id: `cell-${this.cells.length + 1}`, cell_type: 'code', metadata: {}, source: lines(text), outputs: [], execution_count: null });
  }

  notebook(lectureId: string, commands: number): NotebookJson {
    return {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {
        kernelspec: { display_name: 'Python 3', language: 'python', name: 'python3' },
        language_info: { name: 'python' },
        backprop_live: { lecture: lectureId, commands },
      },
      cells: this.cells,
    };
  }
}
