import { quotaGroupOf, type QuotaGroup } from './quotas.js';
import { TokenBucket } from './token-bucket.js';

export interface QuotaPacerOptions {
  /** The part of each AWS bucket (burst and refill) this process may use, 0 < share ≤ 1. */
  share: number;
  /** Milliseconds, monotonic. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  groups?: readonly QuotaGroup[];
}

export interface QuotaGroupUse {
  group: string;
  calls: number;
  waitedMs: number;
  throttled: number;
}

export interface QuotaUse {
  share: number;
  /** Total time calls spent waiting for a token of their own bucket (summed over concurrent calls). */
  waitedMs: number;
  /** Calls AWS answered with a throttling error (each was retried by the SDK). */
  throttled: number;
  groups: QuotaGroupUse[];
}

/** Error codes AWS uses for "slow down". */
const THROTTLING = new Set(['ThrottlingException', 'Throttling', 'TooManyRequestsException', 'RequestLimitExceeded', 'ThrottledException']);

export function isThrottlingError(err: unknown): boolean {
  const e = err as { name?: string; $retryable?: { throttling?: boolean } } | undefined;
  return !!e && (THROTTLING.has(e.name ?? '') || e.$retryable?.throttling === true);
}

interface PacedGroup {
  group: QuotaGroup;
  bucket: TokenBucket;
  /** Calls wait their turn in order. */
  queue: Promise<void>;
  use: QuotaGroupUse;
  /** 1 normally; halves on each throttle (others are using the bucket too) and recovers slowly. */
  factor: number;
  successes: number;
}

/**
 * Keeps one process's AWS calls below `share` of each published bucket (see quotas.ts), so the rest stays
 * for everything else in the account: deploys, the console, other tools. A throttle means others are using
 * more than their part right now: the group's pace halves (down to 1/16) and recovers by 10 % for every 20
 * calls that pass. The SDK still retries the throttled call itself.
 */
export class QuotaPacer {
  private readonly groups = new Map<string, PacedGroup>();
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: QuotaPacerOptions) {
    if (!(options.share > 0 && options.share <= 1)) throw new RangeError(`quota share must be more than 0 and at most 1, got ${options.share}`);
    this.now = options.now ?? (() => performance.now());
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  /** Waits until `service:action` may be called, then counts the call. Actions without a published quota pass at once. */
  async take(service: string, action: string): Promise<void> {
    const paced = this.paced(service, action);
    if (!paced) return;
    paced.use.calls++;
    const queued = this.now();
    const turn = paced.queue.then(async () => {
      for (let wait = paced.bucket.msUntilToken(); wait > 0; wait = paced.bucket.msUntilToken()) await this.sleep(wait);
      paced.bucket.tryTake();
    });
    paced.queue = turn;
    await turn;
    // Time queued behind earlier calls of the same group counts as waiting for quota too.
    paced.use.waitedMs += this.now() - queued;
  }

  throttled(service: string, action: string): void {
    const paced = this.paced(service, action);
    if (!paced) return;
    paced.use.throttled++;
    paced.successes = 0;
    if (paced.factor > 1 / 16) this.rescale(paced, paced.factor / 2);
  }

  succeeded(service: string, action: string): void {
    const paced = this.paced(service, action);
    if (!paced || paced.factor >= 1) return;
    if (++paced.successes >= 20) {
      paced.successes = 0;
      this.rescale(paced, Math.min(1, paced.factor * 1.1));
    }
  }

  use(): QuotaUse {
    const groups = [...this.groups.values()].map((g) => ({ ...g.use, waitedMs: Math.round(g.use.waitedMs) }));
    return {
      share: this.options.share,
      waitedMs: groups.reduce((n, g) => n + g.waitedMs, 0),
      throttled: groups.reduce((n, g) => n + g.throttled, 0),
      groups: groups.sort((a, b) => a.group.localeCompare(b.group)),
    };
  }

  /**
   * Paces every call `client` sends. The middleware sits inside the SDK's retry loop, so each attempt
   * takes a token, as each attempt takes one of AWS's.
   */
  attach<C extends { middlewareStack: { add: (...args: any[]) => void } }>(client: C, service: string): C {
    client.middlewareStack.add(
      (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
        const action = (context.commandName ?? '').replace(/Command$/, '');
        await this.take(service, action);
        try {
          const out = await next(args);
          this.succeeded(service, action);
          return out;
        } catch (err) {
          if (isThrottlingError(err)) this.throttled(service, action);
          throw err;
        }
      },
      { step: 'finalizeRequest', priority: 'low', name: 'gantryQuotaPacer' },
    );
    return client;
  }

  private paced(service: string, action: string): PacedGroup | undefined {
    const group = this.options.groups ? this.options.groups.find((g) => g.service === service && g.actions.includes(action)) : quotaGroupOf(service, action);
    if (!group) return undefined;
    let paced = this.groups.get(group.id);
    if (!paced) {
      paced = {
        group,
        bucket: this.bucketFor(group, 1),
        queue: Promise.resolve(),
        use: { group: group.id, calls: 0, waitedMs: 0, throttled: 0 },
        factor: 1,
        successes: 0,
      };
      this.groups.set(group.id, paced);
    }
    return paced;
  }

  private rescale(paced: PacedGroup, factor: number): void {
    paced.factor = factor;
    paced.bucket = this.bucketFor(paced.group, factor);
    // A fresh bucket starts full; after a throttle start it empty instead, so the slowdown takes effect at once.
    paced.bucket.drain();
  }

  private bucketFor(group: QuotaGroup, factor: number): TokenBucket {
    const share = this.options.share * factor;
    return new TokenBucket({ capacity: Math.max(1, Math.floor(group.capacity * share)), refillPerSecond: group.refillPerSecond * share }, { now: this.now });
  }
}

