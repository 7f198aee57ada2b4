/**
 * The shared spotlight, as every view shows it: what the instructor points at is marked in each
 * component that draws it (the stage chip; the tensor cell, the node or edge, the equation line),
 * and a view where none of those marks is on screen brings one into view.
 */
import { css } from 'lit';
import type { SpotlightTarget } from '../../shared/protocol/collab.js';
import { flagKey } from '../../shared/protocol/flag-key.js';
import type { Snapshot } from '../../shared/protocol/snapshot.js';
import { elementText, stageLabel } from '../../shared/engine/mlp/tensor-names.js';
import { SpotlightRequestEvent } from './events.js';
import { scrollPaddingTop, scrollSettled } from './moment.js';
import { snapshotShape } from './names.js';

/** `stage:B_act`, `W[2,3]`: the same key a flag of that target has; null for no spotlight. */
export function spotlightKey(target: SpotlightTarget | null | undefined): string | null {
  return target ? flagKey(target) : null;
}

/** The spotlight in words, as a screen reader says it ("the stage B_act", "W[3,4]"); null for none. */
export function spotlightText(s: Snapshot): string | null {
  const t = s.spotlight;
  if (!t) return null;
  return t.type === 'stage' ? `the stage ${stageLabel(t.stage)}` : elementText(t.tensor, snapshotShape(s, t.tensor), t.index);
}

/**
 * Asks for the spotlight on `target`, or for none when it is already there (pointing at the
 * spotlit thing again takes the spotlight away).
 */
export function pointAt(from: EventTarget, target: SpotlightTarget, current: string | null): void {
  from.dispatchEvent(new SpotlightRequestEvent(flagKey(target) === current ? null : target));
}

/** Enter or Space on a pointable element that is not a button (an SVG node, an equation line). */
export function isActivation(e: KeyboardEvent): boolean {
  return e.key === 'Enter' || e.key === ' ';
}

/** The mark, the same in every component: a ring in the spotlight's colour that pulses once. */
export const spotlightStyles = css`
  .spotlit,
  [data-spotlit] {
    outline: 4px solid var(--spotlight);
    outline-offset: 2px;
    box-shadow: 0 0 0 8px var(--spotlight-glow);
    border-radius: 4px;
    animation: spotlight-pulse 1.2s ease-out 2;
    position: relative;
    z-index: 1;
  }
  @keyframes spotlight-pulse {
    0% {
      box-shadow: 0 0 0 18px var(--spotlight-glow);
    }
    100% {
      box-shadow: 0 0 0 8px var(--spotlight-glow);
    }
  }
  @media (prefers-reduced-motion: reduce) {
    .spotlit,
    [data-spotlit] {
      animation: none;
    }
  }
  .pointable {
    cursor: crosshair;
  }
`;

/** Every element matching `selector` under `root`, through open shadow roots. */
export function deepQueryAll(root: ParentNode, selector: string): Element[] {
  const found: Element[] = [...root.querySelectorAll(selector)];
  for (const el of root.querySelectorAll('*')) {
    if (el.shadowRoot) found.push(...deepQueryAll(el.shadowRoot, selector));
  }
  return found;
}

/** What is drawn at a point of the page, through open shadow roots. */
function deepElementFromPoint(x: number, y: number): Element | null {
  let hit = document.elementFromPoint(x, y);
  while (hit?.shadowRoot) {
    const deeper = hit.shadowRoot.elementFromPoint(x, y);
    if (!deeper || deeper === hit) break;
    hit = deeper;
  }
  return hit;
}

/**
 * Whether a person sees the element: shown (not folded away), wholly inside the viewport below the
 * page's sticky bar, and not covered by anything at its centre. A mark half under the bar, or in a
 * closed fold (which keeps a box), is not seen: counting it would leave the page where it is.
 */
export function inSight(el: Element): boolean {
  const r = el.getBoundingClientRect();
  if ((r.width === 0 && r.height === 0) || !el.checkVisibility()) return false;
  if (r.top < scrollPaddingTop() - 1 || r.bottom > innerHeight || r.left < 0 || r.right > innerWidth) return false;
  const hit = deepElementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  return hit !== null && (hit === el || el.contains(hit));
}

/**
 * Brings the spotlit element into view unless one of its marks already is in sight: the first
 * mark of the preferred kind (a tensor cell shows the number), else the first mark. Smooth,
 * except for those who asked for reduced motion.
 */
export function bringIntoView(marks: readonly Element[], preferred: string): void {
  if (marks.length === 0 || marks.some(inSight)) return;
  const target = marks.find((m) => m.matches(preferred)) ?? marks[0];
  scrollSettled(target, 'center', () => inSight(target));
}
