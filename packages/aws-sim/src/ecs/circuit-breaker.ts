import { invalidParameter } from '../protocol/errors.js';

export type ThresholdType = 'COUNT' | 'BOUNDED_PERCENT' | 'UNBOUNDED_PERCENT';

export interface CircuitBreakerConfig {
  enable: boolean;
  rollback: boolean;
  resetOnHealthyTask?: boolean;
  thresholdConfiguration?: { type: ThresholdType; value: number };
}

/**
 * The number of failed tasks that trips the deployment circuit breaker.
 * - COUNT: `value` itself.
 * - BOUNDED_PERCENT (default, value 50): value% × desired count, clamped to [3, 200].
 * - UNBOUNDED_PERCENT: value% × desired count, no clamp.
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ThresholdConfiguration.html
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceDeploymentCircuitBreaker.html
 *   ("minimum threshold of 3 and a maximum threshold of 200 ... 0.5 * desired task count")
 * AWS does not say how a fractional product is rounded; we round up, and a percentage threshold is at
 * least 1 (README, "Not documented by AWS").
 */
export function failureThreshold(config: CircuitBreakerConfig | undefined, desiredCount: number): number {
  const type = config?.thresholdConfiguration?.type ?? 'BOUNDED_PERCENT';
  const value = config?.thresholdConfiguration?.value ?? 50;
  if (type === 'COUNT') return value;
  const raw = Math.max(1, Math.ceil((value * desiredCount) / 100));
  return type === 'UNBOUNDED_PERCENT' ? raw : Math.min(200, Math.max(3, raw));
}

export function validateCircuitBreaker(cb: any): CircuitBreakerConfig | undefined {
  if (cb === undefined || cb === null) return undefined;
  if (typeof cb.enable !== 'boolean' || typeof cb.rollback !== 'boolean') throw invalidParameter('deploymentCircuitBreaker requires both enable and rollback.');
  const t = cb.thresholdConfiguration;
  if (t !== undefined) {
    if (!['COUNT', 'BOUNDED_PERCENT', 'UNBOUNDED_PERCENT'].includes(t.type)) throw invalidParameter(`Invalid thresholdConfiguration type: ${t.type}. Valid values are COUNT, BOUNDED_PERCENT, UNBOUNDED_PERCENT.`);
    if (!Number.isInteger(t.value) || t.value < 1) throw invalidParameter('thresholdConfiguration value must be a positive integer.');
  }
  return { enable: cb.enable, rollback: cb.rollback, resetOnHealthyTask: cb.resetOnHealthyTask ?? true, thresholdConfiguration: t ? { type: t.type, value: t.value } : undefined };
}
