// Action start-up: wall time and peak memory of each bundled action from process start to its first AWS
// request, against bare Node, and each bundle's size on disk.
//
// Every action runs as the runner runs it (fresh `node dist/index.js`, inputs as INPUT_* variables) with
// AWS_ENDPOINT_URL pointing at a local HTTP server. The server notes when the first request arrives and,
// at that moment, reads the process's peak resident memory (VmHWM in /proc/<pid>/status); then the
// process is killed. Bare Node is measured the same way (`node -e "http.get(endpoint)"`) and as the
// issue names it: `node -e 0` from spawn to exit, with peak memory from /usr/bin/time.
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ACTIONS, actionDir } from './lib/paths.js';
import { mb, median, mib, ms, samples } from './lib/stats.js';
import { notMeasured, type Benchmark, type Figure } from './lib/types.js';

const BUNDLE_LIMIT = 1_500_000; // bytes: "no bundle above 1.5 MB"
const STARTUP_RATIO = 1.5;

/** Inputs that take each action past its input checks to its first AWS call. */
function inputsFor(action: string, workspace: string): Record<string, string> {
  switch (action) {
    case 'deploy-service':
      return { cluster: 'prod', service: 'web', 'task-definition': 'app:1' };
    case 'register-task-definition':
      return { 'task-definition-arn': 'app:1', cluster: 'prod' };
    case 'run-task':
      return { cluster: 'prod', 'task-definition': 'app:1' };
    case 'ecr-lifecycle-guard':
      return { mode: 'verify', 'report-path': join(workspace, 'guard-report.json') };
    case 'build-image':
      return { repository: 'web', 'base-dockerfile': 'docker/base.Dockerfile', 'base-hash-files': 'composer.lock', dockerfile: 'docker/app.Dockerfile', 'commit-sha': 'a'.repeat(40) };
    default:
      return {};
  }
}

/** Defaults from action.yml, as the runner applies them, under the given inputs. */
async function actionEnv(action: string, workspace: string): Promise<Record<string, string>> {
  const { parse } = await import('yaml');
  const meta = parse(await readFile(join(actionDir(action), 'action.yml'), 'utf8')) as { inputs?: Record<string, { default?: unknown }> };
  const env: Record<string, string> = {};
  const name = (input: string) => `INPUT_${input.replace(/ /g, '_').toUpperCase()}`;
  for (const [input, spec] of Object.entries(meta.inputs ?? {})) if (spec.default !== undefined) env[name(input)] = String(spec.default);
  for (const [input, value] of Object.entries(inputsFor(action, workspace))) env[name(input)] = value;
  return env;
}

interface Probe {
  server: Server;
  endpoint: string;
  /** Resolves with the time of the next first request, given the pid to inspect. */
  next(pid: () => number | undefined): Promise<{ at: number; peakBytes?: number }>;
}

async function startProbe(): Promise<Probe> {
  let waiting: { pid: () => number | undefined; resolve: (r: { at: number; peakBytes?: number }) => void } | undefined;
  const server = createServer((req, res) => {
    const at = performance.now();
    const w = waiting;
    waiting = undefined;
    if (w) {
      const pid = w.pid();
      w.resolve({ at, peakBytes: pid ? peakRss(pid) : undefined });
    }
    req.resume();
    // The process is killed right after; answer anyway so nothing hangs if it is not.
    res.writeHead(500, { 'content-type': 'application/json' }).end('{"__type":"InternalFailure","message":"bench probe"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    server,
    endpoint: `http://127.0.0.1:${port}`,
    next: (pid) => new Promise((resolve) => (waiting = { pid, resolve })),
  };
}

/** Peak resident set size so far (VmHWM), Linux only. */
function peakRss(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
    return kb ? Number(kb) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

interface Start {
  wallMs: number;
  peakBytes?: number;
  /** Why there was no first request, when there was none. */
  failure?: string;
}

/** Spawns `args` and measures spawn → first request at the probe, then kills the process. */
async function untilFirstRequest(probe: Probe, args: string[], env: Record<string, string>, cwd: string): Promise<Start> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const first = probe.next(() => child.pid);
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 20_000).unref());
  const winner = await Promise.race([first, exited.then((code) => ({ exit: code })), timeout]);
  child.kill('SIGKILL');
  await exited;
  if (winner === 'timeout') return { wallMs: Number.NaN, failure: 'no AWS request within 20 s' };
  if ('exit' in winner) {
    const error = /::error::(.*)/.exec(output)?.[1] ?? output.trim().split('\n').pop() ?? '';
    return { wallMs: Number.NaN, failure: `exited ${winner.exit} before any AWS request: ${error.slice(0, 200)}` };
  }
  return { wallMs: winner.at - started, ...(winner.peakBytes !== undefined ? { peakBytes: winner.peakBytes } : {}) };
}

const execFileAsync = promisify(execFile);

/** `node -e 0`, spawn to exit. */
async function bareNodeWall(): Promise<number> {
  const started = performance.now();
  await execFileAsync(process.execPath, ['-e', '0']);
  return performance.now() - started;
}

/** `node -e 0` peak memory via GNU time's %M (KiB), when /usr/bin/time exists. */
async function bareNodePeak(): Promise<number | undefined> {
  if (!existsSync('/usr/bin/time')) return undefined;
  const { stderr } = await execFileAsync('/usr/bin/time', ['-f', 'maxrss=%M', process.execPath, '-e', '0']);
  const kb = /maxrss=(\d+)/.exec(stderr)?.[1];
  return kb ? Number(kb) * 1024 : undefined;
}

/** The guard has no required input; an invalid mode makes it fail its input check like the others. */
const INPUT_ERROR: Record<string, Record<string, string>> = { 'ecr-lifecycle-guard': { INPUT_MODE: 'delete-everything' } };

/**
 * Spawn → exit of an action that fails its input check (no inputs; an invalid one for the guard): the
 * measure the reference figures for the official actions use.
 * Peak memory from /usr/bin/time in a separate run, so the wall time carries no wrapper.
 */
async function untilInputError(action: string, env: Record<string, string>, cwd: string): Promise<{ wallMs: number; peakBytes?: number }> {
  const entry = join(actionDir(action), 'dist', 'index.js');
  const started = performance.now();
  await execFileAsync(process.execPath, [entry], { env, cwd }).catch(() => undefined);
  const wallMs = performance.now() - started;
  if (!existsSync('/usr/bin/time')) return { wallMs };
  const out = await execFileAsync('/usr/bin/time', ['-f', 'maxrss=%M', process.execPath, entry], { env, cwd }).catch((err: { stderr?: string }) => ({ stderr: err.stderr ?? '' }));
  const kb = /maxrss=(\d+)/.exec(out.stderr)?.[1];
  return kb ? { wallMs, peakBytes: Number(kb) * 1024 } : { wallMs };
}

/** JS the runner loads at start (index.js; all dist JS), and the source maps, read only on an unexpected error. */
async function bundleBytes(action: string): Promise<{ index: number; total: number; maps: number } | undefined> {
  const dist = join(actionDir(action), 'dist');
  if (!existsSync(join(dist, 'index.js'))) return undefined;
  let total = 0;
  let maps = 0;
  for (const f of await readdir(dist, { recursive: true })) {
    if (/\.(c|m)?js$/.test(f)) total += (await stat(join(dist, f))).size;
    if (f.endsWith('.map')) maps += (await stat(join(dist, f))).size;
  }
  return { index: (await stat(join(dist, 'index.js'))).size, total, maps };
}

/** A workspace the build-image action accepts: Dockerfiles and a lockfile to hash. */
async function buildWorkspace(root: string): Promise<void> {
  await mkdir(join(root, 'docker'), { recursive: true });
  await writeFile(join(root, 'docker/base.Dockerfile'), 'FROM scratch\nCOPY composer.lock /app/\n');
  await writeFile(join(root, 'docker/app.Dockerfile'), 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCOPY . /app\n');
  await writeFile(join(root, 'composer.lock'), '{}\n');
}

export const actionStartup: Benchmark = {
  name: 'action-startup',
  title: 'Action start-up and bundle size',
  async run({ quick, log }) {
    const n = quick ? 5 : 11;
    const workspace = await mkdtemp(join(tmpdir(), 'gantry-bench-startup-'));
    const probe = await startProbe();
    try {
      await buildWorkspace(workspace);
      const baseEnv: Record<string, string> = {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: workspace,
        AWS_ENDPOINT_URL: probe.endpoint,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_EC2_METADATA_DISABLED: 'true',
        GITHUB_ACTIONS: 'true',
        GITHUB_WORKSPACE: workspace,
        RUNNER_TEMP: workspace,
      };
      for (const f of ['output', 'state', 'summary', 'env', 'path']) await writeFile(join(workspace, f), '');
      Object.assign(baseEnv, {
        GITHUB_OUTPUT: join(workspace, 'output'),
        GITHUB_STATE: join(workspace, 'state'),
        GITHUB_STEP_SUMMARY: join(workspace, 'summary'),
        GITHUB_ENV: join(workspace, 'env'),
        GITHUB_PATH: join(workspace, 'path'),
      });
      const present = ACTIONS.filter((a) => existsSync(join(actionDir(a), 'dist', 'index.js')));
      const envs = new Map<string, Record<string, string>>();
      for (const a of present) envs.set(a, { ...baseEnv, ...(await actionEnv(a, workspace)) });

      const bareWall: number[] = [];
      const barePeak: number[] = [];
      const bareRequest: Start[] = [];
      const starts = new Map<string, Start[]>(present.map((a) => [a, []]));
      const errors = new Map<string, { wallMs: number; peakBytes?: number }[]>(present.map((a) => [a, []]));
      // Interleaved rounds, so drift in machine load touches every subject alike.
      for (let round = 0; round < n; round++) {
        bareWall.push(await bareNodeWall());
        const peak = await bareNodePeak();
        if (peak !== undefined) barePeak.push(peak);
        bareRequest.push(await untilFirstRequest(probe, ['-e', `require('http').get(${JSON.stringify(probe.endpoint)}).on('error', () => {})`], baseEnv, workspace));
        for (const a of present) {
          starts.get(a)!.push(await untilFirstRequest(probe, [join(actionDir(a), 'dist', 'index.js')], envs.get(a)!, workspace));
          errors.get(a)!.push(await untilInputError(a, { ...baseEnv, ...INPUT_ERROR[a] }, workspace));
        }
      }
      const bare = median(bareWall);
      log(`  node -e 0: ${ms(bare)}${barePeak.length ? `, ${mib(median(barePeak))}` : ''}`);
      const figures: Figure[] = [];
      const details: string[] = [
        `node -e 0 wall: ${samples(bareWall)}`,
        `node -e 0 peak memory (/usr/bin/time %M): ${barePeak.length ? samples(barePeak, mib) : 'not measured: /usr/bin/time not found'}`,
      ];
      figures.push({
        label: 'bare `node -e 0` (spawn → exit; peak memory)',
        value: `${ms(bare)}; ${barePeak.length ? mib(median(barePeak)) : '–'}`,
        n: String(n),
        goal: 'baseline',
        verdict: 'context',
        comparison: `the reference for the ${STARTUP_RATIO}× goal (${ms(bare * STARTUP_RATIO)})`,
      });
      const bareReq = bareRequest.filter((s) => !s.failure);
      figures.push({
        label: 'bare node, spawn → first HTTP request (peak memory then)',
        value: `${ms(median(bareReq.map((s) => s.wallMs)))}; ${mib(median(bareReq.flatMap((s) => (s.peakBytes ? [s.peakBytes] : []))))}`,
        n: String(bareReq.length),
        goal: 'baseline',
        verdict: 'context',
        comparison: 'the least any action could take to its first request',
      });
      for (const a of ACTIONS) {
        const goal = `≤ ${STARTUP_RATIO}× bare node (${ms(bare * STARTUP_RATIO)})`;
        const size = await bundleBytes(a);
        if (!size) {
          figures.push(notMeasured(`${a}: start → first AWS request`, goal, `actions/${a}/dist/index.js does not exist`));
          continue;
        }
        const runs = starts.get(a)!;
        const ok = runs.filter((s) => !s.failure);
        if (ok.length === 0) {
          figures.push(notMeasured(`${a}: start → first AWS request`, goal, runs[0]?.failure ?? 'no runs'));
        } else {
          const wall = median(ok.map((s) => s.wallMs));
          const peaks = ok.flatMap((s) => (s.peakBytes ? [s.peakBytes] : []));
          const ratio = wall / bare;
          figures.push({
            label: `${a}: start → first AWS request (peak memory then)`,
            value: `${ms(wall)}; ${peaks.length ? mib(median(peaks)) : '–'}`,
            n: String(ok.length),
            goal,
            verdict: ratio <= STARTUP_RATIO ? 'meets' : 'misses',
            comparison: `${ratio.toFixed(2)}× bare \`node -e 0\`${peaks.length && barePeak.length ? `; memory ${(median(peaks) / median(barePeak)).toFixed(2)}× its peak` : ''}`,
          });
          details.push(`${a}: wall ${samples(ok.map((s) => s.wallMs))}; peak ${samples(peaks, mib)}${ok.length < runs.length ? `; ${runs.length - ok.length} runs without a request (${runs.find((s) => s.failure)!.failure})` : ''}`);
        }
        const errorRuns = errors.get(a)!;
        const errorWall = median(errorRuns.map((r) => r.wallMs));
        const errorPeaks = errorRuns.flatMap((r) => (r.peakBytes ? [r.peakBytes] : []));
        figures.push({
          label: `${a}: start → exit on an input error (peak memory)`,
          value: `${ms(errorWall)}; ${errorPeaks.length ? mib(median(errorPeaks)) : '–'}`,
          n: String(errorRuns.length),
          goal: `like-for-like with the official action's ~3× bare node`,
          verdict: 'context',
          comparison: `${(errorWall / bare).toFixed(2)}× bare \`node -e 0\`${errorPeaks.length && barePeak.length ? `, memory ${(median(errorPeaks) / median(barePeak)).toFixed(2)}×` : ''} (amazon-ecs-deploy-task-definition: 3.0× and 1.9×, from the reference notes)`,
        });
        details.push(`${a} input error: wall ${samples(errorRuns.map((r) => r.wallMs))}; peak ${samples(errorPeaks, mib)}`);
        figures.push({
          label: `${a}: bundle size (dist/index.js; all dist JS)`,
          value: `${mb(size.index)}; ${mb(size.total)}`,
          n: '1',
          goal: '≤ 1.50 MB',
          verdict: size.total <= BUNDLE_LIMIT ? 'meets' : 'misses',
          comparison: `${size.total <= BUNDLE_LIMIT ? 'under' : 'over'} the limit by ${mb(Math.abs(BUNDLE_LIMIT - size.total))}; plus ${mb(size.maps)} of source maps, not loaded at start`,
        });
      }
      return {
        method: `${n} interleaved rounds; in each, bare node and every bundled action start once. An action's figure is from spawn to the first request at a local HTTP server named by AWS_ENDPOINT_URL (inputs valid enough to pass every input check; the process is killed at that request), with peak RSS (VmHWM) read at that moment. Sizes are of the committed dist/. For reference (not measured here, from docs/reference anchors): amazon-ecs-deploy-task-definition ships 2.63 MB (3.0 MB with chunks) and takes 0.33 s / 73.5 MiB to its first input error vs 0.11 s / 39 MiB for \`node -e 0\`.`,
        figures,
        details,
      };
    } finally {
      probe.server.close();
      await rm(workspace, { recursive: true, force: true });
    }
  },
};
