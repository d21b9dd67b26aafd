import WebSocket from 'ws';
import type { Clock, Logger } from '../runtime.js';

/** One check of the release from the outside, as its users reach it. */
export type SmokeTarget =
  | { kind: 'http'; url: string; status: number; body?: string; headers: Record<string, string> }
  | { kind: 'websocket'; url: string; message: string; body?: string; headers: Record<string, string> };

export interface SmokeCheckOptions {
  targets: SmokeTarget[];
  /** Keep retrying failed checks for this long before calling the release bad. */
  windowMs: number;
  /** Time between attempts. */
  intervalMs: number;
}

export interface SmokeResult {
  url: string;
  ok: boolean;
  /** What was expected and what came back, e.g. "expected status 200, got 502". */
  detail: string;
  /** The start of the response body or WebSocket reply (at most 300 characters). */
  excerpt?: string;
}

export interface SmokeOutcome {
  ok: boolean;
  attempts: number;
  /** The last attempt's result for every target. */
  results: SmokeResult[];
}

const ATTEMPT_TIMEOUT_MS = 10_000;
const EXCERPT = 300;

/** The scheme decides the kind of check: http(s) is a request, ws(s) a handshake plus one message round trip. */
export function smokeKind(url: string): SmokeTarget['kind'] | undefined {
  let scheme: string;
  try {
    scheme = new URL(url).protocol;
  } catch {
    return undefined;
  }
  if (scheme === 'http:' || scheme === 'https:') return 'http';
  if (scheme === 'ws:' || scheme === 'wss:') return 'websocket';
  return undefined;
}

/**
 * Runs every check until all pass in the same attempt, or the window closes. Each attempt is bounded by
 * a 10 s timeout so a hanging listener cannot hold the deployment past the window.
 */
export async function runSmokeChecks(options: SmokeCheckOptions, env: { clock: Clock; logger: Logger; signal?: AbortSignal }): Promise<SmokeOutcome> {
  const { clock, logger } = env;
  const deadline = clock.now() + options.windowMs;
  let attempts = 0;
  for (;;) {
    attempts++;
    const results = await Promise.all(options.targets.map((t) => checkOnce(t)));
    for (const r of results) logger.info(`[smoke] ${r.url}: ${r.ok ? 'ok' : 'FAILED'} — ${r.detail}`);
    if (results.every((r) => r.ok)) return { ok: true, attempts, results };
    if (env.signal?.aborted || clock.now() + options.intervalMs > deadline) return { ok: false, attempts, results };
    await clock.sleep(options.intervalMs, env.signal);
  }
}

export function checkOnce(target: SmokeTarget): Promise<SmokeResult> {
  return target.kind === 'http' ? checkHttp(target) : checkWebSocket(target);
}

async function checkHttp(t: Extract<SmokeTarget, { kind: 'http' }>): Promise<SmokeResult> {
  let response: Response;
  let text: string;
  try {
    response = await fetch(t.url, { headers: t.headers, redirect: 'manual', signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS) });
    text = await response.text();
  } catch (err) {
    return { url: t.url, ok: false, detail: `request failed: ${causeText(err)}` };
  }
  const excerpt = text.slice(0, EXCERPT);
  if (response.status !== t.status) return { url: t.url, ok: false, detail: `expected status ${t.status}, got ${response.status}`, excerpt };
  if (t.body !== undefined && !text.includes(t.body)) return { url: t.url, ok: false, detail: `status ${response.status}, but the body does not contain '${t.body}'`, excerpt };
  return { url: t.url, ok: true, detail: `status ${response.status}${t.body !== undefined ? `, body contains '${t.body}'` : ''}` };
}

function checkWebSocket(t: Extract<SmokeTarget, { kind: 'websocket' }>): Promise<SmokeResult> {
  return new Promise((resolve) => {
    let settled = false;
    const ws = new WebSocket(t.url, { headers: t.headers, handshakeTimeout: ATTEMPT_TIMEOUT_MS });
    const finish = (r: Omit<SmokeResult, 'url'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ws.removeAllListeners();
      ws.on('error', () => {});
      ws.terminate();
      resolve({ url: t.url, ...r });
    };
    const timer = setTimeout(() => finish({ ok: false, detail: `no reply to '${t.message}' within ${ATTEMPT_TIMEOUT_MS / 1000}s` }), ATTEMPT_TIMEOUT_MS);
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => finish({ ok: false, detail: `handshake refused with status ${res.statusCode}`, excerpt: body.slice(0, EXCERPT) }));
      res.on('error', () => finish({ ok: false, detail: `handshake refused with status ${res.statusCode}` }));
    });
    ws.on('error', (err) => finish({ ok: false, detail: `handshake failed: ${causeText(err)}` }));
    ws.on('close', (code) => finish({ ok: false, detail: `connection closed (code ${code}) before a reply to '${t.message}'` }));
    ws.on('open', () => ws.send(t.message));
    ws.on('message', (data) => {
      const reply = Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');
      if (t.body !== undefined && !reply.includes(t.body)) finish({ ok: false, detail: `the reply to '${t.message}' does not contain '${t.body}'`, excerpt: reply.slice(0, EXCERPT) });
      else finish({ ok: true, detail: `handshake and round trip ok${t.body !== undefined ? `, reply contains '${t.body}'` : ''}` });
    });
  });
}

/** "fetch failed (ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:8443)": undici hides the reason in `cause`. */
function causeText(err: unknown): string {
  // Duck-typed: errors from fetch may come from another realm, where instanceof Error is false.
  const e = err as { name?: string; message?: string; cause?: { code?: string; name?: string; message?: string; errors?: { message?: string }[] } } | undefined;
  if (!e || typeof e !== 'object') return String(err);
  if (e.name === 'TimeoutError') return `no response within ${ATTEMPT_TIMEOUT_MS / 1000}s`;
  const c = e.cause;
  const inner = c && typeof c === 'object' ? `${c.code ?? c.name ?? 'Error'}: ${c.message || c.errors?.map((x) => x.message).join('; ') || ''}` : '';
  return inner ? `${e.message} (${inner})` : (e.message ?? String(err));
}

/** Lines showing the failed checks and the responses they got, for the failure explanation. */
export function smokeFailureLines(outcome: SmokeOutcome): string[] {
  const lines = [`Smoke check failed after ${outcome.attempts} attempt(s):`];
  for (const r of outcome.results.filter((x) => !x.ok)) {
    lines.push(`  ${r.url}: ${r.detail}`);
    if (r.excerpt) lines.push(`    response: ${JSON.stringify(r.excerpt)}`);
  }
  return lines;
}
