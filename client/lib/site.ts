/**
 * The server's public base (`GET /api/site`: PUBLIC_URL, else the host the request came to), which
 * every link and QR code this client hands out is built on. Never `location`: the instructor's
 * laptop may call the server `localhost`, which is no address for a phone in the room.
 * Asked once per page view; a failed ask is forgotten so the next caller asks again.
 */
import { SiteInfo } from '../../shared/protocol/http.js';

let asked: Promise<string> | null = null;

export function publicBase(): Promise<string> {
  asked ??= ask().catch((e: unknown) => {
    asked = null;
    throw e;
  });
  return asked;
}

async function ask(): Promise<string> {
  const response = await fetch('/api/site');
  if (!response.ok) throw new Error(`the server did not say its address (${response.status})`);
  const site = SiteInfo.safeParse(await response.json());
  if (!site.success) throw new Error('the server sent an address this page cannot use');
  return site.data.publicUrl;
}

/** Where each surface of a lecture lives, on a base from publicBase(). */
export const lectureLinks = {
  student: (base: string, id: string) => `${base}/lecture/${id}`,
  projector: (base: string, id: string) => `${base}/lecture/${id}/projector`,
  replay: (base: string, id: string) => `${base}/replay/${id}`,
  /** The token in the fragment: browsers never send a fragment to a server, nor put it in logs. */
  instructor: (base: string, id: string, token: string) => `${base}/lecture/${id}/instructor#token=${encodeURIComponent(token)}`,
};
