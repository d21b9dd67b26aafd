import { BAD_SHA, GOOD_SHA, SERVICES, expectThat, repositoryOf, type Demo } from './context.js';
import { blueGreenRelease } from './blue-green.js';
import { printRelease, registerAndDeploy } from './deploy.js';
import { changeSource, releaseImage } from './images.js';
import { describeService } from './inspect.js';
import { guard, lifecycleRun, policyWithoutGuard } from './lifecycle.js';
import { migrate } from './migrate.js';
import { note } from './print.js';
import { productionBeforeThisPush } from './setup.js';

export interface Step {
  title: (demo: Demo) => string;
  run: (demo: Demo) => Promise<void>;
  /** Steps after a failed essential step cannot mean anything and are skipped. */
  essential?: boolean;
}

const revision = (arn: string | undefined) => arn?.split('/').pop() ?? '?';

export const STEPS: Step[] = [
  { title: () => 'production before this push (setup)', run: productionBeforeThisPush, essential: true },
  {
    title: (demo) => (demo.docker.available ? `build and push the release images (build-image, Docker ${demo.docker.registry})` : 'release images (seeded: no Docker engine)'),
    essential: true,
    run: async (demo) => {
      if (!demo.docker.available) note(demo.out, `No Docker engine is used: ${demo.docker.reason}. The release images are seeded into the simulator's ECR instead of built.`);
      for (const [i, service] of SERVICES.entries()) {
        const image = await releaseImage(demo, service, GOOD_SHA, { showSummary: i === 0 });
        if (image) demo.state.release[service.name] = image;
      }
      expectThat(demo, SERVICES.every((s) => demo.state.release[s.name]), `release ${GOOD_SHA.slice(0, 7)} images are in ECR for web, worker and websocket`, 'not every release image is in ECR');
    },
  },
  { title: () => 'migrate the database: run-task on the new web revision, before any deploy', essential: true, run: migrate },
  {
    title: () => 'register and deploy web, worker and websocket (matrix jobs, in parallel)',
    essential: true,
    run: async (demo) => {
      const releases = await Promise.all(SERVICES.map((s) => registerAndDeploy(demo, s, demo.state.release[s.name]!, GOOD_SHA)));
      for (const release of releases) {
        printRelease(demo, release);
        const { deploy, register, service } = release;
        const healthy = deploy?.exitCode === 0 && deploy.outputs.status === 'success';
        if (healthy) demo.state.deployed[service.name] = deploy.outputs['task-definition-arn'];
        expectThat(
          demo,
          healthy,
          `${service.name}: ${revision(register.outputs['task-definition-arn'])} deployed and healthy (${deploy?.outputs['duration-seconds']}s)`,
          `${service.name}: ${deploy ? `deploy-service ended ${deploy.outputs.status ?? 'without a status'} (exit ${deploy.exitCode}): ${deploy.errors.join('; ')}` : `register-task-definition failed (exit ${register.exitCode}): ${register.errors.join('; ')}`}`,
        );
        demo.out.line();
      }
    },
  },
  {
    title: () => 'a bad release of web: its tasks crash on boot',
    run: async (demo) => {
      const web = SERVICES.find((s) => s.name === 'web')!;
      await changeSource(demo, 'release: bad (a missing service provider)');
      const image = await releaseImage(demo, web, BAD_SHA);
      if (!image) return;
      demo.state.badRelease = image;
      // What the broken build does when ECS starts it: exit 1 three seconds in, before it is healthy.
      demo.sim.control.setImageBehaviour(`${repositoryOf(demo, 'web')}@${image.digest}`, {
        startSeconds: 4,
        exitAfterSeconds: 3,
        exitCode: 1,
        logs: ['PHP Fatal error:  Uncaught Error: Class "App\\Providers\\BroadcastServiceProvider" not found'],
      });
      note(demo.out, `web ${BAD_SHA.slice(0, 7)} (${repositoryOf(demo, 'web')}@${image.digest.slice(7, 19)}) exits with code 1 three seconds after it starts`);
      const others = await Promise.all(['worker', 'websocket'].map(async (name) => [name, (await describeService(demo, name as 'worker')).taskDefinition] as const));
      const release = await registerAndDeploy(demo, web, image, BAD_SHA, { 'wait-for-rollback': 'true' });
      printRelease(demo, release);
      const { deploy } = release;
      const good = demo.state.deployed.web;
      expectThat(demo, deploy?.exitCode === 1 && deploy.outputs.status === 'failed', `the bad release was caught: deploy-service failed the step (exit 1, status failed)`, `the bad release was not caught as a failure: exit ${deploy?.exitCode}, status ${deploy?.outputs.status}`);
      const reason = deploy?.errors[0] ?? '';
      expectThat(demo, /circuit breaker/i.test(reason) && /exit code 1/.test(deploy?.log ?? ''), `reason reported: ${reason.split('\n')[0]}`, `the failure reason is missing (errors: ${deploy?.errors.join('; ')})`);
      expectThat(demo, !!good && deploy?.outputs['rolled-back-to'] === good, `rollback reported: web is back on ${revision(deploy?.outputs['rolled-back-to'])}`, `expected a rollback to ${revision(good)}, got '${deploy?.outputs['rolled-back-to']}'`);
      const after = await describeService(demo, 'web');
      expectThat(demo, after.taskDefinition === good && after.runningCount === web.desiredCount, `ECS agrees: web runs ${revision(after.taskDefinition)} with ${after.runningCount}/${after.desiredCount} tasks`, `web is on ${revision(after.taskDefinition)} with ${after.runningCount}/${after.desiredCount} tasks`);
      for (const [name, before] of others) {
        const now = await describeService(demo, name as 'worker');
        expectThat(demo, now.taskDefinition === before && now.runningCount === now.desiredCount, `${name} untouched (${revision(now.taskDefinition)}, ${now.runningCount}/${now.desiredCount} running)`, `${name} changed during web's failed release`);
      }
      await changeSource(demo, 'release: good');
    },
  },
  { title: () => 'a lifecycle policy arrives: what it would prune without the guard', run: policyWithoutGuard },
  { title: () => 'ecr-lifecycle-guard (mode: protect)', run: guard },
  { title: () => 'the lifecycle run: only what is safe is pruned', run: lifecycleRun },
  { title: () => 'a blue/green web release that fails its smoke check on the test listener', run: blueGreenRelease },
];
