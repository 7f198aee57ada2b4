/**
 * What the replay tests read of the player: the position line ("event 3 of 5"), the timeline's
 * slider and the narration's <audio> element as the page has it. Shared by the replay's narration
 * tests (a synthetic take, and one recorded with the fake microphone).
 */
import type { Page } from 'playwright-core';

export const byTestId = (page: Page, id: string) => page.locator(`[data-testid="${id}"]`);
export const positionText = (page: Page) => byTestId(page, 'replay-position').textContent();
export const slider = (page: Page) => page.getByRole('slider', { name: 'Timeline' });

/** The player's audio element, as the page has it: where it is (s), whether it plays, its rate and its source; null without one. */
export function audioState(page: Page) {
  return page.evaluate(() => {
    const deep = (root: ParentNode, selector: string): Element | null => {
      const hit = root.querySelector(selector);
      if (hit) return hit;
      for (const el of root.querySelectorAll('*')) {
        const inner = el.shadowRoot && deep(el.shadowRoot, selector);
        if (inner) return inner;
      }
      return null;
    };
    const audio = deep(document, 'replay-player')?.shadowRoot?.querySelector('audio');
    if (!audio) return null;
    return { time: audio.currentTime, paused: audio.paused, rate: audio.playbackRate, preservesPitch: audio.preservesPitch, src: audio.getAttribute('src') ?? '' };
  });
}

/** Opens the player's menu (More …) and chooses the item with test id `menu-<testid>`. */
export async function chooseInMenu(page: Page, testid: string): Promise<void> {
  await page.getByRole('button', { name: /^More/ }).click();
  await byTestId(page, `menu-${testid}`).click();
}
