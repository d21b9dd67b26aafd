import type { SimClock } from '../clock.js';
import type { ImageLookup } from '../images.js';
import type { LogSink } from '../logs/index.js';
import { AwsError, clientException, invalidParameter } from '../protocol/errors.js';
import type { JsonService } from '../protocol/types.js';
import { ImageBehaviours } from '../scenario.js';
import { validateCircuitBreaker } from './circuit-breaker.js';
import { nextProvider, placementOn, providerInUse, resolveLaunch, validateProviders, validateStrategy, type StrategyItem } from './capacity.js';
import { DEFAULT_TIMING, type SimTiming } from '../timing.js';
import { arn, clusterFromArn, decodeToken, encodeToken, nameFromArn, type ArnScope } from './ids.js';
import type { Cluster, Deployment, Service, ServiceDeploymentRecord, ServiceRevision, Task } from './model.js';
import { ServiceScheduler } from './scheduler.js';
import { validateDeploymentStrategy, validateLoadBalancers, type Strategy } from './strategies/config.js';
import { StrategyController } from './strategies/controller.js';
import type { LoadBalancing } from '../elbv2/store.js';
import type { Alarms } from '../cloudwatch/store.js';
import { pageSize, TaskDefinitions, type TaskDefinition } from './task-definitions.js';
import { describeTask, TaskRunner } from './tasks.js';
import { TaskLoadBalancing, validateServiceLoadBalancers } from './load-balancers.js';
import { EniAllocator } from './network.js';
import { DeploymentAlarmWatcher, validateDeploymentAlarms } from './deployment-alarms.js';

/**
 * healthCheckGracePeriodSeconds: 0 to 2,147,483,647 seconds.
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html
 */
function validateGracePeriod(value: unknown): void {
  if (value === undefined || value === null) return;
  if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > 2147483647) throw invalidParameter('healthCheckGracePeriodSeconds must be an integer from 0 to 2147483647.');
}

export interface EcsOptions {
  clock: SimClock;
  accountId: string;
  region: string;
  images: ImageLookup;
  logs: LogSink;
  /** Another region's Logs, for awslogs options naming `awslogs-region`. */
  logsIn?: (region: string) => LogSink;
  /** Image behaviours, shared by every region (default: a fresh set). */
  behaviours?: ImageBehaviours;
  /** Timing choices, shared by every region (default: DEFAULT_TIMING). */
  timing?: SimTiming;
  /** This region's Elastic Load Balancing (target groups, listener rules) and CloudWatch alarms. */
  loadBalancing?: LoadBalancing;
  alarms?: Alarms;
}

// Error texts as ECS returns them. https://docs.aws.amazon.com/AmazonECS/latest/APIReference/CommonErrors.html
const clusterNotFound = () => new AwsError('ClusterNotFoundException', 'Cluster not found.');
const serviceNotFound = () => new AwsError('ServiceNotFoundException', 'Service not found.');
const serviceNotActive = () => new AwsError('ServiceNotActiveException', 'Service was not ACTIVE.');
const SERVICE_NAME = /^[A-Za-z0-9_-]{1,255}$/;

/**
 * Amazon ECS (JSON 1.1, target prefix AmazonEC2ContainerServiceV20141113).
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/Welcome.html
 */
export function createEcs(options: EcsOptions) {
  const { clock } = options;
  const scope: ArnScope = { region: options.region, accountId: options.accountId };
  const clusters = new Map<string, Cluster>();
  const taskDefinitions = new TaskDefinitions(scope);
  const records = new Map<string, ServiceDeploymentRecord>();
  const revisions = new Map<string, ServiceRevision>();
  const behaviours = options.behaviours ?? new ImageBehaviours();
  const timing = options.timing ?? { ...DEFAULT_TIMING };
  const scheduler = new ServiceScheduler({ clock, scope, images: options.images, records, revisions, timing });
  const targets = options.loadBalancing ? new TaskLoadBalancing(clock, options.loadBalancing) : undefined;
  const runner = new TaskRunner({ clock, scope, images: options.images, logs: options.logs, logsIn: options.logsIn, behaviours, observer: scheduler, timing, targets, enis: new EniAllocator() });
  scheduler.runner = runner;
  if (targets) {
    targets.control = {
      targetsHealthy: (task, at) => void (task.containersHealthy && runner.markHealthy(task, at)),
      stop: (task, at, cause) => runner.stop(task, at, cause),
      event: (service, message, at) => scheduler.event(service, message, at),
    };
  }
  // Deployment alarms of rolling deployments (ecs/deployment-alarms.ts).
  if (options.alarms) {
    new DeploymentAlarmWatcher(options.alarms, function* () {
      for (const c of clusters.values()) yield* c.services.values();
    }, (service, d, why, at) => scheduler.fail(service, d, why, at));
  }
  const strategies = new StrategyController({ clock, scheduler, records, loadBalancing: options.loadBalancing, alarms: options.alarms });
  scheduler.strategies = strategies;

  const now = () => clock.nowMs();

  const findCluster = (ref: unknown): Cluster | undefined => {
    const name = nameFromArn(typeof ref === 'string' && ref ? ref : 'default');
    const c = clusters.get(name);
    return c && c.status === 'ACTIVE' ? c : undefined;
  };
  const cluster = (ref: unknown): Cluster => findCluster(ref) ?? throwError(clusterNotFound());
  const findService = (c: Cluster, ref: unknown): Service | undefined => {
    if (typeof ref !== 'string' || !ref) return undefined;
    const inArn = clusterFromArn(ref);
    if (inArn && inArn !== c.clusterName) return undefined;
    return c.services.get(nameFromArn(ref));
  };
  const findTask = (c: Cluster, ref: unknown): Task | undefined => (typeof ref === 'string' && ref ? c.tasks.get(nameFromArn(ref)) : undefined);

  const describeCluster = (c: Cluster) => {
    let running = 0;
    let pending = 0;
    for (const t of c.tasks.values()) {
      if (t.desiredStatus !== 'RUNNING') continue;
      if (t.lastStatus === 'RUNNING') running++;
      else pending++;
    }
    let services = 0;
    for (const s of c.services.values()) if (s.status === 'ACTIVE') services++;
    return {
      clusterArn: c.clusterArn,
      clusterName: c.clusterName,
      status: c.status,
      registeredContainerInstancesCount: 0,
      runningTasksCount: running,
      pendingTasksCount: pending,
      activeServicesCount: services,
      statistics: [],
      tags: c.tags,
      settings: c.settings,
      capacityProviders: c.capacityProviders,
      defaultCapacityProviderStrategy: c.defaultCapacityProviderStrategy,
    };
  };

  const describeDeployment = (s: Service, d: Deployment) => {
    const active = scheduler.active(d);
    const running = scheduler.running(d);
    return {
      id: d.id,
      status: d.status,
      taskDefinition: d.taskDefinition.taskDefinitionArn,
      desiredCount: d.status === 'PRIMARY' ? s.desiredCount : active.length,
      pendingCount: active.length - running,
      runningCount: running,
      failedTasks: d.failedTasks,
      createdAt: d.createdAt,
      updatedAt: d.updatedAt,
      launchType: d.launchType,
      capacityProviderStrategy: s.capacityProviderStrategy,
      platformVersion: d.platformVersion,
      networkConfiguration: d.networkConfiguration,
      rolloutState: d.rolloutState,
      rolloutStateReason: d.rolloutStateReason,
    };
  };

  const describeService = (s: Service) => {
    let running = 0;
    let pending = 0;
    for (const d of s.deployments) {
      const r = scheduler.running(d);
      running += r;
      pending += scheduler.active(d).length - r;
    }
    const { deploymentCircuitBreaker, ...restConfig } = s.deploymentConfiguration;
    return {
      serviceArn: s.serviceArn,
      serviceName: s.serviceName,
      clusterArn: s.cluster.clusterArn,
      loadBalancers: s.input.loadBalancers ?? [],
      serviceRegistries: s.input.serviceRegistries ?? [],
      status: s.status,
      desiredCount: s.desiredCount,
      runningCount: running,
      pendingCount: pending,
      launchType: s.launchType,
      capacityProviderStrategy: s.capacityProviderStrategy,
      platformVersion: s.platformVersion,
      taskDefinition: s.taskDefinition.taskDefinitionArn,
      deploymentConfiguration: { ...restConfig, deploymentCircuitBreaker: deploymentCircuitBreaker ?? { enable: false, rollback: false } },
      deployments: s.deployments.map((d) => describeDeployment(s, d)),
      events: s.events,
      createdAt: s.createdAt,
      currentServiceDeployment: s.deployments[0]?.record.serviceDeploymentArn,
      currentServiceRevisions: s.deployments.map((d) => ({ arn: d.revision.serviceRevisionArn, requestedTaskCount: d.status === 'PRIMARY' ? s.desiredCount : scheduler.active(d).length, runningTaskCount: scheduler.running(d), pendingTaskCount: scheduler.active(d).length - scheduler.running(d) })),
      placementConstraints: s.input.placementConstraints ?? [],
      placementStrategy: s.input.placementStrategy ?? [],
      networkConfiguration: s.networkConfiguration,
      schedulingStrategy: 'REPLICA',
      deploymentController: { type: 'ECS' },
      createdBy: `arn:aws:iam::${scope.accountId}:role/gantry-sim`,
      enableECSManagedTags: s.input.enableECSManagedTags ?? false,
      propagateTags: s.input.propagateTags ?? 'NONE',
      enableExecuteCommand: s.input.enableExecuteCommand ?? false,
      healthCheckGracePeriodSeconds: s.input.healthCheckGracePeriodSeconds,
      tags: s.input.tags,
    };
  };

  const describeRecord = (r: ServiceDeploymentRecord) => ({
    serviceDeploymentArn: r.serviceDeploymentArn,
    serviceArn: r.service.serviceArn,
    clusterArn: r.service.cluster.clusterArn,
    createdAt: r.createdAt,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    stoppedAt: r.stoppedAt,
    updatedAt: r.updatedAt,
    sourceServiceRevisions: r.sourceServiceRevisions.map((source) => ({ ...source, ...strategies.trafficOf(r, source.arn) })),
    targetServiceRevision: (() => {
      const d = r.service.deployments.find((x) => x.record === r && x.revision === r.targetRevision);
      return {
        arn: r.targetRevision.serviceRevisionArn,
        requestedTaskCount: d ? (d.status === 'PRIMARY' ? r.service.desiredCount : scheduler.active(d).length) : 0,
        runningTaskCount: d ? scheduler.running(d) : 0,
        pendingTaskCount: d ? scheduler.active(d).length - scheduler.running(d) : 0,
        ...strategies.trafficOf(r, r.targetRevision.serviceRevisionArn),
      };
    })(),
    status: r.status,
    statusReason: r.statusReason,
    deploymentConfiguration: r.deploymentConfiguration,
    rollback: r.rollback,
    deploymentCircuitBreaker: r.circuitBreaker,
    alarms: r.alarms,
    ...strategies.describe(r),
  });

  const validateDeploymentConfiguration = (input: any, base?: Service['deploymentConfiguration']): Service['deploymentConfiguration'] => {
    const dc = input ?? {};
    const min = dc.minimumHealthyPercent ?? base?.minimumHealthyPercent ?? 100;
    const max = dc.maximumPercent ?? base?.maximumPercent ?? 200;
    if (!Number.isInteger(min) || min < 0 || min > 100) throw invalidParameter('minimumHealthyPercent must be between 0 and 100.');
    if (!Number.isInteger(max) || max < 100) throw invalidParameter('maximumPercent must be at least 100.');
    const cb = dc.deploymentCircuitBreaker !== undefined ? validateCircuitBreaker(dc.deploymentCircuitBreaker) : base?.deploymentCircuitBreaker;
    const { minimumHealthyPercent: _a, maximumPercent: _b, deploymentCircuitBreaker: _c, ...rest } = dc;
    const alarms = dc.alarms !== undefined ? validateDeploymentAlarms(dc.alarms) : base?.alarms;
    const merged = { ...(base ?? {}), ...rest, minimumHealthyPercent: min, maximumPercent: max, deploymentCircuitBreaker: cb, alarms };
    // BLUE_GREEN, LINEAR, CANARY and their settings (strategies/config.ts); strategy defaults to ROLLING.
    return { ...merged, strategy: validateDeploymentStrategy(merged).strategy };
  };

  const checkLaunch = (td: ReturnType<TaskDefinitions['get']>, launchType: string | undefined, networkConfiguration: any) => {
    if (td.status !== 'ACTIVE') throw invalidParameter('TaskDefinition is inactive');
    if (launchType === 'FARGATE' && !td.compatibilities.includes('FARGATE')) throw invalidParameter('Task definition does not support launch_type FARGATE.');
    // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-networking-awsvpc.html
    if (td.networkMode === 'awsvpc' && !networkConfiguration?.awsvpcConfiguration) throw invalidParameter("Network Configuration must be provided when networkMode 'awsvpc' is specified.");
    if (networkConfiguration?.awsvpcConfiguration && !(networkConfiguration.awsvpcConfiguration.subnets?.length > 0)) throw invalidParameter('subnets can not be empty.');
  };

  /**
   * UpdateService's capacityProviderStrategy: a new strategy (providers associated with the cluster), or an
   * empty list to go back to the launch type (the cluster default when the service never had one).
   * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_UpdateService.html
   */
  const updatedStrategy = (s: Service, value: unknown): StrategyItem[] | undefined => {
    if (value === undefined) return s.capacityProviderStrategy;
    if (Array.isArray(value) && value.length === 0) {
      if (s.launchType) return undefined;
      return resolveLaunch({}, s.cluster).strategy;
    }
    return validateStrategy(value, 'capacityProviderStrategy', s.cluster.capacityProviders);
  };

  const page = <T>(items: T[], input: any, max: number, fallback = max) => {
    const size = pageSize(input.maxResults, max, fallback);
    const offset = decodeToken(input.nextToken);
    if (offset === undefined) throw invalidParameter('Invalid token');
    return { items: items.slice(offset, offset + size), nextToken: offset + size < items.length ? encodeToken(offset + size) : undefined };
  };

  const operations: JsonService['operations'] = {
    // ---- clusters ----
    CreateCluster: (input) => {
      const name = input.clusterName ?? 'default';
      if (!SERVICE_NAME.test(name)) throw invalidParameter('Cluster name is invalid. Up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores are allowed.');
      let c = clusters.get(name);
      if (!c || c.status !== 'ACTIVE') {
        // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateCluster.html (capacityProviders, defaultCapacityProviderStrategy)
        const capacityProviders = validateProviders(input.capacityProviders);
        const defaultCapacityProviderStrategy = input.defaultCapacityProviderStrategy === undefined ? [] : validateStrategy(input.defaultCapacityProviderStrategy, 'defaultCapacityProviderStrategy', capacityProviders);
        c = { clusterName: name, clusterArn: arn(scope, `cluster/${name}`), status: 'ACTIVE', services: new Map(), tasks: new Map(), createdAt: clock.now(), tags: input.tags ?? [], settings: input.settings ?? [{ name: 'containerInsights', value: 'disabled' }], capacityProviders, defaultCapacityProviderStrategy };
        clusters.set(name, c);
      }
      return { cluster: describeCluster(c) };
    },
    DescribeClusters: (input) => {
      const refs: string[] = input.clusters?.length ? input.clusters : ['default'];
      const { found, failures } = describeEach(refs, (ref) => clusters.get(nameFromArn(ref)), describeCluster, (ref) => (ref.startsWith('arn:') ? ref : arn(scope, `cluster/${ref}`)));
      return { clusters: found, failures };
    },
    ListClusters: (input) => {
      const p = page([...clusters.values()].filter((c) => c.status === 'ACTIVE').map((c) => c.clusterArn), input, 100);
      return { clusterArns: p.items, nextToken: p.nextToken };
    },
    /**
     * Both lists are required and replace the cluster's; a provider a service's strategy uses cannot be removed.
     * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_PutClusterCapacityProviders.html
     */
    PutClusterCapacityProviders: (input) => {
      const c = cluster(input.cluster);
      if (!Array.isArray(input.capacityProviders)) throw invalidParameter('capacityProviders is required (an empty list removes every provider).');
      if (!Array.isArray(input.defaultCapacityProviderStrategy)) throw invalidParameter('defaultCapacityProviderStrategy is required (an empty list removes the default strategy).');
      const providers = validateProviders(input.capacityProviders);
      const strategy = validateStrategy(input.defaultCapacityProviderStrategy, 'defaultCapacityProviderStrategy', providers);
      for (const s of c.services.values()) {
        if (s.status === 'INACTIVE') continue;
        const gone = s.capacityProviderStrategy?.find((i) => !providers.includes(i.capacityProvider));
        if (gone) throw providerInUse(gone.capacityProvider);
      }
      c.capacityProviders = providers;
      c.defaultCapacityProviderStrategy = strategy;
      return { cluster: describeCluster(c) };
    },
    DeleteCluster: (input) => {
      const c = cluster(input.cluster);
      if ([...c.services.values()].some((s) => s.status !== 'INACTIVE')) throw new AwsError('ClusterContainsServicesException', 'The Cluster cannot be deleted while Services are active.');
      if ([...c.tasks.values()].some((t) => t.lastStatus !== 'STOPPED')) throw new AwsError('ClusterContainsTasksException', 'The Cluster cannot be deleted while Tasks are active.');
      c.status = 'INACTIVE';
      return { cluster: describeCluster(c) };
    },

    // ---- task definitions ----
    RegisterTaskDefinition: (input) => {
      const td = taskDefinitions.register(input, clock.now());
      return { taskDefinition: td, tags: input.tags };
    },
    DescribeTaskDefinition: (input) => {
      if (typeof input.taskDefinition !== 'string' || !input.taskDefinition) throw invalidParameter('Task Definition can not be blank.');
      const td = taskDefinitions.find(input.taskDefinition);
      if (!td) throw clientException('Unable to describe task definition.');
      return { taskDefinition: td, tags: [] };
    },
    ListTaskDefinitions: (input) => taskDefinitions.list(input),
    ListTaskDefinitionFamilies: (input) => taskDefinitions.listFamilies(input),
    DeregisterTaskDefinition: (input) => ({ taskDefinition: taskDefinitions.deregister(input.taskDefinition, clock.now()) }),

    // ---- services ----
    CreateService: (input) => {
      const c = cluster(input.cluster);
      const name = input.serviceName;
      if (typeof name !== 'string' || !SERVICE_NAME.test(name)) throw invalidParameter('Service name is invalid. Up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores are allowed.');
      const existing = c.services.get(name);
      if (existing && existing.status !== 'INACTIVE') throw invalidParameter('Creation of service was not idempotent.');
      if (input.schedulingStrategy === 'DAEMON') throw invalidParameter('The simulator only supports the REPLICA scheduling strategy.');
      if (input.deploymentController?.type && input.deploymentController.type !== 'ECS') throw invalidParameter(`The simulator only supports the ECS (rolling update) deployment controller, not ${input.deploymentController.type}.`);
      const td = taskDefinitions.get(input.taskDefinition);
      const desiredCount = input.desiredCount;
      // desiredCount is required for the REPLICA strategy.
      // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html
      if (desiredCount === undefined) throw invalidParameter('desiredCount is required for services that use the REPLICA scheduling strategy.');
      if (!Number.isInteger(desiredCount) || desiredCount < 0) throw invalidParameter('desiredCount must be a non-negative integer.');
      const launch = resolveLaunch(input, c);
      checkLaunch(td, launch.launchType ?? 'FARGATE', input.networkConfiguration);
      const deploymentConfiguration = validateDeploymentConfiguration(input.deploymentConfiguration);
      validateLoadBalancers(deploymentConfiguration.strategy as Strategy, input.loadBalancers, options.loadBalancing);
      validateServiceLoadBalancers(input.loadBalancers, td, options.loadBalancing);
      validateGracePeriod(input.healthCheckGracePeriodSeconds);
      const at = now();
      const service: Service = {
        serviceName: name,
        serviceArn: arn(scope, `service/${c.clusterName}/${name}`),
        cluster: c,
        status: 'ACTIVE',
        desiredCount,
        taskDefinition: td,
        launchType: launch.launchType,
        capacityProviderStrategy: launch.strategy,
        platformVersion: launch.launchType !== 'EC2' && launch.launchType !== 'EXTERNAL' ? (input.platformVersion ?? 'LATEST') : input.platformVersion,
        networkConfiguration: input.networkConfiguration,
        deploymentConfiguration,
        deployments: [],
        events: [],
        createdAt: new Date(at),
        input,
        tasks: new Set(),
        records: [],
        steady: false,
        consecutiveFailures: 0,
        launchNotBefore: 0,
      };
      c.services.set(name, service);
      scheduler.deploy(service, td, at);
      return { service: describeService(service) };
    },
    UpdateService: (input) => {
      const c = cluster(input.cluster);
      const s = findService(c, input.service);
      if (!s) throw serviceNotFound();
      if (s.status !== 'ACTIVE') throw serviceNotActive();
      const at = now();
      const td = input.taskDefinition !== undefined ? taskDefinitions.get(input.taskDefinition) : s.taskDefinition;
      const networkConfiguration = input.networkConfiguration ?? s.networkConfiguration;
      if (input.launchType !== undefined) throw invalidParameter('UpdateService does not take launchType; use capacityProviderStrategy (an empty list returns the service to the launch type).');
      const strategy = updatedStrategy(s, input.capacityProviderStrategy);
      checkLaunch(td, strategy?.length ? 'FARGATE' : s.launchType, networkConfiguration);
      const deploymentConfiguration = input.deploymentConfiguration !== undefined ? validateDeploymentConfiguration(input.deploymentConfiguration, s.deploymentConfiguration) : s.deploymentConfiguration;
      validateLoadBalancers(deploymentConfiguration.strategy as Strategy, input.loadBalancers ?? s.input.loadBalancers, options.loadBalancing);
      if (input.loadBalancers !== undefined) validateServiceLoadBalancers(input.loadBalancers, td, options.loadBalancing);
      validateGracePeriod(input.healthCheckGracePeriodSeconds);
      if (input.desiredCount !== undefined) {
        if (!Number.isInteger(input.desiredCount) || input.desiredCount < 0) throw invalidParameter('desiredCount must be a non-negative integer.');
        s.desiredCount = input.desiredCount;
      }
      s.deploymentConfiguration = deploymentConfiguration;
      // "When you add, update, or remove a load balancer configuration, Amazon ECS starts a new deployment."
      // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_LoadBalancer.html
      const loadBalancersChanged = input.loadBalancers !== undefined && JSON.stringify(input.loadBalancers) !== JSON.stringify(s.input.loadBalancers ?? []);
      for (const key of ['enableExecuteCommand', 'propagateTags', 'enableECSManagedTags', 'healthCheckGracePeriodSeconds', 'loadBalancers', 'serviceRegistries', 'placementConstraints', 'placementStrategy'] as const) {
        if (input[key] !== undefined) s.input[key] = input[key];
      }
      if (input.platformVersion !== undefined) s.platformVersion = input.platformVersion;
      // "This parameter doesn't trigger a new service deployment": tasks started from now on use it.
      // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_UpdateService.html
      if (input.capacityProviderStrategy !== undefined) {
        s.capacityProviderStrategy = strategy;
        if (strategy?.length) s.launchType = undefined;
      }
      // A new deployment starts when the task definition, network or platform changes, or on request.
      // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_UpdateService.html
      const changed = td !== s.taskDefinition || input.forceNewDeployment || input.networkConfiguration !== undefined || input.platformVersion !== undefined || loadBalancersChanged;
      s.networkConfiguration = networkConfiguration;
      if (changed) scheduler.deploy(s, td, at);
      else scheduler.schedule(s, at);
      return { service: describeService(s) };
    },
    DescribeServices: (input) => {
      const c = cluster(input.cluster);
      // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeServices.html (up to 10 services)
      const refs = batchRefs(input.services, 10, 'Services');
      const { found, failures } = describeEach(refs, (ref) => findService(c, ref), describeService, (ref) => (String(ref).startsWith('arn:') ? ref : arn(scope, `service/${c.clusterName}/${ref}`)));
      return { services: found, failures };
    },
    ListServices: (input) => {
      const c = cluster(input.cluster);
      const arns: string[] = [];
      for (const s of c.services.values()) if (s.status !== 'INACTIVE' && (!input.launchType || s.launchType === input.launchType)) arns.push(s.serviceArn);
      // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListServices.html (maxResults 1-100, default 10)
      const p = page(arns, input, 100, 10);
      return { serviceArns: p.items, nextToken: p.nextToken };
    },
    DeleteService: (input) => {
      const c = cluster(input.cluster);
      const s = findService(c, input.service);
      if (!s) throw serviceNotFound();
      if (s.status !== 'ACTIVE') throw serviceNotActive();
      // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeleteService.html
      if (s.desiredCount > 0 && !input.force) throw invalidParameter('The service cannot be stopped while it is scaled above 0.');
      s.desiredCount = 0;
      s.status = 'DRAINING';
      scheduler.schedule(s, now());
      return { service: describeService(s) };
    },

    // ---- service deployments and revisions ----
    ListServiceDeployments: (input) => {
      const c = cluster(input.cluster);
      const s = findService(c, input.service);
      if (!s) throw serviceNotFound();
      const statuses: string[] | undefined = input.status;
      const after = input.createdAt?.after !== undefined ? Number(input.createdAt.after) * 1000 : -Infinity;
      const before = input.createdAt?.before !== undefined ? Number(input.createdAt.before) * 1000 : Infinity;
      const list = s.records
        .filter((r) => (!statuses?.length || statuses.includes(r.status)) && r.createdAt.getTime() >= after && r.createdAt.getTime() <= before)
        .reverse()
        .map((r) => ({
          serviceDeploymentArn: r.serviceDeploymentArn,
          serviceArn: s.serviceArn,
          clusterArn: c.clusterArn,
          startedAt: r.startedAt,
          createdAt: r.createdAt,
          finishedAt: r.finishedAt,
          targetServiceRevisionArn: r.targetRevision.serviceRevisionArn,
          status: r.status,
          statusReason: r.statusReason,
        }));
      const p = page(list, input, 100, 20);
      return { serviceDeployments: p.items, nextToken: p.nextToken };
    },
    DescribeServiceDeployments: (input) => {
      const refs = batchRefs(input.serviceDeploymentArns, 20, 'serviceDeploymentArns');
      const { found, failures } = describeEach(refs, (ref) => records.get(ref), describeRecord);
      return { serviceDeployments: found, failures };
    },
    DescribeServiceRevisions: (input) => {
      const refs = batchRefs(input.serviceRevisionArns, 20, 'serviceRevisionArns');
      const { found, failures } = describeEach(refs, (ref) => revisions.get(ref), (r) => r);
      return { serviceRevisions: found, failures };
    },
    StopServiceDeployment: (input) => {
      const r = records.get(input.serviceDeploymentArn);
      if (!r) throw new AwsError('ServiceDeploymentNotFoundException', 'The service deployment does not exist.');
      if (r.status !== 'IN_PROGRESS' && r.status !== 'PENDING') throw new AwsError('ConflictException', `The service deployment is ${r.status} and cannot be stopped.`);
      const s = r.service;
      const d = s.deployments[0];
      const at = now();
      const stopType = input.stopType ?? 'ROLLBACK';
      if (stopType !== 'ROLLBACK' && stopType !== 'ABORT') throw invalidParameter(`Invalid stopType ${JSON.stringify(input.stopType)}. Valid values are ABORT, ROLLBACK.`);
      // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_StopServiceDeployment.html
      if (stopType === 'ROLLBACK' && d && d.record === r && s.lastCompleted && s.lastCompleted !== d) {
        d.rolloutState = 'FAILED';
        d.rolloutStateReason = 'Service deployment rolled back because of a stop request.';
        scheduler.rollback(s, d, s.lastCompleted, 'Service deployment rolled back because of a stop request.', at);
      } else {
        r.status = 'STOPPED';
        r.statusReason = 'Service deployment stopped by request.';
        r.stoppedAt = r.finishedAt = r.updatedAt = new Date(at);
        if (d && d.record === r) d.rolloutState = 'FAILED';
        scheduler.schedule(s, at);
      }
      return { serviceDeploymentArn: r.serviceDeploymentArn };
    },
    // PAUSE lifecycle hooks (strategies/controller.ts).
    // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContinueServiceDeployment.html
    ContinueServiceDeployment: (input) => strategies.continueDeployment(input, now()),

    // ---- tasks ----
    RunTask: (input) => {
      const c = cluster(input.cluster);
      const td = taskDefinitions.get(input.taskDefinition);
      const count = input.count ?? 1;
      // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html (count 1-10)
      if (!Number.isInteger(count) || count < 1 || count > 10) throw invalidParameter('count must be between 1 and 10.');
      const launch = resolveLaunch(input, c);
      checkLaunch(td, launch.launchType ?? 'FARGATE', input.networkConfiguration);
      checkContainerOverrides(td, input.overrides?.containerOverrides);
      const at = now();
      const placed = new Map<string, number>();
      const placements = Array.from({ length: count }, () => {
        if (!launch.strategy) return { launchType: launch.launchType! };
        const provider = nextProvider(launch.strategy, placed);
        placed.set(provider, (placed.get(provider) ?? 0) + 1);
        return placementOn(provider);
      });
      const tasks = placements.map((placement) =>
        runner.create({
          cluster: c,
          taskDefinition: td,
          at,
          group: input.group ?? `family:${td.family}`,
          startedBy: input.startedBy,
          ...placement,
          platformVersion: placement.launchType === 'FARGATE' ? (input.platformVersion ?? '1.4.0') : input.platformVersion,
          overrides: input.overrides,
          tags: input.tags,
        }),
      );
      return { tasks: tasks.map((t) => describeTask(t, scope)), failures: [] };
    },
    DescribeTasks: (input) => {
      const c = cluster(input.cluster);
      const refs = batchRefs(input.tasks, 100, 'Tasks');
      const { found, failures } = describeEach(refs, (ref) => findTask(c, ref), (t) => describeTask(t, scope), (ref) => (String(ref).startsWith('arn:') ? ref : arn(scope, `task/${c.clusterName}/${ref}`)));
      return { tasks: found, failures };
    },
    ListTasks: (input) => {
      const c = cluster(input.cluster);
      if (input.serviceName && input.family) throw invalidParameter('Cannot specify both family and serviceName.');
      const desired = input.desiredStatus ?? 'RUNNING';
      let source: Iterable<Task> = c.tasks.values();
      if (input.serviceName) {
        const s = findService(c, input.serviceName);
        if (!s) throw serviceNotFound();
        source = s.tasks;
      }
      const arns: string[] = [];
      for (const t of source) {
        if (t.desiredStatus !== desired) continue;
        if (input.family && t.taskDefinition.family !== input.family) continue;
        if (input.startedBy && t.startedBy !== input.startedBy) continue;
        if (input.launchType && t.launchType !== input.launchType) continue;
        arns.push(t.taskArn);
      }
      const p = page(arns, input, 100);
      return { taskArns: p.items, nextToken: p.nextToken };
    },
    StopTask: (input) => {
      const c = cluster(input.cluster);
      const t = findTask(c, input.task);
      if (!t) throw invalidParameter('The referenced task was not found.');
      runner.stop(t, now(), { reason: input.reason ?? 'Task stopped by user', code: 'UserInitiated', failure: false });
      return { task: describeTask(t, scope) };
    },
  };

  // Every call first lets the clock run what is due, so answers reflect the current simulated instant.
  const observed: JsonService['operations'] = Object.fromEntries(Object.entries(operations).map(([name, op]) => [name, (input, ctx) => (clock.now(), op(input, ctx))]));
  const service: JsonService = { name: 'ecs', targetPrefix: 'AmazonEC2ContainerServiceV20141113', operations: observed };

  /** What the Lambda functions of lifecycle hooks answer (the simulator runs none). README, "Control API". */
  const control = {
    setHookOutcome: (body: { hookTargetArn?: string; outcome?: string; callbackDelaySeconds?: number }) => (strategies.outcomes.set(body), {}),
    clearHookOutcomes: () => (strategies.outcomes.clear(), {}),
    hookInvocations: (body?: { hookTargetArn?: string }) => ({ invocations: strategies.outcomes.invocations.filter((i) => !body?.hookTargetArn || i.hookTargetArn === body.hookTargetArn) }),
  };

  return { service, control, behaviours, taskDefinitions, timing };
}

/**
 * A container override names a container of the task definition; its command is a list of strings.
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerOverride.html
 */
function checkContainerOverrides(td: TaskDefinition, overrides: unknown): void {
  if (overrides === undefined) return;
  if (!Array.isArray(overrides)) throw invalidParameter('overrides.containerOverrides must be a list.');
  const names = td.containerDefinitions.map((c) => c.name);
  for (const o of overrides as { name?: unknown; command?: unknown }[]) {
    if (!o || typeof o !== 'object') throw invalidParameter('Each container override must be an object.');
    if (Object.keys(o).length === 0) continue;
    if (typeof o.name !== 'string' || !o.name) throw invalidParameter('A container override must include the name of the container it overrides.');
    if (!names.includes(o.name)) throw invalidParameter(`Override for container named ${o.name} is not a container in the TaskDefinition (containers: ${names.join(', ')}).`);
    if (o.command !== undefined && (!Array.isArray(o.command) || o.command.some((c) => typeof c !== 'string'))) throw invalidParameter(`The command override of container ${o.name} must be a list of strings.`);
  }
}

function throwError(err: Error): never {
  throw err;
}

/**
 * The shape every batched Describe* call shares: each reference is either found and described, or
 * reported in `failures` with reason MISSING, never as an error.
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Failure.html
 */
function describeEach<T>(refs: string[], find: (ref: string) => T | undefined, describe: (item: T) => unknown, missingArn: (ref: string) => string = (ref) => ref) {
  const found: unknown[] = [];
  const failures: { arn: string; reason: 'MISSING' }[] = [];
  for (const ref of refs) {
    const item = find(ref);
    if (item) found.push(describe(item));
    else failures.push({ arn: missingArn(ref), reason: 'MISSING' });
  }
  return { found, failures };
}

/** A batched call's list parameter: present, not empty, and within the documented maximum. */
function batchRefs(value: unknown, max: number, name: string): string[] {
  if (!Array.isArray(value) || value.length === 0) throw invalidParameter(`${name} cannot be empty.`);
  if (value.length > max) throw invalidParameter(`${name} cannot contain more than ${max} elements.`);
  return value as string[];
}
