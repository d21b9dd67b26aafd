import type { Deployment, Task } from '../model.js';

/**
 * Which target group a service task registers in. With BLUE_GREEN, LINEAR and CANARY the new (green)
 * tasks register in the target group that does not serve production, and the two target groups swap
 * roles when a deployment succeeds: "During a blue/green deployment, Amazon ECS automatically registers
 * tasks with the appropriate target group based on the deployment stage."
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/alb-resources-for-blue-green.html
 * Every deployment remembers its own mapping (service targetGroupArn → the target group it uses); the
 * first deployment of a service and ROLLING deployments use the service's target groups as they are.
 */
const mappings = new WeakMap<Deployment, Map<string, string>>();
const strategyDeployments = new WeakSet<Deployment>();

export interface TaskTarget {
  targetGroupArn: string;
  containerName?: string;
  containerPort?: number;
}

export function setTargetGroups(d: Deployment, mapping: Map<string, string>): void {
  mappings.set(d, mapping);
}

/** The target group `d` uses in place of the service's `targetGroupArn`. */
export function targetGroupOf(d: Deployment | undefined, serviceTargetGroupArn: string): string {
  return (d && mappings.get(d)?.get(serviceTargetGroupArn)) ?? serviceTargetGroupArn;
}

/** The targets a service task registers: the service's loadBalancers, target groups as its deployment uses them. */
export function targetGroupsOf(task: Task): TaskTarget[] {
  const lbs = (task.service?.input.loadBalancers as { targetGroupArn?: string; containerName?: string; containerPort?: number }[] | undefined) ?? [];
  return lbs.filter((lb) => lb.targetGroupArn).map((lb) => ({ targetGroupArn: targetGroupOf(task.deployment, lb.targetGroupArn!), containerName: lb.containerName, containerPort: lb.containerPort }));
}

export function markStrategyDeployment(d: Deployment): void {
  strategyDeployments.add(d);
}

/** True for a deployment run by the BLUE_GREEN, LINEAR or CANARY controller (not the rolling scheduler). */
export function isStrategyDeployment(d: Deployment | undefined): boolean {
  return !!d && strategyDeployments.has(d);
}
