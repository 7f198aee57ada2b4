/**
 * The narration routes on the real server, over real HTTP, on both stores: takes and chunks
 * stored once and in order whatever order and however often they arrive, the instructor token,
 * the lecture's cap (also for uploads at once), hostile paths and queries, ranges, downloads, delete.
 */
import { describe, expect, it } from 'vitest';
import { createLecture, http } from '../support/clients.js';
import { concat, getAudio, putChunk, someBytes, startTake } from '../support/narration.js';
import { PROTOTYPE_NAMES } from '../support/hostile.js';
import { STORES } from '../support/stores.js';
import { useServer } from '../support/suite.js';

/** The suite's cap: small, so a test passes it with a few kB. */
const CAP = 4096;

describe.each(STORES)('narration on %s', (store) => {
  const suite = useServer({ store, guessesPerMinute: 100_000, app: { narrationMaxBytes: CAP } });
  const url = () => suite.server.url;

  /** A lecture with one take: its id, token and take number. */
  const lectureWithTake = async (mime?: string) => {
    const lecture = await createLecture(url());
    const started = await startTake(url(), lecture.id, lecture.instructorToken, mime);
    expect(started.status).toBe(201);
    return { id: lecture.id, token: lecture.instructorToken, take: started.json.take as number, startedAt: started.json.startedAt as number };
  };

  it('stores chunks sent out of order and twice once each, and serves them in index order', async () => {
    const { id, token, take, startedAt } = await lectureWithTake();
    expect(take).toBe(1);
    expect(Math.abs(startedAt - Date.now())).toBeLessThan(60_000);
    const chunks = [someBytes(300, 1), someBytes(170, 2), someBytes(411, 3)];
    const times = [
      { at: 0, audioAt: 0, duration: 3000 },
      { at: 3000, audioAt: 3000, duration: 2500 },
      // A pause of 4 s before the third: the wall clock runs ahead of the audio.
      { at: 9500, audioAt: 5500, duration: 3000 },
    ];
    const order = [2, 0, 1, 0, 2];
    const statuses = [];
    for (const i of order) statuses.push((await putChunk(url(), id, token, take, i, chunks[i], times[i])).status);
    expect(statuses).toEqual([201, 201, 201, 200, 200]);
    const again = await putChunk(url(), id, token, take, 1, chunks[1], times[1]);
    expect(again).toMatchObject({ status: 200, json: { stored: false } });

    const info = await http(url(), 'GET', `/api/lectures/${id}/narration.json`);
    expect(info.status).toBe(200);
    expect(info.json).toEqual({
      takes: [
        {
          take: 1,
          mime: 'audio/webm;codecs=opus',
          startedAt,
          durationMs: 8500,
          bytes: 881,
          chunks: chunks.map((c, index) => ({ index, ...times[index], bytes: c.byteLength })),
        },
      ],
      bytes: 881,
      maxBytes: CAP,
    });
    const whole = concat(chunks);
    const stream = await getAudio(url(), `/api/lectures/${id}/narration/takes/${take}`);
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toBe('audio/webm;codecs=opus');
    expect(stream.headers.get('accept-ranges')).toBe('bytes');
    expect(stream.headers.get('content-length')).toBe('881');
    expect(stream.headers.get('x-content-type-options')).toBe('nosniff');
    expect(stream.headers.get('content-disposition')).toBeNull();
    expect(stream.bytes).toEqual(whole);
    // The first take is the narration.
    expect((await getAudio(url(), `/api/lectures/${id}/narration`)).bytes).toEqual(whole);
    const head = await fetch(`${url()}/api/lectures/${id}/narration`, { method: 'HEAD' });
    expect([head.status, head.headers.get('content-length')]).toEqual([200, '881']);
  });

  it('numbers takes per lecture, normalises their audio type, and serves each on its own', async () => {
    const { id, token } = await lectureWithTake('audio/ogg; codecs="opus"');
    const second = await startTake(url(), id, token, 'AUDIO/MP4');
    expect(second).toMatchObject({ status: 201, json: { take: 2 } });
    expect((await putChunk(url(), id, token, 1, 0, someBytes(50, 7), undefined, 'audio/ogg')).status).toBe(201);
    expect((await putChunk(url(), id, token, 2, 0, someBytes(60, 8), undefined, 'application/octet-stream')).status).toBe(201);
    const info = (await http(url(), 'GET', `/api/lectures/${id}/narration.json`)).json;
    expect(info.takes.map((t: { take: number; mime: string; bytes: number }) => [t.take, t.mime, t.bytes])).toEqual([
      [1, 'audio/ogg;codecs=opus', 50],
      [2, 'audio/mp4', 60],
    ]);
    const two = await getAudio(url(), `/api/lectures/${id}/narration/takes/2?download=1`);
    expect(two.bytes).toEqual(someBytes(60, 8));
    expect(two.headers.get('content-type')).toBe('audio/mp4');
    expect(two.headers.get('content-disposition')).toBe(`attachment; filename=backprop-live-${id}-narration-2.m4a`);
    const one = await getAudio(url(), `/api/lectures/${id}/narration?download=1`);
    expect(one.headers.get('content-disposition')).toBe(`attachment; filename=backprop-live-${id}-narration-1.ogg`);
    const webm = await lectureWithTake();
    await putChunk(url(), webm.id, webm.token, 1, 0, someBytes(5, 1));
    expect((await getAudio(url(), `/api/lectures/${webm.id}/narration?download=1`)).headers.get('content-disposition')).toBe(`attachment; filename=backprop-live-${webm.id}-narration-1.webm`);
    // An empty take is an empty stream; an unknown one says which there are.
    await startTake(url(), webm.id, webm.token);
    const empty = await getAudio(url(), `/api/lectures/${webm.id}/narration/takes/2`);
    expect([empty.status, empty.bytes.byteLength, empty.headers.get('content-length')]).toEqual([200, 0, '0']);
    const missing = await http(url(), 'GET', `/api/lectures/${webm.id}/narration/takes/9`);
    expect(missing.status).toBe(404);
    expect(missing.json.error).toMatch(/no narration take 9; its takes are 1, 2/);
  });

  it('refuses uploads, takes and deletes without the instructor token, and stores nothing', async () => {
    const { id, token, take } = await lectureWithTake();
    const noToken = await putChunk(url(), id, undefined, take, 0, someBytes(10, 1));
    expect(noToken.status).toBe(401);
    expect(noToken.json.error).toBe('commands need the instructor token: Authorization: Bearer <instructorToken>');
    const wrong = await putChunk(url(), id, 'not-the-token', take, 0, someBytes(10, 1));
    expect(wrong.status).toBe(401);
    expect(wrong.json.error).toBe('the instructor token is not valid for this lecture');
    const other = await createLecture(url());
    expect((await putChunk(url(), id, other.instructorToken, take, 0, someBytes(10, 1))).status).toBe(401);
    expect((await startTake(url(), id, undefined)).status).toBe(401);
    expect((await startTake(url(), id, 'not-the-token')).status).toBe(401);
    expect((await http(url(), 'DELETE', `/api/lectures/${id}/narration`)).status).toBe(401);
    expect((await http(url(), 'DELETE', `/api/lectures/${id}/narration`, undefined, 'not-the-token')).status).toBe(401);
    const info = (await http(url(), 'GET', `/api/lectures/${id}/narration.json`)).json;
    expect(info.takes).toEqual([{ take, mime: 'audio/webm;codecs=opus', startedAt: info.takes[0].startedAt, durationMs: 0, bytes: 0, chunks: [] }]);
    expect(info.bytes).toBe(0);
    expect((await putChunk(url(), id, token, take, 0, someBytes(10, 1))).status).toBe(201);
  });

  it("refuses a chunk that would pass the lecture's cap, with a sentence, and stores nothing", async () => {
    const { id, token, take } = await lectureWithTake();
    expect((await putChunk(url(), id, token, take, 0, someBytes(3000, 1))).status).toBe(201);
    const over = await putChunk(url(), id, token, take, 1, someBytes(1500, 2));
    expect(over.status).toBe(413);
    expect(over.json.error).toBe(`a lecture's narration is capped at 4096 bytes (NARRATION_MAX_BYTES); it holds 3000 bytes, and this chunk of 1500 bytes would pass the cap, so it was not stored`);
    // A second take counts against the same lecture.
    const second = (await startTake(url(), id, token)).json.take;
    expect((await putChunk(url(), id, token, second, 0, someBytes(1097, 3))).status).toBe(413);
    const info = (await http(url(), 'GET', `/api/lectures/${id}/narration.json`)).json;
    expect(info.bytes).toBe(3000);
    expect(info.takes.map((t: { chunks: unknown[] }) => t.chunks.length)).toEqual([1, 0]);
    expect((await getAudio(url(), `/api/lectures/${id}/narration`)).bytes).toEqual(someBytes(3000, 1));
    // Up to the cap exactly is fine; a retry of a stored chunk is still answered once full.
    expect((await putChunk(url(), id, token, second, 0, someBytes(1096, 3))).status).toBe(201);
    expect((await putChunk(url(), id, token, take, 0, someBytes(3000, 1))).status).toBe(200);
    expect((await http(url(), 'GET', `/api/lectures/${id}/narration.json`)).json.bytes).toBe(CAP);
  });

  it('lets no two uploads at once pass the cap together', async () => {
    const { id, token, take } = await lectureWithTake();
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => putChunk(url(), id, token, take, i, someBytes(1000, i))));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(4);
    expect(answers.filter((a) => a.status === 413)).toHaveLength(6);
    const info = (await http(url(), 'GET', `/api/lectures/${id}/narration.json`)).json;
    expect(info.bytes).toBe(4000);
    const stored = info.takes[0].chunks.map((c: { index: number }) => c.index);
    expect(stored).toEqual(answers.flatMap((a, i) => (a.status === 201 ? [i] : [])));
    expect((await getAudio(url(), `/api/lectures/${id}/narration`)).bytes).toEqual(concat(stored.map((i: number) => someBytes(1000, i))));
  });

  it('answers 400 for bad times, 400 for bad take and chunk numbers, 404 for an unknown take, 415 and 413 for bad bodies', async () => {
    const { id, token, take } = await lectureWithTake();
    const data = someBytes(20, 1);
    const badQueries: [string, RegExp][] = [
      ['', /at must be given once/],
      ['at=0&audioAt=0', /duration must be given once/],
      ['at=-1&audioAt=0&duration=1', /at must be the wall time/],
      ['at=1.5&audioAt=0&duration=1', /at must be the wall time/],
      ['at=1e3&audioAt=0&duration=1', /at must be the wall time/],
      ['at=abc&audioAt=0&duration=1', /at must be the wall time/],
      ['at=&audioAt=0&duration=1', /at must be the wall time/],
      ['at=0x10&audioAt=0&duration=1', /at must be the wall time/],
      ['at=1&at=2&audioAt=0&duration=1', /at must be given once/],
      ['at=0&audioAt=0&duration=99999999999', /duration must be/],
      ['at=604800001&audioAt=0&duration=1', /at must be at most 604800000 ms/],
      ['at=0&audioAt=__proto__&duration=1', /audioAt must be/],
      ['at[x]=1&audioAt=0&duration=1', /at must be given once/],
    ];
    for (const [query, message] of badQueries) {
      const res = await putChunk(url(), id, token, take, 0, data, query);
      expect([query, res.status]).toEqual([query, 400]);
      expect(res.json.error).toMatch(message);
    }
    for (const bad of ['abc', '-1', '1.0', '1e2', '0x1', '99999999999', ' 1', ...PROTOTYPE_NAMES]) {
      const asTake = await putChunk(url(), id, token, encodeURIComponent(bad), 0, data);
      expect([bad, asTake.status]).toEqual([bad, 400]);
      expect(asTake.json.error).toMatch(/a take is named by its number/);
      const asIndex = await putChunk(url(), id, token, take, encodeURIComponent(bad), data);
      expect([bad, asIndex.status]).toEqual([bad, 400]);
      expect(asIndex.json.error).toMatch(/a chunk is named by its index/);
      expect((await http(url(), 'GET', `/api/lectures/${id}/narration/takes/${encodeURIComponent(bad)}`)).status).toBe(400);
    }
    expect((await putChunk(url(), id, token, 0, 0, data)).status).toBe(400);
    const unknownTake = await putChunk(url(), id, token, 999_999_999, 0, data);
    expect(unknownTake.status).toBe(404);
    expect(unknownTake.json.error).toMatch(/has no narration take 999999999; start one with POST/);
    expect((await putChunk(url(), id, token, take, 999_999_999, data)).status).toBe(201);
    const empty = await putChunk(url(), id, token, take, 1, new Uint8Array(0));
    expect([empty.status, empty.json.error]).toEqual([400, "the chunk is empty: send its bytes as the body (skip a recorder's empty chunks)"]);
    const asText = await putChunk(url(), id, token, take, 1, data, undefined, 'text/plain');
    expect(asText.status).toBe(415);
    expect(asText.json.error).toMatch(/Content-Type: text\/plain/);
    expect((await putChunk(url(), id, token, take, 1, data, undefined, 'text/html')).status).toBe(415);
    expect((await putChunk(url(), id, token, take, 1, data, undefined, '')).status).toBe(415);
    const huge = await putChunk(url(), id, token, take, 1, new Uint8Array(4 * 1024 * 1024 + 1));
    expect(huge.status).toBe(413);
    expect(huge.json.error).toBe('the body is larger than 4194304 bytes');
    // Nothing of it stored: only the one good chunk.
    const info = (await http(url(), 'GET', `/api/lectures/${id}/narration.json`)).json;
    expect(info.takes[0].chunks.map((c: { index: number }) => c.index)).toEqual([999_999_999]);
  });

  it('refuses takes of other types and bodies that are not JSON', async () => {
    const { id, instructorToken: token } = await createLecture(url());
    for (const mime of ['video/webm', 'text/html', 'audio/webm;codecs=vp8', 'audio/*', '', 'audio/webm'.padEnd(200, ' '), ...PROTOTYPE_NAMES]) {
      const res = await startTake(url(), id, token, mime);
      expect([mime, res.status]).toEqual([mime, 400]);
      expect(res.json.error).toMatch(/mime must be one of audio\/webm, /);
    }
    for (const body of [{}, { mime: 5 }, { mime: 'audio/webm', extra: 1 }, [], null]) {
      const res = await http(url(), 'POST', `/api/lectures/${id}/narration/takes`, body, token);
      expect([body, res.status]).toEqual([body, 400]);
    }
    const form = await fetch(`${url()}/api/lectures/${id}/narration/takes`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' }, body: '{"mime":"audio/webm"}' });
    expect(form.status).toBe(415);
    expect((await http(url(), 'POST', `/api/lectures/${id}/narration/takes`, '{"mime":', token)).status).toBe(400);
    expect((await http(url(), 'GET', `/api/lectures/${id}/narration.json`)).json.takes).toEqual([]);
  });

  it('answers ranges: the first bytes, a middle across chunks, a suffix, an open end; 416 outside', async () => {
    const { id, token, take } = await lectureWithTake();
    const chunks = [someBytes(37, 1), someBytes(100, 2), someBytes(250, 3), someBytes(13, 4)];
    for (const [i, c] of chunks.entries()) await putChunk(url(), id, token, take, i, c);
    const whole = concat(chunks);
    const total = whole.byteLength;
    const path = `/api/lectures/${id}/narration/takes/${take}`;
    const cases: [string, number, number][] = [
      ['bytes=0-9', 0, 9],
      ['bytes=30-200', 30, 200],
      ['bytes=37-136', 37, 136],
      ['bytes=-100', total - 100, total - 1],
      ['bytes=390-', 390, total - 1],
      ['bytes=0-', 0, total - 1],
      ['bytes=399-99999', 399, total - 1],
    ];
    for (const [range, start, end] of cases) {
      const res = await getAudio(url(), path, range);
      expect([range, res.status]).toEqual([range, 206]);
      expect(res.headers.get('content-range')).toBe(`bytes ${start}-${end}/${total}`);
      expect(res.headers.get('content-length')).toBe(String(end - start + 1));
      expect(res.bytes).toEqual(whole.subarray(start, end + 1));
    }
    for (const range of [`bytes=${total}-`, 'bytes=500-600', 'bytes=-0']) {
      const res = await getAudio(url(), path, range);
      expect([range, res.status]).toEqual([range, 416]);
      expect(res.headers.get('content-range')).toBe(`bytes */${total}`);
    }
    // Malformed, another unit, several ranges: the whole stream.
    for (const range of ['bytes=abc', 'items=0-5', 'bytes=0-1,5-9']) {
      const res = await getAudio(url(), path, range);
      expect([range, res.status, res.bytes]).toEqual([range, 200, whole]);
    }
    expect((await getAudio(url(), `/api/lectures/${id}/narration`, 'bytes=-13')).bytes).toEqual(chunks[3]);
  });

  it('deletes every take and chunk for the instructor; takes start from 1 again', async () => {
    const { id, token, take } = await lectureWithTake();
    await putChunk(url(), id, token, take, 0, someBytes(100, 1));
    await startTake(url(), id, token);
    const deleted = await http(url(), 'DELETE', `/api/lectures/${id}/narration`, undefined, token);
    expect([deleted.status, deleted.text]).toEqual([204, '']);
    expect((await http(url(), 'GET', `/api/lectures/${id}/narration.json`)).json).toEqual({ takes: [], bytes: 0, maxBytes: CAP });
    const none = await http(url(), 'GET', `/api/lectures/${id}/narration`);
    expect(none.status).toBe(404);
    expect(none.json.error).toBe(`lecture ${id} has no narration`);
    expect((await http(url(), 'GET', `/api/lectures/${id}/narration/takes/1`)).status).toBe(404);
    expect((await putChunk(url(), id, token, take, 1, someBytes(10, 1))).status).toBe(404);
    // Deleting nothing is fine; the cap is free again.
    expect((await http(url(), 'DELETE', `/api/lectures/${id}/narration`, undefined, token)).status).toBe(204);
    expect((await startTake(url(), id, token)).json.take).toBe(1);
    expect((await putChunk(url(), id, token, 1, 0, someBytes(CAP, 2))).status).toBe(201);
  });

  it('answers 404 for unknown and hostile lecture codes on every route', async () => {
    const { token } = await lectureWithTake();
    for (const code of ['ZZZZZZ', 'not-a-code', '%00', ...PROTOTYPE_NAMES.map(encodeURIComponent)]) {
      for (const path of ['narration.json', 'narration', 'narration/takes/1']) {
        const res = await http(url(), 'GET', `/api/lectures/${code}/${path}`);
        expect([code, path, res.status]).toEqual([code, path, 404]);
        expect(res.json.error).toMatch(/no lecture with code/);
      }
      expect((await putChunk(url(), code, token, 1, 0, someBytes(5, 1))).status).toBe(404);
      expect((await startTake(url(), code, token)).status).toBe(404);
      expect((await http(url(), 'DELETE', `/api/lectures/${code}/narration`, undefined, token)).status).toBe(404);
    }
  });
});

describe.each(STORES)('a long narration on %s', (store) => {
  const suite = useServer({ store });

  /** Megabytes compared as bytes (a deep equality walks them element by element, for seconds). */
  const expectSameBytes = (got: Uint8Array, want: Uint8Array) => {
    expect(got.byteLength).toBe(want.byteLength);
    expect(Buffer.from(got).equals(Buffer.from(want))).toBe(true);
  };

  it('streams a take of many pages whole and in ranges across the pages, byte for byte', async () => {
    const url = suite.server.url;
    const lecture = await createLecture(url);
    const { take } = (await startTake(url, lecture.id, lecture.instructorToken)).json;
    // 3.6 MB: four of the stream's pages of about 1 MiB, chunks sent newest first.
    const chunks = Array.from({ length: 24 }, (_, i) => someBytes(150_000 + i, i + 1));
    for (let i = chunks.length - 1; i >= 0; i--) expect((await putChunk(url, lecture.id, lecture.instructorToken, take, i, chunks[i])).status).toBe(201);
    const whole = concat(chunks);
    const path = `/api/lectures/${lecture.id}/narration/takes/${take}`;
    expectSameBytes((await getAudio(url, path)).bytes, whole);
    for (const [start, end] of [
      [1_000_000, 2_200_000],
      [1_048_000, 1_049_000],
      [150_000, 150_000],
      [whole.byteLength - 1, whole.byteLength - 1],
    ]) {
      const res = await getAudio(url, path, `bytes=${start}-${end}`);
      expect([start, res.status, res.headers.get('content-range')]).toEqual([start, 206, `bytes ${start}-${end}/${whole.byteLength}`]);
      expectSameBytes(res.bytes, whole.subarray(start, end + 1));
    }
  });
});
