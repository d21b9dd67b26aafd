import { afterAll, beforeAll, describe as suite, expect, it } from '@jest/globals';
import { CreateClusterCommand, DescribeServiceRevisionsCommand, DescribeTasksCommand, ListTasksCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { BatchDeleteImageCommand, DescribeImagesCommand } from '@aws-sdk/client-ecr';
import { createService, describe, REGISTRY, registerWeb, seed, startEcsHarness, type EcsHarness } from './ecs-harness.js';

// Version consistency: ECS resolves the tag to a digest when the deployment is created and every task of
// that deployment pulls the digest, even after the tag moves.
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-ecs.html#deployment-container-image-stability
suite('image digests pinned per deployment (the incident Gantry exists for)', () => {
  let h: EcsHarness;
  let original: string;
  beforeAll(async () => {
    h = await startEcsHarness();
    await h.ecs.send(new CreateClusterCommand({ clusterName: 'prod' }));
    original = await seed(h.sim, 'shop', ['latest']);
    const td = await registerWeb(h.ecs, 'shop', `${REGISTRY}/shop:latest`);
    await createService(h.ecs, 'prod', 'shop', td, 2);
    await h.advance(30);
  });
  afterAll(() => h.stop());

  const runningTasks = async () => {
    const arns = (await h.ecs.send(new ListTasksCommand({ cluster: 'prod', serviceName: 'shop' }))).taskArns!;
    return (await h.ecs.send(new DescribeTasksCommand({ cluster: 'prod', tasks: arns }))).tasks!;
  };

  it('reports the digest resolved at deployment time in DescribeServiceRevisions, and records the pull in ECR', async () => {
    const s = await describe(h.ecs, 'prod', 'shop');
    const rev = (await h.ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: [s.currentServiceRevisions![0]!.arn!] }))).serviceRevisions![0]!;
    expect(rev.containerImages).toEqual([{ containerName: 'app', image: `${REGISTRY}/shop:latest`, imageDigest: original }]);
    const img = (await h.ecr.send(new DescribeImagesCommand({ repositoryName: 'shop', imageIds: [{ imageDigest: original }] }))).imageDetails![0]!;
    expect(img.lastRecordedPullTime).toBeInstanceOf(Date);
  });

  it('replaces a task with the pinned digest after the tag has moved', async () => {
    const moved = await seed(h.sim, 'shop', ['latest']);
    expect(moved).not.toBe(original);
    const [victim] = await runningTasks();
    await h.ecs.send(new StopTaskCommand({ cluster: 'prod', task: victim!.taskArn! }));
    await h.advance(30);
    const tasks = await runningTasks();
    expect(tasks).toHaveLength(2);
    expect(tasks.map((t) => t.containers![0]!.imageDigest)).toEqual([original, original]);
  });

  it('cannot start a replacement once the pinned digest is deleted: CannotPullContainerError', async () => {
    await h.ecr.send(new BatchDeleteImageCommand({ repositoryName: 'shop', imageIds: [{ imageDigest: original }] }));
    const [victim] = await runningTasks();
    await h.ecs.send(new StopTaskCommand({ cluster: 'prod', task: victim!.taskArn! }));
    await h.advance(30);
    const s = await describe(h.ecs, 'prod', 'shop');
    expect(s.runningCount).toBe(1);
    const stopped = (await h.ecs.send(new ListTasksCommand({ cluster: 'prod', serviceName: 'shop', desiredStatus: 'STOPPED' }))).taskArns!;
    const reasons = (await h.ecs.send(new DescribeTasksCommand({ cluster: 'prod', tasks: stopped }))).tasks!.map((t) => t.stoppedReason!);
    expect(reasons).toContainEqual(expect.stringMatching(new RegExp(`^CannotPullContainerError: .*shop@${original}.*not found`)));
    expect(s.deployments![0]!.failedTasks).toBeGreaterThan(0);
  });

  it('keeps retrying the replacement, slower and slower, without ever starting it', async () => {
    const before = (await describe(h.ecs, 'prod', 'shop')).deployments![0]!.failedTasks!;
    await h.advance(1800);
    const s = await describe(h.ecs, 'prod', 'shop');
    const failures = s.deployments![0]!.failedTasks! - before;
    expect(s.runningCount).toBe(1);
    // 15 s doubling up to 15 min between attempts: a handful of attempts in 30 minutes, not hundreds.
    expect(failures).toBeGreaterThan(2);
    expect(failures).toBeLessThan(12);
  });
});
