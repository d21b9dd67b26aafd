import type { SimClock } from '../clock.js';
import type { HealthCheckSettings, HealthProbe, HealthProbeAnswer, TargetHealth, TargetRef } from './store.js';

/**
 * Reason codes and descriptions DescribeTargetHealth reports.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetHealth.html
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html#target-health-states
 */
export const HEALTH = {
  registering: { state: 'initial', reason: 'Elb.RegistrationInProgress', description: 'Target registration is in progress' },
  initialChecking: { state: 'initial', reason: 'Elb.InitialHealthChecking', description: 'Initial health checks in progress' },
  healthy: { state: 'healthy' },
  timeout: { state: 'unhealthy', reason: 'Target.Timeout', description: 'Request timed out' },
  failed: { state: 'unhealthy', reason: 'Target.FailedHealthChecks', description: 'Health checks failed' },
  notRegistered: { state: 'unused', reason: 'Target.NotRegistered', description: 'Target is not registered to the target group' },
  notInUse: { state: 'unused', reason: 'Target.NotInUse', description: 'Target group is not configured to receive traffic from the load balancer' },
  draining: { state: 'draining', reason: 'Target.DeregistrationInProgress', description: 'Target deregistration is in progress' },
  disabled: { state: 'unavailable', reason: 'Target.HealthCheckDisabled', description: 'Health checks are disabled' },
} as const satisfies Record<string, TargetHealth>;

export const codeMismatch = (code: number): TargetHealth => ({ state: 'unhealthy', reason: 'Target.ResponseCodeMismatch', description: `Health checks failed with these codes: [${code}]` });

/** Whether an HTTP status matches a matcher such as "200", "200,202" or "200-299". */
export function matches(matcher: string, code: number): boolean {
  return matcher.split(',').some((part) => {
    const [lo, hi] = part.trim().split('-').map(Number);
    return hi === undefined ? code === lo : code >= lo! && code <= hi;
  });
}

/** The outcome of one health check: undefined when it passed, else the unhealthy state it points to. */
export function judge(answer: HealthProbeAnswer, hc: HealthCheckSettings): TargetHealth | undefined {
  if (answer === 'timeout') return HEALTH.timeout;
  if (answer === 'refused') return HEALTH.failed;
  // TCP checks only need the connection; HTTP(S) checks compare the status with the matcher.
  if (hc.protocol !== 'HTTP' && hc.protocol !== 'HTTPS') return undefined;
  return matches(hc.matcher?.HttpCode ?? '200', answer) ? undefined : codeMismatch(answer);
}

/** One registered target and the run of health checks it has answered. */
export interface RegisteredTarget {
  ref: TargetRef;
  probe?: HealthProbe;
  registeredAt: number;
  health: TargetHealth;
  passes: number;
  failures: number;
  /** A check timer is pending (at most one per target). */
  checking: boolean;
  /** Set when deregistered: the target drains until then, then leaves the group. */
  drainingUntil?: number;
  /** Bumped on every (re)registration, so timers of an earlier registration do nothing. */
  generation: number;
}

/**
 * Health checks on the simulated clock, every HealthCheckIntervalSeconds from registration. Our choices
 * where AWS is silent (README): the first check runs one interval after registration (until then the
 * target is `initial` / Elb.RegistrationInProgress); a new target turns healthy on its first passing check
 * ("After your target is registered, it must pass one health check to be considered healthy") and
 * unhealthy after UnhealthyThresholdCount failures in a row; an unhealthy target needs
 * HealthyThresholdCount passes in a row. Checks stop while the outcome cannot change (a healthy target
 * that keeps passing, an unhealthy one that keeps failing) and resume when the target's answer may have
 * changed (`recheck`), so idle targets cost no timers.
 */
export class HealthChecker {
  constructor(
    private readonly clock: SimClock,
    private readonly settings: () => HealthCheckSettings,
    private readonly inUse: () => boolean,
    private readonly changed: (target: RegisteredTarget, previous: TargetHealth, at: number) => void,
  ) {}

  /** Schedules the next check on the target's grid (registration + k × interval), unless one is pending. */
  recheck(target: RegisteredTarget, at: number): void {
    if (target.checking || target.drainingUntil !== undefined) return;
    const hc = this.settings();
    if (!hc.enabled || !this.inUse()) return;
    const interval = hc.intervalSeconds * 1000;
    const k = Math.max(1, Math.floor((at - target.registeredAt) / interval) + 1);
    const when = target.registeredAt + k * interval;
    const generation = target.generation;
    target.checking = true;
    this.clock.at(when, (t) => {
      if (target.generation !== generation) return;
      target.checking = false;
      this.check(target, t);
    });
  }

  private check(target: RegisteredTarget, at: number): void {
    if (target.drainingUntil !== undefined) return;
    const hc = this.settings();
    if (!hc.enabled || !this.inUse()) return;
    const failure = judge(target.probe ? target.probe() : 200, hc);
    const previous = target.health;
    if (failure) {
      target.failures++;
      target.passes = 0;
      if (previous.state === 'unhealthy' || target.failures >= hc.unhealthyThresholdCount) target.health = failure;
      else if (previous.state === 'initial') target.health = HEALTH.initialChecking;
    } else {
      target.passes++;
      target.failures = 0;
      if (previous.state === 'initial' || (previous.state === 'unhealthy' && target.passes >= hc.healthyThresholdCount)) target.health = HEALTH.healthy;
    }
    if (target.health !== previous && (target.health.state !== previous.state || target.health.description !== previous.description)) this.changed(target, previous, at);
    const settled = (target.health.state === 'healthy' && !failure) || (target.health.state === 'unhealthy' && failure);
    if (!settled) this.recheck(target, at);
  }
}
