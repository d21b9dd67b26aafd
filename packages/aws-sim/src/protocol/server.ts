import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { AwsError } from './errors.js';
import { Faults } from './faults.js';
import { toWire } from './json.js';
import { parseQuery, QUERY_PREFIX, queryError, queryNamespace, queryResponse } from './query.js';
import { RawBody, type CallContext, type JsonService, type RestRoute } from './types.js';
import type { SimClock } from '../clock.js';

export type ControlHandler = (body: any) => unknown | Promise<unknown>;

export interface ProtocolServerOptions {
  services: JsonService[];
  restRoutes?: RestRoute[];
  control?: Record<string, ControlHandler>;
  clock: SimClock;
  accountId: string;
  defaultRegion: string;
}

/**
 * One HTTP server for every simulated service. JSON 1.1 services are told apart by the
 * `X-Amz-Target` header, REST-JSON ones by method and path, and `/_sim/*` is the control API.
 * Signatures are not checked: any credentials work, as with other local AWS emulators.
 */
export class ProtocolServer {
  readonly faults = new Faults();
  private readonly counts = new Map<string, number>();
  private readonly byTarget = new Map<string, JsonService>();
  private server?: Server;

  constructor(private readonly options: ProtocolServerOptions) {
    for (const s of options.services) this.byTarget.set(s.targetPrefix, s);
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<number> {
    this.server = createServer((req, res) => void this.handle(req, res));
    // Keep-alive sockets must not hold the process open after stop().
    this.server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, resolve);
    });
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  callCounts(): Record<string, number> {
    return Object.fromEntries([...this.counts].sort(([a], [b]) => a.localeCompare(b)));
  }

  resetCallCounts(): void {
    this.counts.clear();
  }

  private count(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  /**
   * The region is the one the request was signed for: the SigV4 credential scope
   * (`Credential=<key>/<date>/<region>/<service>/aws4_request`) of the Authorization header, or of the
   * `X-Amz-Credential` query parameter of a pre-signed URL; unsigned requests get the default region.
   * https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
   */
  private context(req: IncomingMessage): CallContext {
    const auth = String(req.headers.authorization ?? '');
    const presigned = new URL(req.url ?? '/', 'http://localhost').searchParams.get('X-Amz-Credential') ?? '';
    const region = /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(auth)?.[1] ?? /^[^/]+\/\d{8}\/([^/]+)\//.exec(presigned)?.[1] ?? this.options.defaultRegion;
    return { region, accountId: this.options.accountId, clock: this.options.clock, endpoint: `http://${req.headers.host ?? '127.0.0.1'}` };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://localhost');
    try {
      // A part's REST route may live under /_sim/ too (memory-mode ECR blob downloads); control ops are the rest.
      const route = this.matchRoute(req.method ?? 'GET', url.pathname);
      if (url.pathname.startsWith('/_sim/') && !route) return await this.handleControl(url.pathname.slice(6), body, res);
      const target = req.headers['x-amz-target'];
      if (typeof target === 'string') return await this.handleJson(target, body, req, res);
      if (req.method === 'POST' && String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) return await this.handleQuery(body, req, res);
      if (route) return await this.handleRest(route.route, route.params, url.searchParams, body, req, res);
      sendJson(res, 404, { __type: 'UnknownOperationException', message: `No operation at ${req.method} ${url.pathname}` }, 'UnknownOperationException');
    } catch (err) {
      sendJson(res, 500, { __type: 'InternalFailure', message: (err as Error).message }, 'InternalFailure');
    }
  }

  private async handleControl(op: string, body: string, res: ServerResponse): Promise<void> {
    const handler = this.options.control?.[op];
    if (!handler) return sendJson(res, 404, { error: `unknown control operation '${op}'`, operations: Object.keys(this.options.control ?? {}) });
    let input: unknown;
    try {
      input = body ? JSON.parse(body) : {};
    } catch {
      return sendJson(res, 400, { error: `${op}: the request body is not valid JSON (send a JSON object, e.g. {})` });
    }
    try {
      const result = await handler(input);
      sendJson(res, 200, toWire(result ?? {}));
    } catch (err) {
      sendJson(res, 400, { error: (err as Error).message });
    }
  }

  /** Applies latency and fault injection; returns false when the call must not be served. */
  private async injectFaults(service: string, operation: string, req: IncomingMessage, res: ServerResponse, rest: boolean | 'query'): Promise<boolean> {
    const latency = this.faults.latencyMs();
    if (latency > 0) await new Promise((r) => setTimeout(r, latency));
    const fault = this.faults.decide(service, operation);
    if (fault.kind === 'drop') {
      req.socket.destroy();
      return false;
    }
    if (fault.kind === 'throttle') {
      // The SDK treats ThrottlingException as a throttling error and retries it with backoff.
      sendError(res, new AwsError('ThrottlingException', 'Rate exceeded'), rest);
      return false;
    }
    if (fault.kind === 'deny') {
      // The wording AWS uses for an action no policy allows.
      // https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
      const message = `User: arn:aws:sts::${this.options.accountId}:assumed-role/gantry-sim/session is not authorized to perform: ${service}:${operation} because no identity-based policy allows the ${service}:${operation} action`;
      sendError(res, new AwsError('AccessDeniedException', message), rest);
      return false;
    }
    if (fault.kind === 'error') {
      sendError(res, new AwsError('InternalFailure', 'The request processing has failed because of an unknown error.', 500), rest);
      return false;
    }
    return true;
  }

  private async handleJson(target: string, body: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const dot = target.lastIndexOf('.');
    const service = this.byTarget.get(target.slice(0, dot));
    const operationName = target.slice(dot + 1);
    const operation = service?.operations[operationName];
    if (!service || !operation) {
      return sendError(res, new AwsError('UnknownOperationException', `The simulator does not implement ${target}`), false);
    }
    this.count(`${service.name}:${operationName}`);
    if (!(await this.injectFaults(service.name, operationName, req, res, false))) return;
    let input: unknown;
    try {
      input = body ? JSON.parse(body) : {};
    } catch {
      return sendError(res, new AwsError('SerializationException', 'Request body is not valid JSON'), false);
    }
    try {
      const output = await operation(input, this.context(req));
      sendJson(res, 200, toWire(output ?? {}));
    } catch (err) {
      if (err instanceof AwsError) return sendError(res, err, false);
      throw err;
    }
  }

  /**
   * awsQuery (Elastic Load Balancing v2): the service is the one registered with target prefix
   * `awsQuery:<Version>` (see protocol/query.ts), the operation is the `Action` field.
   */
  private async handleQuery(body: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { action, version, params } = parseQuery(body);
    const service = this.byTarget.get(`${QUERY_PREFIX}${version}`);
    const namespace = queryNamespace(version);
    const operation = action ? service?.operations[action] : undefined;
    if (!service || !operation || !action) {
      return sendXml(res, 400, queryError(new AwsError('InvalidAction', `The simulator does not implement Action ${action} for Version ${version}`), namespace));
    }
    this.count(`${service.name}:${action}`);
    if (!(await this.injectFaults(service.name, action, req, res, 'query'))) return;
    try {
      const output = await operation(params, this.context(req));
      sendXml(res, 200, queryResponse(action, namespace, output));
    } catch (err) {
      if (err instanceof AwsError) return sendXml(res, err.status, queryError(err, namespace));
      throw err;
    }
  }

  private matchRoute(method: string, path: string): { route: RestRoute; params: Record<string, string> } | undefined {
    for (const route of this.options.restRoutes ?? []) {
      if (route.method !== method) continue;
      const names: string[] = [];
      const pattern = new RegExp(`^${route.path.replace(/\{(\w+)\}/g, (_, n: string) => (names.push(n), '([^/]+)'))}$`);
      const m = pattern.exec(path);
      if (m) return { route, params: Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1]!)])) };
    }
    return undefined;
  }

  private async handleRest(route: RestRoute, params: Record<string, string>, query: URLSearchParams, body: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.count(`${route.service}:${route.operation}`);
    if (!(await this.injectFaults(route.service, route.operation, req, res, true))) return;
    try {
      const output = await route.handler({ params, query, body: body ? JSON.parse(body) : {} }, this.context(req));
      if (output instanceof RawBody) {
        res.writeHead(200, { 'content-type': output.contentType, 'content-length': output.bytes.length });
        return void res.end(output.bytes);
      }
      sendJson(res, 200, toWire(output ?? {}));
    } catch (err) {
      if (err instanceof AwsError) return sendError(res, err, true);
      throw err;
    }
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendXml(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(text), 'x-amzn-requestid': randomUUID() });
  res.end(text);
}

function sendJson(res: ServerResponse, status: number, body: unknown, errorType?: string): void {
  const text = JSON.stringify(body);
  const headers: Record<string, string | number> = {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
  };
  if (errorType) headers['x-amzn-errortype'] = errorType;
  res.writeHead(status, headers);
  res.end(text);
}

/** JSON 1.1 puts the code in `__type`; restJson1 in the `x-amzn-ErrorType` header with `Message`. */
function sendError(res: ServerResponse, err: AwsError, rest: boolean | 'query'): void {
  if (rest === 'query') return sendXml(res, err.status, queryError(err, ''));
  const body = rest ? { Message: err.message, ...err.fields } : { __type: err.code, message: err.message, ...err.fields };
  sendJson(res, err.status, body, err.code);
}
