import { access, constants, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { clientConfig, QuotaPacer, resolveRegion, withExplainedErrors } from '@gantry/aws';
import { actionIO, runAction, UserError } from '@gantry/github';
import {
  asGuardReport,
  failureMessage,
  loadGuardCache,
  mergedMarkdown,
  mergeReports,
  runGuard,
  saveGuardCache,
  summaryMarkdown,
  type FoundReport,
  type GuardMode,
} from '@gantry/guard';
import { getInputs, type GuardInputs } from './inputs.js';

await runAction(async () => {
  const inputs = getInputs();
  if (inputs.mode === 'summarize') return summarize(inputs);
  // The report is written after the guard has changed policies and tags: find an unwritable path first.
  await access(dirname(inputs.reportPath), constants.W_OK).catch((err: NodeJS.ErrnoException) => {
    throw new UserError(`Input 'report-path': the directory of '${inputs.reportPath}' cannot be written (${err.code ?? err.message}).`, 'Give a path in an existing directory, e.g. report-path: guard-report.json.');
  });
  const region = resolveRegion(inputs.awsRegion);
  const config = clientConfig({ region });
  // ECS and ECR calls stay below quota-share of each of AWS's buckets; the rest is left to deploys.
  const pacer = new QuotaPacer({ share: inputs.quotaShare });
  const clients = {
    ecs: withExplainedErrors(pacer.attach(new ECSClient(config), 'ecs')),
    ecr: withExplainedErrors(pacer.attach(new ECRClient(config), 'ecr')),
    events: withExplainedErrors(new EventBridgeClient(config)),
    scheduler: withExplainedErrors(new SchedulerClient(config)),
  };
  const cache = inputs.cachePath ? await loadGuardCache(inputs.cachePath, actionIO) : undefined;
  const report = await runGuard(
    clients,
    {
      mode: inputs.mode as GuardMode,
      concurrency: inputs.concurrency,
      clusters: inputs.clusters,
      repositories: inputs.repositories,
      rollbackRevisions: inputs.rollbackRevisions,
      eventBuses: inputs.eventBuses,
      schedules: inputs.scheduler,
      taskDefinitions: inputs.taskDefinitions,
      images: inputs.images,
      region,
      quota: pacer,
      ...(cache ? { cache } : {}),
    },
    actionIO,
  );
  if (cache && inputs.cachePath) {
    // Facts about immutable things are true whatever the verdict, so the cache is written either way.
    try {
      report.cache = { ...report.cache!, written: await saveGuardCache(cache, inputs.cachePath) };
    } catch (err) {
      actionIO.warning(`Could not write the guard cache ${inputs.cachePath} (${(err as Error).message}); the next run reads everything from AWS again.`);
    }
  }
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

/** `mode: summarize`: merges the JSON reports of guard jobs (one per account and region) into one table. */
async function summarize(inputs: GuardInputs): Promise<void> {
  if (!inputs.reports) {
    throw new UserError("Input 'reports' is empty, and mode 'summarize' merges the guard reports found there.", 'Set reports to the directory the guard jobs\' report artifacts were downloaded to, e.g. reports: guard-reports');
  }
  let files: string[];
  try {
    files = (await readdir(inputs.reports, { recursive: true })).filter((f) => f.endsWith('.json')).sort();
  } catch (err) {
    throw new UserError(`Input 'reports' names ${inputs.reports}, which cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`, 'Download the guard jobs\' report artifacts to that directory first (actions/download-artifact).');
  }
  const found: FoundReport[] = await Promise.all(
    files.map(async (file) => {
      try {
        const report = asGuardReport(JSON.parse(await readFile(join(inputs.reports!, file), 'utf8')));
        return report ? { source: file, report } : { source: file, problem: 'not a guard report' };
      } catch {
        return { source: file, problem: 'not valid JSON' };
      }
    }),
  );
  const merged = mergeReports(found);
  await writeFile(inputs.reportPath, `${JSON.stringify(merged, null, 2)}\n`);
  actionIO.setOutput('report-path', inputs.reportPath);
  actionIO.setOutput('in-use-images', merged.totals.inUseImages);
  actionIO.setOutput('at-risk', merged.totals.atRisk);
  actionIO.setOutput('fixed', merged.totals.fixed);
  await actionIO.writeSummary(mergedMarkdown(merged));
  for (const problem of merged.failures) actionIO.info(`problem: ${problem}`);
  if (files.length === 0) throw new UserError(`No guard reports (*.json) in ${inputs.reports}.`, 'Check that each guard job uploaded its report and that the summary job downloaded them.');
  if (!merged.ok) throw new UserError(`${merged.totals.failed} of ${merged.totals.jobs} account/region guard runs have problems: ${merged.failures[0]}${merged.failures.length > 1 ? ` (and ${merged.failures.length - 1} more; see the job summary)` : ''}`);
}
