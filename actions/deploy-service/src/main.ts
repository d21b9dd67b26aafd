import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { clientConfig, resolveRegion, withExplainedErrors } from '@gantry/aws';
import { systemClock } from '@gantry/deploy/runtime';
import { deploymentSummary, deployService, stateReport, type DeployResult } from '@gantry/deploy/service';
import { actionIO, runAction, UserError } from '@gantry/github';
import { getInputs } from './inputs.js';

// The runner cancels a step with SIGINT (then SIGTERM): stop watching and report where the rollout is.
const cancel = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (!cancel.signal.aborted) actionIO.info(`Received ${signal}: stopping the watch (the deployment itself continues in ECS).`);
    cancel.abort();
  });
}

/** Exit codes per outcome, so scripts can tell them apart. */
const EXIT: Record<DeployResult['outcome'], number> = { success: 0, failed: 1, superseded: 2, timeout: 3, cancelled: 4 };

let outcomeExit: number | undefined;

await runAction(async () => {
  const inputs = getInputs();
  const region = resolveRegion(inputs.region);
  for (const target of inputs.smokeCheck?.targets ?? []) for (const value of Object.values(target.headers)) if (value) actionIO.mask(value);
  const ecs = withExplainedErrors(new ECSClient(clientConfig({ region })));
  const cloudwatch = withExplainedErrors(new CloudWatchClient(clientConfig({ region })));
  const elbv2 = withExplainedErrors(new ElasticLoadBalancingV2Client(clientConfig({ region })));
  const result = await deployService({ ...inputs, ecs, cloudwatch, elbv2, region, clock: systemClock, logger: actionIO, signal: cancel.signal });

  actionIO.setOutput('deployment-id', result.deploymentId);
  actionIO.setOutput('status', result.outcome);
  actionIO.setOutput('task-definition-arn', result.taskDefinitionArn);
  actionIO.setOutput('rolled-back-to', result.rolledBackTo ?? '');
  actionIO.setOutput('duration-seconds', Math.round(result.durationMs / 1000));
  for (const line of stateReport(result)) actionIO.info(line);
  await actionIO.writeSummary(deploymentSummary(result));
  if (result.outcome === 'success') return;
  outcomeExit = EXIT[result.outcome];
  // ECS's own reasons often end with a full stop; the sentences below add their own.
  const reason = result.reason.replace(/\.+$/, '');
  const who = result.rollbackBy === 'gantry' ? 'Gantry asked ECS to roll back; ECS' : 'ECS';
  const to = result.rolledBackTo?.split('/').pop();
  const rollback = !to
    ? ''
    : result.rollbackBy === 'gantry-redeploy'
      ? ` ECS had already ended the deployment, so Gantry deployed ${to} again.`
      : ` ${who} ${result.rollbackFinished ? 'rolled the service back' : 'is rolling the service back'} to ${to}.`;
  throw new UserError(
    {
      failed: `Deployment of ${result.taskDefinitionArn.split('/').pop()} to '${result.service}' failed: ${reason}.${rollback}`,
      superseded: `Deployment to '${result.service}' was superseded: ${reason}.`,
      timeout: `Deployment to '${result.service}' did not finish within the timeout: ${reason}.`,
      cancelled: `Watch of the deployment to '${result.service}' was cancelled; ECS continues the rollout: ${reason}.`,
    }[result.outcome],
  );
});
// runAction sets exit code 1 for any failure; keep the outcome's own code.
if (outcomeExit !== undefined && process.exitCode === 1) process.exitCode = outcomeExit;
