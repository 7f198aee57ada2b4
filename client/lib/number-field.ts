import { css, html, nothing } from 'lit';
import { parseDecimal, type DecimalOptions, type DecimalResult } from '../../shared/protocol/decimal.js';

/**
 * What every numeric field of the app shares: it is a text field read by parseDecimal (a browser's
 * type=number drops what it does not understand, so `0,01` became 1), and a refusal is shown
 * right next to it, named by the field's aria-describedby and announced once.
 */
export const numberFieldStyles = css`
  .field-error {
    color: var(--danger);
    font-weight: 600;
    font-size: 0.85rem;
    margin: 0.2rem 0;
  }
  /* A short number's field (setup forms), the width type=number had. */
  input.number {
    width: 5rem;
  }
  input[aria-invalid='true'] {
    border-color: var(--danger);
    outline-color: var(--danger);
  }
`;

/** The refusal beside a field whose aria-describedby is `id`, or nothing. */
export function fieldError(id: string, message: string | null) {
  return message ? html`<span class="field-error" id=${id} role="alert" data-testid=${id}>${message}</span>` : nothing;
}

/** parseDecimal's answer as the error a field shows: null when the text reads as a number. */
export function refusalOf(result: DecimalResult): string | null {
  return result.ok ? null : result.error;
}

/** The number in a field's text, or undefined when it does not read as one (the field says why). */
export function numberIn(text: string, options: DecimalOptions = {}): number | undefined {
  const result = parseDecimal(text, options);
  return result.ok ? result.value : undefined;
}

/** A typed number with its sign flipped, as typed (the phone's decimal keypad has no minus key). */
export function flipSign(text: string): string {
  const t = text.trim();
  if (/^[-\u2212]/.test(t)) return t.slice(1);
  if (t.startsWith('+')) return `-${t.slice(1)}`;
  return `-${t}`;
}
