/**
 * The address phones in the room can reach this server at, for an instructor who opened the
 * console at http://localhost:3000 and has not set PUBLIC_URL: a link or QR code on `localhost`
 * opens nothing on a phone. Only when the server listens on every interface (HOST 0.0.0.0 or ::).
 */
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';

const WILDCARD_HOSTS: ReadonlySet<string> = new Set(['0.0.0.0', '::', '']);

/** 10/8, 172.16/12, 192.168/16: the addresses of a classroom's network. */
function isPrivateIPv4(address: string): boolean {
  const [a, b] = address.split('.').map(Number);
  return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
}

/**
 * `http://<this machine's LAN IPv4>:<port>`, or undefined when the server does not listen on
 * every interface or the machine has no such address. A private address is preferred.
 */
export function lanBase(host: string, port: number, interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces()): string | undefined {
  if (!WILDCARD_HOSTS.has(host)) return undefined;
  const addresses = Object.values(interfaces)
    .flatMap((list) => list ?? [])
    .filter((i) => i.family === 'IPv4' && !i.internal)
    .map((i) => i.address);
  const chosen = addresses.find(isPrivateIPv4) ?? addresses[0];
  return chosen === undefined ? undefined : `http://${chosen}:${port}`;
}
