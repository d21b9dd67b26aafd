import { describe, expect, it } from '@jest/globals';
import { DescribeImagesCommand } from '@aws-sdk/client-ecr';
import { DescribeServiceRevisionsCommand, DescribeServicesCommand, DescribeTasksCommand, ListTasksCommand } from '@aws-sdk/client-ecs';
import { limiter } from '../src/batch.js';
import { silentLogger, takeInventory, type InventoryOptions } from '../src/index.js';
import { World } from './helpers/world.js';

const base: InventoryOptions = { clusters: [], repositories: [], rollbackRevisions: 3, eventBuses: ['default'], schedules: true, taskDefinitions: [], images: [] };

/** 28 services over two clusters (each its own family and revision), 250 tasks, one repository of 2,500 images. */
function fleet() {
  const world = new World().repository('app', { policy: { rules: [{ rulePriority: 1, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 5 }, action: { type: 'expire' } }] } });
  const digests: string[] = [];
  for (let i = 0; i < 2500; i++) digests.push(world.push('app', [`v${i}`], 2500 - i));
  let n = 0;
  for (const [cluster, count] of [['prod', 25], ['staging', 3]] as const) {
    for (let i = 0; i < count; i++, n++) {
      const td = world.taskDefinition(`svc${n}`, [world.uri('app', `v${n}`)]);
      world.service(cluster, { name: `svc${n}`, taskDefinition: td, revisionImages: [[world.uri('app', `v${n}`), digests[n]!]] });
    }
  }
  world.cluster('staging');
  for (let i = 0; i < 250; i++) world.task('prod', [[world.uri('app', `v${i % 25}`), digests[i % 25]!]]);
  return { world, digests };
}

describe('inventory call plan', () => {
  it('makes the minimum number of calls: batches of 10 services, 20 revisions, 100 tasks, 1000 images', async () => {
    const { world } = fleet();
    const inventory = await takeInventory(world.clients, base, limiter(8), silentLogger);
    expect(inventory.blindspots).toEqual([]);
    expect(inventory.inUse.images.size).toBe(28);
    expect(world.calls()).toEqual({
      'ecr:DescribeRepositories': 1,
      'ecs:ListClusters': 1,
      'ecs:ListServices': 2,
      'ecs:DescribeServices': 4, // 25 → 10+10+5, 3 → 3
      'ecs:DescribeServiceRevisions': 2, // 28 → 20+8
      'ecs:ListTasks': 4, // 250 → 3 pages, plus an empty cluster
      'ecs:DescribeTasks': 3,
      // Each family has one revision: its rollback window is just the revision the service runs,
      // whose images the service revision already reported, so no task definition is read.
      'events:ListRules': 1,
      'scheduler:ListSchedules': 1,
      'ecr:DescribeImages': 3, // 2,500 images at 1,000 per page
      'ecr:GetLifecyclePolicy': 1,
      'ecr:BatchGetImage': 1, // 28 manifests in one call
      // No base image annotations: one config read per in-use app image (the download is no API call).
      'ecr:GetDownloadUrlForLayer': 28,
    });
    const describeSizes = world.ecsMock.commandCalls(DescribeServicesCommand).map((c) => c.args[0].input.services!.length).sort();
    expect(describeSizes).toEqual([10, 10, 3, 5].sort());
    expect(world.ecsMock.commandCalls(ListTasksCommand).every((c) => c.args[0].input.desiredStatus === 'RUNNING' && c.args[0].input.maxResults === 100)).toBe(true);
    expect(world.ecsMock.commandCalls(DescribeTasksCommand).map((c) => c.args[0].input.tasks!.length)).toEqual([100, 100, 50]);
    expect(world.ecrMock.commandCalls(DescribeImagesCommand).every((c) => c.args[0].input.maxResults === 1000 && c.args[0].input.filter?.imageStatus === 'ANY')).toBe(true);
  });

  it('finds the current revision through ListServiceDeployments when DescribeServices does not report it', async () => {
    const world = new World().repository('app');
    const digest = world.push('app', ['v1'], 3);
    world.push('app', ['v2'], 1); // v1 moved on: only the revision still knows the digest the service runs
    const td = world.taskDefinition('web', [world.uri('app', 'v2')]);
    world.service('prod', { name: 'web', taskDefinition: td, revisionImages: [[world.uri('app', 'v1'), digest]], legacy: true });
    const inventory = await takeInventory(world.clients, base, limiter(4), silentLogger);
    expect(inventory.inUse.has('app', digest)).toBe(true);
    const revisions = world.ecsMock.commandCalls(DescribeServiceRevisionsCommand).flatMap((c) => c.args[0].input.serviceRevisionArns);
    expect(revisions).toEqual(['arn:aws:ecs:us-east-1:123456789012:service-revision/prod/web/1']);
  });

  it('reads only the clusters it is given', async () => {
    const { world } = fleet();
    await takeInventory(world.clients, { ...base, clusters: ['staging'] }, limiter(8), silentLogger);
    const calls = world.calls();
    expect(calls['ecs:ListClusters']).toBeUndefined();
    expect(calls['ecs:ListServices']).toBe(1);
    expect(calls['ecs:DescribeServices']).toBe(1);
  });

  it('never runs more calls at once than the concurrency limit', async () => {
    const { world } = fleet();
    let inFlight = 0;
    let peak = 0;
    world.ecsMock.on(ListTasksCommand).callsFake(async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setImmediate(r));
      inFlight--;
      return { taskArns: [] };
    });
    await takeInventory(world.clients, base, limiter(1), silentLogger);
    expect(peak).toBe(1);
  });

  it('treats images outside the registry as not guarded and unknown repositories in inputs as a user error', async () => {
    const world = new World().repository('app');
    const td = world.taskDefinition('web', ['nginx:1.27', 'public.ecr.aws/docker/library/redis:7']);
    world.service('prod', { name: 'web', taskDefinition: td });
    const inventory = await takeInventory(world.clients, base, limiter(4), silentLogger);
    expect([...inventory.outside.keys()]).toEqual(['nginx:1.27', 'public.ecr.aws/docker/library/redis:7']);
    await expect(takeInventory(world.clients, { ...base, repositories: ['nope'] }, limiter(4), silentLogger)).rejects.toThrow(
      "Input 'repositories' names 'nope', which is not an ECR repository in this region.",
    );
  });

  it('records a throttled call that never succeeds as a blind spot', async () => {
    const { world } = fleet();
    world.ecsMock.on(DescribeTasksCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    const inventory = await takeInventory(world.clients, base, limiter(4), silentLogger);
    expect(inventory.blindspots.map((b) => b.what)).toEqual(expect.arrayContaining(['100 tasks of cluster prod (ecs:DescribeTasks)', '50 tasks of cluster prod (ecs:DescribeTasks)']));
    expect(inventory.blindspots[0]!.reason).toMatch(/ThrottlingException: Rate exceeded/);
  });
});
