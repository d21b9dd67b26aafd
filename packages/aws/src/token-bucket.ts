import type { BucketSpec } from './quotas.js';

export interface TokenBucketOptions {
  /** Milliseconds, monotonic. */
  now: () => number;
  /**
   * How refill arrives: 1000 adds `refillPerSecond` tokens at each whole second (as AWS describes its
   * buckets: "a set number of tokens is added back to it every second"); 0 refills continuously.
   */
  refillEveryMs?: number;
}

/** The token bucket algorithm: a request takes one token; tokens come back at a fixed rate up to the capacity. */
export class TokenBucket {
  private tokens: number;
  private credited: number;

  constructor(
    readonly spec: BucketSpec,
    private readonly options: TokenBucketOptions,
  ) {
    this.tokens = spec.capacity;
    this.credited = options.now();
  }

  /** Takes a token when one is there. */
  tryTake(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Empties the bucket: the next token comes at the refill rate. */
  drain(): void {
    this.refill();
    this.tokens = 0;
  }

  /** Milliseconds until a token is there (0 when one is now). */
  msUntilToken(): number {
    this.refill();
    if (this.tokens >= 1) return 0;
    const step = this.options.refillEveryMs ?? 0;
    const continuous = ((1 - this.tokens) / this.spec.refillPerSecond) * 1000;
    if (step <= 0) return continuous;
    return Math.max(1, this.credited + Math.ceil(continuous / step) * step - this.options.now());
  }

  private refill(): void {
    const now = this.options.now();
    const step = this.options.refillEveryMs ?? 0;
    const elapsed = step > 0 ? Math.floor((now - this.credited) / step) * step : now - this.credited;
    if (elapsed <= 0) return;
    this.tokens = Math.min(this.spec.capacity, this.tokens + (elapsed / 1000) * this.spec.refillPerSecond);
    this.credited += elapsed;
  }
}
