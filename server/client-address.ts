/**
 * Who is asking: one rule for HTTP and socket.io. Behind a reverse proxy every connection comes
 * from the proxy, so the client's address is read from `X-Forwarded-For`, but only across the hops
 * TRUST_PROXY trusts (proxy-addr, the rule express's `trust proxy` applies); anything else could
 * forge it. Limits then key on `addressKey`: one IPv6 /64 is one household or phone, not 2^64 of them.
 */
import type { IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';
import ipaddr from 'ipaddr.js';

/** Given an address and its distance in hops from the server, whether that hop is a trusted proxy. */
export type ProxyTrust = (address: string, hop: number) => boolean;

/** Trust no proxy: the client is the TCP peer, whatever headers say. */
export const TRUST_NO_PROXY: ProxyTrust = () => false;

const OFF = new Set(['', 'false', 'off', 'no', '0', 'none']);

/**
 * TRUST_PROXY, in express's `trust proxy` syntax: unset/`false` (no proxy), a hop count (`1`),
 * or comma-separated names and addresses: `loopback`, `linklocal`, `uniquelocal`, `10.0.0.1`,
 * `10.0.0.0/8`, `fd00::/8`. `true` (trust every hop) is refused: any client could then choose its address.
 */
export function parseTrustProxy(text: string | undefined): ProxyTrust {
  const value = (text ?? '').trim().toLowerCase();
  if (OFF.has(value)) return TRUST_NO_PROXY;
  if (value === 'true' || value === 'all') {
    throw new Error('TRUST_PROXY=true would let any client choose its address (X-Forwarded-For); name the proxy instead: loopback, uniquelocal, an address, a CIDR range or a hop count');
  }
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    return (_address, hop) => hop < hops;
  }
  const entries = value.split(',').map((s) => s.trim()).filter(Boolean);
  try {
    return proxyaddr.compile(entries);
  } catch (err) {
    throw new Error(`TRUST_PROXY must be loopback, linklocal, uniquelocal, addresses or CIDR ranges separated by commas, or a hop count; ${(err as Error).message}`);
  }
}

/** The client's address of an HTTP request or a socket.io handshake (its `socket.request`). */
export function clientAddress(req: IncomingMessage, trust: ProxyTrust): string {
  // A request whose socket has gone has no peer address; proxy-addr would throw.
  if (!req.socket?.remoteAddress) return 'unknown';
  return proxyaddr(req, trust);
}

/**
 * The key limits count under: an IPv4 address as it is (also when written IPv4-mapped,
 * `::ffff:10.0.0.1`), an IPv6 address by its /64 network (`2001:db8:1:2::/64`), since one
 * subscriber is given a whole /64 and may pick any address in it.
 */
export function addressKey(address: string): string {
  if (!ipaddr.isValid(address)) return address;
  const parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const v6 = parsed as ipaddr.IPv6;
  if (v6.isIPv4MappedAddress()) return v6.toIPv4Address().toString();
  return `${new ipaddr.IPv6([...v6.parts.slice(0, 4), 0, 0, 0, 0]).toString()}/64`;
}
