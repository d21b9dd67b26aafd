import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
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
 * @gantry/local-runner, `run:` scripts run with bash, and checkout / configure-aws-credentials are
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
  const artifacts = new Map<string, string>();
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
          } else {
            // actions/checkout (the workspace is ready) and configure-aws-credentials (env has the
            // simulator's credentials): recorded with their evaluated inputs, not run. The latter's
            // region is exported for later steps, as the real action does (AWS_REGION and, for the aws
            // CLI, AWS_DEFAULT_REGION).
            rec.inputs = textRecord(step.with, context);
            rec.note = 'not run';
            if (step.uses?.startsWith('actions/upload-artifact@') || step.uses?.startsWith('actions/download-artifact@')) {
              rec.note = 'artifact';
              const problem = await moveArtifact(step.uses, rec.inputs, artifacts, scratch, options.workspace);
              if (problem) {
                rec.outcome = 'failure';
                rec.log = problem;
              }
            }
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

/** upload-artifact stores a copy of `path` under `name`; download-artifact writes it into `path` (default the workspace). */
async function moveArtifact(uses: string, inputs: Record<string, string>, artifacts: Map<string, string>, scratch: string, workspace: string): Promise<string | undefined> {
  const name = inputs.name || 'artifact';
  if (uses.startsWith('actions/upload-artifact@')) {
    if (artifacts.has(name)) return `an artifact named '${name}' was already uploaded in this run`;
    const source = resolve(workspace, inputs.path ?? '');
    const info = await stat(source).catch(() => undefined);
    if (!info) return `no file at ${source} to upload`;
    const stored = join(scratch, 'artifacts', name);
    await mkdir(stored, { recursive: true });
    await cp(source, info.isDirectory() ? stored : join(stored, basename(source)), { recursive: true });
    artifacts.set(name, stored);
    return undefined;
  }
  const stored = artifacts.get(name);
  if (!stored) return `Unable to download artifact(s): Artifact not found for name: ${name}`;
  const target = resolve(workspace, inputs.path || '.');
  await mkdir(target, { recursive: true });
  await cp(stored, target, { recursive: true });
  return undefined;
}
