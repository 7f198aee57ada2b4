/**
 * The times the console gives each narration chunk (client/lib/narration-recorder.ts ChunkClock):
 * `at` is wall time since the take started on the server's clock, pauses included; `audioAt` and
 * `duration` count recorded audio only, so the chunks' durations add up to the audio and each
 * chunk's audioAt is the sum of those before it. And the format asked of MediaRecorder.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ChunkClock, NARRATION_MIME_PREFERENCE, pickNarrationMime } from '../../client/lib/narration-recorder.js';

describe('ChunkClock', () => {
  it('without pauses, each chunk starts on the wall where its audio starts, offset by when recording began after the take', () => {
    // The take started at page time 1000 (the server's startedAt); recording began 40 ms later.
    const clock = new ChunkClock(1000, 1040);
    expect(clock.cut(4040)).toEqual({ at: 40, audioAt: 0, duration: 3000 });
    expect(clock.cut(7041)).toEqual({ at: 3040, audioAt: 3000, duration: 3001 });
    expect(clock.audioMs(8000)).toBe(6960);
  });

  it('a pause counts on the wall but not in the audio, inside the chunk it falls in', () => {
    const clock = new ChunkClock(0, 0);
    expect(clock.cut(3000)).toEqual({ at: 0, audioAt: 0, duration: 3000 });
    clock.pause(4000);
    expect(clock.audioMs(9000)).toBe(4000);
    clock.resume(9000);
    // The chunk began at 3000 on the wall, holds 1000 ms before the pause and 2000 after.
    expect(clock.cut(11000)).toEqual({ at: 3000, audioAt: 3000, duration: 3000 });
    expect(clock.cut(14000)).toEqual({ at: 11000, audioAt: 6000, duration: 3000 });
  });

  it('a chunk cut while paused ends its audio at the pause; pausing or resuming twice changes nothing', () => {
    const clock = new ChunkClock(0, 0);
    clock.pause(1000);
    clock.pause(1500);
    expect(clock.cut(2000)).toEqual({ at: 0, audioAt: 0, duration: 1000 });
    clock.resume(5000);
    clock.resume(6000);
    expect(clock.cut(7000)).toEqual({ at: 2000, audioAt: 1000, duration: 2000 });
  });

  it("on a page's fractional clock, each chunk's audioAt is exactly the sum of the whole durations before it", () => {
    const clock = new ChunkClock(0.4, 12.7);
    const chunks = [clock.cut(3012.9), clock.cut(6013.2), clock.cut(9013.6)];
    expect(chunks.map((c) => c.audioAt)).toEqual([0, chunks[0]!.duration, chunks[0]!.duration + chunks[1]!.duration]);
    expect(chunks.every((c) => Number.isInteger(c.at) && Number.isInteger(c.duration))).toBe(true);
  });

  it('whatever the pauses and cuts: durations add up to the audio, audioAt is their running sum, at never goes back, audio never outruns the wall', () => {
    const step = fc.record({ kind: fc.constantFrom('pause', 'resume', 'cut'), gap: fc.integer({ min: 0, max: 5000 }) });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 500 }), fc.array(step, { maxLength: 40 }), (lead, steps) => {
        let now = 10_000 + lead;
        const clock = new ChunkClock(10_000, now);
        const chunks = [];
        for (const { kind, gap } of steps) {
          now += gap;
          if (kind === 'pause') clock.pause(now);
          else if (kind === 'resume') clock.resume(now);
          else chunks.push(clock.cut(now));
        }
        now += 1;
        chunks.push(clock.cut(now));
        let audio = 0;
        let at = -1;
        for (const c of chunks) {
          expect(c.audioAt).toBe(audio);
          expect(c.at).toBeGreaterThanOrEqual(at);
          expect(c.audioAt).toBeLessThanOrEqual(c.at);
          audio += c.duration;
          at = c.at;
        }
        expect(audio).toBe(clock.audioMs(now));
        expect(audio).toBeLessThanOrEqual(now - 10_000 - lead);
      }),
    );
  });
});

describe('pickNarrationMime', () => {
  it('takes the first format of the preference the browser records, Opus in WebM first', () => {
    expect(pickNarrationMime(() => true)).toBe('audio/webm;codecs=opus');
    expect(pickNarrationMime((m) => m === 'audio/mp4' || m === 'audio/ogg;codecs=opus')).toBe('audio/ogg;codecs=opus');
    expect(pickNarrationMime((m) => m === 'audio/mp4')).toBe('audio/mp4');
    expect(pickNarrationMime(() => false)).toBeNull();
    expect(NARRATION_MIME_PREFERENCE[0]).toBe('audio/webm;codecs=opus');
  });
});
