/**
 * guard-accounts.yml rehearsed against @gantry/aws-sim (see src/rehearse.ts): a guard job per account and
 * region (matrix legs, each with its role and region), each restoring and saving its cache and uploading
 * its report, then the summary job downloading every report and merging them into one table with the
 * bundled action's `summarize` mode. Run twice with the same cache store: the second run's jobs restore
 * the first run's caches and say what they saved.
 *
 * The simulator holds one account with state per region, so the two targets are one account in two
 * regions, each seeded with the same shop; what is rehearsed is the wiring (matrix, roles, caches,
 * artifacts, merge) and that each job guards its own region.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateRepositoryCommand } from '@aws-sdk/client-ecr';
import { CreateClusterCommand } from '@aws-sdk/client-ecs';
import { startSimulator, type Simulator } from '@gantry/aws-sim';
import { createFargateService, registerFargateTaskDefinition, sdkClients } from '@gantry/aws-sim/testing';
import { loadWorkflow, rehearseWorkflow, type Rehearsal } from '../src/index.js';

let sim: Simulator;
let workspace: string;
let cacheDir: string;
const ROLE = (account: string) => `arn:aws:iam::${account}:role/gantry-guard`;
const targets = [
  { account: '123456789012', region: 'us-east-1', role: ROLE('123456789012') },
  { account: '123456789012', region: 'eu-west-1', role: ROLE('123456789012') },
];

beforeAll(async () => {
  sim = await startSimulator({ port: 0, speed: 0 });
  workspace = await mkdtemp(join(tmpdir(), 'gantry-guard-accounts-'));
  cacheDir = await mkdtemp(join(tmpdir(), 'gantry-guard-accounts-cache-'));
  for (const { region } of targets) {
    const { ecs, ecr } = sdkClients(sim, { region });
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'shop' }));
    await ecs.send(new CreateClusterCommand({ clusterName: 'prod' }));
    let taskDefinition = '';
    for (const tag of ['v1', 'v2', 'v3']) {
      const { imageUri } = await sim.control.seedImage!({ repositoryName: 'shop', tags: [tag], region });
      taskDefinition = await registerFargateTaskDefinition(ecs, { family: 'web', containerDefinitions: [{ name: 'app', image: imageUri, essential: true }] });
    }
    await createFargateService(ecs, { cluster: 'prod', serviceName: 'web', taskDefinition, desiredCount: 1 });
    ecs.destroy();
    ecr.destroy();
  }
  await sim.clock.advance(60_000);
});

afterAll(async () => {
  await sim?.stop();
  for (const d of [workspace, cacheDir]) if (d) await rm(d, { recursive: true, force: true });
});

function explain(r: Rehearsal): string {
  return r.steps
    .filter((s) => s.outcome === 'failure')
    .map((s) => `${s.job}${s.leg ? ` ${JSON.stringify(s.leg)}` : ''} ${s.id ?? s.uses ?? 'run'}:\n${(s.log ?? '').slice(-2000)}`)
    .join('\n\n');
}

const rehearse = async () =>
  rehearseWorkflow(await loadWorkflow('.github/workflows/guard-accounts.yml'), {
    inputs: { targets: JSON.stringify(targets), mode: 'verify' },
    env: sim.env,
    workspace,
    cacheDir,
    github: { run_id: String(Date.now()), run_attempt: '1' },
  });

describe('guard-accounts.yml rehearsed against the simulator', () => {
  test('one guard job per account and region with its own role, then one summary merging their reports into one table', async () => {
    const r = await rehearse();
    expect(explain(r)).toBe('');
    expect(r.jobs.guard!.legs.map((l) => l.result)).toEqual(['success', 'success']);
    const creds = r.steps.filter((s) => s.job === 'guard' && s.uses?.startsWith('aws-actions/configure-aws-credentials@'));
    expect(creds.map((s) => [s.inputs!['role-to-assume'], s.inputs!['aws-region']]).sort()).toEqual(targets.map((t) => [t.role, t.region]).sort());
    const guards = r.steps.filter((s) => s.job === 'guard' && s.id === 'guard');
    expect(guards.map((s) => s.inputs!['cache-path']).sort()).toEqual(['.gantry/guard-cache-123456789012-eu-west-1.json', '.gantry/guard-cache-123456789012-us-east-1.json']);
    // The first run has no cache to restore.
    expect(r.steps.filter((s) => s.uses?.startsWith('actions/cache/restore@')).map((s) => s.outputs['cache-hit'])).toEqual(['false', 'false']);

    expect(r.jobs.summary!.result).toBe('success');
    const summary = r.steps.find((s) => s.job === 'summary' && s.id === 'summary')!;
    expect(summary.inputs).toMatchObject({ mode: 'summarize', reports: 'gantry-guard-reports' });
    const inUse = guards.map((s) => Number(s.outputs['in-use-images']));
    expect(inUse.every((n) => n === 3)).toBe(true);
    expect(summary.outputs['in-use-images']).toBe(String(inUse.reduce((a, b) => a + b, 0)));
    const merged = JSON.parse(await readFile(join(workspace, 'gantry-guard-summary.json'), 'utf8'));
    expect(merged.rows.map((row: { account: string; region: string; ok: boolean }) => [row.account, row.region, row.ok])).toEqual([
      ['123456789012', 'eu-west-1', true],
      ['123456789012', 'us-east-1', true],
    ]);
    expect(summary.action!.summary).toContain('| 123456789012 | eu-west-1 | ✅ ok | 3 |');
    expect(summary.action!.summary).toContain('| 123456789012 | us-east-1 | ✅ ok | 3 |');
  }, 300_000);

  test('the next run restores each job\'s cache, and the summary shows the calls it saved', async () => {
    const r = await rehearse();
    expect(explain(r)).toBe('');
    const restores = r.steps.filter((s) => s.uses?.startsWith('actions/cache/restore@'));
    expect(restores.map((s) => s.outputs['cache-matched-key']?.replace(/-\d+-1$/, '')).sort()).toEqual([
      'gantry-guard-cache-123456789012-eu-west-1',
      'gantry-guard-cache-123456789012-us-east-1',
    ]);
    const merged = JSON.parse(await readFile(join(workspace, 'gantry-guard-summary.json'), 'utf8'));
    for (const row of merged.rows) expect(row.cacheSaved).toBeGreaterThan(0);
    expect(merged.ok).toBe(true);
  }, 300_000);

  test('a report that is not a guard report fails the summary, naming the file', async () => {
    const { writeFile, mkdir } = await import('node:fs/promises');
    const { runAction } = await import('@gantry/local-runner');
    const { repoPath } = await import('../src/index.js');
    const dir = join(workspace, 'bad-reports');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'broken.json'), '{"ok": tru');
    const run = await runAction(repoPath('actions', 'ecr-lifecycle-guard'), { inputs: { mode: 'summarize', reports: dir, 'report-path': join(workspace, 'bad-summary.json') }, env: sim.env, cwd: workspace });
    expect(run.exitCode).not.toBe(0);
    expect(run.errors).toEqual(['1 of 1 account/region guard runs have problems: broken.json: not valid JSON']);
  }, 60_000);
});
