import { AWS_QUOTA_GROUPS, TokenBucket, type BucketSpec } from '@gantry/aws';

/**
 * AWS's API rate quotas, as AWS applies them: `off` (the default for tests: never throttles) or `aws`.
 *
 * - Amazon ECS throttles "all API requests for each AWS account on a per-Region basis" with one token
 *   bucket per action category; a bucket holds at most its capacity (the burst) and "a set number of tokens
 *   is added back to it every second" (the sustained rate). A request with no token left fails with
 *   `ThrottlingException` "Rate exceeded".
 *   https://docs.aws.amazon.com/AmazonECS/latest/APIReference/request-throttling.html
 * - Amazon ECR publishes a per-second rate per action, per Region (BatchGetImage 2,000, GetDownloadUrlForLayer
 *   3,000, PutImage 10, ...). https://docs.aws.amazon.com/AmazonECR/latest/userguide/service-quotas.html
 *   Its throttling error is the common `ThrottlingException` ("The request was denied due to request
 *   throttling", HTTP 400). https://docs.aws.amazon.com/AmazonECR/latest/APIReference/CommonErrors.html
 *
 * Our choices where AWS is silent: an ECR bucket holds one second's worth of its rate; the ECR message is
 * "Rate exceeded" like ECS's; buckets run on real time (callers' request rates are real even when the
 * simulated clock runs faster); actions without a published quota are never throttled.
 */
export type QuotaModel = 'off' | 'aws';

export interface QuotaSettings {
  model: QuotaModel;
  /** Replaces the capacity or refill of some buckets by group id (e.g. `ecs:task-definition-read`), to rehearse pressure at small scale. */
  buckets?: Record<string, Partial<BucketSpec>>;
}

export const QUOTA_MODELS: readonly QuotaModel[] = ['off', 'aws'];

export class Quotas {
  private settings: QuotaSettings = { model: 'off' };
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly throttledCounts = new Map<string, number>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Sets the model; every bucket starts full again. */
  set(settings: QuotaSettings | QuotaModel): void {
    const next = typeof settings === 'string' ? { model: settings } : { ...settings };
    if (!QUOTA_MODELS.includes(next.model)) throw new Error(`quotas: model must be one of ${QUOTA_MODELS.join(', ')}, got '${String(next.model)}'`);
    for (const [id, spec] of Object.entries(next.buckets ?? {})) {
      if (!AWS_QUOTA_GROUPS.some((g) => g.id === id)) throw new Error(`quotas: unknown bucket '${id}'; known: ${AWS_QUOTA_GROUPS.map((g) => g.id).join(', ')}`);
      for (const [k, v] of Object.entries(spec ?? {})) {
        if (!['capacity', 'refillPerSecond'].includes(k) || typeof v !== 'number' || !(v > 0)) throw new Error(`quotas: bucket '${id}' field '${k}' must be capacity or refillPerSecond, a number > 0`);
      }
    }
    this.settings = next;
    this.buckets.clear();
    this.throttledCounts.clear();
  }

  get(): QuotaSettings & { throttled: Record<string, number> } {
    return { ...this.settings, throttled: Object.fromEntries([...this.throttledCounts].sort(([a], [b]) => a.localeCompare(b))) };
  }

  /** Whether the call may be served now; false means answer ThrottlingException. */
  admit(service: string, operation: string, accountId: string, region: string): boolean {
    if (this.settings.model === 'off') return true;
    const group = AWS_QUOTA_GROUPS.find((g) => g.service === service && g.actions.includes(operation));
    if (!group) return true;
    const key = `${accountId}/${region}/${group.id}`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      const spec = { capacity: group.capacity, refillPerSecond: group.refillPerSecond, ...this.settings.buckets?.[group.id] };
      bucket = new TokenBucket(spec, { now: this.now, refillEveryMs: 1000 });
      this.buckets.set(key, bucket);
    }
    if (bucket.tryTake()) return true;
    const name = `${service}:${operation}`;
    this.throttledCounts.set(name, (this.throttledCounts.get(name) ?? 0) + 1);
    return false;
  }
}
