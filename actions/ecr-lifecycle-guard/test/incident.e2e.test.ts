// The incident and its prevention, end to end on @gantry/aws-sim with the bundled action run as the
// runner runs it: a lifecycle rule ("keep the 2 newest images") prunes the image a rarely deployed
// websocket service runs; its next task cannot pull it. With the guard run first, the same lifecycle
// run leaves the image and the replacement task starts.
import { afterEach, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { CreateRepositoryCommand, DescribeImagesCommand, PutLifecyclePolicyCommand } from '@aws-sdk/client-ecr';
import { CreateClusterCommand, DescribeTasksCommand, ListTasksCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { startSimulator, type Simulator } from '@gantry/aws-sim';
import { createFargateService, registerFargateTaskDefinition, sdkClients, simImage } from '@gantry/aws-sim/testing';
import { runAction } from '@gantry/local-runner';

const actionDir = join(import.meta.dirname, '..');
const keepTwo = { rules: [{ rulePriority: 1, description: 'keep the 2 newest images', selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 2 }, action: { type: 'expire' } }] };

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

async function stage() {
  sim = await startSimulator({ port: 0, speed: 0, start: new Date('2026-03-01T00:00:00Z') });
  const { ecs, ecr } = sdkClients(sim, { maxAttempts: 1 });
  await ecr.send(new CreateRepositoryCommand({ repositoryName: 'app' }));
  const seed = async (tag: string, pushedAt: string) => ((await sim!.control.seedImage!({ repositoryName: 'app', tags: [tag], pushedAt: new Date(pushedAt) })) as { imageDigest: string }).imageDigest;
  const old = await seed('ws-1', '2026-01-02T00:00:00Z');
  await seed('web-1', '2026-02-01T00:00:00Z');
  await seed('web-2', '2026-02-10T00:00:00Z');
  await seed('web-3', '2026-02-20T00:00:00Z');
  await ecr.send(new PutLifecyclePolicyCommand({ repositoryName: 'app', lifecyclePolicyText: JSON.stringify(keepTwo) }));
  await ecs.send(new CreateClusterCommand({ clusterName: 'prod' }));
  for (const [name, tag] of [['ws', 'ws-1'], ['web', 'web-3']] as const) {
    const taskDefinition = await registerFargateTaskDefinition(ecs, {
      family: name,
      executionRoleArn: 'arn:aws:iam::123456789012:role/exec',
      containerDefinitions: [{ name: 'app', image: simImage(`app:${tag}`), essential: true }],
    });
    await createFargateService(ecs, { cluster: 'prod', serviceName: name, taskDefinition, desiredCount: 1 });
  }
  await sim.clock.advance(60_000);
  const running = async () => {
    const list = await ecs.send(new ListTasksCommand({ cluster: 'prod', serviceName: 'ws' }));
    if (!list.taskArns?.length) return [];
    return (await ecs.send(new DescribeTasksCommand({ cluster: 'prod', tasks: list.taskArns }))).tasks ?? [];
  };
  expect((await running()).map((t) => t.lastStatus)).toEqual(['RUNNING']);

  /** The next task replacement: stop the running task and let the service start another. */
  const replaceTask = async () => {
    const [task] = await running();
    await ecs.send(new StopTaskCommand({ cluster: 'prod', task: task!.taskArn!, reason: 'host maintenance' }));
    await sim!.clock.advance(120_000);
    const stopped = await ecs.send(new ListTasksCommand({ cluster: 'prod', serviceName: 'ws', desiredStatus: 'STOPPED' }));
    const described = (await ecs.send(new DescribeTasksCommand({ cluster: 'prod', tasks: stopped.taskArns! }))).tasks ?? [];
    return { stoppedReasons: described.map((t) => t.stoppedReason ?? ''), running: (await running()).filter((t) => t.lastStatus === 'RUNNING') };
  };
  return { sim, ecs, ecr, old, replaceTask };
}

describe('ecr-lifecycle-guard on the simulator', () => {
  it('without the guard: the lifecycle run prunes the running websocket image and its next task fails with CannotPullContainerError', async () => {
    const { sim, old, replaceTask } = await stage();
    const applied = await sim.control.applyLifecyclePolicies!('app');
    expect(applied.expired.map((e: { imageDigest: string }) => e.imageDigest)).toContain(old);
    const after = await replaceTask();
    expect(after.stoppedReasons.some((r) => /^CannotPullContainerError: /.test(r))).toBe(true);
    expect(after.running).toEqual([]);
  });

  it('with the guard run first: the same lifecycle run leaves the image and the replacement task starts', async () => {
    const { sim, old, replaceTask } = await stage();
    const dir = await mkdtemp(join(tmpdir(), 'guard-e2e-'));
    const run = await runAction(actionDir, { env: sim.env, inputs: { mode: 'protect', 'report-path': join(dir, 'report.json') }, timeoutMs: 60_000 });
    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(run.outputs['in-use-images']).toBe('2');
    expect(run.outputs.fixed).toBe('1');
    expect(run.summary).toContain('| `app` (priorities +1) | 4 | 2 | 2 | 1 | 1 |');
    const report = JSON.parse(await readFile(run.outputs['report-path']!, 'utf8'));
    await rm(dir, { recursive: true, force: true });
    expect(report.inUse.find((i: { digest: string }) => i.digest === old).usedBy).toEqual(expect.arrayContaining(['service prod/ws']));

    const applied = await sim.control.applyLifecyclePolicies!('app');
    expect(applied.expired.map((e: { imageDigest: string }) => e.imageDigest)).not.toContain(old);
    expect(applied.expired).toHaveLength(1); // web-1: the user's rule still prunes what is not in use
    const after = await replaceTask();
    expect(after.stoppedReasons.some((r) => r.startsWith('CannotPullContainerError'))).toBe(false);
    expect(after.running).toHaveLength(1);
  });

  it('verify mode changes nothing and fails naming the service, the image and the rule', async () => {
    const { sim, ecr, old } = await stage();
    const dir = await mkdtemp(join(tmpdir(), 'guard-e2e-'));
    const run = await runAction(actionDir, { env: sim.env, inputs: { mode: 'verify', 'report-path': join(dir, 'report.json') }, timeoutMs: 60_000 });
    await rm(dir, { recursive: true, force: true });
    expect(run.exitCode).not.toBe(0);
    expect(run.errors).toEqual([`app@${old.slice(7, 19)} (tags: ws-1), used by service prod/ws and 1 running task, would be expired by rule 1 ("keep the 2 newest images").`]);
    expect(run.outputs['at-risk']).toBe('1');
    const images = (await ecr.send(new DescribeImagesCommand({ repositoryName: 'app' }))).imageDetails!;
    expect(images.flatMap((i) => i.imageTags ?? []).filter((t) => t.startsWith('gantry-keep-'))).toEqual([]);
  });

  it('fails closed when a call keeps failing: protection is added, no protection tag is released, and the error names what was not seen', async () => {
    const { sim, ecr, old } = await stage();
    const stale = ((await sim.control.seedImage!({ repositoryName: 'app', tags: ['old-release', 'gantry-keep-0123456789ab'], pushedAt: new Date('2025-12-01T00:00:00Z') })) as { imageDigest: string }).imageDigest;
    sim.control.setFaults({ throttleRate: 1, operations: ['ecs:ListTasks'] });
    // Two attempts per call keep the test short; the default (8, adaptive) only takes longer to give up.
    const run = await runAction(actionDir, { env: { ...sim.env, AWS_MAX_ATTEMPTS: '2' }, inputs: { mode: 'protect', 'report-path': join(tmpdir(), `guard-e2e-${process.pid}.json`) }, timeoutMs: 90_000 });
    await rm(join(tmpdir(), `guard-e2e-${process.pid}.json`), { force: true });
    expect(run.exitCode).not.toBe(0);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(/inventory is incomplete.*tasks of cluster prod \(ecs:ListTasks\)/);
    const images = (await ecr.send(new DescribeImagesCommand({ repositoryName: 'app', imageIds: [{ imageDigest: stale }, { imageDigest: old }] }))).imageDetails!;
    expect(images.find((i) => i.imageDigest === stale)!.imageTags).toContain('gantry-keep-0123456789ab');
    expect(images.find((i) => i.imageDigest === old)!.imageTags).toContain(`gantry-keep-${old.slice(7, 19)}`);
  }, 90_000);
});
