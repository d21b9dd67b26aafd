import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeTaskDefinitionCommand, DescribeTasksCommand, RunTaskCommand, type ECSClient, type Task } from '@aws-sdk/client-ecs';
import { UserError } from '@gantry/github';
import { errorText, isTransient, type Clock, type Logger } from '../runtime.js';
import { shortTaskId } from '../service/decide.js';
import { awsLogsLocation, LogFollower } from './logs.js';
import { placementFor, withClusterDefaultCapacity, type CapacityInput, type NetworkInput } from './network.js';

export interface RunTaskOptions {
  ecs: ECSClient;
  logs: CloudWatchLogsClient;
  clock: Clock;
  logger: Logger;
  cluster: string;
  taskDefinition: string;
  /** Container whose command is overridden and whose logs are streamed; the first essential one by default. */
  container?: string;
  command?: string[];
  environment?: Record<string, string>;
  /** Take network configuration, launch type / capacity providers from this service. */
  networkFromService?: string;
  network?: NetworkInput;
  /** Launch type or capacity provider strategy; else the service's, else the cluster's default strategy. */
  capacity?: CapacityInput;
  startedBy?: string;
  pollMs: number;
  timeoutMs: number;
  signal?: AbortSignal;
}

/**
 * "A total of 8192 characters are allowed for overrides. This limit includes the JSON formatting
 * characters of the override structure." https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html
 */
export const MAX_OVERRIDE_CHARACTERS = 8192;

export interface RunTaskResult {
  taskArn: string;
  outcome: 'exited' | 'timeout' | 'cancelled';
  /** Exit code of the essential container that decides the result (undefined when it never ran). */
  exitCode?: number;
  container: string;
  stoppedReason?: string;
  logLines: number;
  durationMs: number;
}

export async function runOneOffTask(o: RunTaskOptions): Promise<RunTaskResult> {
  const { ecs, logger, clock } = o;
  const started = clock.now();
  let td;
  try {
    td = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: o.taskDefinition }))).taskDefinition;
  } catch (err) {
    if ((err as Error).name === 'ClientException') throw new UserError(`Task definition '${o.taskDefinition}' does not exist: ${(err as Error).message}`, "Check the 'task-definition' input.");
    throw err;
  }
  const containers = td?.containerDefinitions ?? [];
  const target = o.container ? containers.find((c) => c.name === o.container) : (containers.find((c) => c.essential !== false) ?? containers[0]);
  if (!target?.name) {
    throw new UserError(`Task definition ${td?.taskDefinitionArn} has no container named '${o.container}'.`, `Its containers are: ${containers.map((c) => c.name).join(', ')}.`);
  }
  const env = Object.entries(o.environment ?? {}).map(([name, value]) => ({ name, value }));
  const overrides = o.command || env.length ? { containerOverrides: [{ name: target.name, ...(o.command ? { command: o.command } : {}), ...(env.length ? { environment: env } : {}) }] } : undefined;
  const overrideSize = overrides ? JSON.stringify(overrides).length : 0;
  if (overrideSize > MAX_OVERRIDE_CHARACTERS) {
    throw new UserError(
      `The container overrides (inputs 'command' and 'environment') are ${overrideSize} characters of JSON; RunTask accepts at most ${MAX_OVERRIDE_CHARACTERS}.`,
      'Shorten them: put long values in the task definition, environmentFiles or secrets.',
    );
  }
  const networked = await placementFor(ecs, o.cluster, o.networkFromService, o.network, o.capacity);
  if (td?.networkMode === 'awsvpc' && !networked.networkConfiguration?.awsvpcConfiguration?.subnets?.length) {
    throw new UserError(`Task definition ${td.taskDefinitionArn} uses awsvpc networking, so the task needs subnets.`, "Set 'network-from-service' (e.g. web) or 'subnets' and 'security-groups'.");
  }
  const placement = await withClusterDefaultCapacity(ecs, o.cluster, networked);
  const out = await ecs.send(
    new RunTaskCommand({
      cluster: o.cluster,
      taskDefinition: td!.taskDefinitionArn,
      count: 1,
      startedBy: (o.startedBy ?? 'gantry/run-task').slice(0, 128),
      ...placement,
      ...(overrides ? { overrides } : {}),
    }),
  );
  const task = out.tasks?.[0];
  if (!task?.taskArn) {
    const f = out.failures?.[0];
    throw new UserError(`ECS could not start the task: ${f?.reason ?? 'no task returned'}${f?.detail ? ` (${f.detail})` : ''}.`);
  }
  const taskId = shortTaskId(task.taskArn);
  logger.info(`Started task ${taskId} (${td!.taskDefinitionArn}${o.command ? `, command: ${JSON.stringify(o.command)}` : ''}).`);
  const location = awsLogsLocation(target.logConfiguration as never, target.name, taskId);
  const follower = location ? new LogFollower(o.logs, location, logger) : undefined;
  if (!follower) logger.warning(`Container '${target.name}' does not log with awslogs (group and stream prefix), so its output cannot be streamed here.`);
  else logger.info(`Streaming ${location!.group} ${location!.stream}`);

  let last: Task = task;
  let lastStatus = '';
  for (;;) {
    try {
      const described = (await ecs.send(new DescribeTasksCommand({ cluster: o.cluster, tasks: [task.taskArn] }))).tasks?.[0];
      if (described) last = described;
      if (last.lastStatus !== lastStatus) {
        lastStatus = last.lastStatus ?? '';
        logger.info(`[task] ${taskId} ${lastStatus}`);
      }
      await follower?.drain();
    } catch (err) {
      if (!isTransient(err)) throw err;
      logger.info(`Poll failed (${errorText(err)}); polling again.`);
    }
    if (last.lastStatus === 'STOPPED') break;
    const base = { taskArn: task.taskArn, container: target.name, logLines: follower?.lines ?? 0, durationMs: clock.now() - started };
    if (o.signal?.aborted) {
      logger.warning(`Stopped watching task ${taskId}; it keeps running in ECS (stop it with: aws ecs stop-task --cluster ${o.cluster} --task ${taskId}).`);
      return { ...base, outcome: 'cancelled' };
    }
    if (clock.now() - started >= o.timeoutMs) {
      logger.warning(`Task ${taskId} is still ${last.lastStatus} after the timeout; it keeps running in ECS.`);
      return { ...base, outcome: 'timeout' };
    }
    await clock.sleep(o.pollMs, o.signal);
  }
  // Logs can arrive in CloudWatch shortly after the task stops.
  if (follower) for (let i = 0; i < 3 && (await follower.drain()) > 0; i++);
  return { taskArn: task.taskArn, outcome: 'exited', container: target.name, ...decidingExit(last, target.name, td?.containerDefinitions ?? []), logLines: follower?.lines ?? 0, durationMs: clock.now() - started };
}

/**
 * The exit code that decides the result: the target container's if it is essential and has one,
 * otherwise the first essential container that exited non-zero, otherwise the first essential one.
 */
export function decidingExit(task: Task, target: string, definitions: { name?: string; essential?: boolean }[]): { exitCode?: number; stoppedReason?: string; container?: string } {
  const essential = new Set(definitions.filter((d) => d.essential !== false).map((d) => d.name));
  const containers = task.containers ?? [];
  const pick =
    containers.find((c) => c.name === target && essential.has(c.name) && c.exitCode !== undefined) ??
    containers.find((c) => essential.has(c.name) && c.exitCode !== undefined && c.exitCode !== 0) ??
    containers.find((c) => essential.has(c.name));
  const reasons = [task.stoppedReason, ...containers.filter((c) => c.reason).map((c) => `${c.name}: ${c.reason}`)].filter(Boolean).join('; ');
  return { exitCode: pick?.exitCode, stoppedReason: reasons || undefined, ...(pick?.name ? { container: pick.name } : {}) };
}
