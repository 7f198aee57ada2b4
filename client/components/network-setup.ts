import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { datasetLabel } from '../../shared/datasets/spec.js';
import type { Snapshot } from '../../shared/protocol/snapshot.js';
import { CommandRequestEvent } from '../lib/events.js';
import { networkSummary, notebookCommands } from '../lib/network-drafts.js';
import { buttonStyles, panelStyles } from '../lib/shared-styles.js';
import './dataset-picker.js';
import './network-editor.js';

/** The panel asks to be closed (its Close button). */
export class SetupCloseEvent extends Event {
  static readonly type = 'bp-setup-close';
  constructor() {
    super(SetupCloseEvent.type, { bubbles: true, composed: true });
  }
}

declare global {
  interface HTMLElementEventMap {
    'bp-setup-close': SetupCloseEvent;
  }
}

/**
 * The instructor's setup of what the lecture's network is and what it learns: the lecture's
 * network and data now, the architecture editor (<network-editor>) beside the data picker
 * (<dataset-picker>), and a way back to the notebook. Everything is disabled while training runs.
 * Refusals of commands show in the page's alert, as for every control.
 */
@customElement('network-setup')
export class NetworkSetup extends LitElement {
  @property({ attribute: false }) snapshot: Snapshot | null = null;
  @property({ type: Boolean }) connected = false;

  static override styles = [
    panelStyles,
    buttonStyles,
    css`
      .head {
        display: flex;
        align-items: center;
        gap: 0.5rem;
        justify-content: space-between;
        flex-wrap: wrap;
      }
      .head h2 {
        margin: 0;
      }
      .now {
        margin: 0.25rem 0 0.75rem;
        font-size: 0.9rem;
      }
      fieldset.all {
        border: 0;
        padding: 0;
        margin: 0;
        min-width: 0;
      }
      .columns {
        display: grid;
        grid-template-columns: minmax(0, 1fr) minmax(0, 1fr);
        gap: 1rem;
      }
      @media (max-width: 900px) {
        .columns {
          grid-template-columns: minmax(0, 1fr);
        }
      }
      .notebook {
        margin-top: 0.75rem;
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.5rem;
      }
    `,
  ];

  override render() {
    const s = this.snapshot;
    if (!s) return nothing;
    const off = !this.connected || s.training !== null;
    return html`
      <section class="panel" aria-labelledby="setup-title" data-testid="network-setup">
        <div class="head">
          <h2 id="setup-title">Network and data</h2>
          <button @click=${() => this.dispatchEvent(new SetupCloseEvent())}>Close</button>
        </div>
        <p class="now">
          Now: <span class="num" data-testid="setup-network">${networkSummary(s.network)}</span> on
          <strong data-testid="setup-dataset">${datasetLabel(s.dataset)}</strong>
          ${s.training ? html`<br /><span class="muted">Training is running: stop it to change the setup.</span>` : nothing}
        </p>
        <fieldset class="all" ?disabled=${off}>
          <div class="columns">
            <network-editor .network=${s.network} .disabled=${off}></network-editor>
            <dataset-picker .spec=${s.dataset} .disabled=${off}></dataset-picker>
          </div>
          <div class="notebook">
            <button @click=${() => this.backToNotebook()} data-testid="back-to-notebook">Back to the notebook</button>
            <span class="muted">its 8 rows and its 3-4-1 sigmoid network with the notebook's weights</span>
          </div>
        </fieldset>
      </section>
    `;
  }

  private backToNotebook(): void {
    for (const command of notebookCommands()) this.dispatchEvent(new CommandRequestEvent(command));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'network-setup': NetworkSetup;
  }
}
