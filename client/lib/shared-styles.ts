import { css, unsafeCSS } from 'lit';
import { SCALE_GRADIENT } from './colors.js';

/** Styles every panel shares: panel chrome, focus ring, numbers in columns. */
/** Text for screen readers only (a live region's words, a control's longer name). */
const VISUALLY_HIDDEN = `.visually-hidden {
  position: absolute;
  width: 1px;
  height: 1px;
  overflow: hidden;
  clip-path: inset(50%);
  white-space: nowrap;
}`;

/** The visually-hidden class alone, for a component that needs nothing else of panelStyles. */
export const visuallyHiddenStyles = unsafeCSS(VISUALLY_HIDDEN);

export const panelStyles = css`
  /* The document's box-sizing rule does not reach into shadow roots. */
  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }
  :host {
    display: block;
    min-width: 0;
  }
  .panel {
    border: 1px solid var(--border);
    border-radius: 0.5rem;
    background: var(--bg);
    padding: 0.75rem;
    min-width: 0;
  }
  @media (max-width: 480px) {
    .panel {
      padding: 0.6rem 0.5rem;
    }
  }
  h2 {
    font-size: 0.95rem;
    margin: 0 0 0.5rem;
    font-weight: 650;
  }
  .muted {
    color: var(--muted);
  }
  .num {
    font-family: var(--mono);
    font-variant-numeric: tabular-nums;
  }
  :focus-visible {
    outline: 3px solid var(--focus);
    outline-offset: 2px;
  }
  ${unsafeCSS(VISUALLY_HIDDEN)}
  /* A keyboard's way past the header (WCAG 2.4.1): off screen until it has focus, then on top. */
  .skip-link {
    position: fixed;
    top: 0.5rem;
    left: 0.5rem;
    z-index: 50;
    padding: 0.6rem 1rem;
    border-radius: 0.4rem;
    background: var(--panel);
    color: var(--fg);
    font-weight: 700;
    box-shadow: 0 2px 10px rgb(0 0 0 / 0.25);
  }
  .skip-link:not(:focus) {
    left: -100vw;
  }
`;

export const buttonStyles = css`
  button,
  input,
  select,
  .button {
    box-sizing: border-box;
  }
  button,
  .button {
    font: inherit;
    font-size: 0.9rem;
    padding: 0.4rem 0.75rem;
    border: 1px solid var(--border);
    border-radius: 0.4rem;
    background: var(--panel);
    color: var(--fg);
    cursor: pointer;
    min-height: 2.25rem;
    text-decoration: none;
    display: inline-flex;
    align-items: center;
    gap: 0.3rem;
  }
  button:hover:not(:disabled) {
    background: #eaeef2;
  }
  button.primary {
    background: var(--fg);
    color: #fff;
    border-color: var(--fg);
  }
  button.primary:hover:not(:disabled) {
    background: #32383f;
  }
  button:disabled {
    opacity: 0.5;
    cursor: not-allowed;
  }
  input,
  select {
    font: inherit;
    font-size: 0.9rem;
    padding: 0.35rem 0.5rem;
    border: 1px solid var(--border);
    border-radius: 0.4rem;
    min-height: 2.25rem;
    background: var(--bg);
    color: var(--fg);
    min-width: 0;
  }
  label {
    font-size: 0.85rem;
  }
`;

/** A group of controls that belong together (`.group`): in a row that wraps, a little apart. */
export const groupStyles = css`
  .group {
    display: flex;
    flex-wrap: wrap;
    gap: 0.35rem;
    align-items: center;
  }
`;

/** A toolbar of groups that wraps, with a rule between groups (not on phones, where they stack). */
export const barStyles = [
  groupStyles,
  css`
  .bar {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem 1rem;
    align-items: center;
  }
  .group + .group {
    border-left: 1px solid var(--border);
    padding-left: 1rem;
  }
  @media (max-width: 640px) {
    .group + .group {
      border-left: 0;
      padding-left: 0;
    }
  }
`,
];

/** The setup panel's forms (network editor, dataset picker): rows of labelled controls, notes, an error box. */
export const formStyles = css`
      /* The setup's disabled fieldset does not reach into this shadow root: this one carries it in. */
      fieldset.all {
        border: 0;
        padding: 0;
        margin: 0;
        min-width: 0;
      }
      form {
        display: grid;
        gap: 0.5rem;
        align-content: start;
        min-width: 0;
      }
      h3 {
        font-size: 0.9rem;
        margin: 0;
      }
      .row {
        display: flex;
        flex-wrap: wrap;
        gap: 0.35rem 0.5rem;
        align-items: center;
        font-size: 0.9rem;
      }
      .note {
        margin: 0;
        font-size: 0.85rem;
      }
      label.choice {
        display: inline-flex;
        align-items: center;
        gap: 0.3rem;
      }
      input[type='number'] {
        width: 5rem;
      }
      .error {
        color: var(--danger);
        background: var(--danger-bg);
        border: 1px solid var(--danger);
        border-radius: 0.4rem;
        padding: 0.4rem 0.6rem;
        margin: 0;
        font-size: 0.9rem;
        overflow-wrap: anywhere;
      }
`;

/** A legend's swatch of the diverging scale (negative blue, zero white, positive orange). */
export const swatchStyles = css`
  .swatch {
    display: inline-block;
    width: 5rem;
    height: 0.7rem;
    border: 1px solid var(--border);
    vertical-align: middle;
    background: ${unsafeCSS(SCALE_GRADIENT)};
  }
`;

/**
 * Content wider than its box scrolls sideways: a shadow at the edge it continues past says so
 * (the covers scroll with the content and hide the shadow at either end). Put `scroll-cue` on
 * the scrolling box; its content must not paint a background over the box's own.
 */
export const scrollCueStyles = css`
  .scroll-cue {
    background:
      linear-gradient(to right, var(--cue-cover, var(--bg)) 30%, transparent) left / 2.5rem 100% no-repeat local,
      linear-gradient(to left, var(--cue-cover, var(--bg)) 30%, transparent) right / 2.5rem 100% no-repeat local,
      radial-gradient(farthest-side at 0 50%, rgb(0 0 0 / 0.4), transparent) left / 1.1rem 100% no-repeat scroll,
      radial-gradient(farthest-side at 100% 50%, rgb(0 0 0 / 0.4), transparent) right / 1.1rem 100% no-repeat scroll;
  }
`;

/** A key's name on a button or in a line (Back to live L): small, boxed, in the colours of what holds it (a banner's). */
export const kbdStyles = css`
  kbd {
    font-family: var(--mono);
    font-size: 0.7rem;
    border: 1px solid currentColor;
    border-radius: 0.2rem;
    padding: 0 0.2rem;
  }
`;

/** A key's hint on the page's own buttons (◀ Look back ←): muted on the page's background; on a primary button, in its colours. */
export const mutedKbdStyles = [
  kbdStyles,
  css`
    kbd {
      border-color: var(--border);
      color: var(--muted);
      background: var(--bg);
    }
    button.primary kbd {
      color: inherit;
      background: transparent;
      border-color: currentColor;
    }
  `,
];

/** A key's hint on a console button (Step ▶ →): muted, and dropped on narrow screens, where the bar keeps to two rows and the key list (?) still names every key. */
export const keyHintStyles = [
  mutedKbdStyles,
  css`
    @media (max-width: 1200px) {
      kbd {
        display: none;
      }
    }
  `,
];
