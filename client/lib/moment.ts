/**
 * Following the moment on a small screen: after a step the current stage's equation is brought
 * back into view (follow pacing) or offered (free pacing), and a screen reader hears what ran,
 * throttled so a run of steps is one announcement of the latest, not a queue.
 */

/** How a view treats a new stage: bring it into view, offer to, or leave the page where it is. */
export type MomentMode = 'follow' | 'offer' | 'none';

/** Whether the element's top part (its first `visible` px) is inside the viewport. */
export function headInView(el: Element, visible = 120): boolean {
  const r = el.getBoundingClientRect();
  if (r.width === 0 && r.height === 0) return false;
  const bar = scrollPaddingTop();
  return r.top >= bar - 1 && r.top + Math.min(visible, r.height) <= innerHeight;
}

/** The page's scroll padding (a sticky bar's height): what scrolling into view keeps clear. */
function scrollPaddingTop(): number {
  const padding = parseFloat(getComputedStyle(document.documentElement).scrollPaddingTop);
  return Number.isFinite(padding) ? padding : 0;
}

/** Scrolls the element's top to the top of the view: smoothly, or at once under reduced motion. */
export function bringToTop(el: Element): void {
  scrollSettled(el, 'start', () => headInView(el));
}

/**
 * Scrolls the element into view, smoothly unless reduced motion is asked for. A smooth scroll
 * that the page's own changes interrupted (the diagram and tensors re-render as it runs) is
 * finished at once when it settles, so the element is always reached.
 */
export function scrollSettled(el: Element, block: ScrollLogicalPosition, reached: () => boolean): void {
  const reduced = matchMedia('(prefers-reduced-motion: reduce)').matches;
  el.scrollIntoView({ behavior: reduced ? 'auto' : 'smooth', block, inline: 'nearest' });
  if (reduced) return;
  const settle = () => {
    clearTimeout(fallback);
    removeEventListener('scrollend', settle);
    if (el.isConnected && !reached()) el.scrollIntoView({ behavior: 'auto', block, inline: 'nearest' });
  };
  addEventListener('scrollend', settle);
  // No scrollend where there was nothing to scroll, or in a browser without the event.
  const fallback = setTimeout(settle, 1500);
}

/** At most one announcement a second, always the latest: a burst of steps says only where it ended. */
export class ThrottledAnnouncer {
  private last = -Infinity;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly write: (text: string) => void,
    private readonly intervalMs = 1000,
  ) {}

  say(text: string): void {
    clearTimeout(this.timer);
    const wait = this.last + this.intervalMs - performance.now();
    if (wait <= 0) return this.emit(text);
    this.timer = setTimeout(() => this.emit(text), wait);
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  private emit(text: string): void {
    this.last = performance.now();
    this.write(text);
  }
}
