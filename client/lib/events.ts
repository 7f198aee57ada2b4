import type { Command } from '../../shared/index.js';

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

/** What the replay controls ask the replay page to do. */
export type ReplayAction =
  | { readonly type: 'toggle' }
  | { readonly type: 'seek'; readonly position: number }
  | { readonly type: 'step'; readonly by: 1 | -1 }
  | { readonly type: 'speed'; readonly speed: number }
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
