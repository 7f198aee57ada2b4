/**
 * Panels below a phone's first screen (the dataset, the loss chart, the gradient check, the
 * decision boundary, the neurons' maps) are defined once the stage strip has been drawn (issue 12,
 * "A page that loads fast"). Until then their tags are empty unknown elements; Lit keeps the
 * properties set on them and renders when the definition arrives, in a task of its own, so the
 * first lecture frame is one shorter task and their code is not on the strip's way.
 */

/** However the page is shown (a background tab has no animation frames), the panels load by then. */
const AT_THE_LATEST_MS = 4000;

/** Whether a rendered <stage-strip> is anywhere in the document, shadow roots included. */
function stripDrawn(root: Document | ShadowRoot = document): boolean {
  const strip = root.querySelector('stage-strip');
  if (strip?.shadowRoot && strip.shadowRoot.childElementCount > 0) return true;
  for (const el of root.querySelectorAll('*')) if (el.shadowRoot && stripDrawn(el.shadowRoot)) return true;
  return false;
}

let started = false;

/** Runs `load` (the dynamic imports) once, a frame after the strip is drawn or after AT_THE_LATEST_MS. */
export function defineLater(load: () => readonly Promise<unknown>[]): void {
  if (started) return;
  const begin = (): void => {
    if (started) return;
    started = true;
    clearTimeout(fallback);
    void Promise.all(load());
  };
  const fallback = setTimeout(begin, AT_THE_LATEST_MS);
  const look = (): void => {
    if (started) return;
    if (stripDrawn()) requestAnimationFrame(() => setTimeout(begin, 0));
    else requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
}
