// The guard under AWS's own API quotas: the bundled ecr-lifecycle-guard action (mode verify, default
// quota-share) against a simulator that throttles as AWS documents (`quotas: aws`: ECS token buckets per
// action category, ECR per-action rates, per account and region), cold (no cache) and warm (the cache the
// cold run wrote). Figures: wall time, calls (the simulator's counters), calls AWS throttled, and the time
// the guard waited for quota.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { quotaGroupOf } from '@gantry/aws';
import { runAction } from '@gantry/local-runner';
import { fleetShape, startFleet } from './lib/fleet.js';
import { actionDir } from './lib/paths.js';
import { ms, pct } from './lib/stats.js';
import { notMeasured, type Benchmark, type Figure } from './lib/types.js';
import { LATENCY_MS, minimumCalls } from './guard-inventory.js';

/** The action's default `quota-share` (percent). */
const SHARE = 40;
/** Goal: a warm run at the largest size makes under this part of the cold run's calls. */
const WARM_GOAL = 0.2;

const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

/**
 * The least wall time any run that stays within `share` of AWS's buckets can take for these calls: per
 * bucket, (calls − share × burst) ÷ (share × refill), the slowest bucket deciding.
 */
export function quotaFloorSeconds(counts: Record<string, number>, share: number): { seconds: number; bucket: string } {
  const byGroup = new Map<string, { calls: number; capacity: number; refill: number }>();
  for (const [op, n] of Object.entries(counts)) {
    const [service, action] = op.split(':') as [string, string];
    const g = quotaGroupOf(service, action);
    if (!g) continue;
    const e = byGroup.get(g.id) ?? { calls: 0, capacity: g.capacity, refill: g.refillPerSecond };
    e.calls += n;
    byGroup.set(g.id, e);
  }
  let worst = { seconds: 0, bucket: '–' };
  for (const [id, e] of byGroup) {
    const seconds = Math.max(0, e.calls - Math.floor(e.capacity * share)) / (e.refill * share);
    if (seconds > worst.seconds) worst = { seconds, bucket: id };
  }
  return worst;
}

interface GuardRun {
  wallMs: number;
  calls: Record<string, number>;
  throttled: number;
  waitedMs: number;
  savedCalls: number;
  ok: boolean;
  exitCode: number | null;
  note: string;
}

export const guardQuotas: Benchmark = {
  name: 'guard-quotas',
  title: 'Guard under AWS API quotas, cold and warm cache',
  async run({ quick, log, sizes }) {
    const dir = actionDir('ecr-lifecycle-guard');
    const scales = sizes ?? (quick ? [50, 500] : [50, 500, 5000]);
    if (!existsSync(join(dir, 'dist', 'index.js'))) {
      return { method: 'not run', figures: [notMeasured('guard under quotas', '–', 'actions/ecr-lifecycle-guard/dist/index.js does not exist')], details: [] };
    }
    const figures: Figure[] = [];
    const details: string[] = [];
    const work = await mkdtemp(join(tmpdir(), 'gantry-bench-quotas-'));
    try {
      for (const services of scales) {
        const shape = fleetShape(services);
        const name = `${services.toLocaleString('en')} services`;
        const fleet = await startFleet(shape, log);
        try {
          fleet.sim.control.setFaults({ latencyMs: LATENCY_MS });
          const cachePath = join(work, `cache-${services}.json`);
          const runOnce = async (label: string): Promise<GuardRun> => {
            // Buckets start full, as they are after a quiet spell.
            fleet.sim.control.setQuotas({ model: 'aws' });
            fleet.sim.control.resetCallCounts();
            const reportPath = join(work, `report-${services}-${label}.json`);
            const run = await runAction(dir, {
              inputs: { mode: 'verify', 'report-path': reportPath, 'cache-path': cachePath, 'quota-share': String(SHARE) },
              env: fleet.sim.env,
              timeoutMs: 120 * 60_000,
            });
            const calls = fleet.sim.control.callCounts();
            const throttled = sum(fleet.sim.control.quotas().throttled);
            const report = JSON.parse(await readFile(reportPath, 'utf8').catch(() => '{}')) as { ok?: boolean; quota?: { waitedMs: number }; cache?: { savedCalls: number } };
            const r: GuardRun = {
              wallMs: run.durationMs,
              calls,
              throttled,
              waitedMs: report.quota?.waitedMs ?? 0,
              savedCalls: report.cache?.savedCalls ?? 0,
              ok: report.ok === true && run.exitCode === 0,
              exitCode: run.exitCode,
              note: run.exitCode === 0 ? '' : run.errors.join(' ') || run.stderr.slice(-300),
            };
            r.note ||= `load average ${loadavg()[0]!.toFixed(1)} at the end`;
            log(`  ${name} ${label}: ${ms(r.wallMs)}, ${sum(calls)} calls, ${throttled} throttled, waited ${ms(r.waitedMs)} (summed over concurrent calls), exit ${run.exitCode}`);
            return r;
          };
          const cold = await runOnce('cold');
          const warm = await runOnce('warm');
          const minimum = sum(minimumCalls(shape));
          for (const [label, r] of [['cold', cold], ['warm cache', warm]] as const) {
            const floor = quotaFloorSeconds(r.calls, SHARE / 100);
            figures.push({
              label: `${name}, ${label}: wall time; calls`,
              value: `${ms(r.wallMs)}; ${sum(r.calls).toLocaleString('en')}`,
              n: '1',
              goal: label === 'cold' ? `context (${minimum.toLocaleString('en')} calls is the fewest a cold inventory can make)` : 'context',
              verdict: r.ok ? 'context' : 'misses',
              comparison: r.ok
                ? `${SHARE} % of each bucket allows no less than ${ms(floor.seconds * 1000)} for these calls (bucket ${floor.bucket}); ${label === 'cold' ? '' : `cache saved ${r.savedCalls.toLocaleString('en')} calls; `}waited ${ms(r.waitedMs)} for quota (summed over concurrent calls)`
                : `the run failed (exit ${r.exitCode}): ${r.note}`,
            });
            figures.push({
              label: `${name}, ${label}: calls AWS throttled`,
              value: String(r.throttled),
              n: '1',
              goal: '0: the guard stays inside the quotas when it is alone',
              verdict: r.throttled === 0 ? 'meets' : 'misses',
              comparison: r.throttled === 0 ? 'never throttled' : `${r.throttled} throttled calls (${pct(r.throttled / Math.max(1, sum(r.calls)))} of calls), retried`,
            });
          }
          const ratio = sum(warm.calls) / Math.max(1, sum(cold.calls));
          figures.push({
            label: `${name}: warm-cache calls ÷ cold calls`,
            value: pct(ratio),
            n: '1',
            goal: services >= 5000 ? `< ${pct(WARM_GOAL)} at 5,000 services` : 'context',
            verdict: services >= 5000 ? (ratio < WARM_GOAL ? 'meets' : 'misses') : 'context',
            comparison: `${sum(warm.calls).toLocaleString('en')} of ${sum(cold.calls).toLocaleString('en')} calls; wall time ${pct(warm.wallMs / cold.wallMs)} of the cold run's`,
          });
          for (const [label, r] of [['cold', cold], ['warm', warm]] as const) {
            details.push(
              `${name} ${label}: wall ${ms(r.wallMs)} (${r.note}); calls by operation: ${Object.entries(r.calls)
                .sort(([a], [b]) => a.localeCompare(b))
                .map(([op, n]) => `${op} ${n}`)
                .join(', ')}`,
            );
          }
        } finally {
          await fleet.sim.stop();
        }
      }
      const missing = [50, 500, 5000].filter((s) => !scales.includes(s));
      for (const s of missing) figures.push(notMeasured(`${s.toLocaleString('en')} services (cold and warm)`, s >= 5000 ? `warm < ${pct(WARM_GOAL)} of cold calls` : 'context', `not in this run's sizes (${scales.join(', ')}); run \`npm run bench -- --only guard-quotas --sizes ${s}\``));
    } finally {
      await rm(work, { recursive: true, force: true });
    }
    return {
      method: `The bundled ecr-lifecycle-guard action (mode \`verify\`, default \`quota-share: ${SHARE}\`, concurrency 8, \`cache-path\` set) against the simulator with \`quotas: aws\` (ECS token buckets per action category and ECR per-action rates as AWS publishes them, per account and region; buckets full at the start of each run) and ${LATENCY_MS} ms added to every call. The same fleets as guard-inventory. Cold: no cache file; warm: the file the cold run wrote, nothing changed in between. Calls and throttles are the simulator's counters. The floor is what ${SHARE} % of the buckets allows for the calls made, whoever makes them.`,
      figures,
      details,
    };
  },
};
