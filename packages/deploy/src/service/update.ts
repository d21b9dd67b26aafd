import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ListServiceDeploymentsCommand,
  UpdateServiceCommand,
  type DeploymentConfiguration,
  type ECSClient,
  type Service,
  type TaskDefinition,
  type ThresholdType,
} from '@aws-sdk/client-ecs';
import { UserError } from '@gantry/github';
import { describeServiceOrFail } from '../task-definition/load.js';
import { errorText, isTransient, type Clock, type Logger } from '../runtime.js';
import type { RolloutIdentity } from './decide.js';
import { strategyOf, type Strategy } from './strategy.js';

export interface CircuitBreakerOptions {
  thresholdType?: ThresholdType;
  thresholdValue?: number;
  resetOnHealthyTask?: boolean;
}

export interface UpdateOptions {
  cluster: string;
  service: string;
  /** family, family:revision or ARN; the service's current one when absent (with force-new-deployment). */
  taskDefinition?: string;
  desiredCount?: number;
  forceNewDeployment: boolean;
  circuitBreaker: CircuitBreakerOptions;
  /** CloudWatch alarms that fail (and roll back) the deployment; absent keeps the service's setting. */
  alarms?: { names: string[]; rollback: boolean };
  /** Strategy settings to change; each only for the strategies that use it (checked in preflight). */
  strategySettings?: StrategySettings;
}

/** ECS settings that only some strategies use. Absent fields keep the service's setting. */
export interface StrategySettings {
  /** BLUE_GREEN, LINEAR, CANARY: minutes both revisions run after production traffic moved. */
  bakeTimeMinutes?: number;
  /** CANARY: share of production traffic on the new revision during the canary phase. */
  canaryPercent?: number;
  canaryBakeTimeMinutes?: number;
  /** LINEAR: share of production traffic moved at each step. */
  linearStepPercent?: number;
  linearStepBakeTimeMinutes?: number;
}

/** Which strategies use each setting, and the action input that sets it. */
export const STRATEGY_SETTINGS: Record<keyof StrategySettings, { input: string; strategies: Strategy[] }> = {
  bakeTimeMinutes: { input: 'bake-time-minutes', strategies: ['BLUE_GREEN', 'LINEAR', 'CANARY'] },
  canaryPercent: { input: 'canary-percent', strategies: ['CANARY'] },
  canaryBakeTimeMinutes: { input: 'canary-bake-time-minutes', strategies: ['CANARY'] },
  linearStepPercent: { input: 'linear-step-percent', strategies: ['LINEAR'] },
  linearStepBakeTimeMinutes: { input: 'linear-step-bake-time-minutes', strategies: ['LINEAR'] },
};

/**
 * The service's deployment configuration with the circuit breaker turned on with rollback, and every
 * other setting (percentages, strategy, bake time, hooks, alarms unless given) kept as it is.
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentCircuitBreaker.html
 */
export function deploymentConfigurationFor(existing: DeploymentConfiguration | undefined, options: Pick<UpdateOptions, 'circuitBreaker' | 'alarms' | 'strategySettings'>): DeploymentConfiguration {
  const st = options.strategySettings ?? {};
  const cb = options.circuitBreaker;
  const current = existing?.deploymentCircuitBreaker;
  const threshold =
    cb.thresholdType || cb.thresholdValue !== undefined
      ? { type: cb.thresholdType ?? current?.thresholdConfiguration?.type ?? 'BOUNDED_PERCENT', value: cb.thresholdValue ?? current?.thresholdConfiguration?.value ?? 50 }
      : current?.thresholdConfiguration;
  return {
    ...existing,
    deploymentCircuitBreaker: {
      enable: true,
      rollback: true,
      ...(threshold ? { thresholdConfiguration: threshold } : {}),
      ...(cb.resetOnHealthyTask !== undefined ? { resetOnHealthyTask: cb.resetOnHealthyTask } : current?.resetOnHealthyTask !== undefined ? { resetOnHealthyTask: current.resetOnHealthyTask } : {}),
    },
    ...(options.alarms ? { alarms: { alarmNames: options.alarms.names, enable: options.alarms.names.length > 0, rollback: options.alarms.rollback } } : {}),
    ...(st.bakeTimeMinutes !== undefined ? { bakeTimeInMinutes: st.bakeTimeMinutes } : {}),
    ...(st.canaryPercent !== undefined || st.canaryBakeTimeMinutes !== undefined
      ? { canaryConfiguration: { ...existing?.canaryConfiguration, ...defined({ canaryPercent: st.canaryPercent, canaryBakeTimeInMinutes: st.canaryBakeTimeMinutes }) } }
      : {}),
    ...(st.linearStepPercent !== undefined || st.linearStepBakeTimeMinutes !== undefined
      ? { linearConfiguration: { ...existing?.linearConfiguration, ...defined({ stepPercent: st.linearStepPercent, stepBakeTimeInMinutes: st.linearStepBakeTimeMinutes }) } }
      : {}),
  };
}

function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export interface PreflightResult {
  service: Service;
  taskDefinition: TaskDefinition;
}

/** Everything checked before the update: the service exists and uses rolling deployments, the task definition exists. */
export async function preflight(ecs: ECSClient, options: UpdateOptions): Promise<PreflightResult> {
  const service = await describeServiceOrFail(ecs, options.cluster, options.service);
  const controller = service.deploymentController?.type ?? 'ECS';
  if (controller !== 'ECS') {
    throw new UserError(`Service '${options.service}' uses the ${controller} deployment controller; the circuit breaker and this action need the ECS (rolling) controller.`);
  }
  const wanted = options.taskDefinition ?? service.taskDefinition;
  if (!wanted) throw new UserError(`Service '${options.service}' has no task definition and none was given.`, "Set the 'task-definition' input.");
  if (!options.taskDefinition && !options.forceNewDeployment && options.desiredCount === undefined) {
    throw new UserError("Nothing to deploy: 'task-definition' is empty and neither 'force-new-deployment' nor 'desired-count' is set.", 'Pass the task-definition-arn output of register-task-definition.');
  }
  try {
    const out = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: wanted }));
    if (!out.taskDefinition) throw new Error('no task definition returned');
    if (out.taskDefinition.status === 'INACTIVE' || out.taskDefinition.status === 'DELETE_IN_PROGRESS') {
      throw new UserError(`Task definition ${out.taskDefinition.taskDefinitionArn} is ${out.taskDefinition.status}.`, 'Deploy an ACTIVE revision.');
    }
    return { service, taskDefinition: out.taskDefinition };
  } catch (err) {
    if ((err as Error).name === 'ClientException') {
      throw new UserError(`Task definition '${wanted}' does not exist: ${(err as Error).message}`, "Check the 'task-definition' input (family:revision or ARN).");
    }
    throw err;
  }
}

/** A rollout is in progress when the service has more than one deployment or its primary is not COMPLETED. */
export function deploymentInProgress(service: Service): string | undefined {
  const deployments = service.deployments ?? [];
  const primary = deployments.find((d) => d.status === 'PRIMARY');
  if (deployments.length > 1 || (primary && primary.rolloutState === 'IN_PROGRESS')) {
    return `${primary?.id ?? '?'} (${primary?.taskDefinition ?? '?'}, ${primary?.rolloutState ?? '?'}, ${primary?.runningCount ?? 0}/${primary?.desiredCount ?? 0} running)`;
  }
  return undefined;
}

/** Polls until no deployment is in progress; returns the settled service. */
export async function waitForIdle(ecs: ECSClient, o: { cluster: string; service: string; clock: Clock; logger: Logger; pollMs: number; deadline: number; signal?: AbortSignal }): Promise<Service> {
  for (;;) {
    try {
      const svc = (await ecs.send(new DescribeServicesCommand({ cluster: o.cluster, services: [o.service] }))).services?.[0];
      if (svc && !deploymentInProgress(svc)) return svc;
    } catch (err) {
      if (!isTransient(err)) throw err;
      o.logger.info(`Poll failed (${errorText(err)}); polling again.`);
    }
    if (o.signal?.aborted) throw new UserError('Cancelled while waiting for the earlier deployment to finish; nothing was changed.');
    if (o.clock.now() >= o.deadline) throw new UserError(`Timed out waiting for the deployment already in progress on '${o.service}' to finish; nothing was changed.`, "Raise 'timeout' or set if-in-progress: proceed.");
    await o.clock.sleep(o.pollMs, o.signal);
  }
}

/** Sends UpdateService and identifies the deployment it created. */
export async function updateService(ecs: ECSClient, options: UpdateOptions, before: Service, taskDefinitionArn: string, logger: Logger): Promise<{ service: Service; identity: RolloutIdentity }> {
  const out = await ecs.send(
    new UpdateServiceCommand({
      cluster: options.cluster,
      service: options.service,
      taskDefinition: taskDefinitionArn,
      ...(options.desiredCount !== undefined ? { desiredCount: options.desiredCount } : {}),
      forceNewDeployment: options.forceNewDeployment,
      deploymentConfiguration: deploymentConfigurationFor(before.deploymentConfiguration, options),
    }),
  );
  const service = out.service;
  const primary = service?.deployments?.find((d) => d.status === 'PRIMARY');
  if (!service || !primary?.id) throw new Error('UpdateService returned no primary deployment');
  if (primary.taskDefinition && primary.taskDefinition !== taskDefinitionArn) {
    throw new UserError(`UpdateService answered with a primary deployment of ${primary.taskDefinition}, not ${taskDefinitionArn}: another deployment changed '${options.service}' at the same moment.`, "Serialise deployments of one service (the workflow's concurrency group) and run the step again.");
  }
  let serviceDeploymentArn = service.currentServiceDeployment;
  if (!serviceDeploymentArn || serviceDeploymentArn === before.currentServiceDeployment) {
    // Older responses lack currentServiceDeployment: find the deployment UpdateService just started.
    const listed = await ecs.send(new ListServiceDeploymentsCommand({ cluster: options.cluster, service: options.service, status: ['PENDING', 'IN_PROGRESS'] }));
    serviceDeploymentArn = listed.serviceDeployments?.find((d) => d.serviceDeploymentArn !== before.currentServiceDeployment)?.serviceDeploymentArn;
  }
  logger.info(`UpdateService started deployment ${primary.id}${serviceDeploymentArn ? ` (${serviceDeploymentArn})` : ''} of ${taskDefinitionArn}.`);
  return { service, identity: { deploymentId: primary.id, serviceDeploymentArn } };
}
