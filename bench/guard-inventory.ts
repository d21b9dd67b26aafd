// Guard inventory at 50, 500 and 5,000 services: the bundled ecr-lifecycle-guard action (mode verify,
// read-only) against a simulator fleet with 20 ms added to every AWS call. Figures: wall time of the
// action, the calls it made (the simulator's own counters) and the least calls any complete inventory
// needs with these APIs (minimumCalls below).
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAction } from '@gantry/local-runner';
import { denseFleetShape, fleetShape, startFleet, type FleetShape } from './lib/fleet.js';
import { actionDir } from './lib/paths.js';
import { median, ms, pct, samples } from './lib/stats.js';
import { notMeasured, type Benchmark, type Figure } from './lib/types.js';

export const LATENCY_MS = 20;
const CONCURRENCY = 8; // the action's default `concurrency`

/**
 * The fewest calls a complete inventory of this fleet can make, per operation, from the documented page
 * and batch sizes: ListClusters 100 per page; per cluster ListServices 100 per page, DescribeServices 10 per
 * call, ListTasks 100 per page (at least one call), DescribeTasks 100 per call; DescribeServiceRevisions 20
 * per call (one current revision per settled service); DescribeTaskDefinition has no batch form, so one call
 * per rollback revision below the one a service runs (the current one's images come with its service
 * revision); one ListRules per event bus and one ListSchedules; DescribeRepositories 1000 per page; per
 * repository DescribeImages 1000 per page, one GetLifecyclePolicy, BatchGetImage 100 image ids per call for
 * its in-use images. An in-use app image whose manifest carries no base image annotations (plain `docker
 * build` can only write labels) names its base only in its config labels, so each costs one
 * GetDownloadUrlForLayer and one download of the config blob, which the simulator counts as s3:GetObject
 * (the pre-signed URL it stands for is S3's). The fleet seeds every image without annotations, each with
 * its own config, so every in-use image pays both.
 */
export function minimumCalls(shape: FleetShape): Record<string, number> {
  const servicesPerCluster = shape.services / shape.clusters;
  const tasksPerCluster = servicesPerCluster * shape.tasksPerService;
  const inUsePerRepository = (shape.services / shape.repositories) * shape.revisionsPerFamily;
  const withoutBaseAnnotations = shape.repositories * inUsePerRepository;
  return {
    'ecs:ListClusters': Math.ceil(shape.clusters / 100),
    'ecs:ListServices': shape.clusters * Math.ceil(servicesPerCluster / 100),
    'ecs:DescribeServices': shape.clusters * Math.ceil(servicesPerCluster / 10),
    'ecs:DescribeServiceRevisions': Math.ceil(shape.services / 20),
    'ecs:ListTasks': shape.clusters * Math.max(1, Math.ceil(tasksPerCluster / 100)),
    'ecs:DescribeTasks': shape.clusters * Math.ceil(tasksPerCluster / 100),
    'ecs:DescribeTaskDefinition': shape.services * (shape.revisionsPerFamily - 1),
    'events:ListRules': 1,
    'scheduler:ListSchedules': 1,
    'ecr:DescribeRepositories': Math.ceil(shape.repositories / 1000),
    'ecr:DescribeImages': shape.repositories * Math.max(1, Math.ceil(shape.imagesPerRepository / 1000)),
    'ecr:GetLifecyclePolicy': shape.repositories,
    'ecr:BatchGetImage': shape.repositories * Math.ceil(inUsePerRepository / 100),
    'ecr:GetDownloadUrlForLayer': withoutBaseAnnotations,
    's3:GetObject': withoutBaseAnnotations,
  };
}

const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

export const guardInventory: Benchmark = {
  name: 'guard-inventory',
  title: 'Guard inventory at scale',
  async run({ quick, log }) {
    const dir = actionDir('ecr-lifecycle-guard');
    // The spread fleets show growth; the dense one makes every list page and every batch fill, so the
    // calls-vs-minimum figure also covers pagination and batching.
    const scales: { services: number; n: number; dense?: boolean }[] = quick
      ? [{ services: 50, n: 3 }, { services: 500, n: 1 }, { services: 500, n: 1, dense: true }]
      : [{ services: 50, n: 5 }, { services: 500, n: 3 }, { services: 5000, n: 1 }, { services: 5000, n: 1, dense: true }];
    const goalCalls = 'within 10 % of the minimum';
    if (!existsSync(join(dir, 'dist', 'index.js'))) {
      return {
        method: 'not run',
        figures: [notMeasured('guard inventory', goalCalls, 'actions/ecr-lifecycle-guard/dist/index.js does not exist')],
        details: [],
      };
    }
    const figures: Figure[] = [];
    const details: string[] = [];
    const perService: { services: number; msPerService: number }[] = [];
    for (const { services, n, dense = false } of scales) {
      const shape = dense ? denseFleetShape(services) : fleetShape(services);
      const name = `${services.toLocaleString('en')} services${dense ? ', dense' : ''}`;
      // Without AWS's quotas: this measures the guard's own cost (calls, and time at 20 ms a call); guard-quotas
      // measures it under the quotas.
      const fleet = await startFleet(shape, log, { quotas: 'off' });
      try {
        fleet.sim.control.setFaults({ latencyMs: LATENCY_MS });
        const walls: number[] = [];
        let counts: Record<string, number> = {};
        let lastLog = '';
        for (let i = 0; i < n; i++) {
          fleet.sim.control.resetCallCounts();
          const run = await runAction(dir, {
            inputs: { mode: 'verify', 'report-path': join(tmpdir(), `gantry-bench-guard-${process.pid}.json`) },
            env: { ...fleet.sim.env, AWS_MAX_ATTEMPTS: '1' },
            timeoutMs: 15 * 60_000,
          });
          counts = fleet.sim.control.callCounts();
          lastLog = run.log;
          if (run.exitCode !== 0) {
            details.push(`${name}: the action exited ${run.exitCode}: ${run.errors.join(' ') || run.stderr.slice(-500)}`);
          }
          walls.push(run.durationMs);
          log(`  ${name} run ${i + 1}/${n}: ${ms(run.durationMs)}, ${sum(counts)} calls, exit ${run.exitCode}`);
        }
        const minimum = minimumCalls(shape);
        const made = sum(counts);
        const least = sum(minimum);
        const over = made / least - 1;
        const short = Object.entries(minimum)
          .filter(([op, min]) => (counts[op] ?? 0) < min)
          .map(([op, min]) => `${op} (${counts[op] ?? 0} of ${min})`);
        const wall = median(walls);
        if (!dense) perService.push({ services, msPerService: wall / services });
        const inventoryLine = /Inventory: [^\n]*/.exec(lastLog)?.[0] ?? '(no inventory line in the log)';
        figures.push({
          label: `${name}: wall time`,
          value: ms(wall),
          n: String(n),
          goal: services >= 5000 ? 'a few minutes (≤ 5 min)' : dense ? 'context' : 'linear growth',
          verdict: services >= 5000 ? (wall <= 5 * 60_000 ? 'meets' : 'misses') : 'context',
          comparison:
            services >= 5000
              ? `${wall <= 5 * 60_000 ? 'within' : 'over'} 5 minutes (${ms(wall)} at ${LATENCY_MS} ms per call, concurrency ${CONCURRENCY})`
              : `${(wall / services).toFixed(1)} ms per service`,
        });
        figures.push({
          label: `${name}: API calls (minimum)`,
          value: `${made.toLocaleString('en')} (${least.toLocaleString('en')})`,
          n: String(n),
          goal: goalCalls,
          verdict: short.length === 0 && over <= 0.1 ? 'meets' : 'misses',
          comparison:
            `${pct(Math.abs(over))} ${over >= 0 ? 'above' : 'below'} the minimum` +
            // Fewer calls than a complete inventory needs means something went unread (or the minimum is wrong): never a win.
            (short.length > 0 ? `; below the minimum for ${short.join(', ')}, so the inventory is incomplete or the minimum is wrong` : ''),
        });
        details.push(
          `${name} (${shape.clusters} clusters, ${shape.repositories} repositories, ${shape.repositories * shape.imagesPerRepository} images; fleet setup ${fleet.setupSeconds.toFixed(0)} s, not measured): wall ${samples(walls)}; ${inventoryLine}`,
          `  calls by operation (made / minimum): ${[...new Set([...Object.keys(counts), ...Object.keys(minimum)])]
            .sort()
            .map((op) => `${op} ${counts[op] ?? 0}/${minimum[op] ?? 0}`)
            .join(', ')}`,
        );
      } finally {
        await fleet.sim.stop();
      }
    }
    if (perService.length >= 2) {
      const first = perService[0]!;
      const last = perService[perService.length - 1]!;
      const growth = last.msPerService / first.msPerService;
      figures.push({
        label: `time per service, ${first.services} → ${last.services.toLocaleString('en')} services`,
        value: `${first.msPerService.toFixed(1)} → ${last.msPerService.toFixed(1)} ms`,
        n: '–',
        goal: 'linear growth (per-service time flat or falling)',
        verdict: growth <= 1.25 ? 'meets' : 'misses',
        comparison: `per-service time ×${growth.toFixed(2)} over a ×${last.services / first.services} fleet (${growth <= 1.25 ? 'linear or better' : 'worse than linear'}; ≤ ×1.25 counts as linear)`,
      });
    }
    return {
      method: `The bundled ecr-lifecycle-guard action (mode \`verify\`, read-only, default concurrency ${CONCURRENCY}, rollback-revisions 3) against the simulator with ${LATENCY_MS} ms added to every call and AWS's API quotas off (the guard's own cost; see guard-quotas for the same under the quotas). Fleet per N services: N/50 clusters, N/10 repositories, 3 task definition revisions per service each with its own image, 1 task per service, 10 images per service in ECR; the dense fleet packs N/500 clusters and N/250 repositories (1,250 images each) so every page and batch fills. Calls counted by the simulator (a config blob download as s3:GetObject); the minimum is derived from the documented page and batch sizes plus one label read per in-use image without base image annotations (see \`minimumCalls\` in bench/guard-inventory.ts). Fewer calls than the minimum for any operation counts as a miss.`,
      figures,
      details,
    };
  },
};
