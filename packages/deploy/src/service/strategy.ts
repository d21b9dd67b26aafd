import type { DeploymentConfiguration, DeploymentStrategy, Service } from '@aws-sdk/client-ecs';

/** ECS's own deployment strategy for a service on the ECS deployment controller (ROLLING when unset). */
export type Strategy = DeploymentStrategy;

/**
 * The strategy ECS will use for the next deployment. ROLLING is the default when the deployment
 * configuration names none.
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentConfiguration.html (strategy)
 */
export function strategyOf(config: DeploymentConfiguration | undefined): Strategy {
  return config?.strategy ?? 'ROLLING';
}

/** Strategies that shift traffic between two target groups through listener rules and bake before finishing. */
export function shiftsTraffic(strategy: Strategy): boolean {
  return strategy !== 'ROLLING';
}

/** The stage at which a PAUSE hook holds a deployment with test traffic on the new revision. */
export const SMOKE_CHECK_STAGE = 'POST_TEST_TRAFFIC_SHIFT';

/**
 * A PAUSE hook at POST_TEST_TRAFFIC_SHIFT, which holds the deployment until ContinueServiceDeployment.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-lifecycle-hooks.html
 */
export function hasPauseHookAt(config: DeploymentConfiguration | undefined, stage: string): boolean {
  return (config?.lifecycleHooks ?? []).some((h) => h.targetType === 'PAUSE' && (h.lifecycleStages ?? []).includes(stage as never));
}

/** The listener rules ECS shifts for a service's load balancers (blue/green, linear and canary only). */
export function listenerRules(service: Service): { production: string[]; test: string[] } {
  const production: string[] = [];
  const test: string[] = [];
  for (const lb of service.loadBalancers ?? []) {
    if (lb.advancedConfiguration?.productionListenerRule) production.push(lb.advancedConfiguration.productionListenerRule);
    if (lb.advancedConfiguration?.testListenerRule) test.push(lb.advancedConfiguration.testListenerRule);
  }
  return { production, test };
}

/** Target groups of the service's load balancers, including the alternate ones blue/green shifts to. */
export function targetGroups(service: Service): string[] {
  const arns = new Set<string>();
  for (const lb of service.loadBalancers ?? []) {
    if (lb.targetGroupArn) arns.add(lb.targetGroupArn);
    if (lb.advancedConfiguration?.alternateTargetGroupArn) arns.add(lb.advancedConfiguration.alternateTargetGroupArn);
  }
  return [...arns];
}

/** Alarm names the service's deployment configuration watches. */
export function serviceAlarms(config: DeploymentConfiguration | undefined): string[] {
  return config?.alarms?.enable === false ? [] : (config?.alarms?.alarmNames ?? []);
}
