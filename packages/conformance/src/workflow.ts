import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { repoPath } from './paths.js';

export interface Step {
  id?: string;
  name?: string;
  if?: string | boolean;
  uses?: string;
  run?: string;
  shell?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}

export interface Job {
  name?: string;
  needs?: string | string[];
  if?: string | boolean;
  uses?: string;
  with?: Record<string, unknown>;
  permissions?: Record<string, string> | string;
  environment?: string | { name: string };
  strategy?: { 'fail-fast'?: boolean; matrix?: Record<string, unknown> };
  concurrency?: { group: string; 'cancel-in-progress'?: boolean } | string;
  outputs?: Record<string, string>;
  steps?: Step[];
}

export interface WorkflowInputSpec {
  description?: string;
  type?: string;
  required?: boolean;
  default?: unknown;
  options?: string[];
}

export interface Workflow {
  name?: string;
  on: Record<string, { inputs?: Record<string, WorkflowInputSpec>; outputs?: Record<string, unknown> } | null>;
  permissions?: unknown;
  jobs: Record<string, Job>;
}

export async function loadWorkflow(relativePath: string): Promise<Workflow> {
  return parseWorkflow(await readFile(repoPath(relativePath), 'utf8'));
}

export function parseWorkflow(text: string): Workflow {
  // `on` stays a string key (YAML 1.2 has no `on: true` boolean), which the yaml package honours.
  return parseYaml(text) as Workflow;
}

export const needsOf = (job: Job): string[] => (job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs]);

/** Job ids in an order where every job comes after the jobs it needs. */
export function jobOrder(workflow: Workflow): string[] {
  const order: string[] = [];
  const visit = (id: string, path: string[]) => {
    if (order.includes(id)) return;
    if (path.includes(id)) throw new Error(`jobs need each other in a cycle: ${[...path, id].join(' → ')}`);
    const job = workflow.jobs[id];
    if (!job) throw new Error(`job '${path.at(-1)}' needs unknown job '${id}'`);
    for (const need of needsOf(job)) visit(need, [...path, id]);
    order.push(id);
  };
  for (const id of Object.keys(workflow.jobs)) visit(id, []);
  return order;
}

export interface StepLocation {
  job: string;
  index: number;
  step: Step;
}

export function allSteps(workflow: Workflow): StepLocation[] {
  return Object.entries(workflow.jobs).flatMap(([job, spec]) => (spec.steps ?? []).map((step, index) => ({ job, index, step })));
}

export const stepLabel = (s: StepLocation) => `jobs.${s.job}.steps[${s.index}]${s.step.id ? ` (${s.step.id})` : s.step.name ? ` (${s.step.name})` : ''}`;

/** `gantry-dev/gantry/actions/<name>@<ref>` → `<name>`; undefined for any other `uses`. */
export function gantryActionName(uses: string | undefined): string | undefined {
  return uses ? /^gantry-dev\/gantry\/actions\/([a-z0-9-]+)@[^\s]+$/.exec(uses)?.[1] : undefined;
}

/** `gantry-dev/gantry/.github/workflows/<file>@<ref>` → `.github/workflows/<file>`. */
export function gantryWorkflowPath(uses: string | undefined): string | undefined {
  const file = uses ? /^gantry-dev\/gantry\/(\.github\/workflows\/[A-Za-z0-9._-]+\.ya?ml)@[^\s]+$/.exec(uses)?.[1] : undefined;
  return file;
}

/** The inputs a reusable workflow declares for `workflow_call`. */
export function callInputs(workflow: Workflow): Record<string, WorkflowInputSpec> | undefined {
  const call = workflow.on?.workflow_call;
  return call === undefined ? undefined : (call?.inputs ?? {});
}

// Contexts whose values a person outside the repository (a fork's PR title, a branch name, a dispatch
// form) or an earlier step can choose. In a `run:` script they would be pasted into the shell source.
const UNTRUSTED = [
  /github\.event\b/,
  /github\.head_ref\b/,
  /\binputs\./,
  /\bmatrix\./,
  /\bsteps\.[^.]+\.outputs\b/,
  /\bneeds\.[^.]+\.outputs\b/,
  /\bvars\./,
  /\benv\./,
];

/** The `${{ }}` expressions of a script that carry values a user or an earlier step controls. */
export function untrustedExpressionsIn(script: string): string[] {
  const found: string[] = [];
  for (const m of script.matchAll(/\$\{\{([\s\S]*?)\}\}/g)) {
    if (UNTRUSTED.some((re) => re.test(m[1]!))) found.push(m[0]);
  }
  return found;
}
