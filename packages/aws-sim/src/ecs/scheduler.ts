import { randomUUID } from 'node:crypto';
import type { SimClock } from '../clock.js';
import { parseImageRef, type ImageLookup } from '../images.js';
import { failureThreshold } from './circuit-breaker.js';
import { arn, deploymentId, revisionId, shortId, type ArnScope } from './ids.js';
import type { Deployment, Service, ServiceDeploymentRecord, ServiceRevision, Task } from './model.js';
import type { TaskDefinition } from './task-definitions.js';
import type { TaskObserver, TaskRunner } from './tasks.js';
import { alarmsRecord } from './deployment-alarms.js';
import type { StrategyController } from './strategies/controller.js';
import { launchDelayMs, type SimTiming } from '../timing.js';
import { nextProvider, placementOn, type Placement } from './capacity.js';

const MAX_EVENTS = 100;

export const FAILED_REASON = 'ECS deployment circuit breaker: tasks failed to start.';

/**
 * The service scheduler for the rolling update (ECS) deployment controller.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-ecs.html
 * - minimumHealthyPercent: lower limit of RUNNING+healthy tasks, rounded up.
 * - maximumPercent: upper limit of RUNNING+PENDING tasks, rounded down.
 * Deployment rolloutState and reasons: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Deployment.html
 * Circuit breaker and rollback: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-circuit-breaker.html
 */
export class ServiceScheduler implements TaskObserver {
  runner!: TaskRunner;
  /** BLUE_GREEN, LINEAR and CANARY deployments (strategies/controller.ts). */
  strategies?: StrategyController;

  constructor(
    private readonly deps: { clock: SimClock; scope: ArnScope; images: ImageLookup; records: Map<string, ServiceDeploymentRecord>; revisions: Map<string, ServiceRevision>; timing: SimTiming },
  ) {}

  event(service: Service, message: string, at: number): void {
    service.events.unshift({ id: randomUUID(), createdAt: new Date(at), message });
    if (service.events.length > MAX_EVENTS) service.events.length = MAX_EVENTS;
  }

  /** "(service web) has started 2 tasks: (task a) (task b)." — at most 10 tasks per event (README). */
  private taskEvents(service: Service, verb: string, noun: string, tasks: Task[], at: number): void {
    for (let i = 0; i < tasks.length; i += 10) {
      const chunk = tasks.slice(i, i + 10);
      this.event(service, `(service ${service.serviceName}) ${verb} ${chunk.length} ${noun}: ${chunk.map((t) => `(task ${t.id})`).join(' ')}.`, at);
    }
  }

  /** Creates the revision (with image digests resolved now: version consistency) and the deployment. */
  deploy(service: Service, taskDefinition: TaskDefinition, at: number, opts: { isRollback?: boolean; record?: ServiceDeploymentRecord; revision?: ServiceRevision } = {}): Deployment {
    const revision = opts.revision ?? this.revision(service, taskDefinition, at);
    const cb = service.deploymentConfiguration.deploymentCircuitBreaker;
    const record: ServiceDeploymentRecord = opts.record ?? {
      serviceDeploymentArn: arn(this.deps.scope, `service-deployment/${service.cluster.clusterName}/${service.serviceName}/${shortId()}`),
      service,
      createdAt: new Date(at),
      startedAt: new Date(at),
      updatedAt: new Date(at),
      sourceServiceRevisions: service.deployments
        .filter((d) => d.status !== 'INACTIVE')
        .map((d) => ({ arn: d.revision.serviceRevisionArn, requestedTaskCount: this.active(d).length, runningTaskCount: this.running(d), pendingTaskCount: this.active(d).length - this.running(d) })),
      targetRevision: revision,
      status: 'IN_PROGRESS',
      deploymentConfiguration: structuredClone(service.deploymentConfiguration),
      circuitBreaker: { status: cb?.enable ? 'MONITORING' : 'DISABLED', failureCount: 0, threshold: failureThreshold(cb, service.desiredCount) },
      alarms: alarmsRecord(service.deploymentConfiguration),
    };
    if (!opts.record) {
      this.deps.records.set(record.serviceDeploymentArn, record);
      service.records.push(record);
    }
    // A deployment still rolling out when a newer one starts is superseded.
    for (const d of service.deployments) {
      d.status = 'ACTIVE';
      if (d.record !== record && d.record.status === 'IN_PROGRESS') {
        d.record.status = 'STOPPED';
        d.record.statusReason = 'Service deployment superseded by a newer deployment.';
        d.record.stoppedAt = d.record.finishedAt = d.record.updatedAt = new Date(at);
      }
    }
    const id = deploymentId();
    const deployment: Deployment = {
      id,
      status: 'PRIMARY',
      taskDefinition,
      revision,
      record,
      failedTasks: 0,
      createdAt: new Date(at),
      updatedAt: new Date(at),
      rolloutState: 'IN_PROGRESS',
      rolloutStateReason: opts.isRollback && service.lastCompleted ? `ECS deployment circuit breaker: rolling back to deploymentId ${service.lastCompleted.id}.` : `ECS deployment ${id} in progress.`,
      launchType: service.launchType,
      platformVersion: service.platformVersion,
      networkConfiguration: service.networkConfiguration,
      failureCount: 0,
      isRollback: !!opts.isRollback,
      tasks: new Set(),
    };
    service.deployments.unshift(deployment);
    service.taskDefinition = taskDefinition;
    service.steady = false;
    this.strategies?.started(service, deployment, at);
    this.schedule(service, at);
    return deployment;
  }

  private revision(service: Service, td: TaskDefinition, at: number): ServiceRevision {
    const revision: ServiceRevision = {
      serviceRevisionArn: arn(this.deps.scope, `service-revision/${service.cluster.clusterName}/${service.serviceName}/${revisionId()}`),
      serviceArn: service.serviceArn,
      clusterArn: service.cluster.clusterArn,
      taskDefinition: td.taskDefinitionArn,
      launchType: service.launchType,
      capacityProviderStrategy: service.capacityProviderStrategy,
      platformVersion: service.platformVersion,
      networkConfiguration: service.networkConfiguration,
      loadBalancers: (service.input.loadBalancers as unknown[]) ?? [],
      serviceRegistries: (service.input.serviceRegistries as unknown[]) ?? [],
      // Version consistency resolves each tag to a digest when the deployment is created, unless the
      // container opts out with versionConsistency "disabled".
      // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-ecs.html#deployment-container-image-stability
      containerImages: td.containerDefinitions.map((c) => {
        const given = parseImageRef(c.image).digest;
        if (given) return { containerName: c.name, image: c.image, imageDigest: given };
        if (c.versionConsistency === 'disabled') return { containerName: c.name, image: c.image };
        const r = this.deps.images.resolve(c.image);
        return { containerName: c.name, image: c.image, imageDigest: 'error' in r ? undefined : r.imageDigest };
      }),
      guardDutyEnabled: false,
      createdAt: new Date(at),
    };
    this.deps.revisions.set(revision.serviceRevisionArn, revision);
    return revision;
  }

  /** Where the service's next task runs: its launch type, or the provider its strategy picks next. */
  private placement(service: Service): Placement {
    if (!service.capacityProviderStrategy?.length) return { launchType: service.launchType ?? 'EC2' };
    const running = new Map<string, number>();
    for (const t of service.tasks) if (t.desiredStatus === 'RUNNING' && t.capacityProviderName) running.set(t.capacityProviderName, (running.get(t.capacityProviderName) ?? 0) + 1);
    return placementOn(nextProvider(service.capacityProviderStrategy, running));
  }

  /** Reconciles once per simulated instant, after the events of that instant. */
  schedule(service: Service, at: number): void {
    if (service.reconcileAt !== undefined && service.reconcileAt <= at) return;
    service.reconcileAt = at;
    this.deps.clock.at(at, (t) => {
      if (service.reconcileAt !== at) return;
      service.reconcileAt = undefined;
      this.reconcile(service, t);
    });
  }

  active(d: Deployment): Task[] {
    const out: Task[] = [];
    for (const t of d.tasks) if (t.desiredStatus === 'RUNNING') out.push(t);
    return out;
  }

  running(d: Deployment): number {
    let n = 0;
    for (const t of d.tasks) if (t.desiredStatus === 'RUNNING' && t.lastStatus === 'RUNNING') n++;
    return n;
  }

  reconcile(service: Service, at: number): void {
    if (service.status === 'INACTIVE') return;
    const desired = service.desiredCount;
    const [primary, ...olds] = service.deployments;
    if (!primary) return;
    const cfg = service.deploymentConfiguration;
    const minHealthy = Math.ceil((desired * cfg.minimumHealthyPercent) / 100);
    const maxTotal = Math.floor((desired * cfg.maximumPercent) / 100);

    if (service.status === 'DRAINING') {
      for (const d of service.deployments) for (const t of this.active(d)) this.runner.stop(t, at, { reason: 'Service is being deleted', code: 'ServiceSchedulerInitiated', failure: false });
      if (![...service.tasks].some((t) => t.lastStatus !== 'STOPPED')) service.status = 'INACTIVE';
      return;
    }

    const primaryActive = this.active(primary);
    let totalActive = primaryActive.length + olds.reduce((n, d) => n + this.active(d).length, 0);
    const stopped: Task[] = [];
    const stop = (t: Task, reason: string) => {
      this.runner.stop(t, at, { reason, code: 'ServiceSchedulerInitiated', failure: false });
      stopped.push(t);
      totalActive--;
    };

    // Scale in: the newest deployment keeps at most `desired` tasks, unhealthy ones go first.
    if (primaryActive.length > desired) {
      const excess = primaryActive.sort((a, b) => Number(a.healthy) - Number(b.healthy)).slice(0, primaryActive.length - desired);
      for (const t of excess) stop(t, `Scaling activity initiated by (deployment ${primary.id})`);
    }

    // Launch tasks for the primary deployment, up to maximumPercent. A FAILED deployment launches none;
    // a service whose tasks keep failing waits longer and longer between attempts (throttling).
    const throttled = at < service.launchNotBefore;
    if (throttled) this.schedule(service, service.launchNotBefore);
    if (primary.rolloutState !== 'FAILED' && !throttled) {
      const need = desired - this.active(primary).length;
      const room = Math.max(0, maxTotal - totalActive);
      // Blue/green, linear, canary: green launches nothing before SCALE_UP, then all its tasks at once.
      const gate = this.strategies?.launchGate(primary);
      const n = gate === 'hold' ? 0 : gate === 'all' ? Math.max(0, need) : Math.min(need, Math.max(room, olds.length === 0 ? need : 0));
      const started: Task[] = [];
      for (let i = 0; i < n; i++) {
        started.push(
          this.runner.create({
            cluster: service.cluster,
            taskDefinition: primary.taskDefinition,
            at,
            service,
            deployment: primary,
            group: `service:${service.serviceName}`,
            startedBy: primary.id,
            ...this.placement(service),
            platformVersion: service.platformVersion,
          }),
        );
        totalActive++;
      }
      this.taskEvents(service, 'has started', 'tasks', started, at);
    }

    // Stop old tasks while the healthy count stays at or above minimumHealthyPercent; tasks that are
    // not healthy yet count for nothing and go first. A FAILED primary without rollback keeps them.
    if (primary.rolloutState !== 'FAILED' && !this.strategies?.holdsOld(primary)) {
      let healthy = 0;
      for (const d of service.deployments) for (const t of d.tasks) if (t.healthy && t.desiredStatus === 'RUNNING') healthy++;
      for (const d of olds) {
        const tasks = this.active(d).sort((a, b) => Number(a.healthy) - Number(b.healthy));
        for (const t of tasks) {
          if (t.healthy) {
            if (healthy - 1 < minHealthy) break;
            healthy--;
          }
          stop(t, `Scaling activity initiated by (deployment ${primary.id})`);
        }
      }
    }
    this.taskEvents(service, 'has stopped', 'running tasks', stopped, at);

    // Drained deployments leave the list.
    service.deployments = service.deployments.filter((d) => d === primary || this.active(d).length > 0 || ![...d.tasks].every((t) => t.lastStatus === 'STOPPED'));
    for (const d of olds) if (!service.deployments.includes(d)) d.status = 'INACTIVE';

    const primaryHealthy = this.active(primary).filter((t) => t.healthy).length;
    const steady = primaryHealthy === desired && this.active(primary).length === desired && service.deployments.length === 1;
    if (primary.rolloutState === 'IN_PROGRESS' && steady) this.complete(service, primary, at);
    else if (primary.rolloutState === 'COMPLETED' && steady && !service.steady) {
      service.steady = true;
      this.event(service, `(service ${service.serviceName}) has reached a steady state.`, at);
    } else if (!steady) service.steady = false;
    primary.updatedAt = new Date(at);
    this.strategies?.reconciled(service, at);
  }

  private complete(service: Service, d: Deployment, at: number): void {
    d.rolloutState = 'COMPLETED';
    d.rolloutStateReason = `ECS deployment ${d.id} completed.`;
    const r = d.record;
    r.status = d.isRollback ? 'ROLLBACK_SUCCESSFUL' : 'SUCCESSFUL';
    r.finishedAt = r.updatedAt = new Date(at);
    if (r.circuitBreaker.status === 'MONITORING') r.circuitBreaker.status = 'MONITORING_COMPLETE';
    if (r.alarms?.status === 'MONITORING') r.alarms.status = 'MONITORING_COMPLETE';
    service.lastCompleted = d;
    service.steady = true;
    this.event(service, `(service ${service.serviceName}) (deployment ${d.id}) deployment completed.`, at);
    this.event(service, `(service ${service.serviceName}) has reached a steady state.`, at);
  }

  // ---- TaskObserver ----

  healthy(task: Task, at: number): void {
    const d = task.deployment;
    if (task.service) task.service.consecutiveFailures = 0;
    const cb = task.service?.deploymentConfiguration.deploymentCircuitBreaker;
    if (d && cb?.enable && cb.resetOnHealthyTask !== false && d.rolloutState === 'IN_PROGRESS') {
      d.failureCount = 0;
      // A rollback deployment shares the failed deployment's record, whose count stays what tripped it.
      if (!d.isRollback) d.record.circuitBreaker.failureCount = 0;
    }
    if (task.service) this.schedule(task.service, at);
  }

  changed(task: Task, at: number): void {
    if (task.service) this.schedule(task.service, at);
  }

  failed(task: Task, at: number): void {
    const service = task.service;
    const d = task.deployment;
    if (!service || !d) return;
    d.failedTasks++;
    service.consecutiveFailures++;
    service.launchNotBefore = at + launchDelayMs(this.deps.timing, service.consecutiveFailures);
    const cb = service.deploymentConfiguration.deploymentCircuitBreaker;
    if (d !== service.deployments[0] || d.rolloutState !== 'IN_PROGRESS' || !cb?.enable) return;
    d.failureCount++;
    const threshold = failureThreshold(cb, service.desiredCount);
    if (!d.isRollback) {
      d.record.circuitBreaker.failureCount = d.failureCount;
      d.record.circuitBreaker.threshold = threshold;
    }
    d.record.updatedAt = new Date(at);
    if (d.failureCount >= threshold) this.trip(service, d, at);
  }

  /** The circuit breaker tripped: FAILED, then roll back to the last COMPLETED deployment if asked. */
  private trip(service: Service, d: Deployment, at: number): void {
    d.record.circuitBreaker.status = 'TRIGGERED';
    const cb = service.deploymentConfiguration.deploymentCircuitBreaker!;
    this.fail(service, d, { reason: FAILED_REASON, event: 'tasks failed to start', rollback: cb.rollback }, at);
  }

  /**
   * The deployment FAILED (circuit breaker, deployment alarm): it launches no more tasks, then rolls back
   * to the last COMPLETED deployment when `rollback` is set.
   */
  fail(service: Service, d: Deployment, why: { reason: string; event: string; rollback: boolean }, at: number): void {
    d.rolloutState = 'FAILED';
    d.rolloutStateReason = why.reason;
    const r = d.record;
    r.updatedAt = new Date(at);
    this.event(service, `(service ${service.serviceName}) (deployment ${d.id}) deployment failed: ${why.event}.`, at);
    if (d.isRollback) {
      r.status = 'ROLLBACK_FAILED';
      r.statusReason = why.reason;
      r.finishedAt = new Date(at);
      return;
    }
    const target = service.lastCompleted;
    if (!why.rollback || !target) {
      r.status = why.rollback ? 'ROLLBACK_FAILED' : 'STOPPED';
      r.statusReason = why.rollback ? `${why.reason} No previous COMPLETED deployment to roll back to.` : why.reason;
      r.stoppedAt = r.finishedAt = new Date(at);
      this.schedule(service, at);
      return;
    }
    this.rollback(service, d, target, why.reason, at);
  }

  rollback(service: Service, d: Deployment, target: Deployment, reason: string, at: number): void {
    // Blue/green, linear and canary roll back by sending traffic back to blue (strategies/controller.ts).
    if (this.strategies?.rollbackDeployment(d, reason, at)) return;
    const r = d.record;
    r.status = 'ROLLBACK_IN_PROGRESS';
    r.rollback = { reason, startedAt: new Date(at), serviceRevisionArn: target.revision.serviceRevisionArn };
    this.event(service, `(service ${service.serviceName}) rolling back to deployment ${target.id}.`, at);
    // The rollback starts with a fresh failure count and no launch back-off inherited from the failed
    // deployment: it deploys a revision known to run (README, our choice; AWS documents no back-off here).
    service.consecutiveFailures = 0;
    service.launchNotBefore = at;
    // The rollback redeploys the same revision (same image digests) as the completed deployment.
    this.deploy(service, target.taskDefinition, at, { isRollback: true, record: r, revision: target.revision });
  }
}
