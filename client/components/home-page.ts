import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { PRESET_NAMES, type Preset } from '../../shared/engine/mlp/init.js';
import { parseDecimal, parseWholeNumber } from '../../shared/protocol/decimal.js';
import type { CreateLectureBody, LectureSummary } from '../../shared/protocol/http.js';
import { normalizeJoinCode } from '../../shared/protocol/join-code.js';
import { LIMITS } from '../../shared/protocol/limits.js';

/** Lectures the list shows at a time ("More lectures" asks for the next page). */
const PAGE_SIZE = 20;
import { createKeyRequired, createLecture, listLectures } from '../lib/api.js';
import { displayCode } from '../lib/format.js';
import { displayName, setDisplayName } from '../lib/identity.js';
import { forgetLecture, markJustCreated, myLectures, rememberLecture, type MyLecture } from '../lib/my-lectures.js';
import { fieldError, numberFieldStyles } from '../lib/number-field.js';
import { buttonStyles, panelStyles } from '../lib/shared-styles.js';
import { lectureLinks, publicBase } from '../lib/site.js';

/**
 * Start page: join a lecture by its code first (students are most of its visitors, mostly on
 * phones: the code box is the first thing on the screen), then "Teaching? Start a lecture" (folded
 * on narrow screens), the lectures this browser created ("Your lectures": console, projector,
 * replay, forget), and the lectures their instructors listed ("Lectures open to everyone";
 * a lecture is unlisted unless its creator ticks the box).
 */
@customElement('home-page')
export class HomePage extends LitElement {
  @state() private preset: Preset = 'notebook';
  @state() private createError: string | null = null;
  /** Why the seed or learning rate typed does not read as one (shown beside its field). */
  @state() private seedError: string | null = null;
  @state() private rateError: string | null = null;
  @state() private creating = false;
  @state() private joinError: string | null = null;
  @state() private lectures: LectureSummary[] | null = null;
  @state() private listError: string | null = null;
  /** The last page was full: there may be more. */
  @state() private moreToList = false;
  @state() private loadingMore = false;
  @state() private needsKey = false;
  /** The lectures this browser created, newest first (localStorage). */
  @state() private mine: MyLecture[] = myLectures();
  /** The code of the lecture whose Forget waits for a yes. */
  @state() private forgetting: string | null = null;
  /** The server's public base for links; '' (this site's own paths) until it is known. */
  @state() private base = '';
  /** The start form is open on wide screens; on a phone it is folded under its heading. */
  @state() private teachOpen = typeof matchMedia === 'function' && matchMedia('(min-width: 40rem)').matches;

  static override styles = [
    numberFieldStyles,
    panelStyles,
    buttonStyles,
    css`
      :host {
        display: block;
        max-width: 60rem;
        margin: 0 auto;
        padding: 1rem;
      }
      h1 {
        font-size: 1.6rem;
        margin: 0.5rem 0 0.25rem;
      }
      .lede {
        margin: 0;
        color: var(--muted);
      }
      .join {
        border-width: 2px;
      }
      .join h2 {
        font-size: 1.4rem;
      }
      .join button.primary {
        font-size: 1.15rem;
        min-height: 2.75rem;
        min-width: 8rem;
      }
      details.teach > summary {
        cursor: pointer;
        padding: 0.25rem 0;
      }
      details.teach > summary h2 {
        display: inline;
        font-size: 1.15rem;
      }
      details.teach[open] > summary {
        margin-bottom: 0.6rem;
      }
      .forms {
        display: grid;
        grid-template-columns: repeat(auto-fit, minmax(min(100%, 20rem), 1fr));
        gap: 1rem;
        align-items: start;
        margin-bottom: 1rem;
      }
      form {
        display: grid;
        gap: 0.6rem;
      }
      .field {
        display: grid;
        gap: 0.2rem;
      }
      .field input,
      .field select {
        width: 100%;
      }
      .check {
        display: flex;
        gap: 0.5rem;
        align-items: center;
      }
      /* Touch targets of at least 24×24 px on phones (WCAG 2.2, 2.5.8), links in the lists too. */
      .check input {
        width: 1.5rem;
        height: 1.5rem;
        margin: 0;
      }
      li a {
        display: inline-block;
        min-height: 1.5rem;
        line-height: 1.5rem;
      }
      .hint {
        font-size: 0.8rem;
        color: var(--muted);
      }
      .error {
        color: var(--danger);
        font-weight: 600;
        margin: 0;
      }
      #code {
        font-family: var(--mono);
        font-size: 1.8rem;
        padding: 0.4rem 0.6rem;
        letter-spacing: 0.1em;
        text-transform: uppercase;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
      }
      li {
        display: flex;
        flex-wrap: wrap;
        gap: 0.25rem 1rem;
        align-items: baseline;
        padding: 0.5rem 0;
        border-bottom: 1px solid var(--border);
      }
      li .title {
        font-weight: 650;
        flex: 1 1 12rem;
        min-width: 0;
        overflow-wrap: anywhere;
      }
      .meta {
        color: var(--muted);
        font-size: 0.85rem;
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        gap: 0.4rem;
        align-items: center;
      }
      .confirm {
        flex-basis: 100%;
        display: flex;
        flex-wrap: wrap;
        gap: 0.4rem;
        align-items: center;
        margin: 0;
      }
      #mine-title:focus,
      #list-title:focus {
        outline: none;
      }
      section + section {
        margin-top: 1rem;
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    void this.loadList();
    void createKeyRequired().then((needed) => (this.needsKey = needed));
    publicBase().then(
      (base) => (this.base = base),
      () => {
        /* links stay on this site's own paths, which work from this page */
      },
    );
  }

  override render() {
    return html`
      <h1>Backprop Live</h1>
      <div class="forms">
        <section class="panel join" aria-labelledby="join-title">
          <h2 id="join-title">Join a lecture</h2>
          <form @submit=${this.join} novalidate>
            <div class="field">
              <label for="code">Lecture code</label>
              <input
                id="code"
                name="code"
                autocomplete="off"
                autocapitalize="characters"
                spellcheck="false"
                placeholder="K7Q-F2M"
                aria-describedby="code-hint${this.joinError ? ' code-error' : ''}"
                aria-invalid=${this.joinError ? 'true' : 'false'}
              />
              <span class="hint" id="code-hint">6 letters and digits, from the screen at the front.</span>
            </div>
            ${this.joinError ? html`<p class="error" id="code-error" role="alert">${this.joinError}</p>` : nothing}
            <div class="field">
              <label for="name">Your name <span class="hint">(optional)</span></label>
              <input id="name" name="name" maxlength=${LIMITS.maxNameLength} autocomplete="nickname" .value=${displayName()} aria-describedby="name-hint" />
              <span class="hint" id="name-hint">Only your instructor sees it.</span>
            </div>
            <div><button class="primary" type="submit" data-testid="join">Join</button></div>
          </form>
        </section>
        <details class="panel teach" data-testid="teach" ?open=${this.teachOpen} @toggle=${(e: Event) => (this.teachOpen = (e.target as HTMLDetailsElement).open)}>
          <summary><h2 id="create-title">Teaching? Start a lecture</h2></summary>
          <form @submit=${this.create} novalidate aria-labelledby="create-title">
            <p class="lede">Step a network through backpropagation, stage by stage, live with your class.</p>
            <div class="field">
              <label for="title">Title</label>
              <input id="title" name="title" maxlength=${LIMITS.maxTitleLength} placeholder="Backpropagation, lecture 1" />
            </div>
            <div class="field">
              <label for="preset">Initial weights</label>
              <select id="preset" name="preset" @change=${(e: Event) => (this.preset = (e.target as HTMLSelectElement).value as Preset)}>
                ${PRESET_NAMES.map((p) => html`<option value=${p} ?selected=${p === this.preset}>${p === 'notebook' ? 'notebook (the printed values)' : 'random (seeded)'}</option>`)}
              </select>
            </div>
            ${this.preset === 'random'
              ? html`<div class="field">
                  <label for="seed">Seed</label>
                  <input id="seed" name="seed" type="text" inputmode="numeric" autocomplete="off" class="number" placeholder="any"
                    aria-invalid=${this.seedError ? 'true' : 'false'} aria-describedby="seed-hint${this.seedError ? ' seed-error' : ''}"
                    @input=${() => (this.seedError = null)} />
                  <span class="hint" id="seed-hint">Same seed, same weights. Leave empty for a fresh one.</span>
                  ${fieldError('seed-error', this.seedError)}
                </div>`
              : nothing}
            <div class="field">
              <label for="rate">Learning rate η</label>
              <input id="rate" name="rate" type="text" inputmode="decimal" autocomplete="off" class="number" value="1"
                aria-invalid=${this.rateError ? 'true' : 'false'} aria-describedby=${this.rateError ? 'rate-error' : nothing}
                @input=${() => (this.rateError = null)} />
              ${fieldError('rate-error', this.rateError)}
            </div>
            ${this.needsKey
              ? html`<div class="field">
                  <label for="key">Create key</label>
                  <input id="key" name="key" type="password" autocomplete="current-password" required aria-describedby="key-hint" />
                  <span class="hint" id="key-hint">This server asks for its create key before starting a lecture.</span>
                </div>`
              : nothing}
            <label class="check"
              ><input type="checkbox" name="listed" aria-describedby="listed-hint" /> List this lecture on the start page</label
            >
            <span class="hint" id="listed-hint">Everyone who opens this page then sees its title and can watch or replay it. Unlisted (the default), only people with its code can.</span>
            ${this.createError ? html`<p class="error" role="alert">${this.createError}</p>` : nothing}
            <div><button class="primary" type="submit" ?disabled=${this.creating} data-testid="create">Create and open the console</button></div>
          </form>
        </details>
      </div>
      ${this.mine.length ? this.renderMine() : nothing}
      <section class="panel" aria-labelledby="list-title">
        <h2 id="list-title" tabindex="-1">Lectures open to everyone</h2>
        ${this.renderList()}
      </section>
    `;
  }

  private renderMine() {
    return html`<section class="panel" aria-labelledby="mine-title">
      <h2 id="mine-title" tabindex="-1">Your lectures</h2>
      <p class="hint">Lectures created in this browser. Their instructor links are kept here only: forget one, and only its instructor link can control it again.</p>
      <ul data-testid="my-lectures">
        ${this.mine.map((l) => this.renderMineItem(l))}
      </ul>
    </section>`;
  }

  private renderMineItem(l: MyLecture) {
    const title = l.title || 'Untitled lecture';
    return html`<li data-testid="my-lecture-${l.id}">
      <span class="title">${title}</span>
      <span class="meta">${displayCode(l.id)} · created ${new Date(l.createdAt).toLocaleString()}</span>
      <span class="actions">
        <a class="button" href=${lectureLinks.instructor(this.base, l.id, l.token)} aria-label="Open console of ${title}">Open console</a>
        <a class="button" href=${lectureLinks.projector(this.base, l.id)} aria-label="Projector display of ${title}">Projector</a>
        <a class="button" href=${lectureLinks.replay(this.base, l.id)} aria-label="Replay ${title}">Replay</a>
        <button @click=${() => this.askForget(l.id)} aria-label="Forget ${title}" ?disabled=${this.forgetting === l.id}>Forget</button>
      </span>
      ${this.forgetting === l.id
        ? html`<p class="confirm" role="group" aria-label="Forget ${title}?">
            <span>Forget “${title}” in this browser? Without its instructor link no one can control it again.</span>
            <button @click=${() => this.forget(l.id)} data-testid="confirm-forget">Yes, forget it</button>
            <button @click=${() => this.keep()} data-testid="keep">Keep it</button>
          </p>`
        : nothing}
    </li>`;
  }

  private async askForget(id: string): Promise<void> {
    this.forgetting = id;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLButtonElement>('[data-testid="keep"]')?.focus();
  }

  private async keep(): Promise<void> {
    const id = this.forgetting;
    this.forgetting = null;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLButtonElement>(`[data-testid="my-lecture-${id}"] button`)?.focus();
  }

  private async forget(id: string): Promise<void> {
    forgetLecture(id);
    this.forgetting = null;
    this.mine = myLectures();
    await this.updateComplete;
    // The row is gone: focus lands on the list's heading, or on the page's first heading without a list.
    (this.renderRoot.querySelector<HTMLElement>('#mine-title') ?? this.renderRoot.querySelector<HTMLElement>('#list-title'))?.focus();
  }

  private renderList() {
    if (this.listError) return html`<p class="error">Could not load the lectures: ${this.listError}</p>`;
    if (!this.lectures) return html`<p class="muted" role="status">Loading…</p>`;
    if (!this.lectures.length) return html`<p class="muted">No lecture is open to everyone yet: their instructors list them when they create them.</p>`;
    return html`<ul data-testid="lecture-list">
      ${this.lectures.map(
        (l) => html`<li>
          <span class="title">${l.title || 'Untitled lecture'}</span>
          <span class="meta">${displayCode(l.id)} · ${new Date(l.createdAt).toLocaleString()} · ${l.eventCount} events</span>
          <a href="/replay/${l.id}">Replay</a>
          <a href="/lecture/${l.id}">Watch live</a>
        </li>`,
      )}
    </ul>
    ${this.moreToList
      ? html`<p><button data-testid="more-lectures" ?disabled=${this.loadingMore} @click=${() => void this.loadList()}>More lectures</button></p>`
      : nothing}`;
  }

  /** The next page of the list (the first when none is loaded), newest first as the server sends it. */
  private async loadList(): Promise<void> {
    this.loadingMore = true;
    try {
      const shown = this.lectures ?? [];
      const page = await listLectures(PAGE_SIZE, shown.at(-1));
      this.lectures = [...shown, ...page];
      this.moreToList = page.length === PAGE_SIZE;
    } catch (e) {
      this.listError = e instanceof Error ? e.message : String(e);
    } finally {
      this.loadingMore = false;
    }
  }

  private async create(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const form = new FormData(e.target as HTMLFormElement);
    const body: CreateLectureBody = { preset: this.preset, listed: form.get('listed') === 'on' };
    const title = String(form.get('title') ?? '').trim();
    if (title) body.title = title;
    const seedText = String(form.get('seed') ?? '').trim();
    const seed = this.preset === 'random' && seedText ? parseWholeNumber(seedText, { min: 0, max: LIMITS.maxSeed }) : null;
    const rateText = String(form.get('rate') ?? '').trim();
    const rate = rateText ? parseDecimal(rateText, { min: 0, max: LIMITS.maxLearningRate }) : null;
    this.seedError = seed && !seed.ok ? seed.error : null;
    this.rateError = rate && !rate.ok ? rate.error : null;
    if (this.seedError || this.rateError) return;
    if (seed?.ok) body.seed = seed.value;
    if (rate?.ok) body.learningRate = rate.value;
    const check = CreateLectureBodyCheck(body);
    if (check) {
      this.createError = check;
      return;
    }
    this.creating = true;
    this.createError = null;
    try {
      const created = await createLecture(body, String(form.get('key') ?? '') || undefined);
      rememberLecture({ id: created.id, title: body.title ?? '', token: created.instructorToken, createdAt: Date.now() });
      markJustCreated(created.id);
      // Same origin as this page, whatever origin the server believes it has.
      const target = new URL(created.instructorUrl, location.href);
      location.assign(target.pathname + target.hash);
    } catch (err) {
      this.createError = err instanceof Error ? err.message : String(err);
      this.creating = false;
    }
  }

  private join(e: SubmitEvent): void {
    e.preventDefault();
    const form = new FormData(e.target as HTMLFormElement);
    const raw = String(form.get('code') ?? '');
    const code = normalizeJoinCode(raw);
    if (!code) {
      this.joinError = raw.trim() ? `“${raw.trim()}” is not a lecture code: a code has 6 letters and digits, like K7Q-F2M.` : 'Type the code shown at the front.';
      return;
    }
    this.joinError = null;
    setDisplayName(String(form.get('name') ?? ''));
    location.assign(`/lecture/${code}`);
  }
}

/** The client-side half of the server's checks, so obvious mistakes are explained at once. */
function CreateLectureBodyCheck(body: CreateLectureBody): string | null {
  if (body.seed !== undefined && (!Number.isInteger(body.seed) || body.seed < 0 || body.seed > LIMITS.maxSeed)) return `The seed must be a whole number from 0 to ${LIMITS.maxSeed}.`;
  if (body.learningRate !== undefined && !(body.learningRate > 0 && body.learningRate <= LIMITS.maxLearningRate)) return `The learning rate must be greater than 0 and at most ${LIMITS.maxLearningRate}.`;
  return null;
}

declare global {
  interface HTMLElementTagNameMap {
    'home-page': HomePage;
  }
}
