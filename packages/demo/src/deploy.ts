import type { ActionRun } from '@gantry/local-runner';
import { runBundled } from './actions.js';
import { CLUSTER, repositoryOf, type AppService, type Demo, type ReleaseImage } from './context.js';
import { bold, indent, keyLogLines, renderSummary } from './print.js';

export interface ServiceRelease {
  service: AppService;
  register: ActionRun;
  deploy?: ActionRun;
}

/**
 * register-task-definition as the deploy workflow runs it: the service's task definition file rendered
 * with the release's image (given by tag, pinned by the action). An unchanged render reuses the revision,
 * so the migration job and the deploy job agree on one revision.
 */
export function registerRevision(demo: Demo, service: AppService, image: ReleaseImage, sha: string): Promise<ActionRun> {
  return runBundled('register-task-definition', {
    cwd: demo.workspace,
    env: { ...demo.sim.env, GITHUB_SHA: sha },
    inputs: {
      'task-definition': service.taskDefinitionFile,
      // Seeded: the tag, which the action pins to its digest. Built: build-image's digest-pinned output,
      // as its README shows (the action only pins *.dkr.ecr.* references).
      containers: `${service.container}=${demo.docker.available ? image.uri : `${demo.registryHost}/${repositoryOf(demo, service.name)}:${image.tag}`}`,
    },
  });
}

/**
 * One matrix job of the deploy workflow: register-task-definition renders the service's task definition
 * file with the release's image and deploy-service rolls it out.
 */
export async function registerAndDeploy(demo: Demo, service: AppService, image: ReleaseImage, sha: string, deployInputs: Record<string, string> = {}): Promise<ServiceRelease> {
  const register = await registerRevision(demo, service, image, sha);
  if (register.exitCode !== 0 || !register.outputs['task-definition-arn']) return { service, register };
  const deploy = await runBundled('deploy-service', {
    env: { ...demo.sim.env, GITHUB_SHA: sha },
    inputs: {
      cluster: CLUSTER,
      service: service.name,
      'task-definition': register.outputs['task-definition-arn'],
      // Real seconds; the simulated clock runs `speed` times faster.
      'poll-interval': '500ms',
      timeout: '10m',
      ...deployInputs,
    },
  });
  return { service, register, deploy };
}

const DEPLOY_LINES = /^(\[(event|task|deployment|rollout|circuit breaker|rollback)\]|Deploying |UpdateService |Outcome|Rollback|Rolled back|Stopped task|Task |Last events|  )/;

export function printRelease(demo: Demo, release: ServiceRelease): void {
  const { out } = demo;
  out.line(bold(`  register-task-definition (${release.service.name})`));
  indent(out, keyLogLines(release.register.log, () => true).join('\n'));
  indent(out, renderSummary(release.register.summary));
  if (!release.deploy) return;
  out.line();
  out.line(bold(`  deploy-service (${release.service.name})`));
  // Its failure details (warnings) are repeated in the job summary printed below.
  indent(out, keyLogLines(release.deploy.log, (l) => DEPLOY_LINES.test(l) || /stopped|exit code|reason/i.test(l), { warnings: false }).join('\n'));
  out.line();
  indent(out, renderSummary(release.deploy.summary));
}
