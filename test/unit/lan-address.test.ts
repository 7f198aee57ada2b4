/** The address phones in the room reach the server at, chosen from this machine's interfaces. */
import { describe, expect, it } from 'vitest';
import type { NetworkInterfaceInfo } from 'node:os';
import { lanBase } from '../../server/lan-address.js';
import { isLoopbackHost } from '../../shared/protocol/http.js';

const v4 = (address: string, internal = false): NetworkInterfaceInfo =>
  ({ address, family: 'IPv4', internal, netmask: '255.255.255.0', mac: '00:00:00:00:00:00', cidr: `${address}/24` }) as NetworkInterfaceInfo;
const v6 = (address: string): NetworkInterfaceInfo =>
  ({ address, family: 'IPv6', internal: false, netmask: 'ffff:ffff:ffff:ffff::', mac: '00:00:00:00:00:00', cidr: `${address}/64`, scopeid: 0 }) as NetworkInterfaceInfo;

describe('lanBase', () => {
  it("prefers a private IPv4 address over a public one, never loopback or IPv6", () => {
    const interfaces = { lo: [v4('127.0.0.1', true)], eth0: [v6('fe80::1'), v4('203.0.113.7')], wlan0: [v4('192.168.1.20')] };
    expect(lanBase('0.0.0.0', 3000, interfaces)).toBe('http://192.168.1.20:3000');
    expect(lanBase('::', 8080, { eth0: [v4('10.4.0.9')] })).toBe('http://10.4.0.9:8080');
    expect(lanBase('0.0.0.0', 3000, { eth0: [v4('203.0.113.7')] })).toBe('http://203.0.113.7:3000');
  });

  it('gives none for a server on one interface, or a machine with no network', () => {
    expect(lanBase('127.0.0.1', 3000, { wlan0: [v4('192.168.1.20')] })).toBeUndefined();
    expect(lanBase('192.168.1.20', 3000, { wlan0: [v4('192.168.1.20')] })).toBeUndefined();
    expect(lanBase('0.0.0.0', 3000, { lo: [v4('127.0.0.1', true)] })).toBeUndefined();
  });
});

describe('isLoopbackHost', () => {
  it('knows the names of this machine', () => {
    for (const h of ['localhost', 'LOCALHOST', 'app.localhost', '127.0.0.1', '127.1.2.3', '::1', '[::1]']) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['192.168.1.20', 'class.example', 'localhost.example.com', '::ffff:10.0.0.1', '']) expect(isLoopbackHost(h), h).toBe(false);
  });
});
