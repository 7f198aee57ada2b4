/**
 * GET /api/site: the public base every link and QR code the client hands out is built on
 * (PUBLIC_URL when set, else the host the request came to), the same base the create route uses.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../support/server.js';
import { createLecture, http } from '../support/clients.js';

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
      // node:http, not fetch: fetch always sends the Host of the URL it was given.
      const body = await new Promise<string>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: server.port, path: '/api/site', headers: { host: `localhost:${server.port}` } }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve(text));
        });
        req.on('error', reject);
        req.end();
      });
      expect(JSON.parse(body)).toEqual({ publicUrl: `http://localhost:${server.port}` });
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
