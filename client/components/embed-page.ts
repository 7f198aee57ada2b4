import { LitElement, css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import './replay-player.js';

/**
 * The replay for other sites to frame (`/embed/:id`, `?t=` / `?seq=`): the player in its minimal
 * form (the thin bar, the chapters in its menu) over the lesson, and no site chrome. It runs inside
 * someone else's page, where third-party storage may be refused, so nothing here keeps anything in
 * storage; its fetches go to this server, the frame's own origin, so CORS is not involved.
 */
@customElement('embed-page')
export class EmbedPage extends LitElement {
  @property() lectureId = '';
  /** The recording's title, once the player has loaded it: the frame's document title. */
  @state() private lectureTitle: string | null = null;

  static override styles = css`
    :host {
      display: block;
    }
  `;

  override render() {
    if (this.lectureTitle !== null) document.title = `${this.lectureTitle || 'Lecture'} · Backprop Live replay`;
    return html`<main aria-label="Replay${this.lectureTitle ? ` of ${this.lectureTitle}` : ''}">
      <replay-player minimal .lectureId=${this.lectureId} @bp-replay-loaded=${(e: CustomEvent<{ title: string }>) => (this.lectureTitle = e.detail.title)}></replay-player>
    </main>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'embed-page': EmbedPage;
  }
}
