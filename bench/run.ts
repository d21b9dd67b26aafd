// `npm run bench [-- --only NAME[,NAME]] [-- --quick]`: runs the benchmarks and writes bench/RESULTS.md.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { actionStartup } from './action-startup.js';
import { build } from './build.js';
import { deployWatchLatency } from './deploy-watch-latency.js';
import { guardInventory } from './guard-inventory.js';
import { guardQuotas } from './guard-quotas.js';
import { deployWatchQuotas } from './deploy-watch-quotas.js';
import { machineLines } from './lib/machine.js';
import { renderResults } from './lib/report.js';
import type { Benchmark, BenchResult } from './lib/types.js';
import { simulatorThroughput } from './simulator-throughput.js';
import { strategyRollback } from './strategy-rollback.js';

const BENCHMARKS: Benchmark[] = [deployWatchLatency, strategyRollback, actionStartup, guardInventory, guardQuotas, deployWatchQuotas, build, simulatorThroughput];

const { values } = parseArgs({
  options: {
    only: { type: 'string', multiple: true },
    quick: { type: 'boolean', default: false },
    sizes: { type: 'string' },
    out: { type: 'string', default: join(import.meta.dirname, 'RESULTS.md') },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log(`usage: npm run bench -- [--only NAME] [--quick] [--sizes 50,500,5000] [--out FILE]\nbenchmarks: ${BENCHMARKS.map((b) => b.name).join(', ')}`);
  process.exit(0);
}
const only = (values.only ?? []).flatMap((o) => o.split(',')).filter(Boolean);
const unknown = only.filter((o) => !BENCHMARKS.some((b) => b.name === o));
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(', ')}; choose from ${BENCHMARKS.map((b) => b.name).join(', ')}`);
  process.exit(2);
}
const sizes = values.sizes?.split(',').map((s) => Number(s.trim()));
if (sizes && !sizes.every((n) => Number.isInteger(n) && n >= 10)) {
  console.error(`--sizes must be whole numbers of services (at least 10), comma separated, e.g. --sizes 50,500; got '${values.sizes}'`);
  process.exit(2);
}
const selected = only.length > 0 ? BENCHMARKS.filter((b) => only.includes(b.name)) : BENCHMARKS;

const log = (line: string) => console.log(line);
const started = performance.now();
const results: BenchResult[] = [];
for (const bench of selected) {
  log(`== ${bench.name}`);
  const t = performance.now();
  try {
    const result = await bench.run({ quick: values.quick, log, ...(sizes ? { sizes } : {}) });
    results.push({ name: bench.name, title: bench.title, seconds: (performance.now() - t) / 1000, ...result });
  } catch (err) {
    // One broken benchmark must not hide the others' figures; its row says why it has none.
    const reason = err instanceof Error ? err.message.split('\n')[0]! : String(err);
    log(`  failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    results.push({
      name: bench.name,
      title: bench.title,
      seconds: (performance.now() - t) / 1000,
      method: 'The benchmark failed before producing figures.',
      figures: [{ label: bench.title, value: '–', n: '0', goal: '–', verdict: 'not measured', comparison: `not measured: the benchmark failed (${reason})` }],
      details: [],
    });
  }
  const last = results[results.length - 1]!;
  for (const f of last.figures) log(`  ${f.label}: ${f.value} (goal ${f.goal}) — ${f.comparison}`);
  log(`  (${last.seconds.toFixed(0)} s)`);
}
const totalSeconds = (performance.now() - started) / 1000;
const markdown = renderResults({ results, machine: machineLines(), date: new Date(), totalSeconds, quick: values.quick, only, ...(sizes ? { sizes } : {}) });
await writeFile(values.out!, markdown);
log(`wrote ${values.out} (${totalSeconds.toFixed(0)} s in all)`);
