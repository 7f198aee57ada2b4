import { svg } from 'lit';

/**
 * A microphone, drawn in the text's colour at the text's size: the sign of narration being
 * recorded ("🎙 recording"). A drawing, not the 🎙 emoji, which a computer without a colour-emoji
 * font (many Linux desktops, Debian's Chromium in the tests) shows as an empty box. Hidden from
 * screen readers: the words beside it say it.
 */
export const micIcon = svg`<svg class="mic" viewBox="0 0 24 24" width="1em" height="1em" aria-hidden="true" focusable="false"><path fill="currentColor" d="M12 14.5a3.5 3.5 0 0 0 3.5-3.5V5a3.5 3.5 0 0 0-7 0v6a3.5 3.5 0 0 0 3.5 3.5zm6-3.5a6 6 0 0 1-12 0H4a8 8 0 0 0 7 7.94V22h2v-3.06A8 8 0 0 0 20 11h-2z"/></svg>`;
