import { LitElement, css, html } from 'lit';
import { customElement } from 'lit/decorators.js';
import { displayCode } from '../lib/format.js';
import { parseRoute } from '../lib/route.js';
import { panelStyles } from '../lib/shared-styles.js';

/**
 * Picks the page from the address. Pages are whole loads (links, not a history router): each
 * one owns its own socket or recording, and a reload must land on the same thing.
 */
@customElement('bp-app')
export class BpApp extends LitElement {
  static override styles = [
    panelStyles,
    css`
      .opening {
        margin: 0;
        padding: 0.75rem;
        font-size: 1.05rem;
      }
    `,
  ];

  override render() {
    const route = parseRoute(location.pathname);
    switch (route.page) {
      case 'home':
        import('./home-page.js');
        return html`<home-page></home-page>`;
      case 'lecture':
        import('./lecture-page.js');
        // Until the lecture's code arrives (KaTeX, the diagram, socket.io: most of a student's bytes),
        // the student sees which lecture is opening. Once lecture-page is defined its shadow root
        // (which has no slot) replaces this line.
        return html`<lecture-page .lectureId=${route.id} .access=${route.role}>
          <p class="opening" role="status">Opening lecture <strong>${displayCode(route.id)}</strong>…</p>
        </lecture-page>`;
      case 'projector':
        import('./projector-page.js');
        return html`<projector-page .lectureId=${route.id}></projector-page>`;
      case 'replay':
        import('./replay-page.js');
        return html`<replay-page .lectureId=${route.id}></replay-page>`;
      case 'embed':
        import('./embed-page.js');
        return html`<embed-page .lectureId=${route.id}></embed-page>`;
      case 'not-found':
        return html`<main style="padding:1rem">
          <h1>Page not found</h1>
          <p>Nothing lives at ${route.path}. <a href="/">Go to the start page</a>.</p>
        </main>`;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'bp-app': BpApp;
  }
}
