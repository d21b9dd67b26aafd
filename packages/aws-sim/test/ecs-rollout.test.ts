import { afterAll, beforeAll, describe as suite, expect, it } from '@jest/globals';
import { CreateClusterCommand, UpdateServiceCommand, DescribeTasksCommand, ListTasksCommand, ListServiceDeploymentsCommand, DescribeServiceDeploymentsCommand, DescribeServiceRevisionsCommand } from '@aws-sdk/client-ecs';
import { createService, describe, network, REGISTRY, registerWeb, seed, startEcsHarness, type EcsHarness } from './ecs-harness.js';

suite('ECS rolling deployments on the simulated clock', () => {
  let h: EcsHarness;
  beforeAll(async () => {
    h = await startEcsHarness();
    await h.ecs.send(new CreateClusterCommand({ clusterName: 'prod' }));
  });
  afterAll(() => h.stop());

  it('starts the tasks of a new service, reaches a steady state and reports it as ECS words it', async () => {
    await seed(h.sim, 'web', ['v1']);
    const td = await registerWeb(h.ecs, 'web', `${REGISTRY}/web:v1`);
    const created = await createService(h.ecs, 'prod', 'web', td, 2);
    expect(created.deployments).toHaveLength(1);
    expect(created.deployments![0]).toMatchObject({ status: 'PRIMARY', rolloutState: 'IN_PROGRESS', desiredCount: 2 });
    await h.advance(2);
    const pending = await describe(h.ecs, 'prod', 'web');
    expect(pending.pendingCount).toBe(2);
    expect(pending.events![0]!.message).toMatch(/^\(service web\) has started 2 tasks: \(task [0-9a-f]{32}\) \(task [0-9a-f]{32}\)\.$/);
    await h.advance(30);
    const steady = await describe(h.ecs, 'prod', 'web');
    expect(steady).toMatchObject({ runningCount: 2, pendingCount: 0, desiredCount: 2 });
    expect(steady.deployments![0]).toMatchObject({ rolloutState: 'COMPLETED', runningCount: 2, failedTasks: 0 });
    expect(steady.deployments![0]!.rolloutStateReason).toBe(`ECS deployment ${steady.deployments![0]!.id} completed.`);
    expect(steady.events![0]!.message).toBe('(service web) has reached a steady state.');
  });

  it('rolls a new task definition out, keeping minimumHealthyPercent, and drains the old deployment', async () => {
    await seed(h.sim, 'web', ['v2']);
    const td2 = await registerWeb(h.ecs, 'web', `${REGISTRY}/web:v2`);
    await h.ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: 'web', taskDefinition: td2 }));
    let s = await describe(h.ecs, 'prod', 'web');
    expect(s.deployments!.map((d) => d.status)).toEqual(['PRIMARY', 'ACTIVE']);
    expect(s.taskDefinition).toBe(td2);
    let minRunningOld = Infinity;
    for (let i = 0; i < 30 && s.deployments!.length > 1; i++) {
      await h.advance(1);
      s = await describe(h.ecs, 'prod', 'web');
      const old = s.deployments!.find((d) => d.status === 'ACTIVE');
      const primary = s.deployments![0]!;
      // minimumHealthyPercent 100: old tasks only stop once new ones are healthy.
      minRunningOld = Math.min(minRunningOld, (old?.runningCount ?? 0) + primary.runningCount!);
      expect(primary.runningCount! + (old?.runningCount ?? 0) + primary.pendingCount! + (old?.pendingCount ?? 0)).toBeLessThanOrEqual(4);
    }
    expect(minRunningOld).toBeGreaterThanOrEqual(2);
    expect(s.deployments).toHaveLength(1);
    expect(s.deployments![0]).toMatchObject({ taskDefinition: td2, rolloutState: 'COMPLETED', runningCount: 2 });
    const tasks = await h.ecs.send(new ListTasksCommand({ cluster: 'prod', serviceName: 'web' }));
    expect(tasks.taskArns).toHaveLength(2);
    const stopped = await h.ecs.send(new ListTasksCommand({ cluster: 'prod', serviceName: 'web', desiredStatus: 'STOPPED' }));
    const described = await h.ecs.send(new DescribeTasksCommand({ cluster: 'prod', tasks: stopped.taskArns! }));
    expect(described.tasks!.map((t) => t.stoppedReason)).toEqual([expect.stringMatching(/^Scaling activity initiated by \(deployment ecs-svc\/\d{19}\)$/), expect.stringMatching(/^Scaling activity/)]);
    expect(described.tasks!.every((t) => t.lastStatus === 'STOPPED' && t.stopCode === 'ServiceSchedulerInitiated')).toBe(true);
  });

  it('records service deployments and revisions with the digests version consistency resolved', async () => {
    const list = await h.ecs.send(new ListServiceDeploymentsCommand({ cluster: 'prod', service: 'web' }));
    expect(list.serviceDeployments!.map((d) => d.status)).toEqual(['SUCCESSFUL', 'SUCCESSFUL']);
    const arns = list.serviceDeployments!.map((d) => d.serviceDeploymentArn!);
    const full = await h.ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [...arns, 'arn:aws:ecs:us-east-1:123456789012:service-deployment/prod/web/nope'] }));
    expect(full.failures).toEqual([{ arn: 'arn:aws:ecs:us-east-1:123456789012:service-deployment/prod/web/nope', reason: 'MISSING' }]);
    const latest = full.serviceDeployments![0]!;
    expect(latest.sourceServiceRevisions).toHaveLength(1);
    const revs = await h.ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: [latest.targetServiceRevision!.arn!] }));
    expect(revs.serviceRevisions![0]!.containerImages).toEqual([{ containerName: 'app', image: `${REGISTRY}/web:v2`, imageDigest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) }]);
    void network;
  });
});
