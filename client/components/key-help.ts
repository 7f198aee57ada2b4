import { LitElement, css, html } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import { buttonStyles } from '../lib/shared-styles.js';

export const INSTRUCTOR_KEYS: [string, string][] = [
  ['→', 'Step one stage'],
  ['←', 'Back (undo the last command)'],
  ['F', 'Forward pass (to L)'],
  ['B', 'Backward pass (to ∂L/∂W)'],
  ['U', 'Update (finish the pass)'],
  ['T', 'Train the number of epochs in the box'],
  ['P', 'Open the projector display (a window for the class screen)'],
  ['S', 'Point at something for the class: on/off (then click it)'],
  ['N', 'Narration: record, pause or resume (Stop is its button)'],
  ['M', 'Bookmark this moment for the replay: name it, Enter (Esc cancels)'],
  ['Esc', 'Clear the spotlight'],
  ['?', 'Show this list'],
];

/** The keyboard shortcuts, in a modal dialog (focus is trapped and restored by <dialog>). */
@customElement('key-help')
export class KeyHelp extends LitElement {
  @property({ attribute: false }) keys: [string, string][] = INSTRUCTOR_KEYS;
  @query('dialog') private dialog!: HTMLDialogElement;

  static override styles = [
    buttonStyles,
    css`
      dialog {
        border: 1px solid var(--border);
        border-radius: 0.5rem;
        padding: 1rem 1.25rem;
        max-width: min(28rem, calc(100vw - 2rem));
      }
      dl {
        display: grid;
        grid-template-columns: auto 1fr;
        gap: 0.4rem 1rem;
      }
      dt kbd {
        font-family: var(--mono);
        border: 1px solid var(--border);
        border-radius: 0.25rem;
        padding: 0.1rem 0.4rem;
        min-width: 1.5rem;
        display: inline-block;
        text-align: center;
      }
      dd {
        margin: 0;
      }
      h2 {
        margin-top: 0;
        font-size: 1.1rem;
      }
    `,
  ];

  get open(): boolean {
    return this.dialog?.open ?? false;
  }

  show(): void {
    if (!this.dialog.open) this.dialog.showModal();
  }

  override render() {
    return html`<dialog aria-labelledby="keys-title" data-testid="key-help">
      <h2 id="keys-title">Keyboard shortcuts</h2>
      <dl>${this.keys.map(([k, what]) => html`<dt><kbd>${k}</kbd></dt><dd>${what}</dd>`)}</dl>
      <!-- No autofocus: showModal() focuses the one button anyway, and Chromium reports an autofocus in a cross-origin frame (the embed) as an error. -->
      <form method="dialog"><button>Close</button></form>
    </dialog>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'key-help': KeyHelp;
  }
}
