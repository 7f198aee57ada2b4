/**
 * The instructor token arrives in the URL fragment (never sent to servers, never in logs).
 * We move it to sessionStorage, keyed by lecture, and strip it from the address bar so it is
 * not shared by accident when the instructor copies the URL or shows the screen. Without a
 * fragment, this tab's copy, else the one this browser kept when it created the lecture
 * (my-lectures.ts), lets the console in.
 */
import { myLecture } from './my-lectures.js';

const key = (lectureId: string) => `backprop-live:instructor-token:${lectureId}`;

export function takeInstructorToken(lectureId: string): string | null {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const fromUrl = fragment.get('token');
  if (fromUrl) {
    try {
      sessionStorage.setItem(key(lectureId), fromUrl);
    } catch {
      // Storage can be disabled (private modes); the token still works for this page view.
    }
    history.replaceState(history.state, '', location.pathname + location.search);
    return fromUrl;
  }
  let fromTab: string | null = null;
  try {
    fromTab = sessionStorage.getItem(key(lectureId));
  } catch {
    /* disabled: try the browser's own list */
  }
  return fromTab ?? myLecture(lectureId)?.token ?? null;
}

/** Forgets this tab's copy (a refused token); the browser's list keeps its entry for "Your lectures". */
export function forgetInstructorToken(lectureId: string): void {
  try {
    sessionStorage.removeItem(key(lectureId));
  } catch {
    /* nothing stored */
  }
}
