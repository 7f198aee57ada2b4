/**
 * Narration survives a `kill -9` of the server while the instructor records: a new process on the
 * same data serves every acknowledged chunk, in order, as a stream that still plays, and loses only
 * the chunk that was in flight, which the recorder's retry then stores. Real processes, both stores;
 * the audio is a real Opus WebM from Debian's ffmpeg (read back with ffprobe) when it is installed,
 * else arbitrary bytes.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLecture, http } from '../support/clients.js';
import { useChildServers } from '../support/child-server.js';
import { concat, getAudio, putChunk, someBytes, startTake } from '../support/narration.js';
import { STORES } from '../support/stores.js';

const work = mkdtempSync(join(tmpdir(), 'backprop-narration-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const hasFfmpeg = spawnSync('ffmpeg', ['-version']).status === 0 && spawnSync('ffprobe', ['-version']).status === 0;

/** Three seconds of a 440 Hz tone as Opus in WebM (what MediaRecorder records), or arbitrary bytes without ffmpeg. */
function recording(): Uint8Array {
  if (!hasFfmpeg) return someBytes(30_000, 9);
  const file = join(work, 'tone.webm');
  const made = spawnSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=3', '-c:a', 'libopus', '-f', 'webm', file]);
  if (made.status !== 0) throw new Error(`ffmpeg failed: ${made.stderr}`);
  return new Uint8Array(readFileSync(file));
}

/** What ffprobe reads in these bytes: the audio codec and the last packet's time (s). */
function probe(bytes: Uint8Array): { codec: string; lastPacket: number } {
  const file = join(work, `probe-${bytes.byteLength}.webm`);
  writeFileSync(file, bytes);
  const codec = spawnSync('ffprobe', ['-v', 'quiet', '-select_streams', 'a', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', file], { encoding: 'utf8' }).stdout.trim();
  // A line a packet (`2.994000`, a comma after it when it has side data), and blank lines between.
  const lines = spawnSync('ffprobe', ['-v', 'quiet', '-select_streams', 'a', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', file], { encoding: 'utf8' }).stdout.split('\n');
  const times = lines.map((line) => parseFloat(line)).filter((t) => Number.isFinite(t));
  return { codec, lastPacket: Math.max(...times) };
}

/** The recording cut in `count` pieces, as a recorder's timeslices cut it (here at arbitrary bytes). */
function pieces(bytes: Uint8Array, count: number): Uint8Array[] {
  const size = Math.ceil(bytes.byteLength / count);
  return Array.from({ length: count }, (_, i) => bytes.subarray(i * size, Math.min((i + 1) * size, bytes.byteLength)));
}

const times = (i: number) => ({ at: i * 600, audioAt: i * 600, duration: 600 });

describe.each(STORES)('narration through kill -9 on %s', (store) => {
  const servers = useChildServers('backprop-narration-crash-', { store });

  it('serves every acknowledged chunk after a restart, loses only the one in flight, and plays', async () => {
    const audio = recording();
    const chunks = pieces(audio, 5);
    let { url, child } = await servers.start();
    const lecture = await createLecture(url);
    const { take } = (await startTake(url, lecture.id, lecture.instructorToken)).json;
    // Chunk 2 arrives after 3 (a retry overtaken), as an unsteady connection has them.
    for (const i of [0, 1, 3, 2]) expect((await putChunk(url, lecture.id, lecture.instructorToken, take, i, chunks[i], times(i))).status).toBe(201);

    // Chunk 4 is under way: half its bytes sent, the rest never, when the process dies.
    let sendRest: (() => void) | undefined;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(chunks[4].slice(0, chunks[4].byteLength >> 1));
        sendRest = () => controller.close();
      },
    });
    const inFlight = fetch(`${url}/api/lectures/${lecture.id}/narration/takes/${take}/chunks/4?at=2400&audioAt=2400&duration=600`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${lecture.instructorToken}`, 'content-type': 'audio/webm;codecs=opus' },
      body,
      duplex: 'half',
    } as RequestInit).then((r) => r.status, () => 'no answer');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await servers.kill9(child);
    expect(await inFlight).toBe('no answer');
    sendRest?.();

    ({ url, child } = await servers.start());
    const info = (await http(url, 'GET', `/api/lectures/${lecture.id}/narration.json`)).json;
    expect(info.takes).toHaveLength(1);
    expect(info.takes[0].chunks).toEqual([0, 1, 2, 3].map((i) => ({ index: i, ...times(i), bytes: chunks[i].byteLength })));
    const acknowledged = concat(chunks.slice(0, 4));
    const restored = await getAudio(url, `/api/lectures/${lecture.id}/narration`);
    expect(restored.status).toBe(200);
    expect(restored.bytes).toEqual(acknowledged);
    if (hasFfmpeg) {
      const heard = probe(restored.bytes);
      expect(heard.codec).toBe('opus');
      // Four fifths of 3 s of audio, give or take the last cut packet.
      expect(heard.lastPacket).toBeGreaterThan(1.8);
      expect(heard.lastPacket).toBeLessThan(2.5);
    }

    // The recorder's retry of the lost chunk completes the take: the whole file, as recorded.
    expect((await putChunk(url, lecture.id, lecture.instructorToken, take, 4, chunks[4], times(4))).status).toBe(201);
    const whole = await getAudio(url, `/api/lectures/${lecture.id}/narration/takes/${take}`);
    expect(whole.bytes).toEqual(audio);
    if (hasFfmpeg) expect(probe(whole.bytes).lastPacket).toBeGreaterThan(2.9);
    await servers.kill9(child);
  });
});

describe('NARRATION_MAX_BYTES', () => {
  const servers = useChildServers('backprop-narration-cap-', { store: 'sqlite' });

  it('caps a lecture of a server started with it, and a value that is not a count stops the start with a sentence', async () => {
    const { url, child } = await servers.start({ NARRATION_MAX_BYTES: '1000' });
    const lecture = await createLecture(url);
    const { take } = (await startTake(url, lecture.id, lecture.instructorToken)).json;
    expect((await putChunk(url, lecture.id, lecture.instructorToken, take, 0, someBytes(600, 1))).status).toBe(201);
    const over = await putChunk(url, lecture.id, lecture.instructorToken, take, 1, someBytes(600, 2));
    expect(over.status).toBe(413);
    expect(over.json.error).toMatch(/capped at 1000 bytes \(NARRATION_MAX_BYTES\)/);
    expect((await http(url, 'GET', `/api/lectures/${lecture.id}/narration.json`)).json).toMatchObject({ bytes: 600, maxBytes: 1000 });
    await servers.kill9(child);
    await expect(servers.start({ NARRATION_MAX_BYTES: '200MB' })).rejects.toThrow(/NARRATION_MAX_BYTES must be a whole number of at least 1; got "200MB"/);
  });
});
