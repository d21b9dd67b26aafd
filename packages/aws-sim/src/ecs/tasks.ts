import { randomUUID } from 'node:crypto';
import type { SimClock } from '../clock.js';
import { parseImageRef, type ImageLookup } from '../images.js';
import type { LogSink } from '../logs/index.js';
import type { ImageBehaviour, ImageBehaviours } from '../scenario.js';
import type { SimTiming } from '../timing.js';
import { arn, taskId, type ArnScope } from './ids.js';
import type { TaskLoadBalancing } from './load-balancers.js';
import { eniAttachment, type EniAllocator } from './network.js';
import type { Cluster, Container, Deployment, Service, Task } from './model.js';
import type { TaskDefinition } from './task-definitions.js';

/** What the service scheduler needs to hear about a task. */
export interface TaskObserver {
  /** The task is counted healthy (RUNNING, and HEALTHY when it has a health check). */
  healthy(task: Task, at: number): void;
  /** The task stopped without the scheduler or a user asking: a failure for the circuit breaker. */
  failed(task: Task, at: number): void;
  /** Anything changed; the scheduler reconciles. */
  changed(task: Task, at: number): void;
  /** Service event text, e.g. failed container health checks. */
  event(service: Service, message: string, at: number): void;
}

export interface StopCause {
  reason: string;
  code: 'TaskFailedToStart' | 'EssentialContainerExited' | 'UserInitiated' | 'ServiceSchedulerInitiated' | 'SpotInterruption' | 'TerminationNotice';
  /** Exit code of the essential container that ended the task, when one did. */
  exitCode?: number;
  containerReason?: string;
  /** Counted by the circuit breaker (the task was not stopped on purpose). */
  failure: boolean;
}


/**
 * Runs tasks through ECS's lifecycle on the simulated clock:
 * PROVISIONING → PENDING (image pull) → RUNNING → DEACTIVATING/STOPPING → STOPPED.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-lifecycle-explanation.html
 */
export class TaskRunner {
  constructor(
    private readonly deps: {
      clock: SimClock;
      scope: ArnScope;
      images: ImageLookup;
      logs: LogSink;
      /** The Logs of another region, for an awslogs `awslogs-region` naming it. */
      logsIn?: (region: string) => LogSink;
      behaviours: ImageBehaviours;
      observer: TaskObserver;
      /** Load balancer targets of service tasks (ecs/load-balancers.ts). */
      targets?: TaskLoadBalancing;
      /** ENIs of awsvpc tasks. */
      enis?: EniAllocator;
      /** Timing choices (README, "Not documented by AWS"), read at each step so setTiming applies at once. */
      timing: SimTiming;
    },
  ) {}

  create(opts: { cluster: Cluster; taskDefinition: TaskDefinition; at: number; service?: Service; deployment?: Deployment; group: string; startedBy?: string; launchType: string; capacityProviderName?: string; platformVersion?: string; overrides?: { containerOverrides?: unknown[] }; tags?: unknown[] }): Task {
    const id = taskId();
    const taskArn = arn(this.deps.scope, `task/${opts.cluster.clusterName}/${id}`);
    const images = new Map((opts.deployment?.revision.containerImages ?? []).map((c) => [c.containerName, c]));
    const task: Task = {
      id,
      taskArn,
      cluster: opts.cluster,
      taskDefinition: opts.taskDefinition,
      service: opts.service,
      deployment: opts.deployment,
      group: opts.group,
      startedBy: opts.startedBy,
      lastStatus: 'PROVISIONING',
      desiredStatus: 'RUNNING',
      healthStatus: 'UNKNOWN',
      createdAt: new Date(opts.at),
      launchType: opts.launchType,
      capacityProviderName: opts.capacityProviderName,
      platformVersion: opts.platformVersion,
      // awsvpc: the task gets its own ENI with a private IP in the service's first subnet.
      // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-networking-awsvpc.html
      eni: opts.taskDefinition.networkMode === 'awsvpc' ? this.deps.enis?.allocate(String((opts.service?.networkConfiguration as any)?.awsvpcConfiguration?.subnets?.[0] ?? 'subnet-sim')) : undefined,
      containers: opts.taskDefinition.containerDefinitions.map((c) => ({
        containerArn: arn(this.deps.scope, `container/${opts.cluster.clusterName}/${id}/${randomUUID()}`),
        name: c.name,
        image: c.image,
        imageDigest: images.get(c.name)?.imageDigest,
        lastStatus: 'PENDING',
        essential: c.essential !== false,
        healthStatus: c.healthCheck ? 'UNKNOWN' : undefined,
      })),
      overrides: { containerOverrides: opts.overrides?.containerOverrides ?? [] },
      version: 1,
      healthy: false,
      tags: opts.tags ?? [],
    };
    opts.cluster.tasks.set(id, task);
    opts.service?.tasks.add(task);
    opts.deployment?.tasks.add(task);
    this.deps.clock.at(opts.at + this.deps.timing.provisionSeconds * 1000, (at) => this.pull(task, at));
    return task;
  }

  private bump(task: Task, at: number): void {
    task.version++;
    this.deps.observer.changed(task, at);
  }

  /** Pull every image; the first one that cannot be pulled stops the task as ECS does. */
  private pull(task: Task, at: number): void {
    if (task.desiredStatus === 'STOPPED') return;
    task.lastStatus = 'PENDING';
    task.pullStartedAt = new Date(at);
    this.bump(task, at);
    this.deps.clock.at(at + this.deps.timing.pullSeconds * 1000, (done) => this.pulled(task, done));
  }

  private pulled(task: Task, at: number): void {
    if (task.desiredStatus === 'STOPPED') return;
    const behaviours: { container: Container; behaviour: ImageBehaviour }[] = [];
    for (const c of task.containers) {
      // Version consistency: a service task pulls the digest its deployment resolved, not the tag.
      // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-ecs.html#deployment-container-image-stability
      const ref = c.imageDigest ? pinned(c.image, c.imageDigest) : c.image;
      const resolved = this.deps.images.resolve(ref);
      if ('error' in resolved) {
        // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stopped-task-error-codes.html
        const reason = resolved.error.startsWith('CannotPullContainerError') ? resolved.error : `CannotPullContainerError: ${resolved.error}`;
        return this.stop(task, at, { reason, code: 'TaskFailedToStart', containerReason: reason, failure: true });
      }
      this.deps.images.recordPull(resolved, new Date(at));
      c.imageDigest = resolved.imageDigest;
      // A behaviour set on a tag also applies when the container names that tag's image by digest.
      const tagDigest = (repository: string, tag: string) => {
        const r = this.deps.images.resolve(`${resolved.registry}/${repository}:${tag}`);
        return 'error' in r ? undefined : r.imageDigest;
      };
      behaviours.push({ container: c, behaviour: this.deps.behaviours.lookup(c.image, resolved.repositoryName, resolved.imageDigest, effectiveCommand(task, c.name), tagDigest) });
    }
    // awslogs: the log group must exist unless awslogs-create-group is true.
    // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html
    for (const def of task.taskDefinition.containerDefinitions) {
      const opts = def.logConfiguration?.logDriver === 'awslogs' ? (def.logConfiguration.options ?? {}) : undefined;
      const group = opts?.['awslogs-group'];
      if (!group) continue;
      const logs = this.logsFor(opts);
      if (logs.hasGroup(group)) continue;
      if (opts['awslogs-create-group'] === 'true') logs.createGroup(group, at);
      else {
        const reason = `ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist. : exit status 1`;
        return this.stop(task, at, { reason, code: 'TaskFailedToStart', failure: true });
      }
    }
    task.pullStoppedAt = new Date(at);
    this.bump(task, at);
    const startMs = Math.max(...behaviours.map((b) => b.behaviour.startSeconds ?? 5)) * 1000;
    this.deps.clock.at(at + startMs, (t) => this.start(task, t, behaviours));
  }

  private start(task: Task, at: number, behaviours: { container: Container; behaviour: ImageBehaviour }[]): void {
    if (task.desiredStatus === 'STOPPED') return;
    // The essential container that exits first ends the task.
    let exit: { container: Container; afterMs: number; code: number } | undefined;
    for (const { container, behaviour } of behaviours) {
      if (!container.essential || behaviour.exitAfterSeconds === undefined) continue;
      const afterMs = behaviour.exitAfterSeconds * 1000;
      if (!exit || afterMs < exit.afterMs) exit = { container, afterMs, code: behaviour.exitCode ?? 1 };
    }
    if (exit && exit.afterMs === 0) {
      // Exits while starting: the task never reports RUNNING.
      exit.container.exitCode = exit.code;
      return this.stop(task, at, { reason: 'Essential container in task exited', code: 'EssentialContainerExited', exitCode: exit.code, failure: true });
    }
    task.lastStatus = 'RUNNING';
    task.startedAt = new Date(at);
    for (const c of task.containers) {
      c.lastStatus = 'RUNNING';
      c.runtimeId = `${task.id}-${randomUUID().slice(0, 8)}`;
    }
    this.writeLogs(task, at, behaviours);
    const defs = new Map(task.taskDefinition.containerDefinitions.map((d) => [d.name, d]));
    const checked = behaviours.filter(({ container, behaviour }) => defs.get(container.name)?.healthCheck || behaviour.healthCheck);
    // Behind a load balancer, the task's ENI IP becomes a target now; it answers health checks as the
    // container's image behaviour says (loadBalancerResponse, default 200).
    this.deps.targets?.running(task, at, (name) => behaviours.find((b) => b.container.name === name)?.behaviour.loadBalancerResponse ?? 200);
    if (checked.length === 0) {
      this.markHealthy(task, at);
    } else {
      this.bump(task, at);
      const failing = checked.find(({ behaviour }) => behaviour.healthCheck === 'fail');
      if (failing) {
        // Unhealthy after `retries` failed checks `interval` apart, once the start period is over.
        const hc = defs.get(failing.container.name)?.healthCheck;
        const ms = ((hc?.startPeriod ?? 0) + (hc?.interval ?? 30) * (hc?.retries ?? 3)) * 1000;
        this.deps.clock.at(at + ms, (t) => this.unhealthy(task, t, failing.container));
      } else {
        this.deps.clock.at(at + this.deps.timing.healthyAfterSeconds * 1000, (t) => {
          if (task.desiredStatus === 'STOPPED') return;
          for (const { container } of checked) container.healthStatus = 'HEALTHY';
          task.healthStatus = 'HEALTHY';
          this.markHealthy(task, t);
        });
      }
    }
    if (exit) {
      const e = exit;
      this.deps.clock.at(at + e.afterMs, (t) => {
        if (task.desiredStatus === 'STOPPED') return;
        e.container.exitCode = e.code;
        this.stop(task, t, { reason: 'Essential container in task exited', code: 'EssentialContainerExited', exitCode: e.code, failure: true });
      });
    }
  }

  private unhealthy(task: Task, at: number, container: Container): void {
    if (task.desiredStatus === 'STOPPED') return;
    container.healthStatus = 'UNHEALTHY';
    task.healthStatus = 'UNHEALTHY';
    task.healthy = false;
    this.bump(task, at);
    // The service scheduler replaces unhealthy tasks; a standalone task keeps running, reported UNHEALTHY.
    // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/healthcheck.html
    // It ignores them until healthCheckGracePeriodSeconds after the task started, then judges again.
    // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html
    const graceEnds = (task.startedAt?.getTime() ?? at) + Number(task.service?.input.healthCheckGracePeriodSeconds ?? 0) * 1000;
    if (task.service && at < graceEnds) {
      this.deps.clock.at(graceEnds, (t) => {
        if (task.desiredStatus === 'RUNNING' && container.healthStatus === 'UNHEALTHY') this.unhealthy(task, t, container);
      });
      return;
    }
    if (task.service) {
      this.deps.observer.event(task.service, `(service ${task.service.serviceName}) (task ${task.id}) failed container health checks.`, at);
      this.stop(task, at, { reason: 'Task failed container health checks', code: 'ServiceSchedulerInitiated', failure: true });
    }
  }

  private writeLogs(task: Task, at: number, behaviours: { container: Container; behaviour: ImageBehaviour }[]): void {
    const defs = new Map(task.taskDefinition.containerDefinitions.map((d) => [d.name, d]));
    for (const { container, behaviour } of behaviours) {
      const lc = defs.get(container.name)?.logConfiguration;
      if (lc?.logDriver !== 'awslogs' || !behaviour.logs?.length) continue;
      const group = lc.options?.['awslogs-group'];
      if (!group) continue;
      const prefix = lc.options?.['awslogs-stream-prefix'];
      // Stream name: prefix/container-name/task-id (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html)
      const stream = prefix ? `${prefix}/${container.name}/${task.id}` : task.id;
      const logs = this.logsFor(lc.options);
      behaviour.logs.forEach((line, i) => logs.append(group, stream, line, at + i));
    }
  }

  /**
   * The Logs the awslogs driver writes to: the region `awslogs-region` names, else the task's own.
   * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html ("awslogs-region")
   */
  private logsFor(options: Record<string, string> | undefined): LogSink {
    const region = options?.['awslogs-region'];
    return region && region !== this.deps.scope.region && this.deps.logsIn ? this.deps.logsIn(region) : this.deps.logs;
  }

  /**
   * The task's containers are up (and pass their health checks): it counts healthy for the scheduler,
   * behind a load balancer only once its targets are healthy too (ecs/load-balancers.ts).
   */
  markHealthy(task: Task, at: number): void {
    if (task.desiredStatus === 'STOPPED' || task.healthy) return;
    task.containersHealthy = true;
    if (this.deps.targets && !this.deps.targets.healthy(task)) return this.bump(task, at);
    task.healthy = true;
    this.bump(task, at);
    this.deps.observer.healthy(task, at);
  }

  /** Stops a task: desiredStatus STOPPED now, lastStatus STOPPED once its containers are down. */
  stop(task: Task, at: number, cause: StopCause): void {
    if (task.desiredStatus === 'STOPPED') return;
    task.desiredStatus = 'STOPPED';
    task.stoppingAt = new Date(at);
    task.stoppedReason = cause.reason;
    task.stopCode = cause.code;
    task.healthy = false;
    if (task.lastStatus === 'RUNNING') task.lastStatus = 'DEACTIVATING';
    this.bump(task, at);
    if (cause.failure) this.deps.observer.failed(task, at);
    // Behind a load balancer the task stays DEACTIVATING while its targets drain (deregistration delay).
    const drainMs = this.deps.targets?.stopping(task, at) ?? 0;
    if (drainMs > 0) {
      this.deps.clock.at(at + drainMs, (t) => {
        if (task.lastStatus === 'DEACTIVATING') task.lastStatus = 'STOPPING';
        this.bump(task, t);
      });
    }
    this.deps.clock.at(at + drainMs + this.deps.timing.stopSeconds * 1000, (t) => {
      task.lastStatus = 'STOPPED';
      task.stoppedAt = new Date(t);
      task.executionStoppedAt = new Date(t);
      for (const c of task.containers) {
        if (c.lastStatus === 'RUNNING' && c.exitCode === undefined) c.exitCode = 143;
        c.lastStatus = 'STOPPED';
        if (cause.containerReason && c.reason === undefined && c.exitCode === undefined) c.reason = cause.containerReason;
      }
      this.bump(task, t);
      // Stopped tasks stay visible for an hour, then disappear from Describe/List calls.
      this.deps.clock.at(t + this.deps.timing.stoppedRetentionSeconds * 1000, () => {
        task.cluster.tasks.delete(task.id);
        task.service?.tasks.delete(task);
        task.deployment?.tasks.delete(task);
      });
    });
  }
}

/**
 * The command a container runs: its RunTask override, else the container definition's `command`
 * (undefined: the image's own CMD). https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerOverride.html
 */
export function effectiveCommand(task: Task, container: string): string[] | undefined {
  const override = (task.overrides.containerOverrides as { name?: unknown; command?: unknown }[]).find((o) => o?.name === container && Array.isArray(o.command));
  if (override) return override.command as string[];
  const command = task.taskDefinition.containerDefinitions.find((d) => d.name === container)?.command;
  return Array.isArray(command) ? (command as string[]) : undefined;
}

function pinned(image: string, digest: string): string {
  const p = parseImageRef(image);
  return `${p.registry ? p.registry + '/' : ''}${p.repository}@${digest}`;
}

export function describeTask(task: Task, scope: ArnScope) {
  return {
    taskArn: task.taskArn,
    clusterArn: task.cluster.clusterArn,
    taskDefinitionArn: task.taskDefinition.taskDefinitionArn,
    lastStatus: task.lastStatus,
    desiredStatus: task.desiredStatus,
    healthStatus: task.healthStatus,
    containers: task.containers.map((c) => ({
      containerArn: c.containerArn,
      taskArn: task.taskArn,
      name: c.name,
      image: c.image,
      imageDigest: c.imageDigest,
      runtimeId: c.runtimeId,
      lastStatus: c.lastStatus,
      exitCode: c.exitCode,
      reason: c.reason,
      healthStatus: c.healthStatus,
      networkInterfaces: task.eni ? [{ attachmentId: task.eni.attachmentId, privateIpv4Address: task.eni.privateIPv4Address }] : [],
    })),
    createdAt: task.createdAt,
    pullStartedAt: task.pullStartedAt,
    pullStoppedAt: task.pullStoppedAt,
    startedAt: task.startedAt,
    stoppingAt: task.stoppingAt,
    stoppedAt: task.stoppedAt,
    executionStoppedAt: task.executionStoppedAt,
    stoppedReason: task.stoppedReason,
    stopCode: task.stopCode,
    startedBy: task.startedBy,
    group: task.group,
    launchType: task.launchType,
    // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Task.html (capacityProviderName)
    capacityProviderName: task.capacityProviderName,
    platformVersion: task.platformVersion,
    cpu: task.taskDefinition.cpu,
    memory: task.taskDefinition.memory,
    connectivity: task.lastStatus === 'PROVISIONING' ? undefined : 'CONNECTED',
    overrides: { containerOverrides: task.overrides.containerOverrides, inferenceAcceleratorOverrides: [] },
    availabilityZone: `${scope.region}a`,
    attachments: task.eni ? [eniAttachment(task, scope.region)] : [],
    tags: task.tags,
    version: task.version,
  };
}
