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
export function scrollPaddingTop(): number {
  const padding = parseFloat(getComputedStyle(document.documentElement).scrollPaddingTop);
  return Number.isFinite(padding) ? padding : 0;
}

/** Scrolls the element's top to the top of the view: smoothly, or at once under reduced motion. */
export function bringToTop(el: Element): void {
  scrollSettled(el, 'start', () => headInView(el));
}

/** How long after a scroll into view the page keeps the element there while late content settles. */
const HOLD_MS = 3000;
/** What a person does to scroll the page themselves: then the page stops holding the element. */
const USER_SCROLLS = ['wheel', 'touchstart', 'keydown', 'pointerdown'] as const;

/**
 * Scrolls the element into view, smoothly unless reduced motion is asked for. The page's own late
 * changes can take it away again (a smooth scroll interrupted by a re-render; KaTeX or a lower
 * panel arriving and moving what is above it): for a few seconds, until the person scrolls
 * themselves, an element that left the view is brought back at once.
 */
export function scrollSettled(el: Element, block: ScrollLogicalPosition, reached: () => boolean): void {
  const reduced = matchMedia('(prefers-reduced-motion: reduce)').matches;
  el.scrollIntoView({ behavior: reduced ? 'auto' : 'smooth', block, inline: 'nearest' });
  const timers: ReturnType<typeof setTimeout>[] = [];
  const stop = () => {
    for (const t of timers) clearTimeout(t);
    removeEventListener('scrollend', check);
    for (const type of USER_SCROLLS) removeEventListener(type, stop, true);
  };
  const check = () => {
    if (!el.isConnected) return stop();
    if (!reached()) el.scrollIntoView({ behavior: 'auto', block, inline: 'nearest' });
  };
  for (const type of USER_SCROLLS) addEventListener(type, stop, { capture: true, passive: true });
  addEventListener('scrollend', check);
  // Also without a scrollend (nothing to scroll, or a browser without the event), and after late content.
  for (const at of [reduced ? 300 : 1200, HOLD_MS / 2, HOLD_MS]) timers.push(setTimeout(check, at));
  timers.push(setTimeout(stop, HOLD_MS + 10));
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
