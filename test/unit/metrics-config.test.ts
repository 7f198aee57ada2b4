/** METRICS and METRICS_TOKEN as read from the environment (server/config.ts). */
import { describe, expect, it } from 'vitest';
import { readConfig } from '../../server/config.js';

describe('METRICS and METRICS_TOKEN', () => {
  it('serves /metrics unless METRICS=off, with a token only when one is set', () => {
    expect(readConfig({})).toMatchObject({ serveMetrics: true, metricsToken: undefined });
    expect(readConfig({ METRICS: 'on', METRICS_TOKEN: 's3cret' })).toMatchObject({ serveMetrics: true, metricsToken: 's3cret' });
    expect(readConfig({ METRICS: 'OFF' }).serveMetrics).toBe(false);
  });

  it('refuses any other METRICS with the sentence that says why', () => {
    expect(() => readConfig({ METRICS: 'yes' })).toThrow('METRICS must be on or off; got "yes"');
  });
});
