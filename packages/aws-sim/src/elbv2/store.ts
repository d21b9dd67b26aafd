/**
 * What the rest of the simulator (ECS rolling, blue/green, linear and canary deployments) needs from
 * Elastic Load Balancing v2, in process. One `LoadBalancing` per region (createElbv2({ clock, accountId,
 * region }).store); the awsQuery API in ./service.ts is a view of the same state.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/Welcome.html
 */

/** Health check settings of a target group (CreateTargetGroup / ModifyTargetGroup). */
export interface HealthCheckSettings {
  enabled: boolean;
  protocol: string;
  /** "traffic-port" or a port number as text. */
  port: string;
  path?: string;
  intervalSeconds: number;
  timeoutSeconds: number;
  healthyThresholdCount: number;
  unhealthyThresholdCount: number;
  /** HTTP/HTTPS: success codes, "200", "200,202" or "200-299". */
  matcher?: { HttpCode?: string; GrpcCode?: string };
}

export type TargetType = 'instance' | 'ip' | 'lambda' | 'alb';

export interface TargetGroup {
  targetGroupArn: string;
  targetGroupName: string;
  protocol?: string;
  protocolVersion?: string;
  port?: number;
  vpcId?: string;
  targetType: TargetType;
  healthCheck: HealthCheckSettings;
  /** deregistration_delay.timeout_seconds (default 300). */
  deregistrationDelaySeconds: number;
  /** Load balancers whose listeners or rules forward to this group. */
  loadBalancerArns: string[];
  attributes: Map<string, string>;
  createdAt: number;
}

/** A forward action's target group and weight (0–999). */
export interface WeightedTargetGroup {
  targetGroupArn: string;
  weight: number;
}

/** A listener rule, or a listener's default action (isDefault, priority "default"; ruleArn = listener's default rule ARN). */
export interface ListenerRule {
  ruleArn: string;
  listenerArn: string;
  priority: string;
  isDefault: boolean;
  conditions: unknown[];
  actions: unknown[];
}

/** Target health as DescribeTargetHealth reports it. */
export type TargetHealthState = 'initial' | 'healthy' | 'unhealthy' | 'unused' | 'draining' | 'unavailable' | 'unhealthy.draining';

export interface TargetHealth {
  state: TargetHealthState;
  /** E.g. Elb.InitialHealthChecking, Target.ResponseCodeMismatch, Target.DeregistrationInProgress. */
  reason?: string;
  description?: string;
}

/**
 * What a registered target answers a health check, at the moment of the check:
 * an HTTP status code, `'timeout'` (no answer within the timeout) or `'refused'` (nothing listening).
 * Targets registered without a probe (plain RegisterTargets calls) answer 200.
 */
export type HealthProbeAnswer = number | 'timeout' | 'refused';
export type HealthProbe = () => HealthProbeAnswer;

export interface TargetRef {
  /** IP address (targetType ip) or instance ID. */
  id: string;
  port?: number;
  availabilityZone?: string;
}

export type TargetHealthListener = (targetGroupArn: string, target: TargetRef, health: TargetHealth, at: number) => void;

export interface LoadBalancing {
  targetGroup(arn: string): TargetGroup | undefined;
  /** Registers (or re-registers) a target; `probe` says what it answers health checks (default 200). */
  registerTarget(targetGroupArn: string, target: TargetRef, at: number, probe?: HealthProbe): void;
  /**
   * Deregisters a target: it drains for the group's deregistration delay, then is gone (unused /
   * Target.NotRegistered). Returns the draining time in ms (0 when the target was not registered).
   */
  deregisterTarget(targetGroupArn: string, targetId: string, at: number, port?: number): number;
  /** The target's health now; undefined when the group does not exist. A target never registered: unused/Target.NotRegistered. */
  targetHealth(targetGroupArn: string, targetId: string, port?: number): TargetHealth | undefined;
  /** Tells the group the target's answer may have changed (e.g. its task started or stopped serving). */
  probeChanged(targetGroupArn: string, targetId: string, at: number, port?: number): void;
  /** A listener rule by ARN, or a listener's default rule. */
  rule(ruleArn: string): ListenerRule | undefined;
  /** The weighted target groups of the rule's forward action (a single TargetGroupArn counts as weight 1). */
  forwardWeights(ruleArn: string): WeightedTargetGroup[];
  /** Replaces the rule's forward action's target group weights (as ModifyRule / ModifyListener would). */
  setForwardWeights(ruleArn: string, weights: WeightedTargetGroup[], at: number): void;
  /** Called on every target health state change. */
  onTargetHealthChange(listener: TargetHealthListener): void;
  /** Called when a target turns unhealthy (reason code e.g. Target.ResponseCodeMismatch). */
  onTargetUnhealthy(listener: (targetGroupArn: string, targetId: string, reason: string, at: number, port?: number) => void): void;
}
