import { afterEach, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { runSmokeChecks, smokeFailureLines, smokeKind, type SmokeTarget } from '../src/service/smoke.js';
import { systemClock } from '../src/runtime.js';
import { memoryLogger } from './helpers.js';

// Real local HTTP and WebSocket servers on 127.0.0.1, no mocks.
const servers: { close(): void }[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) s.close();
});

async function httpServer(handler: Parameters<typeof createServer>[1]): Promise<{ url: string; server: Server }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push({ close: () => { server.closeAllConnections(); server.close(); } });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

async function wsServer(onMessage: (text: string, reply: (t: string) => void, close: () => void) => void, verify?: (headers: Record<string, unknown>) => boolean): Promise<string> {
  const http = createServer();
  const wss = new WebSocketServer({ noServer: true });
  http.on('upgrade', (req, socket, head) => {
    if (verify && !verify(req.headers)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 12\r\nConnection: close\r\n\r\nunauthorized');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => ws.on('message', (d) => onMessage(d.toString(), (t) => ws.send(t), () => ws.close(1011))));
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  servers.push({ close: () => { for (const c of wss.clients) c.terminate(); wss.close(); http.closeAllConnections(); http.close(); } });
  return `ws://127.0.0.1:${(http.address() as AddressInfo).port}/app`;
}

const http = (url: string, over: Partial<Extract<SmokeTarget, { kind: 'http' }>> = {}): SmokeTarget => ({ kind: 'http', url, status: 200, headers: {}, ...over });
const ws = (url: string, over: Partial<Extract<SmokeTarget, { kind: 'websocket' }>> = {}): SmokeTarget => ({ kind: 'websocket', url, message: 'ping', headers: {}, ...over });
const run = (targets: SmokeTarget[], windowMs = 0) => runSmokeChecks({ targets, windowMs, intervalMs: 50 }, { clock: systemClock, logger: memoryLogger() });

describe('smoke checks against real servers', () => {
  it('passes an HTTP check with the expected status, body text and headers sent', async () => {
    const { url } = await httpServer((req, res) => {
      res.writeHead(req.headers['x-smoke'] === 'yes, "quoted" = ünïcode' ? 200 : 403).end('status: ok');
    });
    const out = await run([http(`${url}/health`, { body: 'ok', headers: { 'X-Smoke': 'yes, "quoted" = ünïcode' } })]);
    expect(out).toMatchObject({ ok: true, attempts: 1 });
  });

  it('fails on the wrong status and shows the response', async () => {
    const { url } = await httpServer((_req, res) => res.writeHead(502).end('<h1>502 Bad Gateway</h1>'));
    const out = await run([http(`${url}/health`)]);
    expect(out.ok).toBe(false);
    expect(out.results[0]).toMatchObject({ ok: false, detail: 'expected status 200, got 502', excerpt: '<h1>502 Bad Gateway</h1>' });
    expect(smokeFailureLines(out).join('\n')).toContain('response: "<h1>502 Bad Gateway</h1>"');
  });

  it('fails when the body lacks the expected text', async () => {
    const { url } = await httpServer((_req, res) => res.writeHead(200).end('maintenance'));
    const out = await run([http(url, { body: 'ok' })]);
    expect(out.results[0]!.detail).toBe("status 200, but the body does not contain 'ok'");
  });

  it('retries within the window until the release answers', async () => {
    let calls = 0;
    const { url } = await httpServer((_req, res) => res.writeHead(++calls < 3 ? 503 : 200).end());
    const out = await run([http(url)], 5000);
    expect(out).toMatchObject({ ok: true, attempts: 3 });
  });

  it('reports a refused connection', async () => {
    const { url, server } = await httpServer((_req, res) => res.end());
    await new Promise((r) => server.close(r));
    const out = await run([http(url)]);
    expect(out.results[0]!.detail).toMatch(/^request failed: .*ECONNREFUSED/);
  });

  it('passes a WebSocket handshake and one message round trip', async () => {
    const url = await wsServer((text, reply) => reply(`pong: ${text}`));
    const out = await run([ws(url, { body: 'pong' })]);
    expect(out).toMatchObject({ ok: true });
    expect(out.results[0]!.detail).toBe("handshake and round trip ok, reply contains 'pong'");
  });

  it('fails a WebSocket whose reply lacks the text, or that closes without a reply', async () => {
    const wrong = await wsServer((_t, reply) => reply('error: not ready'));
    const closing = await wsServer((_t, _reply, close) => close());
    const out = await run([ws(wrong, { body: 'pong' }), ws(closing)]);
    expect(out.ok).toBe(false);
    expect(out.results[0]).toMatchObject({ detail: "the reply to 'ping' does not contain 'pong'", excerpt: 'error: not ready' });
    expect(out.results[1]!.detail).toMatch(/^connection closed \(code 1011\) before a reply to 'ping'/);
  });

  it('fails a refused WebSocket handshake and shows the response', async () => {
    const url = await wsServer((text, reply) => reply(text), (h) => h.authorization === 'Bearer s3cr=t');
    expect((await run([ws(url, { headers: { Authorization: 'Bearer s3cr=t' } })])).ok).toBe(true);
    const out = await run([ws(url)]);
    expect(out.results[0]).toMatchObject({ ok: false, detail: 'handshake refused with status 401', excerpt: 'unauthorized' });
  });

  it('tells the kind of check from the URL scheme', () => {
    expect(['http://a', 'https://a/b?c=1,2', 'ws://a', 'wss://a:8443/x', 'ftp://a', 'not a url', 'test.example.com/health'].map(smokeKind)).toEqual([
      'http', 'http', 'websocket', 'websocket', undefined, undefined, undefined,
    ]);
  });
});
