import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ECSClient } from '@aws-sdk/client-ecs';
import { clientConfig, resolveRegion, withExplainedErrors } from '@gantry/aws';
import { runOneOffTask } from '@gantry/deploy/run-task';
import { systemClock } from '@gantry/deploy/runtime';
import { actionIO, formatDuration, keyValueTable, runAction, UserError } from '@gantry/github';
import { getInputs } from './inputs.js';

const cancel = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => cancel.abort());

/** The action exits with the container's own exit code, so `steps.x.outcome` and logs agree with it. */
let containerExit: number | undefined;

await runAction(async () => {
  const inputs = getInputs();
  const region = resolveRegion(inputs.region);
  const ecs = withExplainedErrors(new ECSClient(clientConfig({ region })));
  const logs = withExplainedErrors(new CloudWatchLogsClient(clientConfig({ region })));
  const result = await runOneOffTask({ ...inputs, ecs, logs, clock: systemClock, logger: actionIO, signal: cancel.signal });

  actionIO.setOutput('task-arn', result.taskArn);
  actionIO.setOutput('exit-code', result.exitCode ?? '');
  actionIO.setOutput('stopped-reason', result.stoppedReason ?? '');
  const taskId = result.taskArn.split('/').pop();
  await actionIO.writeSummary(
    [`### One-off task ${taskId}`, '', keyValueTable([['task definition', inputs.taskDefinition], ['container', result.container], ['outcome', result.outcome], ['exit code', result.exitCode], ['stopped reason', result.stoppedReason], ['duration', formatDuration(result.durationMs)]]), ''].join('\n'),
  );
  if (result.outcome === 'timeout') throw new UserError(`Task ${taskId} did not stop within the timeout; it keeps running in ECS.`);
  if (result.outcome === 'cancelled') throw new UserError(`Cancelled while task ${taskId} was running; it keeps running in ECS.`);
  if (result.exitCode === undefined) {
    throw new UserError(`Task ${taskId} stopped before container '${result.container}' ran: ${result.stoppedReason ?? 'no reason given'}.`);
  }
  if (result.exitCode !== 0) {
    containerExit = Math.min(255, result.exitCode);
    throw new UserError(`Container '${result.container}' of task ${taskId} exited with code ${result.exitCode}${result.stoppedReason ? ` (${result.stoppedReason})` : ''}.`);
  }
  actionIO.info(`Task ${taskId} finished: container '${result.container}' exited with code 0.`);
});
if (containerExit !== undefined && process.exitCode === 1) process.exitCode = containerExit;
