import type { SimClock } from '../clock.js';

export interface CallContext {
  /** Region the client signed for, taken from the Authorization header's credential scope. */
  region: string;
  accountId: string;
  clock: SimClock;
  /** `http://<Host header>`: how the caller reached the simulator, for URLs handed back to it. */
  endpoint: string;
}

export type Operation = (input: any, ctx: CallContext) => unknown | Promise<unknown>;

/** A JSON 1.1 service: requests carry `X-Amz-Target: <targetPrefix>.<Operation>`. */
export interface JsonService {
  /** IAM-style prefix used in call counts and fault selection, e.g. `ecs`. */
  name: string;
  targetPrefix: string;
  operations: Record<string, Operation>;
}

/** A REST-JSON route (EventBridge Scheduler speaks restJson1, not JSON 1.1). */
export interface RestRoute {
  service: string;
  operation: string;
  method: string;
  /** Path pattern with `{Name}` placeholders. */
  path: string;
  handler: (req: { params: Record<string, string>; query: URLSearchParams; body: any }, ctx: CallContext) => unknown | Promise<unknown>;
}

/** A REST route's output sent as is (e.g. blob bytes) instead of as JSON. */
export class RawBody {
  constructor(
    readonly bytes: Buffer,
    readonly contentType = 'application/octet-stream',
  ) {}
}
