import { access, constants, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { clientConfig, resolveRegion, withExplainedErrors } from '@gantry/aws';
import { actionIO, runAction, UserError } from '@gantry/github';
import { failureMessage, runGuard, summaryMarkdown } from '@gantry/guard';
import { getInputs } from './inputs.js';

await runAction(async () => {
  const inputs = getInputs();
  // The report is written after the guard has changed policies and tags: find an unwritable path first.
  await access(dirname(inputs.reportPath), constants.W_OK).catch((err: NodeJS.ErrnoException) => {
    throw new UserError(`Input 'report-path': the directory of '${inputs.reportPath}' cannot be written (${err.code ?? err.message}).`, 'Give a path in an existing directory, e.g. report-path: guard-report.json.');
  });
  const config = clientConfig({ region: resolveRegion(inputs.awsRegion) });
  const clients = {
    ecs: withExplainedErrors(new ECSClient(config)),
    ecr: withExplainedErrors(new ECRClient(config)),
    events: withExplainedErrors(new EventBridgeClient(config)),
    scheduler: withExplainedErrors(new SchedulerClient(config)),
  };
  const report = await runGuard(
    clients,
    {
      mode: inputs.mode,
      concurrency: inputs.concurrency,
      clusters: inputs.clusters,
      repositories: inputs.repositories,
      rollbackRevisions: inputs.rollbackRevisions,
      eventBuses: inputs.eventBuses,
      schedules: inputs.scheduler,
      taskDefinitions: inputs.taskDefinitions,
      images: inputs.images,
    },
    actionIO,
  );
  await writeFile(inputs.reportPath, `${JSON.stringify(report, null, 2)}\n`);
  actionIO.setOutput('report-path', inputs.reportPath);
  actionIO.setOutput('in-use-images', report.stats.inUseImages);
  actionIO.setOutput('at-risk', report.violations.length);
  actionIO.setOutput('fixed', report.repositories.reduce((n, r) => n + r.fixedNow, 0));
  await actionIO.writeSummary(summaryMarkdown(report));
  for (const note of report.notes) actionIO.info(`note: ${note}`);
  for (const problem of report.failures) actionIO.info(`problem: ${problem}`);
  if (!report.ok) throw new UserError(failureMessage(report));
});
