/**
 * GET /api/site: the public base every link and QR code the client hands out is built on
 * (PUBLIC_URL when set, else the host the request came to), the same base the create route uses.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../support/server.js';
import { createLecture, http } from '../support/clients.js';

/** GET /api/site with the Host header given (node:http: fetch always sends the Host of its URL). */
function siteAs(server: TestServer, host: string): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path: '/api/site', headers: { host } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve(text));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('GET /api/site', () => {
  describe('without PUBLIC_URL', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startServer();
    });
    afterAll(async () => {
      await server?.close();
    });

    it('names the host the request came to, as the create route does', async () => {
      const res = await http(server.url, 'GET', '/api/site');
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ publicUrl: server.url });
      const created = await createLecture(server.url);
      expect(created.studentUrl).toBe(`${res.json.publicUrl}/lecture/${created.id}`);
    });

    it('follows the Host header a phone used (localhost here, the LAN address there)', async () => {
      expect(JSON.parse(await siteAs(server, `localhost:${server.port}`))).toEqual({ publicUrl: `http://localhost:${server.port}` });
    });
  });

  describe('without PUBLIC_URL, listening on every interface (main.ts gives the LAN address as lanUrl)', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startServer({ app: { lanUrl: 'http://192.168.1.20:3000' } });
    });
    afterAll(async () => {
      await server?.close();
    });

    it('hands a console opened at localhost the address phones reach, and anyone else the host they used', async () => {
      for (const host of [`localhost:${server.port}`, `127.0.0.1:${server.port}`, `[::1]:${server.port}`]) {
        expect(JSON.parse(await siteAs(server, host)), host).toEqual({ publicUrl: 'http://192.168.1.20:3000' });
      }
      expect(JSON.parse(await siteAs(server, 'lecture-hall.example:3000'))).toEqual({ publicUrl: 'http://lecture-hall.example:3000' });
      const created = await createLecture(server.url);
      expect(created.studentUrl).toBe(`http://192.168.1.20:3000/lecture/${created.id}`);
    });
  });

  describe('with PUBLIC_URL', () => {
    let server: TestServer;
    beforeAll(async () => {
      // A trailing slash, as people write it: the base is given without it.
      server = await startServer({ app: { publicUrl: 'http://class.example:8080/' } });
    });
    afterAll(async () => {
      await server?.close();
    });

    it('gives PUBLIC_URL whatever host the request names', async () => {
      const res = await http(server.url, 'GET', '/api/site');
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ publicUrl: 'http://class.example:8080' });
      const created = await createLecture(server.url);
      expect(created.instructorUrl.startsWith('http://class.example:8080/lecture/')).toBe(true);
    });
  });
});
