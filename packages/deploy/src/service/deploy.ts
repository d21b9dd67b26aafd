import type { ECSClient } from '@aws-sdk/client-ecs';
import { UserError } from '@gantry/github';
import type { Clock, Logger } from '../runtime.js';
import { deploymentInProgress, preflight, updateService, waitForIdle, type UpdateOptions } from './update.js';
import { watchRollout, type WatchResult } from './watch.js';
import type { EarlyStopOptions } from './early-stop.js';
import type { InsightClients } from './insight.js';
import { checkPlan } from './plan.js';
import type { SmokeCheckOptions } from './smoke.js';
import { strategyOf, type Strategy } from './strategy.js';

export interface DeployOptions extends UpdateOptions, InsightClients {
  ecs: ECSClient;
  clock: Clock;
  logger: Logger;
  region: string;
  pollMs: number;
  timeoutMs: number;
  waitForRollback: boolean;
  /** What to do when another deployment is still rolling out. */
  ifInProgress: 'wait' | 'proceed' | 'fail';
  signal?: AbortSignal;
  earlyStop?: EarlyStopOptions;
  smokeCheck?: SmokeCheckOptions;
}

/** The watch's verdict fields are passed through as they are. */
export interface DeployResult extends Pick<WatchResult, 'outcome' | 'reason' | 'rolledBackTo' | 'rollbackFinished' | 'rollbackBy' | 'supersededBy' | 'explanation'> {
  cluster: string;
  strategy: Strategy;
  service: string;
  region: string;
  /** Service deployment id (last part of its ARN), as the console shows it; else the ECS deployment id. */
  deploymentId: string;
  serviceDeploymentArn?: string;
  taskDefinitionArn: string;
  previousTaskDefinition?: string;
  images: { container: string; image: string; digest?: string }[];
  startedAt: number;
  durationMs: number;
  watch: WatchResult;
}

/** Preflight → (wait for a running deployment) → UpdateService with the circuit breaker → watch. */
export async function deployService(options: DeployOptions): Promise<DeployResult> {
  const { ecs, clock, logger } = options;
  const startedAt = clock.now();
  const insight: InsightClients = { cloudwatch: options.cloudwatch, elbv2: options.elbv2 };
  let { service: before, taskDefinition } = await preflight(ecs, options);
  await checkPlan(before, options, insight);
  const busy = deploymentInProgress(before);
  if (busy) {
    const message = `A deployment is already in progress on '${options.service}': ${busy}.`;
    if (options.ifInProgress === 'fail') throw new UserError(message, "Set if-in-progress: wait (or proceed) or let the workflow's concurrency group serialise deployments.");
    if (options.ifInProgress === 'proceed') logger.warning(`${message} Proceeding: ours will replace it (if-in-progress: proceed).`);
    else {
      logger.info(`${message} Waiting for it to finish (if-in-progress: wait).`);
      before = await waitForIdle(ecs, { ...options, deadline: startedAt + options.timeoutMs });
    }
  }
  const taskDefinitionArn = taskDefinition.taskDefinitionArn!;
  const previousTaskDefinition = before.taskDefinition;
  logger.info(`Deploying ${taskDefinitionArn} to ${options.service} (was ${previousTaskDefinition ?? 'none'}).`);
  const strategy = strategyOf(before.deploymentConfiguration);
  const { identity } = await updateService(ecs, options, before, taskDefinitionArn, logger);
  let watch: WatchResult;
  try {
    watch = await watchRollout({
      ecs,
      clock,
      logger,
      cluster: options.cluster,
      service: options.service,
      identity: { ...identity, taskDefinitionArn },
      knownEventIds: (before.events ?? []).map((e) => e.id!).filter(Boolean),
      pollMs: options.pollMs,
      timeoutMs: Math.max(0, options.timeoutMs - (clock.now() - startedAt)),
      waitForRollback: options.waitForRollback,
      signal: options.signal,
      strategy,
      insight,
      earlyStop: options.earlyStop,
      smokeCheck: options.smokeCheck,
    });
  } catch (err) {
    throw alreadyChanged(err, options.service, taskDefinitionArn, identity.serviceDeploymentArn ?? identity.deploymentId);
  }
  const runningDigests = new Map<string, string>();
  for (const t of watch.last?.tasks ?? []) for (const c of t.containers ?? []) if (c.name && c.imageDigest) runningDigests.set(c.name, c.imageDigest);
  const images = (taskDefinition.containerDefinitions ?? []).map((c) => ({
    container: c.name ?? '?',
    image: c.image ?? '?',
    digest: /@(sha256:[a-f0-9]{64})$/.exec(c.image ?? '')?.[1] ?? runningDigests.get(c.name ?? ''),
  }));
  return {
    cluster: options.cluster,
    service: options.service,
    region: options.region,
    strategy,
    outcome: watch.outcome,
    rollbackBy: watch.rollbackBy,
    reason: watch.reason,
    deploymentId: identity.serviceDeploymentArn?.split('/').pop() ?? identity.deploymentId,
    serviceDeploymentArn: identity.serviceDeploymentArn,
    taskDefinitionArn,
    previousTaskDefinition,
    rolledBackTo: watch.rolledBackTo,
    rollbackFinished: watch.rollbackFinished,
    supersededBy: watch.supersededBy,
    images,
    explanation: watch.explanation,
    startedAt,
    durationMs: clock.now() - startedAt,
    watch,
  };
}

/**
 * A call after UpdateService failed: say what already changed in AWS before the error, so nobody
 * assumes the service is untouched.
 */
export function alreadyChanged(err: unknown, service: string, taskDefinitionArn: string, deployment: string): UserError {
  const done = `UpdateService already changed '${service}': it now deploys ${taskDefinitionArn.split('/').pop()} with the circuit breaker and rollback on (deployment ${deployment.split('/').pop()}), and ECS carries on with it.`;
  if (err instanceof UserError) return Object.assign(new UserError(`${done} Then: ${err.message}`), { cause: err });
  return Object.assign(new UserError(`${done} Then the watch failed: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`, 'Follow the deployment in the ECS console, fix the cause and run the step again.'), { cause: err });
}
