// Deploy watch under quota pressure: three services (web, worker, websocket) deploy a crashing image at
// once with the bundled deploy-service action while the bundled guard inventories the same account, on a
// simulator that throttles as AWS does (`quotas: aws`). Figure: from ECS's "deployment failed" mark to each
// action's exit, against the action's poll interval. deploy-service is used as it is on this branch.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateClusterCommand, DescribeServicesCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { createFargateService, registerFargateTaskDefinition, sdkClients, simImage } from '@gantry/aws-sim/testing';
import { runAction, type ActionRun } from '@gantry/local-runner';
import { fleetShape, startFleet } from './lib/fleet.js';
import { actionDir } from './lib/paths.js';
import { median, ms, samples } from './lib/stats.js';
import { notMeasured, type Benchmark, type Figure } from './lib/types.js';

const SPEED = 60;
const POLL_MS = 5000; // deploy-service's default `poll-interval`
const SERVICES = ['web', 'worker', 'websocket'] as const;
/** How long each guard run may go on before it is cut off and a fresh one starts. */
const GUARD_SLICE_MS = 40_000;

/** The simulated instant ECS marked a deployment of `service` that began after `since` as failed. */
async function failedAt(ecs: ECSClient, service: string, since: number): Promise<number | undefined> {
  const s = (await ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: [service] }))).services?.[0];
  const marks = (s?.events ?? []).filter((e) => e.createdAt!.getTime() >= since && e.message?.includes('deployment failed'));
  return marks.length ? Math.min(...marks.map((e) => e.createdAt!.getTime())) : undefined;
}

export const deployWatchQuotas: Benchmark = {
  name: 'deploy-watch-quotas',
  title: 'Deploy watch failure detection while a guard runs, under AWS API quotas',
  async run({ quick, log, sizes }) {
    const goal = `≤ one poll interval (${ms(POLL_MS)}) after ECS's mark`;
    for (const a of ['deploy-service', 'ecr-lifecycle-guard']) {
      if (!existsSync(join(actionDir(a), 'dist', 'index.js'))) return { method: 'not run', figures: [notMeasured('deploy watch under quotas', goal, `actions/${a}/dist/index.js does not exist`)], details: [] };
    }
    const fleetServices = sizes?.[0] ?? 500;
    const rounds = quick ? 2 : 4;
    const fleet = await startFleet(fleetShape(fleetServices), log);
    const { sim } = fleet;
    const { ecs } = sdkClients(sim);
    const work = await mkdtemp(join(tmpdir(), 'gantry-bench-deploy-quotas-'));
    const latencies: number[] = [];
    const baseline: number[] = [];
    const notes: string[] = [];
    const wrong: Record<string, number> = {};
    let guardRuns = 0;
    let guardFailures = 0;
    let guardCompleted = 0;
    let roundsWithGuard = 0;
    try {
      await ecs.send(new CreateClusterCommand({ clusterName: 'prod' }));
      for (let r = 0; r < 2 * rounds; r++) for (const s of SERVICES) await sim.control.seedImage!({ repositoryName: 'app0', tags: [`${s}-crash-${r}`] });
      for (const s of SERVICES) {
        await sim.control.seedImage!({ repositoryName: 'app0', tags: [`${s}-v1`] });
        const taskDefinition = await registerFargateTaskDefinition(ecs, { family: s, containerDefinitions: [{ name: s, image: simImage(`app0:${s}-v1`), essential: true }] });
        await createFargateService(ecs, { cluster: 'prod', serviceName: s, taskDefinition, desiredCount: 2, deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } } });
      }
      await sim.clock.advance(120_000);
      sim.control.setSpeed!({ speed: SPEED });

      /** One round: the three services deploy a crashing image at once; latency per deploy. */
      let round = 0;
      const deployRound = async (phase: string, sample: number[]) => {
        const r = round++;
        const since = sim.clock.nowMs();
        const delay = Math.round(((r % rounds + 0.5) / rounds) * (POLL_MS / 1000) * SPEED);
        const targets: Record<string, string> = {};
        for (const s of SERVICES) {
          sim.control.setImageBehaviour(`app0:${s}-crash-${r}`, { startSeconds: 5 + delay / 2, exitAfterSeconds: 0, exitCode: 1 });
          targets[s] = await registerFargateTaskDefinition(ecs, { family: s, containerDefinitions: [{ name: s, image: simImage(`app0:${s}-crash-${r}`), essential: true }] });
        }
        const runs = await Promise.all(
          SERVICES.map(async (s): Promise<[string, ActionRun, number]> => {
            const run = await runAction(actionDir('deploy-service'), { inputs: { cluster: 'prod', service: s, 'task-definition': targets[s]!, timeout: '10m' }, env: sim.env, timeoutMs: 10 * 60_000 });
            return [s, run, sim.clock.nowMs()];
          }),
        );
        for (const [s, run, exitAt] of runs) {
          const mark = await failedAt(ecs, s, since);
          const right = mark !== undefined && run.exitCode !== 0 && run.outputs.status === 'failed';
          if (!right) wrong[phase] = (wrong[phase] ?? 0) + 1;
          const latency = mark === undefined ? NaN : (exitAt - mark) / SPEED;
          if (mark !== undefined) sample.push(latency);
          notes.push(`${phase} round ${r + 1} ${s}: ${mark === undefined ? 'ECS never marked it failed' : ms(latency)} (exit ${run.exitCode}, status ${run.outputs.status ?? '–'}${run.exitCode !== 0 && run.outputs.status !== 'failed' ? `: ${run.errors.join(' ').slice(0, 200)}` : ''})`);
          log(`  ${notes[notes.length - 1]}`);
        }
        // Let the rollbacks settle before the next round.
        await new Promise((res) => setTimeout(res, 3000));
      };

      // Baseline on the same machine at the same time: no quotas, no guard.
      sim.control.setQuotas({ model: 'off' });
      for (let i = 0; i < rounds; i++) await deployRound('baseline', baseline);

      sim.control.setQuotas({ model: 'aws' });
      sim.control.resetCallCounts();
      // The guard, cold and with its defaults, over and over for as long as the deploys run.
      let stop = false;
      let guardActive = false;
      const guardLoop = (async () => {
        while (!stop) {
          guardActive = true;
          // Each guard run is cut off after GUARD_SLICE_MS and a new one starts: the deploys always overlap a
          // guard's listing and describing, where it shares the service and task buckets with them.
          const run = await runAction(actionDir('ecr-lifecycle-guard'), { inputs: { mode: 'verify', 'report-path': join(work, 'guard.json') }, env: sim.env, timeoutMs: GUARD_SLICE_MS });
          guardActive = false;
          guardRuns++;
          if (run.exitCode === 0) guardCompleted++;
          else if (run.signal === null) guardFailures++;
          log(`  guard run ${guardRuns}: ${ms(run.durationMs)}, ${run.signal ? `cut off (${run.signal})` : `exit ${run.exitCode}`}`);
        }
      })();
      // Let the guard start listing before the first deploy.
      await new Promise((res) => setTimeout(res, 3000));
      for (let i = 0; i < rounds; i++) {
        const guardDuring = guardActive;
        await deployRound('with guard', latencies);
        if (guardDuring && guardActive) roundsWithGuard++;
      }
      stop = true;
      const throttledDuringDeploys = sim.control.quotas().throttled;
      await guardLoop;
      const throttleText = Object.entries(throttledDuringDeploys).map(([op, n]) => `${op} ${n}`).join(', ') || 'none';
      const figure = (label: string, sample: number[], phase: string, extra: string): Figure => {
        const worst = sample.length ? Math.max(...sample) : NaN;
        const bad = wrong[phase] ?? 0;
        return {
          label,
          value: sample.length ? `${ms(median(sample))} (worst ${ms(worst)})` : '–',
          n: String(sample.length),
          goal,
          verdict: bad === 0 && worst <= POLL_MS ? 'meets' : 'misses',
          comparison:
            bad > 0
              ? `${bad} of ${rounds * SERVICES.length} deploys ended without reporting the failure`
              : `worst ${worst <= POLL_MS ? 'within' : 'over'} one poll (${((100 * worst) / POLL_MS).toFixed(0)} % of ${ms(POLL_MS)}); ${sample.filter((x) => x > POLL_MS).length} of ${sample.length} over${extra}`,
        };
      };
      const figures: Figure[] = [
        figure(`3 services deploy a crashing image at once, guard running, AWS quotas (${fleetServices.toLocaleString('en')}-service fleet): ECS marks FAILED → action exits non-zero`, latencies, 'with guard', `; the guard was running through ${roundsWithGuard} of ${rounds} rounds`),
        figure('the same, baseline: no quotas, no guard (same machine, same run)', baseline, 'baseline', ''),
        {
          label: 'calls AWS throttled while the guard and the deploys ran together',
          value: String(Object.values(throttledDuringDeploys).reduce((a, b) => a + b, 0)),
          n: '1',
          goal: 'context',
          verdict: 'context',
          comparison: `${throttleText}; guard runs started: ${guardRuns} (${guardCompleted} completed, ${guardFailures} failed, the rest cut off after ${ms(GUARD_SLICE_MS)}); load average ${loadavg()[0]!.toFixed(1)} at the end`,
        },
      ];
      return {
        method: `A ${fleetServices.toLocaleString('en')}-service fleet (as guard-inventory) plus three 2-task services web, worker and websocket with the circuit breaker on, on a simulator with \`quotas: aws\` at ${SPEED}× speed. The bundled guard (verify, default quota-share 40 %, no cache) runs again and again, each run cut off after ${ms(GUARD_SLICE_MS)} so the deploys overlap its listing and describing; meanwhile, in each of ${rounds} rounds (after as many baseline rounds with quotas off and no guard), the three services deploy an image that exits while starting, each with the bundled deploy-service action as it is on this branch (default poll ${ms(POLL_MS)}), all at once. Latency = (simulated clock when an action exits − simulated instant of ECS's "deployment failed" event) ÷ speed. The image's start is stretched per round so the mark falls at different points of the poll cycle.`,
        figures,
        details: [`with guard: ${samples(latencies)}`, `baseline: ${samples(baseline)}`, ...notes, `throttled by operation: ${throttleText}`],
      };
    } finally {
      ecs.destroy();
      await sim.stop();
      await rm(work, { recursive: true, force: true });
    }
  },
};
