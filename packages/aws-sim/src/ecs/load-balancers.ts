import type { SimClock } from '../clock.js';
import type { HealthProbeAnswer, LoadBalancing, TargetHealth } from '../elbv2/store.js';
import { invalidParameter } from '../protocol/errors.js';
import type { Service, Task } from './model.js';
import { targetGroupsOf } from './strategies/target-groups.js';
import type { TaskDefinition } from './task-definitions.js';

export interface ServiceLoadBalancer {
  targetGroupArn?: string;
  loadBalancerName?: string;
  containerName?: string;
  containerPort?: number;
}

/**
 * CreateService / UpdateService `loadBalancers`, checked as ECS checks them before it creates anything:
 * at most 5 target groups, each naming an existing target group that a load balancer uses, a container of
 * the task definition and one of its container ports; awsvpc tasks need `ip` target groups.
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_LoadBalancer.html
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/register-multiple-targetgroups.html
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/alb.html ("target type ip ... awsvpc")
 */
export function validateServiceLoadBalancers(value: unknown, td: TaskDefinition, elb: LoadBalancing | undefined): ServiceLoadBalancer[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalidParameter('loadBalancers must be a list.');
  if (value.length > 5) throw invalidParameter('A service can be attached to at most 5 target groups.');
  const seen = new Set<string>();
  return value.map((lb: ServiceLoadBalancer) => {
    if (lb.loadBalancerName) throw invalidParameter('The simulator supports Application and Network Load Balancers (targetGroupArn), not Classic Load Balancers (loadBalancerName).');
    if (!lb.targetGroupArn) throw invalidParameter('loadBalancers: targetGroupArn is required for an Application or Network Load Balancer.');
    if (!lb.containerName) throw invalidParameter('loadBalancers: containerName is required.');
    if (lb.containerPort === undefined) throw invalidParameter('loadBalancers: containerPort is required.');
    const key = `${lb.targetGroupArn}|${lb.containerName}|${lb.containerPort}`;
    if (seen.has(key)) throw invalidParameter(`loadBalancers lists target group ${lb.targetGroupArn} with container ${lb.containerName}:${lb.containerPort} twice.`);
    seen.add(key);
    const tg = elb?.targetGroup(lb.targetGroupArn);
    if (!tg) throw invalidParameter(`The target group with targetGroupArn ${lb.targetGroupArn} does not exist.`);
    if (tg.loadBalancerArns.length === 0) throw invalidParameter(`The target group with targetGroupArn ${lb.targetGroupArn} does not have an associated load balancer.`);
    const container = td.containerDefinitions.find((c) => c.name === lb.containerName);
    if (!container) throw invalidParameter(`The container ${lb.containerName} does not exist in the task definition.`);
    const ports = ((container as { portMappings?: { containerPort?: number }[] }).portMappings ?? []).map((p) => p.containerPort);
    if (!ports.includes(lb.containerPort)) throw invalidParameter(`The container ${lb.containerName} did not have a container port ${lb.containerPort} defined.`);
    if (td.networkMode === 'awsvpc' && tg.targetType !== 'ip') {
      throw invalidParameter(`The provided target group ${lb.targetGroupArn} has target type ${tg.targetType}, which is incompatible with the awsvpc network mode specified in the task definition.`);
    }
    if (td.networkMode !== 'awsvpc') throw invalidParameter('The simulator registers load balancer targets for awsvpc tasks only (no container instances to register).');
    return { targetGroupArn: lb.targetGroupArn, containerName: lb.containerName, containerPort: lb.containerPort };
  });
}

interface Registration {
  targetGroupArn: string;
  id: string;
  port: number;
}

/** What the load balancer integration needs from the task runner. */
export interface TaskControl {
  /** The task's targets turned healthy: count it healthy if its containers are. */
  targetsHealthy(task: Task, at: number): void;
  stop(task: Task, at: number, cause: { reason: string; code: 'ServiceSchedulerInitiated'; failure: boolean }): void;
  event(service: Service, message: string, at: number): void;
}

/**
 * Service tasks behind load balancers (rolling, and S3's strategies through `targetGroupsOf`):
 * - a task's ENI IP is registered in each target group once the task is RUNNING, and the target answers
 *   health checks as its container's image behaviour says (`loadBalancerResponse`, default 200);
 * - the task counts healthy for the deployment only once every target is healthy;
 * - a target that turns unhealthy stops its task ("Task failed ELB health checks in (target-group …)"),
 *   counted by the circuit breaker, unless the service's healthCheckGracePeriodSeconds since the task
 *   started has not passed (then it is judged when the grace period ends);
 * - a stopping task is deregistered and stays DEACTIVATING while its targets drain (deregistration delay).
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-load-balancing.html
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html (healthCheckGracePeriodSeconds)
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-lifecycle-explanation.html (DEACTIVATING)
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-circuit-breaker.html
 */
export class TaskLoadBalancing {
  private readonly registrations = new WeakMap<Task, Registration[]>();
  private readonly byTarget = new Map<string, Task>();
  control!: TaskControl;

  constructor(
    private readonly clock: SimClock,
    private readonly elb: LoadBalancing,
  ) {
    elb.onTargetHealthChange((tg, ref, health, at) => {
      const task = this.byTarget.get(key(tg, ref.id, ref.port));
      if (task) this.healthChanged(task, tg, health, at);
    });
  }

  /** The task reached RUNNING: register its ENI IP in its target groups. */
  running(task: Task, at: number, answerOf: (containerName: string) => HealthProbeAnswer): void {
    const ip = task.eni?.privateIPv4Address;
    if (!ip || !task.service) return;
    const regs: Registration[] = [];
    for (const t of targetGroupsOf(task)) {
      if (!t.containerName || t.containerPort === undefined) continue;
      const container = t.containerName;
      const reg = { targetGroupArn: t.targetGroupArn, id: ip, port: t.containerPort };
      this.byTarget.set(key(reg.targetGroupArn, reg.id, reg.port), task);
      this.elb.registerTarget(reg.targetGroupArn, { id: ip, port: reg.port }, at, () => (task.desiredStatus === 'RUNNING' && task.lastStatus === 'RUNNING' ? answerOf(container) : 'refused'));
      regs.push(reg);
    }
    if (regs.length) this.registrations.set(task, regs);
  }

  /** True when the task has no targets or all of them are healthy. */
  healthy(task: Task): boolean {
    const regs = this.registrations.get(task);
    if (!regs) return !task.service || targetGroupsOf(task).length === 0;
    return regs.every((r) => this.elb.targetHealth(r.targetGroupArn, r.id, r.port)?.state === 'healthy');
  }

  /** The task is stopping: deregister its targets; returns how long they drain (ms) before it may stop. */
  stopping(task: Task, at: number): number {
    const regs = this.registrations.get(task);
    if (!regs) return 0;
    this.registrations.delete(task);
    let drain = 0;
    for (const r of regs) {
      drain = Math.max(drain, this.elb.deregisterTarget(r.targetGroupArn, r.id, at, r.port));
      const k = key(r.targetGroupArn, r.id, r.port);
      this.clock.at(at + drain, () => {
        if (this.byTarget.get(k) === task) this.byTarget.delete(k);
      });
    }
    return drain;
  }

  private healthChanged(task: Task, targetGroupArn: string, health: TargetHealth, at: number): void {
    if (task.desiredStatus !== 'RUNNING' || !this.registrations.has(task)) return;
    if (health.state === 'healthy') {
      if (this.healthy(task)) this.control.targetsHealthy(task, at);
      return;
    }
    if (health.state !== 'unhealthy') return;
    const service = task.service!;
    const grace = Number(service.input.healthCheckGracePeriodSeconds ?? 0) * 1000;
    const graceEnds = (task.startedAt?.getTime() ?? at) + grace;
    if (at < graceEnds) {
      this.clock.at(graceEnds, (t) => {
        const reg = this.registrations.get(task)?.find((r) => r.targetGroupArn === targetGroupArn);
        const now = reg && this.elb.targetHealth(reg.targetGroupArn, reg.id, reg.port);
        if (task.desiredStatus === 'RUNNING' && now?.state === 'unhealthy') this.failed(task, targetGroupArn, now, t);
      });
      return;
    }
    this.failed(task, targetGroupArn, health, at);
  }

  /**
   * Service event and stopped reason as ECS words them.
   * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-unhealthy-event-messages.html
   * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stopped-task-errors.html
   */
  private failed(task: Task, targetGroupArn: string, health: TargetHealth, at: number): void {
    const service = task.service!;
    const reg = this.registrations.get(task)?.find((r) => r.targetGroupArn === targetGroupArn);
    const name = this.elb.targetGroup(targetGroupArn)?.targetGroupName ?? targetGroupArn;
    this.control.event(service, `(service ${service.serviceName}) (task ${task.id}) (port ${reg?.port}) is unhealthy in (target-group ${name}) due to (reason ${health.description}).`, at);
    this.control.stop(task, at, { reason: `Task failed ELB health checks in (target-group ${targetGroupArn})`, code: 'ServiceSchedulerInitiated', failure: true });
  }
}

const key = (tg: string, id: string, port?: number) => `${tg}|${id}:${port ?? ''}`;
