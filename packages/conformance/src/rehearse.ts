import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { runAction, type ActionRun } from '@gantry/local-runner';
import { parseFileCommands } from '@gantry/local-runner';
import { condition, interpolate, toText, type Context, type Value } from './expressions.js';
import { repoPath } from './paths.js';
import { gantryActionName, jobOrder, needsOf, type Step, type Workflow } from './workflow.js';

/**
 * Runs a workflow's jobs and steps in order, the way the runner would, without a runner: expressions in
 * `if:`, `with:`, `env:` and job outputs are evaluated (see expressions.ts for the forms supported),
 * matrix legs run one after another, Gantry action steps run their bundled dist through
 * @gantry/local-runner, `run:` scripts run with bash, actions/upload-artifact, download-artifact and
 * cache/restore, cache/save are played with local directories, and checkout / configure-aws-credentials are
 * recorded but not run (the workspace is prepared by the caller; credentials come from `env`).
 */
export interface RehearsalOptions {
  inputs: Record<string, string | boolean>;
  /** Environment of every step: the simulator's AWS_* variables. */
  env: Record<string, string>;
  /** The checked-out repository. */
  workspace: string;
  github?: Record<string, Value>;
  /** Stands in for a Gantry action (e.g. build-image without Docker): returns the step's outputs. */
  replaceAction?: Record<string, (inputs: Record<string, string>) => Promise<Record<string, string>>>;
  timeoutMs?: number;
  /**
   * Where actions/cache/save keeps entries and actions/cache/restore finds them; pass the same directory to
   * two rehearsals to see one run's cache restored in the next. Default: a fresh directory (no cache).
   */
  cacheDir?: string;
}

export interface StepRecord {
  job: string;
  leg: Record<string, Value> | undefined;
  id?: string;
  uses?: string;
  run?: boolean;
  inputs?: Record<string, string>;
  outcome: 'success' | 'failure' | 'skipped';
  note?: string;
  outputs: Record<string, string>;
  action?: ActionRun;
  log?: string;
}

export interface JobRecord {
  result: 'success' | 'failure' | 'skipped';
  outputs: Record<string, string>;
  legs: { matrix: Record<string, Value> | undefined; result: 'success' | 'failure'; environment?: string; concurrency?: string; outputs: Record<string, string> }[];
}

export interface Rehearsal {
  jobs: Record<string, JobRecord>;
  steps: StepRecord[];
}

function withDefaults(workflow: Workflow, given: Record<string, string | boolean>): Record<string, Value> {
  const specs = workflow.on.workflow_call?.inputs ?? {};
  const inputs: Record<string, Value> = {};
  for (const [name, spec] of Object.entries(specs)) {
    if (name in given) inputs[name] = given[name]!;
    else if (spec.required) throw new Error(`rehearsal: required input '${name}' not given`);
    else inputs[name] = (spec.default ?? (spec.type === 'boolean' ? false : '')) as Value;
  }
  for (const name of Object.keys(given)) if (!(name in specs)) throw new Error(`rehearsal: the workflow has no input '${name}'`);
  return inputs;
}

function matrixLegs(matrix: Record<string, unknown> | undefined, context: Context): (Record<string, Value> | undefined)[] {
  if (!matrix) return [undefined];
  let legs: Record<string, Value>[] = [{}];
  for (const [key, raw] of Object.entries(matrix)) {
    if (key === 'include' || key === 'exclude') throw new Error('rehearsal: matrix include/exclude is not supported');
    const values = interpolate(raw, context);
    if (!Array.isArray(values)) throw new Error(`rehearsal: matrix '${key}' is not a list`);
    legs = legs.flatMap((leg) => values.map((v) => ({ ...leg, [key]: v })));
  }
  return legs;
}

const textRecord = (record: Record<string, unknown> | undefined, context: Context) =>
  Object.fromEntries(Object.entries(record ?? {}).map(([k, v]) => [k, toText(interpolate(v, context))]));

async function runScript(step: Step, env: Record<string, string>, workspace: string, timeoutMs: number) {
  const temp = await mkdtemp(join(tmpdir(), 'gantry-rehearse-'));
  const files = { GITHUB_OUTPUT: join(temp, 'output'), GITHUB_STEP_SUMMARY: join(temp, 'summary'), GITHUB_ENV: join(temp, 'env') };
  for (const f of Object.values(files)) await writeFile(f, '');
  // GitHub runs `run:` with `bash -e {0}` (plus pipefail when shell: bash is explicit).
  const child = spawn('bash', ['-e', '-c', step.run!], { cwd: workspace, env: { ...env, ...files }, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (c: Buffer) => (log += c));
  child.stderr.on('data', (c: Buffer) => (log += c));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  const outputs = parseFileCommands(await readFile(files.GITHUB_OUTPUT, 'utf8'));
  await rm(temp, { recursive: true, force: true });
  return { code, log, outputs };
}

export async function rehearseWorkflow(workflow: Workflow, options: RehearsalOptions): Promise<Rehearsal> {
  const inputs = withDefaults(workflow, options.inputs);
  const github: Record<string, Value> = { sha: 'a'.repeat(40), repository: 'acme/shop', event_name: 'push', ...(options.github ?? {}) };
  const baseEnv: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    GITHUB_SHA: String(github.sha),
    GITHUB_REPOSITORY: String(github.repository),
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_RUN_ID: '1',
    GITHUB_RUN_ATTEMPT: '1',
    ...options.env,
  };
  const result: Rehearsal = { jobs: {}, steps: [] };
  // actions/upload-artifact and download-artifact, as between jobs on GitHub: named copies of files,
  // kept in a directory of this rehearsal. Each leg gets its own RUNNER_TEMP, as each runner has.
  const scratch = await mkdtemp(join(tmpdir(), 'gantry-rehearsal-'));
  const store = await rehearsalStore(scratch, options);
  try {
    for (const jobId of jobOrder(workflow)) {
      const job = workflow.jobs[jobId]!;
      const needs = Object.fromEntries(needsOf(job).map((n) => [n, { result: result.jobs[n]!.result, outputs: result.jobs[n]!.outputs }])) as Record<string, Value>;
      const failedNeed = needsOf(job).some((n) => result.jobs[n]!.result !== 'success');
      const jobContext: Context = { inputs, github, needs, vars: {}, __status: { failed: failedNeed, cancelled: false } };
      if (!condition(job.if, jobContext)) {
        result.jobs[jobId] = { result: 'skipped', outputs: {}, legs: [] };
        continue;
      }
      const record: JobRecord = { result: 'success', outputs: {}, legs: [] };
      // Matrix legs run at the same time, as on GitHub (fail-fast: false lets them all finish).
      const runLeg = async (matrix: Record<string, Value> | undefined) => {
        const steps: Record<string, Value> = {};
        const runnerTemp = await mkdtemp(join(scratch, 'runner-temp-'));
        const jobEnv: Record<string, string> = { RUNNER_TEMP: runnerTemp };
        let failed = false;
        for (const step of job.steps ?? []) {
          const context: Context = { ...jobContext, runner: { temp: runnerTemp }, matrix: matrix ?? {}, steps, __status: { failed, cancelled: false } };
          const rec: StepRecord = { job: jobId, leg: matrix, id: step.id, uses: step.uses, run: step.run !== undefined, outcome: 'success', outputs: {} };
          result.steps.push(rec);
          if (!condition(step.if, context)) {
            rec.outcome = 'skipped';
            if (step.id) steps[step.id] = { outputs: {}, outcome: 'skipped', conclusion: 'skipped' };
            continue;
          }
          const env = { ...baseEnv, ...jobEnv, ...textRecord(step.env, context) };
          const action = gantryActionName(step.uses);
          if (action) {
            rec.inputs = textRecord(step.with, context);
            const stand = options.replaceAction?.[action];
            if (stand) {
              rec.outputs = await stand(rec.inputs);
              rec.note = 'stand-in';
            } else {
              const run = await runAction(repoPath('actions', action), { inputs: rec.inputs, env, cwd: options.workspace, timeoutMs: options.timeoutMs ?? 120_000 });
              rec.action = run;
              rec.outputs = run.outputs;
              rec.log = run.log;
              if (run.exitCode !== 0) rec.outcome = 'failure';
            }
          } else if (step.run !== undefined) {
            const run = await runScript(step, env, options.workspace, options.timeoutMs ?? 120_000);
            rec.outputs = run.outputs;
            rec.log = run.log;
            if (run.code !== 0) rec.outcome = 'failure';
          } else if (step.uses && STORE_ACTIONS.some((a) => step.uses!.startsWith(`${a}@`))) {
            rec.inputs = textRecord(step.with, context);
            rec.note = 'rehearsed';
            try {
              rec.outputs = await store.run(step.uses.slice(0, step.uses.indexOf('@')), rec.inputs);
            } catch (err) {
              rec.outcome = 'failure';
              rec.log = (err as Error).message;
            }
          } else {
            // actions/checkout (the workspace is ready) and configure-aws-credentials (env has the
            // simulator's credentials): recorded with their evaluated inputs, not run. The latter's
            // region is exported for later steps, as the real action does (AWS_REGION and, for the aws
            // CLI, AWS_DEFAULT_REGION).
            rec.inputs = textRecord(step.with, context);
            rec.note = 'not run';
            const region = step.uses?.startsWith('aws-actions/configure-aws-credentials@') ? rec.inputs['aws-region'] : undefined;
            if (region) Object.assign(jobEnv, { AWS_REGION: region, AWS_DEFAULT_REGION: region });
          }
          if (step.id) steps[step.id] = { outputs: rec.outputs, outcome: rec.outcome, conclusion: rec.outcome };
          if (rec.outcome === 'failure') failed = true;
        }
        const legContext: Context = { ...jobContext, matrix: matrix ?? {}, steps };
        const outputs = textRecord(job.outputs, legContext);
        const concurrency = job.concurrency === undefined ? undefined : toText(interpolate(typeof job.concurrency === 'string' ? job.concurrency : job.concurrency.group, legContext));
        const environment = job.environment === undefined ? undefined : toText(interpolate(typeof job.environment === 'string' ? job.environment : job.environment.name, legContext));
        record.legs.push({ matrix, result: failed ? 'failure' : 'success', environment, concurrency, outputs });
        // Like the runner, a matrix job's outputs are those of the leg that set them last.
        for (const [k, v] of Object.entries(outputs)) if (v !== '') record.outputs[k] = v;
        if (failed) record.result = 'failure';
      };
      await Promise.all(matrixLegs(job.strategy?.matrix, jobContext).map(runLeg));
      result.jobs[jobId] = record;
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return result;
}

/** The artifact and cache actions, rehearsed with local directories instead of GitHub's storage. */
const STORE_ACTIONS = ['actions/upload-artifact', 'actions/download-artifact', 'actions/cache/restore', 'actions/cache/save'];

/**
 * upload-artifact keeps a copy of `path` under `name` (a directory's contents, or the one file); download-artifact
 * writes an artifact named `name` into `path` (default the workspace), or with `pattern` each match into
 * `path/<name>` (into `path` itself with `merge-multiple`), as actions/download-artifact v4 documents. The cache
 * actions keep entries by key in `options.cacheDir`. A problem the real action fails on throws.
 */
async function rehearsalStore(scratch: string, options: RehearsalOptions) {
  const artifacts = join(scratch, 'artifacts');
  const caches = options.cacheDir ?? join(scratch, 'caches');
  await mkdir(artifacts, { recursive: true });
  await mkdir(caches, { recursive: true });
  const inWorkspace = (p: string) => resolve(options.workspace, p);
  const cacheEntry = (key: string) => join(caches, encodeURIComponent(key));
  const exists = (p: string) => stat(p).then(() => true, () => false);
  return {
    async run(action: string, inputs: Record<string, string>): Promise<Record<string, string>> {
      if (action === 'actions/upload-artifact') {
        const name = inputs.name || 'artifact';
        const stored = join(artifacts, name);
        if (await exists(stored)) throw new Error(`an artifact named '${name}' was already uploaded in this run`);
        const source = inWorkspace(inputs.path ?? '');
        const info = await stat(source).catch(() => undefined);
        if (!info) {
          // if-no-files-found: warn (the default) and ignore do not fail the step.
          if (inputs['if-no-files-found'] === 'error') throw new Error(`No files were found with the provided path: ${inputs.path}. No artifacts will be uploaded.`);
          return {};
        }
        await mkdir(stored, { recursive: true });
        await cp(source, info.isDirectory() ? stored : join(stored, basename(source)), { recursive: true });
        return {};
      }
      if (action === 'actions/download-artifact') {
        const target = inWorkspace(inputs.path || '.');
        await mkdir(target, { recursive: true });
        if (inputs.name) {
          const stored = join(artifacts, inputs.name);
          if (!(await exists(stored))) throw new Error(`Unable to download artifact(s): Artifact not found for name: ${inputs.name}`);
          await cp(stored, target, { recursive: true });
          return { 'download-path': target };
        }
        const pattern = new RegExp(`^${(inputs.pattern || '*').replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
        for (const name of await readdir(artifacts)) {
          if (!pattern.test(name)) continue;
          await cp(join(artifacts, name), inputs['merge-multiple'] === 'true' ? target : join(target, name), { recursive: true });
        }
        return { 'download-path': target };
      }
      if (action === 'actions/cache/restore') {
        const keys = [inputs.key!, ...(inputs['restore-keys'] ?? '').split('\n').map((k) => k.trim()).filter(Boolean)];
        const saved = await readdir(caches);
        const exact = saved.includes(encodeURIComponent(inputs.key!));
        // Exact key first, then the newest entry starting with each restore key in turn, as actions/cache does.
        let matched: string | undefined = exact ? inputs.key : undefined;
        for (const prefix of keys.slice(1)) {
          if (matched) break;
          const candidates = await Promise.all(saved.map(decodeURIComponent).filter((k) => k.startsWith(prefix)).map(async (k) => ({ k, t: (await stat(cacheEntry(k))).mtimeMs })));
          matched = candidates.sort((a, b) => b.t - a.t)[0]?.k;
        }
        if (!matched) return { 'cache-hit': 'false' };
        await cp(join(cacheEntry(matched), 'content'), inWorkspace(inputs.path!), { recursive: true });
        return { 'cache-hit': String(exact), 'cache-primary-key': inputs.key!, 'cache-matched-key': matched };
      }
      // actions/cache/save: an existing key is never overwritten; a missing path is a warning, not a failure.
      const entry = cacheEntry(inputs.key!);
      if ((await exists(entry)) || !(await exists(inWorkspace(inputs.path!)))) return {};
      await cp(inWorkspace(inputs.path!), join(entry, 'content'), { recursive: true });
      return {};
    },
  };
}
