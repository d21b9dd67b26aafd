// Build: cold build vs app-only rebuild (vs lockfile change), measured by the image-build package's own
// bench (packages/image-build/bench/cold-vs-app-only.ts), which this module runs and reads. Needs a Docker
// engine and a registry; without them it reports "not measured" and why.
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './lib/paths.js';
import { pct } from './lib/stats.js';
import { notMeasured, type Benchmark, type Figure } from './lib/types.js';

const SCRIPT = join(repoRoot, 'packages', 'image-build', 'bench', 'cold-vs-app-only.ts');
const GOAL = 'app-only < 10 % of cold';

/** Why the Docker side cannot run here, or undefined when it can. */
async function dockerProblem(cli: string, registry: string): Promise<string | undefined> {
  if (!existsSync(SCRIPT)) return `${SCRIPT} does not exist`;
  try {
    await promisify(execFile)(cli, ['version', '--format', '{{.Server.Version}}'], { timeout: 15_000 });
  } catch {
    return `no Docker engine reachable with ${cli} (DOCKER_HOST=${process.env.DOCKER_HOST ?? 'unset'})`;
  }
  try {
    const res = await fetch(`http://${registry}/v2/`, { signal: AbortSignal.timeout(5000) });
    if (res.status !== 200 && res.status !== 401) return `registry ${registry} answered ${res.status}`;
  } catch {
    return `no registry at ${registry} (set GANTRY_TEST_REGISTRY)`;
  }
  return undefined;
}

/** Runs the image-build bench once and returns its output. */
function runImageBuildBench(env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT], { cwd: join(repoRoot, 'packages', 'image-build'), env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      for (const line of chunk.toString().split('\n')) if (/build|rebuild|lockfile|ratio|fresh/i.test(line)) log(`  ${line.trim()}`);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 10 * 60_000);
    child.on('close', (code) => (clearTimeout(timer), resolve({ code, output })));
  });
}

const seconds = (output: string, label: RegExp) => {
  const m = new RegExp(`^${label.source}[^:\\n]*:\\s*([\\d.]+) s`, 'im').exec(output);
  return m ? Number(m[1]) : undefined;
};

export const build: Benchmark = {
  name: 'build',
  title: 'Image build: cold vs app-only vs lockfile change',
  async run({ log }) {
    const cli = process.env.GANTRY_DOCKER_CLI ?? (existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker');
    const registry = process.env.GANTRY_TEST_REGISTRY ?? '127.0.0.1:5000';
    const problem = await dockerProblem(cli, registry);
    const method = `packages/image-build/bench/cold-vs-app-only.ts run once (n = 1: a cold build takes tens of seconds by design) on Node ${process.versions.node} with ${cli} and registry ${registry} (ECR API: @gantry/aws-sim in registry mode): a base image with a deliberately heavy step (${process.env.HEAVY_SECONDS ?? 20} s and 48 MB of vendor files), built cold, rebuilt after an app-only source change, then after a composer.lock change (which the base's hash covers, so the base and its heavy step are rebuilt) — first in the combined form (one build-image call), then in the split form (a build: base job, then a build: app job given the base's digest; the time is the sum of both jobs, job start-up excluded), and finally the split app-only build with the app job on a fresh engine (a second dockerd with an empty image store and build cache, so it pulls the base).`;
    if (problem) return { method, figures: [notMeasured('app-only rebuild vs cold build', GOAL, problem)], details: [] };
    const { code, output } = await runImageBuildBench({ ...process.env, GANTRY_DOCKER_CLI: cli, GANTRY_TEST_REGISTRY: registry }, log);
    const cold = seconds(output, /cold build/);
    const appOnly = seconds(output, /app-only rebuild/);
    const lockfile = seconds(output, /lockfile change/);
    const splitCold = seconds(output, /split cold build/);
    const splitApp = seconds(output, /split app-only rebuild/);
    const splitLock = seconds(output, /split lockfile change/);
    const fresh = seconds(output, /split app-only on a fresh engine/);
    const details = [`image-build bench exited ${code}; its output:`, ...output.trim().split('\n').filter((l) => /build|rebuild|lockfile|ratio|fresh|error/i.test(l)).map((l) => `  ${l.trim()}`)];
    if (cold === undefined || appOnly === undefined) {
      return { method, figures: [notMeasured('app-only rebuild vs cold build', GOAL, `the image-build bench exited ${code} without both timings`)], details: [...details, ...output.trim().split('\n').slice(-5).map((l) => `  ${l}`)] };
    }
    const ratio = appOnly / cold;
    const figures: Figure[] = [
      { label: 'cold build (base + app)', value: `${cold.toFixed(1)} s`, n: '1', goal: 'reference', verdict: 'context', comparison: 'the 100 % the rebuilds are held to' },
      {
        label: 'app-only rebuild',
        value: `${appOnly.toFixed(1)} s`,
        n: '1',
        goal: GOAL,
        verdict: ratio < 0.1 ? 'meets' : 'misses',
        comparison: `${pct(ratio)} of the cold build`,
      },
      lockfile === undefined
        ? notMeasured('lockfile change (base rebuilt)', 'context', `the image-build bench exited ${code} without a lockfile-change timing`)
        : {
            label: 'lockfile change (base rebuilt)',
            value: `${lockfile.toFixed(1)} s`,
            n: '1',
            goal: 'context',
            verdict: 'context',
            comparison: `${pct(lockfile / cold)} of the cold build${/lockfile change[^\n]*base rebuilt: false/i.test(output) ? ' — but the base was not rebuilt, so this is not the cost of a dependency update' : ''}`,
          },
      ...splitFigures({ code, splitCold, splitApp, splitLock, fresh, cold }),
    ];
    return { method, figures, details };
  },
};

/** The split form's figures; a missing timing is reported as not measured with the bench's exit code. */
function splitFigures(t: { code: number | null; cold: number; splitCold?: number; splitApp?: number; splitLock?: number; fresh?: number }): Figure[] {
  const missing = (label: string, goal: string) => notMeasured(label, goal, `the image-build bench exited ${t.code} without this timing`);
  const figures: Figure[] = [];
  figures.push(
    t.splitCold === undefined
      ? missing('split: cold build (base job + app job)', 'reference')
      : { label: 'split: cold build (base job + app job)', value: `${t.splitCold.toFixed(1)} s`, n: '1', goal: 'reference', verdict: 'context', comparison: `${pct(t.splitCold / t.cold)} of the combined cold build` },
  );
  if (t.splitApp === undefined || t.splitCold === undefined) figures.push(missing('split: app-only rebuild (base job skips)', GOAL));
  else {
    const ratio = t.splitApp / t.splitCold;
    figures.push({ label: 'split: app-only rebuild (base job skips)', value: `${t.splitApp.toFixed(1)} s`, n: '1', goal: GOAL, verdict: ratio < 0.1 ? 'meets' : 'misses', comparison: `${pct(ratio)} of the split cold build` });
  }
  figures.push(
    t.splitLock === undefined || t.splitCold === undefined
      ? missing('split: lockfile change (base rebuilt)', 'context')
      : { label: 'split: lockfile change (base rebuilt)', value: `${t.splitLock.toFixed(1)} s`, n: '1', goal: 'context', verdict: 'context', comparison: `${pct(t.splitLock / t.splitCold)} of the split cold build` },
  );
  figures.push(
    t.fresh === undefined || t.splitCold === undefined
      ? missing('split: app-only on a fresh engine (pulls the base)', 'context')
      : { label: 'split: app-only on a fresh engine (pulls the base)', value: `${t.fresh.toFixed(1)} s`, n: '1', goal: 'context (no cache: the base is pulled)', verdict: 'context', comparison: `${pct(t.fresh / t.splitCold)} of the split cold build` },
  );
  return figures;
}
