import { invalidParameter } from '../../protocol/errors.js';

/**
 * ECS-native deployment strategies (deploymentController ECS + deploymentConfiguration.strategy) and
 * their configuration, validated as the API reference documents them.
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentConfiguration.html
 * Error texts AWS does not publish are worded by us after the ECS style (README, "our choices").
 */
export type Strategy = 'ROLLING' | 'BLUE_GREEN' | 'LINEAR' | 'CANARY';
export const STRATEGIES: readonly Strategy[] = ['ROLLING', 'BLUE_GREEN', 'LINEAR', 'CANARY'];

/** Every stage a service deployment of these strategies reports in `lifecycleStage`, in order.
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceDeployment.html (lifecycleStage) */
export type LifecycleStage =
  | 'RECONCILE_SERVICE'
  | 'PRE_SCALE_UP'
  | 'SCALE_UP'
  | 'POST_SCALE_UP'
  | 'TEST_TRAFFIC_SHIFT'
  | 'POST_TEST_TRAFFIC_SHIFT'
  | 'PRE_PRODUCTION_TRAFFIC_SHIFT'
  | 'PRODUCTION_TRAFFIC_SHIFT'
  | 'POST_PRODUCTION_TRAFFIC_SHIFT'
  | 'BAKE_TIME'
  | 'CLEAN_UP';

/** Stages a lifecycle hook may name; PAUSE hooks not at the two traffic-shift stages.
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentLifecycleHook.html */
export const HOOK_STAGES: readonly LifecycleStage[] = [
  'RECONCILE_SERVICE',
  'PRE_SCALE_UP',
  'POST_SCALE_UP',
  'TEST_TRAFFIC_SHIFT',
  'POST_TEST_TRAFFIC_SHIFT',
  'PRE_PRODUCTION_TRAFFIC_SHIFT',
  'PRODUCTION_TRAFFIC_SHIFT',
  'POST_PRODUCTION_TRAFFIC_SHIFT',
];
const NO_PAUSE_STAGES: readonly LifecycleStage[] = ['TEST_TRAFFIC_SHIFT', 'PRODUCTION_TRAFFIC_SHIFT'];

export type HookAction = 'CONTINUE' | 'ROLLBACK';
export interface LifecycleHook {
  targetType: 'AWS_LAMBDA' | 'PAUSE';
  hookTargetArn?: string;
  roleArn?: string;
  lifecycleStages: LifecycleStage[];
  hookDetails?: unknown;
  timeoutConfiguration: { timeoutInMinutes: number; action: HookAction };
}

export interface StrategyConfig {
  strategy: Strategy;
  bakeTimeInMinutes: number;
  linear?: { stepPercent: number; stepBakeTimeInMinutes: number };
  canary?: { canaryPercent: number; canaryBakeTimeInMinutes: number };
  hooks: LifecycleHook[];
}

const MAX_MINUTES = 1440;

/** A multiple of 0.1 within [min, max] (LinearConfiguration.stepPercent, CanaryConfiguration.canaryPercent). */
function percent(value: unknown, min: number, max: number, field: string): number {
  const ok = typeof value === 'number' && Number.isFinite(value) && value >= min - 1e-9 && value <= max + 1e-9 && Math.abs(value * 10 - Math.round(value * 10)) < 1e-6;
  if (!ok) throw invalidParameter(`${field} must be a multiple of 0.1 from ${min.toFixed(1)} to ${max.toFixed(1)} (got ${JSON.stringify(value)}).`);
  return Math.round((value as number) * 10) / 10;
}

function minutes(value: unknown, field: string, min = 0): number {
  if (!Number.isInteger(value) || (value as number) < min || (value as number) > MAX_MINUTES) throw invalidParameter(`${field} must be a whole number of minutes from ${min} to ${MAX_MINUTES} (got ${JSON.stringify(value)}).`);
  return value as number;
}

/**
 * Validates the strategy part of a (merged) deploymentConfiguration and fills the documented defaults.
 * - strategy: ROLLING | BLUE_GREEN | LINEAR | CANARY, default ROLLING (API_DeploymentConfiguration).
 * - bakeTimeInMinutes: "You must provide this parameter when you use the BLUE_GREEN deployment strategy"
 *   (API_DeploymentConfiguration). Range 0-1440 is our choice, the same as the step bake times.
 * - linearConfiguration: stepPercent multiples of 0.1 from 3.0 to 100.0, default 10.0; stepBakeTimeInMinutes
 *   0-1440, default 6. Only valid with LINEAR. https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_LinearConfiguration.html
 * - canaryConfiguration: canaryPercent multiples of 0.1 from 0.1 to 100.0, default 5.0; canaryBakeTimeInMinutes
 *   0-1440, default 10. Only valid with CANARY. https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CanaryConfiguration.html
 * - lifecycleHooks: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentLifecycleHook.html
 */
export function validateDeploymentStrategy(dc: Record<string, any>): StrategyConfig {
  const strategy = (dc.strategy ?? 'ROLLING') as Strategy;
  if (!STRATEGIES.includes(strategy)) throw invalidParameter(`Invalid deploymentConfiguration.strategy: ${JSON.stringify(dc.strategy)}. Valid values are ${STRATEGIES.join(', ')}.`);
  if (dc.linearConfiguration != null && strategy !== 'LINEAR') throw invalidParameter(`deploymentConfiguration.linearConfiguration is only valid when the strategy is LINEAR (the strategy is ${strategy}).`);
  if (dc.canaryConfiguration != null && strategy !== 'CANARY') throw invalidParameter(`deploymentConfiguration.canaryConfiguration is only valid when the strategy is CANARY (the strategy is ${strategy}).`);
  if (strategy === 'BLUE_GREEN' && dc.bakeTimeInMinutes == null) throw invalidParameter('deploymentConfiguration.bakeTimeInMinutes is required when the strategy is BLUE_GREEN.');
  const bakeTimeInMinutes = dc.bakeTimeInMinutes == null ? 0 : minutes(dc.bakeTimeInMinutes, 'deploymentConfiguration.bakeTimeInMinutes');
  const config: StrategyConfig = { strategy, bakeTimeInMinutes, hooks: validateHooks(dc.lifecycleHooks) };
  if (strategy === 'LINEAR') {
    const l = dc.linearConfiguration ?? {};
    config.linear = {
      stepPercent: l.stepPercent == null ? 10 : percent(l.stepPercent, 3, 100, 'linearConfiguration.stepPercent'),
      stepBakeTimeInMinutes: l.stepBakeTimeInMinutes == null ? 6 : minutes(l.stepBakeTimeInMinutes, 'linearConfiguration.stepBakeTimeInMinutes'),
    };
  }
  if (strategy === 'CANARY') {
    const c = dc.canaryConfiguration ?? {};
    config.canary = {
      canaryPercent: c.canaryPercent == null ? 5 : percent(c.canaryPercent, 0.1, 100, 'canaryConfiguration.canaryPercent'),
      canaryBakeTimeInMinutes: c.canaryBakeTimeInMinutes == null ? 10 : minutes(c.canaryBakeTimeInMinutes, 'canaryConfiguration.canaryBakeTimeInMinutes'),
    };
  }
  return config;
}

function validateHooks(value: unknown): LifecycleHook[] {
  if (value == null) return [];
  if (!Array.isArray(value)) throw invalidParameter('deploymentConfiguration.lifecycleHooks must be a list.');
  return value.map((h: any, i: number) => {
    const at = `lifecycleHooks[${i}]`;
    if (!h || typeof h !== 'object') throw invalidParameter(`${at} must be an object.`);
    const targetType = h.targetType ?? 'AWS_LAMBDA';
    if (targetType !== 'AWS_LAMBDA' && targetType !== 'PAUSE') throw invalidParameter(`${at}.targetType ${JSON.stringify(h.targetType)} is not valid. Valid values are AWS_LAMBDA, PAUSE.`);
    // "You must provide this parameter when configuring an AWS_LAMBDA lifecycle hook."
    if (targetType === 'AWS_LAMBDA' && !(typeof h.hookTargetArn === 'string' && /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9_$-]+)?$/.test(h.hookTargetArn)))
      throw invalidParameter(`${at}.hookTargetArn must be the ARN of a Lambda function (arn:aws:lambda:<region>:<account>:function:<name>) for an AWS_LAMBDA hook (got ${JSON.stringify(h.hookTargetArn)}).`);
    // ECS calls the function with this role: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/blue-green-permissions.html
    if (targetType === 'AWS_LAMBDA' && !(typeof h.roleArn === 'string' && /^arn:aws[a-z-]*:iam::\d{12}:role\/.+/.test(h.roleArn)))
      throw invalidParameter(`${at}.roleArn must be the ARN of an IAM role that lets Amazon ECS invoke ${h.hookTargetArn} (got ${JSON.stringify(h.roleArn)}).`);
    // "You must provide this parameter when configuring a deployment lifecycle hook."
    if (!Array.isArray(h.lifecycleStages) || h.lifecycleStages.length === 0) throw invalidParameter(`${at}.lifecycleStages must list at least one of ${HOOK_STAGES.join(', ')}.`);
    for (const stage of h.lifecycleStages) {
      if (!HOOK_STAGES.includes(stage)) throw invalidParameter(`${at}.lifecycleStages: ${JSON.stringify(stage)} is not a stage that takes a lifecycle hook. Valid values are ${HOOK_STAGES.join(', ')}.`);
      // "PAUSE hooks cannot be configured at TEST_TRAFFIC_SHIFT or PRODUCTION_TRAFFIC_SHIFT stages."
      if (targetType === 'PAUSE' && NO_PAUSE_STAGES.includes(stage)) throw invalidParameter(`${at}: PAUSE hooks cannot be configured at the ${stage} stage; it only takes AWS_LAMBDA hooks.`);
    }
    const t = h.timeoutConfiguration ?? {};
    // Defaults 1440 minutes and ROLLBACK (API_DeploymentLifecycleHookTimeoutConfiguration).
    const timeoutInMinutes = t.timeoutInMinutes == null ? MAX_MINUTES : minutes(t.timeoutInMinutes, `${at}.timeoutConfiguration.timeoutInMinutes`, 1);
    const action = t.action ?? 'ROLLBACK';
    if (action !== 'CONTINUE' && action !== 'ROLLBACK') throw invalidParameter(`${at}.timeoutConfiguration.action ${JSON.stringify(t.action)} is not valid. Valid values are CONTINUE, ROLLBACK.`);
    const hook: LifecycleHook = { targetType, lifecycleStages: [...new Set(h.lifecycleStages as LifecycleStage[])], timeoutConfiguration: { timeoutInMinutes, action } };
    // hookTargetArn and hookDetails are "not applicable" / "not used" for PAUSE hooks: ignored there.
    if (targetType === 'AWS_LAMBDA') Object.assign(hook, { hookTargetArn: h.hookTargetArn, roleArn: h.roleArn, hookDetails: h.hookDetails });
    return hook;
  });
}

export interface LoadBalancerInput {
  targetGroupArn?: string;
  loadBalancerName?: string;
  containerName?: string;
  containerPort?: number;
  advancedConfiguration?: { alternateTargetGroupArn?: string; productionListenerRule?: string; testListenerRule?: string; roleArn?: string };
}

/** What the load-balancing store must answer for the checks below (S2's LoadBalancing has these). */
export interface LoadBalancerLookup {
  targetGroup(arn: string): unknown;
  rule(ruleArn: string): unknown;
}

/**
 * BLUE_GREEN, LINEAR and CANARY with Elastic Load Balancing need, per load balancer, an
 * advancedConfiguration naming the alternate target group, the production listener rule and the role ECS
 * uses to call Elastic Load Balancing; the test listener rule is optional.
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_AdvancedConfiguration.html
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/alb-resources-for-blue-green.html
 * Without a load balancer the strategies still run, without managed traffic shifting
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/blue-green-deployment-implementation.html).
 */
export function validateLoadBalancers(strategy: Strategy, loadBalancers: unknown, lookup?: LoadBalancerLookup): void {
  if (!Array.isArray(loadBalancers)) return;
  loadBalancers.forEach((lb: LoadBalancerInput, i) => {
    const at = `loadBalancers[${i}]`;
    const adv = lb?.advancedConfiguration;
    if (strategy === 'ROLLING') return;
    if (!lb.targetGroupArn) throw invalidParameter(`${at}.targetGroupArn is required for the ${strategy} deployment strategy (a load balancer name alone is a Classic Load Balancer, which these strategies do not shift traffic on).`);
    if (!adv) throw invalidParameter(`${at}.advancedConfiguration is required for the ${strategy} deployment strategy: give alternateTargetGroupArn, productionListenerRule and roleArn (testListenerRule is optional).`);
    if (!adv.alternateTargetGroupArn) throw invalidParameter(`${at}.advancedConfiguration.alternateTargetGroupArn is required for the ${strategy} deployment strategy: the target group the new (green) tasks register in.`);
    if (adv.alternateTargetGroupArn === lb.targetGroupArn) throw invalidParameter(`${at}.advancedConfiguration.alternateTargetGroupArn must differ from targetGroupArn (${lb.targetGroupArn}).`);
    if (!adv.productionListenerRule) throw invalidParameter(`${at}.advancedConfiguration.productionListenerRule is required for the ${strategy} deployment strategy: the listener rule (ALB) or listener (NLB) that routes production traffic.`);
    if (!adv.roleArn || !/^arn:aws[a-z-]*:iam::\d{12}:role\/.+/.test(adv.roleArn)) throw invalidParameter(`${at}.advancedConfiguration.roleArn must be the ARN of the IAM role that lets Amazon ECS call Elastic Load Balancing (got ${JSON.stringify(adv.roleArn)}).`);
    if (!lookup) return;
    for (const [field, arn] of [['targetGroupArn', lb.targetGroupArn], ['advancedConfiguration.alternateTargetGroupArn', adv.alternateTargetGroupArn]] as const)
      if (!lookup.targetGroup(arn)) throw invalidParameter(`${at}.${field}: the target group ${arn} does not exist.`);
    for (const [field, arn] of [['productionListenerRule', adv.productionListenerRule], ['testListenerRule', adv.testListenerRule]] as const)
      if (arn && !lookup.rule(arn)) throw invalidParameter(`${at}.advancedConfiguration.${field}: the listener rule ${arn} does not exist.`);
  });
}
