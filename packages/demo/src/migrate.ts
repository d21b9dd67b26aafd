import { runBundled } from './actions.js';
import { CLUSTER, GOOD_SHA, SERVICES, expectThat, repositoryOf, type Demo } from './context.js';
import { registerRevision } from './deploy.js';
import { describeService } from './inspect.js';
import { bold, indent, keyLogLines, note, renderSummary } from './print.js';

export const MIGRATION_COMMAND = 'php artisan migrate --force';

/** What the release's migrations print (Laravel's format), written by the simulated container. */
export const MIGRATION_LOGS = [
  'INFO  Running migrations.',
  '2026_11_01_120000_create_orders_table ........................ 12.31ms DONE',
  '2026_11_02_090000_add_status_index_to_orders ................... 4.02ms DONE',
];

const revision = (arn: string | undefined) => arn?.split('/').pop() ?? '?';

/**
 * The deploy workflow's migrate job: the new web revision run once as a one-off task with the migration
 * command (the web image, a command override, the web service's network), before any service deploys.
 * In the simulator the web image serves forever as the web service and exits 0 when it runs the migrations.
 */
export async function migrate(demo: Demo): Promise<void> {
  const web = SERVICES.find((s) => s.name === 'web')!;
  const image = demo.state.release.web!;
  const before = (await describeService(demo, 'web')).taskDefinition;
  demo.sim.control.setImageBehaviour(`${repositoryOf(demo, 'web')}@${image.digest}`, {
    commands: { [MIGRATION_COMMAND]: { startSeconds: 3, exitAfterSeconds: 20, exitCode: 0, logs: MIGRATION_LOGS } },
  });
  note(demo.out, `the web image ${repositoryOf(demo, 'web')}@${image.digest.slice(7, 19)} serves HTTP as the web service; run with \`${MIGRATION_COMMAND}\` it migrates and exits 0`);

  const register = await registerRevision(demo, web, image, GOOD_SHA);
  const arn = register.outputs['task-definition-arn'];
  demo.out.line(bold('  register-task-definition (web)'));
  indent(demo.out, keyLogLines(register.log, () => true).join('\n'));
  if (!expectThat(demo, register.exitCode === 0 && !!arn, `registered ${revision(arn)} for the migration`, `register-task-definition failed (exit ${register.exitCode}): ${register.errors.join('; ')}`)) return;

  const run = await runBundled('run-task', {
    env: { ...demo.sim.env, GITHUB_SHA: GOOD_SHA },
    inputs: {
      cluster: CLUSTER,
      'task-definition': arn!,
      container: web.container,
      command: MIGRATION_COMMAND,
      'network-from-service': web.name,
      // Real seconds; the simulated clock runs `speed` times faster.
      'poll-interval': '500ms',
      timeout: '5m',
    },
  });
  demo.out.line();
  demo.out.line(bold('  run-task (migrate)'));
  indent(demo.out, keyLogLines(run.log, (l) => /^(Started task|Streaming|\[task\]|\| |Task )/.test(l)).join('\n'));
  demo.out.line();
  indent(demo.out, renderSummary(run.summary));

  const streamed = MIGRATION_LOGS.every((line) => run.log.includes(`| ${line}`));
  expectThat(demo, run.exitCode === 0 && run.outputs['exit-code'] === '0', `the migration exited 0 (task ${run.outputs['task-arn']?.split('/').pop()})`, `the migration did not succeed: exit ${run.exitCode}, container exit code '${run.outputs['exit-code']}': ${run.errors.join('; ')}`);
  expectThat(demo, streamed, `its ${MIGRATION_LOGS.length} log lines were streamed from CloudWatch Logs into the job log`, 'the migration log lines did not reach the job log');
  const after = (await describeService(demo, 'web')).taskDefinition;
  expectThat(demo, after === before, `no service deployed before the migration finished (web still on ${revision(after)})`, `web changed from ${revision(before)} to ${revision(after)} during the migration`);
}
