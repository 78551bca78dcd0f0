import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isOk, readText, sendRequest } from './http-client.js';

let server: Server;
let base = '';
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/moved') {
      res.writeHead(302, { Location: '/file' });
      return res.end('elsewhere');
    }
    if (req.url === '/loop') {
      res.writeHead(302, { Location: '/loop' });
      return res.end();
    }
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end(`${req.method} ${req.url} ${body}`);
    });
  }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('sendRequest', () => {
  it('sends a body with its length and reads the answer', async () => {
    const response = await sendRequest(`${base}/api`, { method: 'POST', body: '[{"action":"x"}]' });
    expect(isOk(response)).toBe(true);
    expect(await readText(response)).toBe('POST /api [{"action":"x"}]');
  });

  it('follows the redirect of a GET (a signed URL elsewhere), a few times at most', async () => {
    const response = await sendRequest(`${base}/moved`);
    expect(response.status).toBe(200);
    expect(await readText(response)).toBe('GET /file ');
    const looping = await sendRequest(`${base}/loop`);
    looping.body.resume();
    expect(looping.status).toBe(302);
  });

  it('does not follow the redirect of a POST', async () => {
    const response = await sendRequest(`${base}/moved`, { method: 'POST', body: '[]' });
    expect(response.status).toBe(302);
    expect(await readText(response)).toBe('elsewhere');
  });

  it('rejects when the server cannot be reached', async () => {
    await expect(sendRequest('http://127.0.0.1:1/api')).rejects.toThrow(/ECONNREFUSED/);
  });
});
