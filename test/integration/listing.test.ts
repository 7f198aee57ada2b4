/**
 * Issue 12: lectures are unlisted unless their instructor lists them. `GET /api/lectures` (the
 * start page's "Lectures open to everyone") shows only listed ones; an unlisted lecture is still
 * open to anyone with its code; `listed` that is not a boolean is refused and creates nothing.
 */
import { describe, expect, it } from 'vitest';
import { useServer } from '../support/suite.js';
import { createLecture, http } from '../support/clients.js';

const suite = useServer();
const listedIds = async (): Promise<string[]> => ((await http(suite.server.url, 'GET', '/api/lectures?limit=100')).json as { id: string }[]).map((l) => l.id);

describe('listing lectures', () => {
  it('leaves a lecture unlisted unless its creator lists it, and still opens it by its code', async () => {
    const plain = await createLecture(suite.server.url, { title: 'no listed field' });
    const off = await createLecture(suite.server.url, { title: 'listed false', listed: false });
    const on = await createLecture(suite.server.url, { title: 'listed true', listed: true });
    const ids = await listedIds();
    expect(ids).toContain(on.id);
    expect(ids).not.toContain(plain.id);
    expect(ids).not.toContain(off.id);
    for (const id of [plain.id, off.id]) {
      expect((await http(suite.server.url, 'GET', `/api/lectures/${id}/state`)).status).toBe(200);
      expect((await http(suite.server.url, 'GET', `/api/lectures/${id}/recording`)).status).toBe(200);
    }
  });

  it('refuses a listed that is not true or false with a sentence, and creates nothing', async () => {
    const before = await listedIds();
    for (const listed of ['yes', 1, 'true', null]) {
      const res = await http(suite.server.url, 'POST', '/api/lectures', { title: `bad ${String(listed)}`, listed });
      expect(res.status).toBe(400);
      expect(res.json.error).toMatch(/listed must be true or false/);
    }
    expect(await listedIds()).toEqual(before);
  });
});
