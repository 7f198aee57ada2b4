/** The limiters' arithmetic and bounds, the address key, TRUST_PROXY parsing and signed client ids. */
import { describe, expect, it } from 'vitest';
import { GuessGuard, RateLimiter } from '../../server/guards.js';
import { addressKey, parseTrustProxy } from '../../server/client-address.js';
import { ClientIds } from '../../server/client-ids.js';
import { isLoopbackHost, readConfig } from '../../server/config.js';
import { ManualClock } from '../support/server.js';

describe('addressKey', () => {
  it('keeps IPv4, unwraps IPv4-mapped IPv6 and groups IPv6 by its /64', () => {
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:0db8:0001:0002:abcd::9')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:3::1')).not.toBe(addressKey('2001:db8:1:2::1'));
    expect(addressKey('::1')).toBe('::/64');
    expect(addressKey('unknown')).toBe('unknown');
  });
});

describe('TRUST_PROXY', () => {
  it('trusts nothing by default, and what it names otherwise', () => {
    for (const off of [undefined, '', 'false', 'off', '0']) expect(parseTrustProxy(off)('127.0.0.1', 0)).toBe(false);
    const loopback = parseTrustProxy('loopback');
    expect(loopback('127.0.0.1', 0)).toBe(true);
    expect(loopback('::1', 0)).toBe(true);
    expect(loopback('10.0.0.1', 0)).toBe(false);
    const list = parseTrustProxy('10.0.0.0/8, 192.168.1.1');
    expect(list('10.2.3.4', 0)).toBe(true);
    expect(list('192.168.1.1', 1)).toBe(true);
    expect(list('192.168.1.2', 0)).toBe(false);
    const hops = parseTrustProxy('2');
    expect([hops('1.1.1.1', 0), hops('1.1.1.1', 1), hops('1.1.1.1', 2)]).toEqual([true, true, false]);
  });

  it('refuses `true` and nonsense with a sentence that says what to write', () => {
    expect(() => parseTrustProxy('true')).toThrow(/any client choose its address/);
    expect(() => parseTrustProxy('my-proxy')).toThrow(/TRUST_PROXY must be loopback/);
  });
});

describe('CREATE_KEY', () => {
  it('is drawn for the run on a HOST other machines reach, waived by off, not needed on loopback', () => {
    expect(readConfig({ HOST: '0.0.0.0' })).toMatchObject({ createKeySource: 'generated', createKey: expect.stringMatching(/^[\w-]{12}$/) });
    expect(readConfig({})).toMatchObject({ createKeySource: 'generated' });
    expect(readConfig({ HOST: '0.0.0.0', CREATE_KEY: 'off' })).toMatchObject({ createKeySource: 'off', createKey: undefined });
    expect(readConfig({ HOST: '0.0.0.0', CREATE_KEY: 'k' })).toMatchObject({ createKeySource: 'set', createKey: 'k' });
    expect(readConfig({ HOST: '127.0.0.1' })).toMatchObject({ createKeySource: 'loopback', createKey: undefined });
    expect(['localhost', '127.0.0.1', '::1', '[::1]', '0.0.0.0', '::', '192.168.1.2'].map(isLoopbackHost)).toEqual([true, true, true, true, false, false, false]);
  });

  it('reads the new counts and refuses bad ones', () => {
    expect(readConfig({ HOST: 'localhost', CREATIONS_PER_HOUR: '5', MAX_SOCKETS_PER_ADDRESS: '30', GUESSES_PER_MINUTE: '7' })).toMatchObject({ creationsPerHour: 5, maxSocketsPerAddress: 30, guessesPerMinute: 7 });
    expect(readConfig({ HOST: 'localhost' }).guessesPerMinute).toBeUndefined();
    expect(() => readConfig({ MAX_SOCKETS_PER_ADDRESS: '0' })).toThrow(/MAX_SOCKETS_PER_ADDRESS must be a whole number/);
    expect(() => readConfig({ GUESSES_PER_MINUTE: 'many' })).toThrow(/GUESSES_PER_MINUTE must be a whole number/);
  });
});

describe('GuessGuard', () => {
  it('lets the free failures through, then delays 1, 2, 4 … s up to the cap, refusing only failures during a delay', () => {
    const clock = new ManualClock();
    const guard = new GuessGuard(clock, { free: 3, maxDelaySeconds: 8 });
    expect([guard.fail('a'), guard.fail('a'), guard.fail('a')]).toEqual([0, 0, 0]);
    expect(guard.fail('a')).toBe(0); // heard (answered as usual), but starts a 1 s delay
    expect(guard.fail('a')).toBe(2); // during it: refused, 2 s
    expect(guard.fail('a')).toBe(4);
    expect(guard.fail('a')).toBe(8);
    expect(guard.fail('a')).toBe(8); // capped
    expect(guard.fail('b')).toBe(0); // another key is untouched
    clock.advance(8_000);
    expect(guard.fail('a')).toBe(0); // the delay is over: heard again
    clock.advance(5 * 60_000);
    // Quiet for long enough, the key is back at rest: free failures again.
    expect([guard.fail('a'), guard.fail('a'), guard.fail('a'), guard.fail('a')]).toEqual([0, 0, 0, 0]);
  });

  it('stays bounded when full, still delays a new key and still remembers the worst offender', () => {
    const clock = new ManualClock();
    const guard = new GuessGuard(clock, { free: 2, maxKeys: 100 });
    for (let i = 0; i < 10; i++) guard.fail('worst');
    expect(guard.fail('worst')).toBeGreaterThan(0);
    for (let i = 0; i < 1000; i++) guard.fail(`mild-${i}`);
    expect(guard.size).toBeLessThanOrEqual(100);
    expect(guard.fail('worst')).toBeGreaterThan(0);
    // A new key in the full map is counted and delayed like any other.
    expect([guard.fail('new'), guard.fail('new'), guard.fail('new')]).toEqual([0, 0, 0]);
    expect(guard.fail('new')).toBeGreaterThan(0);
  });
});

describe('RateLimiter', () => {
  it('stays bounded when full, and still limits a new key and the worst offender', () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter(clock, 3, 1, 100);
    for (let i = 0; i < 4; i++) limiter.take('flooder');
    for (let i = 0; i < 1000; i++) limiter.take(`key-${i}`);
    expect(limiter.size).toBeLessThanOrEqual(100);
    expect(limiter.take('flooder')).toBe(false);
    expect([limiter.take('new'), limiter.take('new'), limiter.take('new'), limiter.take('new')]).toEqual([true, true, true, false]);
    expect(limiter.retryAfter('new')).toBe(1);
  });

  it('forgets keys back at rest in its sweep', () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter(clock, 3, 1);
    for (let i = 0; i < 50; i++) limiter.take(`key-${i}`);
    clock.advance(120_000);
    limiter.take('later');
    expect(limiter.size).toBe(1);
  });
});

describe('ClientIds', () => {
  it('accepts only ids signed with its key', () => {
    const ids = new ClientIds(Buffer.alloc(32, 1));
    const id = ids.issue();
    expect(id).toMatch(/^[\w-]{22}\.[\w-]{22}$/);
    expect(ids.isSigned(id)).toBe(true);
    expect(new ClientIds(Buffer.alloc(32, 2)).isSigned(id)).toBe(false);
    expect(ids.isSigned(`${id.slice(0, 22)}.${'A'.repeat(22)}`)).toBe(false);
    expect(ids.isSigned(id.slice(0, 22))).toBe(false);
    expect(ids.isSigned('student-1')).toBe(false);
  });
});
