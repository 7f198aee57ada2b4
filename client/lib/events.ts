import type { FlagTarget, SpotlightTarget } from '../../shared/protocol/collab.js';
import type { Command } from '../../shared/protocol/commands.js';
import type { FileIssue } from './api.js';
import type { ElementRef } from './equations.js';

/**
 * A component asks for a command to be sent (controls, weight cells). It bubbles out of
 * shadow roots to the lecture page, the one place that talks to the server.
 */
export class CommandRequestEvent extends CustomEvent<Command> {
  static readonly type = 'bp-command';
  constructor(command: Command) {
    super(CommandRequestEvent.type, { detail: command, bubbles: true, composed: true });
  }
}

declare global {
  interface HTMLElementEventMap {
    'bp-command': CommandRequestEvent;
  }
}

/** A CSV file the instructor chose as the lecture's data, read in the browser. */
export interface CsvFile {
  readonly name: string;
  readonly text: string;
  /** Share of its rows to train on; the others are held out. */
  readonly trainFraction: number;
}

/** How an upload is going, as the lecture page reports it back to the component that asked. */
export type CsvUploadState =
  | { readonly status: 'idle' }
  | { readonly status: 'sending' }
  | { readonly status: 'done'; readonly message: string }
  | { readonly status: 'failed'; readonly message: string; readonly issues: readonly FileIssue[] };

/** What asks for an upload: the lecture page sets its `upload` as the upload goes. */
export interface CsvUploadSource {
  upload: CsvUploadState;
}

/**
 * The instructor asks for a CSV file to become the lecture's data. Like a command it bubbles to
 * the lecture page, which holds the token and sends it; the outcome goes to `source.upload`.
 */
export class CsvUploadRequestEvent extends CustomEvent<{ readonly file: CsvFile; readonly source: CsvUploadSource }> {
  static readonly type = 'bp-csv-upload';
  constructor(file: CsvFile, source: CsvUploadSource) {
    super(CsvUploadRequestEvent.type, { detail: { file, source }, bubbles: true, composed: true });
  }
}

declare global {
  interface HTMLElementEventMap {
    'bp-csv-upload': CsvUploadRequestEvent;
  }
}

/** What the replay's bar, timeline, menu and chapter list ask the player to do. */
export type ReplayAction =
  | { readonly type: 'toggle' }
  /** To a player time (ms from the start, long pauses shortened): the timeline. */
  | { readonly type: 'seek'; readonly playerTime: number }
  /** To right after event `seq`: a chapter. */
  | { readonly type: 'chapter'; readonly seq: number }
  | { readonly type: 'step'; readonly by: 1 | -1 }
  /** Home and End: the recording's start or end. */
  | { readonly type: 'edge'; readonly to: 'start' | 'end' }
  | { readonly type: 'speed'; readonly speed: number }
  /** Pauses longer than this many ms play this long (null: as long as they were). */
  | { readonly type: 'idle'; readonly limit: number | null }
  | { readonly type: 'narration'; readonly on: boolean }
  | { readonly type: 'copy-link' }
  | { readonly type: 'embed' }
  | { readonly type: 'keys' }
  | { readonly type: 'download' };

export class ReplayActionEvent extends CustomEvent<ReplayAction> {
  static readonly type = 'bp-replay';
  constructor(action: ReplayAction) {
    super(ReplayActionEvent.type, { detail: action, bubbles: true, composed: true });
  }
}

declare global {
  interface HTMLElementEventMap {
    'bp-replay': ReplayActionEvent;
  }
}

/** A student flags (on) or unflags a stage or tensor element: "I'm lost here". */
export class FlagToggleEvent extends CustomEvent<{ readonly target: FlagTarget; readonly on: boolean }> {
  static readonly type = 'bp-flag';
  constructor(target: FlagTarget, on: boolean) {
    super(FlagToggleEvent.type, { detail: { target, on }, bubbles: true, composed: true });
  }
}

/** The instructor points the class at a stage or element (null: at nothing). */
export class SpotlightRequestEvent extends CustomEvent<{ readonly target: SpotlightTarget | null }> {
  static readonly type = 'bp-spotlight';
  constructor(target: SpotlightTarget | null) {
    super(SpotlightRequestEvent.type, { detail: { target }, bubbles: true, composed: true });
  }
}

declare global {
  interface HTMLElementEventMap {
    'bp-spotlight': SpotlightRequestEvent;
  }
}

/** A student's answer to the open prediction. */
export class PredictionSubmitEvent extends CustomEvent<{ readonly value: number }> {
  static readonly type = 'bp-predict';
  constructor(value: number) {
    super(PredictionSubmitEvent.type, { detail: { value }, bubbles: true, composed: true });
  }
}

/** What a student's own controls ask for: private rewind, the sandbox, or back to live. */
export type StudentAction =
  | { readonly type: 'rewind' }
  | { readonly type: 'sandbox' }
  | { readonly type: 'live' }
  | { readonly type: 'seek'; readonly seq: number }
  | { readonly type: 'name'; readonly name: string };

export class StudentActionEvent extends CustomEvent<StudentAction> {
  static readonly type = 'bp-student';
  constructor(action: StudentAction) {
    super(StudentActionEvent.type, { detail: action, bubbles: true, composed: true });
  }
}

declare global {
  interface HTMLElementEventMap {
    'bp-flag': FlagToggleEvent;
    'bp-predict': PredictionSubmitEvent;
    'bp-student': StudentActionEvent;
  }
}

/**
 * The element someone is pointing at or has focused (an equation line), to be shown in the
 * diagram; null when the pointer or focus leaves it.
 */
export class ElementHoverEvent extends CustomEvent<{ readonly element: ElementRef | null }> {
  static readonly type = 'bp-element-hover';
  constructor(element: ElementRef | null) {
    super(ElementHoverEvent.type, { detail: { element }, bubbles: true, composed: true });
  }
}

declare global {
  interface HTMLElementEventMap {
    'bp-element-hover': ElementHoverEvent;
  }
}
