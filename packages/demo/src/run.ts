import { cp, copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';
import { startSimulator } from '@gantry/aws-sim';
import { ActionUnavailable } from './actions.js';
import { ECR_HOST, type Demo } from './context.js';
import { probeDocker } from './docker.js';
import { bold, dim, fail, green, header, note, red, stdoutPrinter, type Printer } from './print.js';
import { STEPS } from './steps.js';

export interface DemoOptions {
  /** Never use Docker: seed the release images into the simulator (deterministic). */
  noDocker?: boolean;
  /** Simulated seconds per real second. */
  speed?: number;
  /** `aws`: the simulator throttles as AWS does. */
  quotas?: 'off' | 'aws';
  out?: Printer;
}

export interface DemoResult {
  passed: number;
  failed: string[];
  unavailable: string[];
  durationMs: number;
}

const FIXTURE_APP = resolve(import.meta.dirname, '../fixtures/app');

/** `npm run demo`: the main job end to end on the simulator with the real bundled actions. */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const out = options.out ?? stdoutPrinter;
  const started = Date.now();
  const speed = options.speed ?? 30;
  const docker = await probeDocker({ disabled: !!options.noDocker });
  out.line(bold('Gantry demo: push → build → migrate → register → deploy web, worker, websocket → a bad release → guard → lifecycle → a blue/green release stopped by its smoke check'));
  out.line(
    docker.available
      ? `Docker engine at ${process.env.DOCKER_HOST}: real images are built with the bundled build-image action and pushed to ${docker.registry}, the registry behind the simulated ECR.`
      : `No Docker: ${docker.reason}. Release images are seeded into the simulator's ECR instead of built.`,
  );

  const workspace = await mkdtemp(join(tmpdir(), 'gantry-demo-'));
  await cp(FIXTURE_APP, workspace, { recursive: true });
  if (docker.available) await copyFile('/bin/busybox', join(workspace, 'busybox')).catch(() => undefined);
  const sim = await startSimulator({ port: 0, speed, quotas: options.quotas ?? 'off', ...(docker.available ? { registryUrl: `http://${docker.registry}` } : {}) });
  out.line(dim(`Simulator ${sim.endpoint} (ECS, ECR${docker.available ? ` backed by ${docker.registry}` : ' in memory'}), clock ${speed}× real time. Actions run from actions/*/dist/index.js with INPUT_*, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY.`));
  const client = { region: sim.region, endpoint: sim.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
  const demo: Demo = {
    sim,
    ecs: new ECSClient(client),
    ecr: new ECRClient(client),
    out,
    docker,
    workspace,
    // A real registry outlives the run: unique repository names keep runs apart.
    prefix: docker.available ? `gantry-demo-${Date.now().toString(36)}` : 'shop',
    speed,
    registryHost: docker.available ? docker.registry : ECR_HOST,
    state: { release: {}, deployed: {} },
    checks: { passed: 0, failed: [] },
  };
  const unavailable: string[] = [];
  try {
    for (const [i, step] of STEPS.entries()) {
      header(out, i + 1, STEPS.length, step.title(demo));
      const failedBefore = demo.checks.failed.length;
      const stepStarted = Date.now();
      try {
        await step.run(demo);
      } catch (err) {
        if (err instanceof ActionUnavailable) {
          unavailable.push(`step ${i + 1} (${step.title(demo)}): ${err.message}`);
          fail(out, `step unavailable: ${err.message}`);
        } else {
          fail(out, `step crashed: ${(err as Error).stack ?? err}`);
        }
        demo.checks.failed.push(`step ${i + 1} did not complete`);
      }
      out.line(dim(`  (${((Date.now() - stepStarted) / 1000).toFixed(1)}s)`));
      if (step.essential && demo.checks.failed.length > failedBefore) {
        note(out, 'the remaining steps depend on this one and are skipped');
        demo.checks.failed.push(`steps ${i + 2}-${STEPS.length} skipped`);
        break;
      }
    }
  } finally {
    demo.ecs.destroy();
    demo.ecr.destroy();
    await sim.stop();
    await rm(workspace, { recursive: true, force: true });
  }
  const durationMs = Date.now() - started;
  out.line();
  const { passed, failed } = demo.checks;
  if (failed.length === 0) out.line(bold(green(`✓ Demo complete: ${passed} checks passed in ${(durationMs / 1000).toFixed(1)}s.`)));
  else {
    out.line(bold(red(`✗ Demo failed: ${failed.length} of ${passed + failed.length} checks failed in ${(durationMs / 1000).toFixed(1)}s:`)));
    for (const f of failed) out.line(`  - ${f}`);
    for (const u of unavailable) out.line(`  unavailable: ${u}`);
  }
  return { passed, failed, unavailable, durationMs };
}
