// The guard under AWS's API quotas and with its cache, end to end: the bundled action on @gantry/aws-sim
// with `quotas: aws`, buckets shrunk so a small fleet feels the pressure a large one would.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { CreateRepositoryCommand, PutLifecyclePolicyCommand } from '@aws-sdk/client-ecr';
import { CreateClusterCommand, DeregisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { startSimulator, type Simulator } from '@gantry/aws-sim';
import { createFargateService, registerFargateTaskDefinition, sdkClients, simImage } from '@gantry/aws-sim/testing';
import { runAction } from '@gantry/local-runner';

const actionDir = join(import.meta.dirname, '..');
const SERVICES = 6;
const REVISIONS = 4;

let sim: Simulator;
let dir: string;
/** Digest of image `s{service}-r{revision}`. */
const digests = new Map<string, string>();
let ecsClient: ReturnType<typeof sdkClients>['ecs'];

beforeAll(async () => {
  sim = await startSimulator({ port: 0, speed: 0, start: new Date('2026-03-01T00:00:00Z') });
  dir = await mkdtemp(join(tmpdir(), 'gantry-guard-quotas-'));
  const { ecs, ecr } = sdkClients(sim);
  ecsClient = ecs;
  await ecr.send(new CreateRepositoryCommand({ repositoryName: 'app' }));
  await ecr.send(
    new PutLifecyclePolicyCommand({
      repositoryName: 'app',
      lifecyclePolicyText: JSON.stringify({ rules: [{ rulePriority: 1, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1000 }, action: { type: 'expire' } }] }),
    }),
  );
  await ecs.send(new CreateClusterCommand({ clusterName: 'prod' }));
  for (let s = 0; s < SERVICES; s++) {
    let taskDefinition = '';
    for (let r = 1; r <= REVISIONS; r++) {
      const { imageDigest } = (await sim.control.seedImage!({ repositoryName: 'app', tags: [`s${s}-r${r}`] })) as { imageDigest: string };
      digests.set(`s${s}-r${r}`, imageDigest);
      taskDefinition = await registerFargateTaskDefinition(ecs, { family: `svc${s}`, containerDefinitions: [{ name: 'app', image: simImage(`app:s${s}-r${r}`), essential: true }] });
    }
    await createFargateService(ecs, { cluster: 'prod', serviceName: `svc${s}`, taskDefinition, desiredCount: 1 });
  }
  await sim.clock.advance(120_000);
});

afterAll(async () => {
  ecsClient?.destroy();
  await sim?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** AWS's buckets, shrunk: the task definition and service buckets hold 2 tokens and refill 4 a second. */
const pressure = () =>
  sim.control.setQuotas({
    model: 'aws',
    buckets: {
      'ecs:task-definition-read': { capacity: 2, refillPerSecond: 4 },
      'ecs:service-read': { capacity: 2, refillPerSecond: 4 },
      'ecs:service-revision': { capacity: 1, refillPerSecond: 4 },
      'ecr:BatchGetImage': { capacity: 1, refillPerSecond: 4 },
      'ecr:GetDownloadUrlForLayer': { capacity: 2, refillPerSecond: 8 },
    },
  });

async function guard(inputs: Record<string, string>) {
  const reportPath = join(dir, `report-${Math.random().toString(36).slice(2)}.json`);
  sim.control.resetCallCounts();
  const run = await runAction(actionDir, { inputs: { mode: 'verify', 'report-path': reportPath, ...inputs }, env: sim.env, timeoutMs: 120_000 });
  const report = run.exitCode === 0 || run.errors.length ? JSON.parse(await readFile(reportPath, 'utf8').catch(() => '{}')) : {};
  return { run, report, calls: sim.control.callCounts() };
}

/** The images the rollback window (3 revisions: the running one and 2 older ACTIVE ones) must protect. */
const expectedInUse = (service: number, revisions: number[]) => revisions.map((r) => digests.get(`s${service}-r${r}`)!);

describe('ecr-lifecycle-guard under AWS API quotas, with a cache', () => {
  it('a valid run under quota pressure succeeds: it is throttled, slows down, retries, and reports the wait', async () => {
    pressure();
    const { run, report } = await guard({ 'quota-share': '100' });
    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(report.ok).toBe(true);
    expect(report.blindspots).toEqual([]);
    // AWS did throttle (the guard used all of shrunk buckets it believed larger), and the run rode it out.
    expect(Object.values(sim.control.quotas().throttled).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(report.quota.throttled).toBeGreaterThan(0);
    expect(report.quota.share).toBe(1);
    expect(report.quota.waitedMs).toBeGreaterThanOrEqual(0);
    const inUse = new Set(report.inUse.map((i: { digest: string }) => i.digest));
    for (let s = 0; s < SERVICES; s++) for (const d of expectedInUse(s, [4, 3, 2])) expect(inUse).toContain(d);
    expect(inUse.size).toBe(SERVICES * 3);
  });

  it('a warm cache reads no task definition, manifest or config again and says how many calls it saved', async () => {
    sim.control.setQuotas({ model: 'off' });
    const cachePath = join(dir, 'warm', 'guard-cache.json');
    const cold = await guard({ 'cache-path': cachePath });
    expect(cold.run.exitCode).toBe(0);
    expect(cold.run.log).toContain('does not exist yet');
    expect(cold.calls['ecs:DescribeTaskDefinition']).toBe(SERVICES * 2);
    const file = JSON.parse(await readFile(cachePath, 'utf8'));
    expect(Object.keys(file.taskDefinitions)).toHaveLength(SERVICES * 2);
    expect(Object.keys(file.manifests)).toHaveLength(SERVICES * 3);

    const warm = await guard({ 'cache-path': cachePath });
    expect(warm.run.exitCode).toBe(0);
    expect(warm.calls['ecs:DescribeTaskDefinition'] ?? 0).toBe(0);
    expect(warm.calls['ecr:BatchGetImage'] ?? 0).toBe(0);
    expect(warm.calls['ecr:GetDownloadUrlForLayer'] ?? 0).toBe(0);
    // One page of ListTaskDefinitions confirms the cached revisions are still ACTIVE.
    expect(warm.calls['ecs:ListTaskDefinitions']).toBe(1);
    expect(warm.report.cache).toMatchObject({ saved: { 'ecs:DescribeTaskDefinition': SERVICES * 2, 'ecr:BatchGetImage': 1 }, extraCalls: 1 });
    expect(warm.report.cache.savedCalls).toBe(SERVICES * 2 + 1 + SERVICES * 3 * 2);
    expect(new Set(warm.report.inUse.map((i: { digest: string }) => i.digest))).toEqual(new Set(cold.report.inUse.map((i: { digest: string }) => i.digest)));
    const total = (c: Record<string, number>) => Object.values(c).reduce((a, b) => a + b, 0);
    expect(total(warm.calls)).toBeLessThan(total(cold.calls));
  });

  it('a revision deregistered since it was cached leaves the rollback window, and the next older ACTIVE one enters it', async () => {
    const cachePath = join(dir, 'dereg', 'guard-cache.json');
    expect((await guard({ 'cache-path': cachePath })).run.exitCode).toBe(0);
    await ecsClient.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'svc0:3' }));
    const warm = await guard({ 'cache-path': cachePath });
    expect(warm.run.exitCode).toBe(0);
    const inUse = new Set(warm.report.inUse.map((i: { digest: string }) => i.digest));
    for (const d of expectedInUse(0, [4, 2, 1])) expect(inUse).toContain(d);
    expect(inUse).not.toContain(digests.get('s0-r3'));
    // Revision 1 was never read: it is read now, and only it.
    expect(warm.calls['ecs:DescribeTaskDefinition']).toBe(1);
  });

  it('a corrupt cache is ignored with a warning naming it, costs only time, and is replaced by a good one', async () => {
    const cachePath = join(dir, 'corrupt-cache.json');
    await writeFile(cachePath, '{"format": "gantry-guard-cache", "version": 1, "taskDefinitions": {');
    const { run, report, calls } = await guard({ 'cache-path': cachePath });
    expect(run.exitCode).toBe(0);
    expect(run.warnings.join('\n')).toContain(`Guard cache ${cachePath} is corrupt (it is not valid JSON); ignoring it`);
    expect(report.ok).toBe(true);
    expect(calls['ecs:DescribeTaskDefinition']).toBeGreaterThan(0);
    expect(JSON.parse(await readFile(cachePath, 'utf8')).format).toBe('gantry-guard-cache');
    // A manifest whose bytes do not hash to its digest is dropped, not trusted.
    const file = JSON.parse(await readFile(cachePath, 'utf8'));
    const [digest] = Object.keys(file.manifests);
    file.manifests[digest!].manifest = file.manifests[digest!].manifest.replace('{', '{ ');
    await writeFile(cachePath, JSON.stringify(file));
    const again = await guard({ 'cache-path': cachePath });
    expect(again.run.exitCode).toBe(0);
    expect(again.run.warnings.join('\n')).toContain('1 malformed entries ignored');
    expect(again.calls['ecr:BatchGetImage']).toBe(1);
  });
});
