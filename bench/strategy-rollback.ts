// Blue/green, linear and canary: a bad release's time from ECS's failure mark (the service deployment's
// rollback.startedAt) to the bundled deploy-service action exiting non-zero; and the early-stop input:
// how much sooner the rollback starts than when ECS's own circuit breaker starts it.
//
// Both are read from the simulator's clock, which runs at a fixed speed: real latency = (simulated now at
// the action's exit − simulated instant of ECS's mark) / speed.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeServiceDeploymentsCommand, ListServiceDeploymentsCommand, type ECSClient, type ServiceDeployment } from '@aws-sdk/client-ecs';
import { runAction } from '@gantry/local-runner';
import { startWithService, startWithStrategyService, type StrategyName } from '../actions/deploy-service/test/sim-fixture.js';
import { actionDir } from './lib/paths.js';
import { median, ms, samples } from './lib/stats.js';
import { notMeasured, type Benchmark, type Figure } from './lib/types.js';

const SPEED = 20;
const POLL_MS = 5000;
const EARLY_STOP_SPEED = 5;

/** The newest service deployment of `web`. */
async function latest(ecs: ECSClient): Promise<ServiceDeployment> {
  const list = await ecs.send(new ListServiceDeploymentsCommand({ cluster: 'prod', service: 'web' }));
  const arn = list.serviceDeployments![0]!.serviceDeploymentArn!;
  return (await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }))).serviceDeployments![0]!;
}

/** One bad release under `strategy`: real ms from ECS's rollback mark to the action's exit. */
async function strategyRun(strategy: StrategyName, delaySeconds: number): Promise<{ latencyMs: number; right: boolean; note: string }> {
  const f = await startWithStrategyService(strategy, {}, SPEED);
  try {
    // Spread ECS's mark over the action's poll cycle across runs.
    f.sim.control.setImageBehaviour('app:crash', { startSeconds: 5 + delaySeconds, exitAfterSeconds: 3, exitCode: 137 });
    const run = await runAction(actionDir('deploy-service'), {
      inputs: { cluster: 'prod', service: 'web', 'task-definition': await f.register('crash'), timeout: '10m' },
      env: f.sim.env,
      timeoutMs: 300_000,
    });
    const simAtExit = f.sim.clock.nowMs();
    const sd = await latest(f.ecs);
    const mark = sd.rollback?.startedAt?.getTime();
    if (mark === undefined) throw new Error(`ECS never started a rollback; the action exited ${run.exitCode} (${run.outputs.status})`);
    return { latencyMs: (simAtExit - mark) / SPEED, right: run.exitCode === 1 && run.outputs.status === 'failed', note: `exit ${run.exitCode}, ${sd.status}` };
  } finally {
    await f.sim.stop();
  }
}

/** Simulated seconds from UpdateService to the rollback's start, with ECS's breaker alone or with early stop. */
async function rollbackStart(earlyStop: boolean): Promise<{ seconds: number; note: string }> {
  // 1 s polls at 5× speed: one poll every 5 simulated seconds, as the default poll-interval on AWS.
  const f = await startWithService({ speed: EARLY_STOP_SPEED });
  try {
    const run = await runAction(actionDir('deploy-service'), {
      inputs: { cluster: 'prod', service: 'web', 'task-definition': await f.register('crash'), timeout: '10m', 'poll-interval': '1s', ...(earlyStop ? { 'early-stop-stopped-tasks': '1' } : {}) },
      env: f.sim.env,
      timeoutMs: 300_000,
    });
    const sd = await latest(f.ecs);
    const start = sd.createdAt?.getTime();
    const mark = sd.rollback?.startedAt?.getTime();
    if (start === undefined || mark === undefined) throw new Error(`no rollback recorded; the action exited ${run.exitCode} (${run.outputs.status})`);
    return { seconds: (mark - start) / 1000, note: `${sd.rollback?.reason}` };
  } finally {
    await f.sim.stop();
  }
}

export const strategyRollback: Benchmark = {
  name: 'strategy-rollback',
  title: 'Blue/green, linear and canary failures; early stop',
  async run({ quick, log }) {
    const goal = `≤ one poll interval (${ms(POLL_MS)})`;
    if (!existsSync(join(actionDir('deploy-service'), 'dist', 'index.js'))) {
      return { method: 'not run', figures: [notMeasured('strategy rollback latency', goal, 'actions/deploy-service/dist/index.js does not exist')], details: [] };
    }
    const n = quick ? 2 : 3;
    const figures: Figure[] = [];
    const details: string[] = [];
    for (const strategy of ['BLUE_GREEN', 'LINEAR', 'CANARY'] as const) {
      const latencies: number[] = [];
      const notes: string[] = [];
      let wrong = 0;
      for (let i = 0; i < n; i++) {
        const r = await strategyRun(strategy, Math.round(((i + 0.5) / n) * (POLL_MS / 1000) * SPEED));
        latencies.push(r.latencyMs);
        notes.push(r.note);
        if (!r.right) wrong++;
        log(`  ${strategy} run ${i + 1}/${n}: ${ms(r.latencyMs)} (${r.note})`);
      }
      const med = median(latencies);
      const worst = Math.max(...latencies);
      figures.push({
        label: `${strategy}: ECS starts the rollback (circuit breaker) → action exits non-zero`,
        value: `${ms(med)} (worst ${ms(worst)})`,
        n: String(n),
        goal,
        verdict: wrong === 0 && worst <= POLL_MS ? 'meets' : 'misses',
        comparison: wrong > 0 ? `${wrong} of ${n} runs ended with the wrong result` : `worst ${worst <= POLL_MS ? 'within' : 'over'} one poll (${((100 * worst) / POLL_MS).toFixed(0)} % of ${ms(POLL_MS)}); right result in ${n} of ${n}`,
      });
      details.push(`${strategy}: ${samples(latencies)} (${notes.join('; ')})`);
    }
    const own: number[] = [];
    const early: number[] = [];
    for (let i = 0; i < n; i++) {
      const a = await rollbackStart(false);
      const b = await rollbackStart(true);
      own.push(a.seconds);
      early.push(b.seconds);
      log(`  early stop run ${i + 1}/${n}: ECS's breaker ${a.seconds.toFixed(1)} s, early-stop-stopped-tasks: 1 ${b.seconds.toFixed(1)} s`);
    }
    const sooner = median(own) - median(early);
    figures.push({
      label: "early-stop-stopped-tasks: 1 vs ECS's own circuit breaker (2 tasks, default threshold 3): UpdateService → rollback starts",
      value: `${median(early).toFixed(1)} s vs ${median(own).toFixed(1)} s (simulated)`,
      n: String(n),
      goal: 'sooner than ECS',
      verdict: sooner > 0 ? 'meets' : 'misses',
      comparison: `the rollback starts ${sooner.toFixed(1)} s sooner (${((100 * sooner) / median(own)).toFixed(0)} % of ECS's own time), at the first poll after the first task of the new revision stops`,
    });
    details.push(`ECS's breaker: ${own.map((s) => `${s.toFixed(1)} s`).join(', ')}; early stop: ${early.map((s) => `${s.toFixed(1)} s`).join(', ')} (simulated seconds from the service deployment's creation to rollback.startedAt)`);
    return {
      method: `The bundled deploy-service action (default poll interval ${ms(POLL_MS)}) deploys a release whose tasks exit 3 s after starting to a 2-task web service behind an ALB (blue/green target groups, production and test listener rules) in the simulator at ${SPEED}× speed, for each ECS strategy; the start delay is spread over one poll interval across runs. Latency = (simulated clock at the action's exit − the service deployment's rollback.startedAt) ÷ speed. Early stop: a rolling 2-task service, the same release, deployed with and without \`early-stop-stopped-tasks: 1\` (poll 1 s at ${EARLY_STOP_SPEED}× speed: every 5 simulated seconds, the default on AWS); the figure is simulated time from the service deployment's creation to its rollback.startedAt, as on AWS.`,
      figures,
      details,
    };
  },
};
