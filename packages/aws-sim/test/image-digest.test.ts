import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CreateClusterCommand, DescribeTasksCommand, RunTaskCommand } from '@aws-sdk/client-ecs';
import { network, REGISTRY, registerWeb, seed, startEcsHarness, type EcsHarness } from './ecs-harness.js';

// An image can be named by tag or by digest (`repo@sha256:…`); a pull by either gets the same image.
// https://docs.aws.amazon.com/AmazonECR/latest/userguide/docker-pull-ecr-image.html
// Image behaviours follow the image, whichever way the task definition names it (README).
describe('image behaviours follow the image digest', () => {
  let h: EcsHarness;
  let badDigest: string;
  let goodDigest: string;
  beforeAll(async () => {
    h = await startEcsHarness();
    await h.ecs.send(new CreateClusterCommand({ clusterName: 'dg', capacityProviders: ['FARGATE'], defaultCapacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1 }] }));
    badDigest = await seed(h.sim, 'web', ['bad']);
    goodDigest = await seed(h.sim, 'web', ['good']);
  });
  afterAll(() => h.stop());
  afterAll(() => h.sim.control.clearImageBehaviours!({}));

  async function runOnce(family: string, image: string) {
    const td = await registerWeb(h.ecs, family, image);
    const run = await h.ecs.send(new RunTaskCommand({ cluster: 'dg', taskDefinition: td, networkConfiguration: network }));
    await h.advance(15);
    return (await h.ecs.send(new DescribeTasksCommand({ cluster: 'dg', tasks: [run.tasks![0]!.taskArn!] }))).tasks![0]!;
  }

  it('a behaviour set on web:bad applies to a task definition naming web@sha256:… (full URI or not)', async () => {
    h.sim.control.setImageBehaviour('web:bad', { exitAfterSeconds: 0, exitCode: 3 });
    const byUri = await runOnce('by-uri', `${REGISTRY}/web@${badDigest}`);
    expect(byUri.stoppedReason).toBe('Essential container in task exited');
    expect(byUri.containers![0]!.exitCode).toBe(3);
    const byName = await runOnce('by-name', `web@${badDigest}`);
    expect(byName.containers![0]!.exitCode).toBe(3);
    // Another digest of the same repository is not web:bad.
    const other = await runOnce('other', `${REGISTRY}/web@${goodDigest}`);
    expect(other.lastStatus).toBe('RUNNING');
  });

  it('a behaviour set on the digest applies to a task definition naming the tag', async () => {
    h.sim.control.clearImageBehaviours!({});
    h.sim.control.setImageBehaviour(`${REGISTRY}/web@${goodDigest}`, { exitAfterSeconds: 0, exitCode: 4 });
    const task = await runOnce('by-tag', `${REGISTRY}/web:good`);
    expect(task.containers![0]!.exitCode).toBe(4);
  });

  it('follows the tag to its current digest: after a retag the old digest no longer has the behaviour', async () => {
    h.sim.control.clearImageBehaviours!({});
    h.sim.control.setImageBehaviour('web:release', { exitAfterSeconds: 0, exitCode: 5 });
    const first = await seed(h.sim, 'web', ['release']);
    expect((await runOnce('release-1', `${REGISTRY}/web@${first}`)).containers![0]!.exitCode).toBe(5);
    // Retag: web:release now points at another image; the first digest is an ordinary image again.
    await seed(h.sim, 'web', ['release']);
    expect((await runOnce('release-2', `${REGISTRY}/web@${first}`)).lastStatus).toBe('RUNNING');
  });
});
