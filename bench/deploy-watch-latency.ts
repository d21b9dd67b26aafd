// Deploy watch latency: from the moment the simulated ECS marks our deployment COMPLETED (or FAILED by the
// circuit breaker) to the bundled deploy-service action exiting with the matching result.
//
// The simulator stamps each service event with the simulated instant it happened. Because its clock runs
// at a fixed speed, the real time between that instant and the action's exit is exactly
// (simulated now at exit − simulated instant of the event) / speed: no polling of our own is involved.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeServicesCommand, ECSClient, UpdateServiceCommand, waitUntilServicesStable } from '@aws-sdk/client-ecs';
import { startSimulator, type Simulator } from '@gantry/aws-sim';
import { createFargateService, registerFargateTaskDefinition, sdkClients, simImage } from '@gantry/aws-sim/testing';
import { runAction } from '@gantry/local-runner';
import { actionDir } from './lib/paths.js';
import { median, ms, samples } from './lib/stats.js';
import { notMeasured, type Benchmark, type Figure } from './lib/types.js';

const SPEED = 60;
const POLL_MS = 5000; // the action's default `poll-interval`
/**
 * A short poll interval, set through the `poll-interval` input: at 5 s a fixed cost per exit (the last
 * describe, writing outputs, process exit) hides inside the interval; at 1 s it shows.
 */
const SHORT_POLL_MS = 1000;
type Outcome = 'success' | 'failed';

interface Deployment {
  sim: Simulator;
  ecs: ECSClient;
  target: string;
  /** The deployment the service settled on before ours (its events are not ours). */
  initialId: string;
}

/**
 * A service `web` (2 tasks of app:v1, settled) and a registered task definition for `tag`. `delaySeconds`
 * lengthens the new image's start, so that across runs ECS's mark falls at different points of the
 * action's poll cycle instead of always just after its first poll.
 */
async function prepare(tag: 'v2' | 'crash', speed: number, delaySeconds: number): Promise<Deployment> {
  // AWS's API quotas on, as everywhere in the bench (one service polling stays far inside them).
  const sim = await startSimulator({ port: 0, speed: 0, quotas: 'aws' });
  const { ecs } = sdkClients(sim);
  for (const t of ['v1', 'v2', 'crash']) await sim.control.seedImage!({ repositoryName: 'app', tags: [t] });
  sim.control.setImageBehaviour('app:v2', { startSeconds: 5 + delaySeconds });
  // Exits while starting, so no task of the deployment ever turns healthy: the circuit breaker trips after
  // 3 failed tasks (BOUNDED_PERCENT 50 % of 2, at least 3) and ECS rolls back to v1.
  sim.control.setImageBehaviour('app:crash', { startSeconds: 5 + delaySeconds / 2, exitAfterSeconds: 0, exitCode: 1 });
  const register = (t: string) =>
    registerFargateTaskDefinition(ecs, { family: 'app', containerDefinitions: [{ name: 'web', image: simImage(`app:${t}`), essential: true }] });
  await createFargateService(ecs, {
    createCluster: true,
    cluster: 'prod',
    serviceName: 'web',
    taskDefinition: await register('v1'),
    desiredCount: 2,
    deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } },
  });
  await sim.clock.advance(120_000);
  const service = (await ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['web'] }))).services?.[0];
  const initialId = service?.deployments?.[0]?.id;
  if (!initialId) throw new Error('the service has no deployment after setup');
  const target = await register(tag);
  sim.control.setSpeed!({ speed });
  return { sim, ecs, target, initialId };
}

/**
 * The simulated instant ECS marked our deployment COMPLETED or FAILED: the first "deployment completed" or
 * "deployment failed" service event, in time order, of a deployment other than the initial one (a
 * rollback's own completion comes after its failure).
 */
async function markedAt(d: Deployment): Promise<{ at: number; outcome: Outcome } | undefined> {
  const service = (await d.ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['web'] }))).services?.[0];
  for (const e of [...(service?.events ?? [])].reverse()) {
    const id = /\(deployment (ecs-svc\/[^)\s]+)\)/.exec(e.message ?? '')?.[1];
    if (!id || id === d.initialId) continue;
    if (e.message!.includes('deployment completed')) return { at: e.createdAt!.getTime(), outcome: 'success' };
    if (e.message!.includes('deployment failed')) return { at: e.createdAt!.getTime(), outcome: 'failed' };
  }
  return undefined;
}

/** One deploy with the bundled action: latency in real ms from ECS's mark to the action's exit. */
async function actionRun(expected: Outcome, delaySeconds: number, pollMs: number): Promise<{ latencyMs: number; right: boolean; note: string }> {
  const d = await prepare(expected === 'success' ? 'v2' : 'crash', SPEED, delaySeconds);
  try {
    const run = await runAction(actionDir('deploy-service'), {
      inputs: { cluster: 'prod', service: 'web', 'task-definition': d.target, timeout: '10m', ...(pollMs === POLL_MS ? {} : { 'poll-interval': `${pollMs}ms` }) },
      env: d.sim.env,
      timeoutMs: 120_000,
    });
    const simAtExit = d.sim.clock.nowMs();
    const mark = await markedAt(d);
    if (!mark) throw new Error(`ECS never marked the ${expected} rollout; the action exited ${run.exitCode} with status '${run.outputs.status}'`);
    const right = mark.outcome === expected && run.outputs.status === expected && (expected === 'success' ? run.exitCode === 0 : run.exitCode !== 0);
    return {
      latencyMs: (simAtExit - mark.at) / SPEED,
      right,
      note: `exit ${run.exitCode}, status ${run.outputs.status}`,
    };
  } finally {
    d.ecs.destroy();
    await d.sim.stop();
  }
}

/**
 * What teams commonly run instead: UpdateService, then the SDK's waitUntilServicesStable with its default
 * delays (15 s minimum, backing off to 120 s), in real time (speed 1) since the waiter's delays are real.
 */
async function waiterRun(): Promise<{ latencyMs: number; state: string }> {
  const d = await prepare('crash', 1, 0);
  try {
    await d.ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: 'web', taskDefinition: d.target }));
    const result = await waitUntilServicesStable({ client: d.ecs, maxWaitTime: 900 }, { cluster: 'prod', services: ['web'] });
    const simAtReturn = d.sim.clock.nowMs();
    const mark = await markedAt(d);
    if (!mark) throw new Error(`the waiter returned ${result.state} but ECS never marked the deployment`);
    return { latencyMs: simAtReturn - mark.at, state: `${result.state} (ECS marked the deployment ${mark.outcome === 'failed' ? 'FAILED' : 'COMPLETED'})` };
  } finally {
    d.ecs.destroy();
    await d.sim.stop();
  }
}

export const deployWatchLatency: Benchmark = {
  name: 'deploy-watch-latency',
  title: 'Deploy watch latency',
  async run({ quick, log }) {
    const goal = (pollMs: number) => `≤ one poll interval (${ms(pollMs)})`;
    if (!existsSync(join(actionDir('deploy-service'), 'dist', 'index.js'))) {
      return { method: 'not run', figures: [notMeasured('deploy watch latency', goal(POLL_MS), 'actions/deploy-service/dist/index.js does not exist')], details: [] };
    }
    const n = quick ? 3 : 5;
    const figures: Figure[] = [];
    const details: string[] = [];
    for (const pollMs of [POLL_MS, SHORT_POLL_MS]) {
      const setting = pollMs === POLL_MS ? '' : ` (poll-interval ${ms(pollMs)})`;
      for (const outcome of ['success', 'failed'] as const) {
        const latencies: number[] = [];
        const notes: string[] = [];
        let wrong = 0;
        for (let i = 0; i < n; i++) {
          // Stratified over one poll interval of simulated time: mark phases spread evenly across runs.
          const r = await actionRun(outcome, Math.round(((i + 0.5) / n) * (pollMs / 1000) * SPEED), pollMs);
          latencies.push(r.latencyMs);
          notes.push(r.note);
          if (!r.right) wrong++;
          log(`  ${outcome}${setting} run ${i + 1}/${n}: ${ms(r.latencyMs)} (${r.note})`);
        }
        const med = median(latencies);
        const worst = Math.max(...latencies);
        figures.push({
          label: `ECS marks ${outcome === 'success' ? 'COMPLETED' : 'FAILED (circuit breaker)'} → action exits ${outcome === 'success' ? '0' : 'non-zero'}${setting}`,
          value: `${ms(med)} (worst ${ms(worst)})`,
          n: String(n),
          goal: goal(pollMs),
          verdict: wrong === 0 && worst <= pollMs ? 'meets' : 'misses',
          comparison:
            wrong > 0
              ? `${wrong} of ${n} runs ended with the wrong result`
              : `worst ${worst <= pollMs ? 'within' : 'over'} one poll (${((100 * worst) / pollMs).toFixed(0)} % of ${ms(pollMs)}); median ${((100 * med) / pollMs).toFixed(0)} %; right result in ${n} of ${n}`,
        });
        details.push(`${outcome}${setting}: ${samples(latencies)} (${notes.join('; ')})`);
      }
    }
    if (quick) {
      figures.push(notMeasured('common alternative: waitUntilServicesStable after a FAILED deployment', 'context', 'skipped with --quick (it runs in real time, about a minute)'));
    } else {
      log('  common alternative: waitUntilServicesStable, real time (about a minute)…');
      const alt = await waiterRun();
      log(`  waiter: ${ms(alt.latencyMs)} after FAILED, returned ${alt.state}`);
      figures.push({
        label: 'common alternative: ECS marks FAILED → SDK waitUntilServicesStable returns',
        value: ms(alt.latencyMs),
        n: '1',
        goal: 'context (the action above: worst ≤ one poll)',
        verdict: 'context',
        comparison: `returned ${alt.state}: it waits for the rollback to finish and cannot tell a failed deploy from a good one without further calls`,
      });
    }
    return {
      method: `The bundled deploy-service action (default poll interval ${ms(POLL_MS)}, then \`poll-interval: ${ms(SHORT_POLL_MS)}\`) deploys to a 2-task Fargate service in the simulator at ${SPEED}× speed, once with a good image and once with one that exits while starting (the circuit breaker trips after 3 failed tasks and rolls back). The new image's start time is stretched per run so that ECS's mark falls at evenly spread points of the action's poll cycle. Latency = (simulated clock at the action's exit − simulated instant of ECS's "deployment completed"/"deployment failed" service event) ÷ speed, in real ms. The alternative runs at 1× speed so the SDK waiter's real delays mean what they mean on AWS.`,
      figures,
      details,
    };
  },
};
