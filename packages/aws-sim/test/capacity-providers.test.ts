import { afterAll, beforeAll, describe as suite, expect, it } from '@jest/globals';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeClustersCommand,
  DescribeServiceRevisionsCommand,
  DescribeTasksCommand,
  InvalidParameterException,
  ListTasksCommand,
  PutClusterCapacityProvidersCommand,
  RunTaskCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { describe, network, REGISTRY, registerWeb, seed, startEcsHarness, type EcsHarness } from './ecs-harness.js';

// Fargate capacity providers and strategies.
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-capacity-providers.html
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CapacityProviderStrategyItem.html
suite('capacity providers', () => {
  let h: EcsHarness;
  let td: string;
  beforeAll(async () => {
    h = await startEcsHarness();
    await seed(h.sim, 'cp', ['v1']);
    td = await registerWeb(h.ecs, 'cp', `${REGISTRY}/cp:v1`);
  });
  afterAll(async () => h.stop());

  it('associates FARGATE and FARGATE_SPOT with a cluster and sets its default strategy (CreateCluster, PutClusterCapacityProviders)', async () => {
    const created = await h.ecs.send(
      new CreateClusterCommand({ clusterName: 'cp1', capacityProviders: ['FARGATE', 'FARGATE_SPOT'], defaultCapacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1, base: 1 }] }),
    );
    expect(created.cluster!.capacityProviders).toEqual(['FARGATE', 'FARGATE_SPOT']);
    expect(created.cluster!.defaultCapacityProviderStrategy).toEqual([{ capacityProvider: 'FARGATE', weight: 1, base: 1 }]);
    const put = await h.ecs.send(
      new PutClusterCapacityProvidersCommand({ cluster: 'cp1', capacityProviders: ['FARGATE_SPOT'], defaultCapacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 2 }] }),
    );
    expect(put.cluster!.capacityProviders).toEqual(['FARGATE_SPOT']);
    expect(put.cluster!.defaultCapacityProviderStrategy).toEqual([{ capacityProvider: 'FARGATE_SPOT', weight: 2, base: 0 }]);
    const described = (await h.ecs.send(new DescribeClustersCommand({ clusters: ['cp1'] }))).clusters![0]!;
    expect(described.defaultCapacityProviderStrategy).toEqual([{ capacityProvider: 'FARGATE_SPOT', weight: 2, base: 0 }]);
  });

  it.each([
    ['a weight above 1000', [{ capacityProvider: 'FARGATE', weight: 1001 }], /weight of capacity provider FARGATE must be between 0 and 1000/],
    ['a base above 100000', [{ capacityProvider: 'FARGATE', weight: 1, base: 100001 }], /base of capacity provider FARGATE must be between 0 and 100000/],
    ['two providers with a base', [{ capacityProvider: 'FARGATE', weight: 1, base: 1 }, { capacityProvider: 'FARGATE_SPOT', weight: 1, base: 2 }], /only one capacity provider .* can have a base defined/],
    ['a provider not associated with the cluster', [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }], /not associated with the cluster \(FARGATE_SPOT; associated: FARGATE\)/],
  ])('rejects a default strategy with %s (InvalidParameterException)', async (_name, strategy, message) => {
    const providers = strategy.some((i) => 'base' in i && i.base) && strategy.length > 1 ? ['FARGATE', 'FARGATE_SPOT'] : ['FARGATE'];
    const call = h.ecs.send(new CreateClusterCommand({ clusterName: `bad-${Math.random().toString(36).slice(2, 8)}`, capacityProviders: providers, defaultCapacityProviderStrategy: strategy }));
    await expect(call).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(call).rejects.toThrow(message);
  });

  it('rejects an unknown capacity provider', async () => {
    await expect(h.ecs.send(new CreateClusterCommand({ clusterName: 'cp-unknown', capacityProviders: ['my-asg'] }))).rejects.toThrow(/capacity provider "my-asg" does not exist/);
  });

  it('rejects launchType together with capacityProviderStrategy, in RunTask and CreateService', async () => {
    await h.ecs.send(new CreateClusterCommand({ clusterName: 'cp2', capacityProviders: ['FARGATE'] }));
    const strategy = [{ capacityProvider: 'FARGATE', weight: 1 }];
    const text = 'Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.';
    await expect(h.ecs.send(new RunTaskCommand({ cluster: 'cp2', taskDefinition: td, launchType: 'FARGATE', capacityProviderStrategy: strategy, networkConfiguration: network }))).rejects.toThrow(text);
    await expect(
      h.ecs.send(new CreateServiceCommand({ cluster: 'cp2', serviceName: 'both', taskDefinition: td, desiredCount: 1, launchType: 'FARGATE', capacityProviderStrategy: strategy, networkConfiguration: network })),
    ).rejects.toThrow(text);
  });

  it('rejects RunTask and CreateService with neither a launch type nor a strategy when the cluster has no default strategy', async () => {
    // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html: neither given → the cluster's default strategy.
    await h.ecs.send(new CreateClusterCommand({ clusterName: 'cp3' }));
    const run = h.ecs.send(new RunTaskCommand({ cluster: 'cp3', taskDefinition: td, networkConfiguration: network }));
    await expect(run).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(run).rejects.toThrow('No Container Instances were found in your cluster.');
    await expect(h.ecs.send(new CreateServiceCommand({ cluster: 'cp3', serviceName: 'web', taskDefinition: td, desiredCount: 1, networkConfiguration: network }))).rejects.toThrow(
      'No Container Instances were found in your cluster.',
    );
    // Nothing was started.
    expect((await h.ecs.send(new ListTasksCommand({ cluster: 'cp3' }))).taskArns).toEqual([]);
  });

  it('runs a task on the cluster default strategy, described with capacityProviderName and launchType FARGATE', async () => {
    await h.ecs.send(new CreateClusterCommand({ clusterName: 'cp4', capacityProviders: ['FARGATE_SPOT'], defaultCapacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }] }));
    const run = await h.ecs.send(new RunTaskCommand({ cluster: 'cp4', taskDefinition: td, networkConfiguration: network }));
    const task = run.tasks![0]!;
    expect(task.capacityProviderName).toBe('FARGATE_SPOT');
    expect(task.launchType).toBe('FARGATE');
    await h.advance(10);
    const described = (await h.ecs.send(new DescribeTasksCommand({ cluster: 'cp4', tasks: [task.taskArn!] }))).tasks![0]!;
    expect(described).toMatchObject({ lastStatus: 'RUNNING', capacityProviderName: 'FARGATE_SPOT', launchType: 'FARGATE' });
  });

  it('places tasks by base then weight (RunTask count 6: base 2 on FARGATE, then 1:1)', async () => {
    await h.ecs.send(new CreateClusterCommand({ clusterName: 'cp5', capacityProviders: ['FARGATE', 'FARGATE_SPOT'] }));
    const run = await h.ecs.send(
      new RunTaskCommand({
        cluster: 'cp5',
        taskDefinition: td,
        count: 6,
        capacityProviderStrategy: [
          { capacityProvider: 'FARGATE', weight: 1, base: 2 },
          { capacityProvider: 'FARGATE_SPOT', weight: 1 },
        ],
        networkConfiguration: network,
      }),
    );
    const providers = run.tasks!.map((t) => t.capacityProviderName);
    expect(providers.filter((p) => p === 'FARGATE')).toHaveLength(4);
    expect(providers.filter((p) => p === 'FARGATE_SPOT')).toHaveLength(2);
    expect(providers.slice(0, 2)).toEqual(['FARGATE', 'FARGATE']);
  });

  it('gives a service the cluster default strategy; UpdateService changes the strategy without a new deployment', async () => {
    await h.ecs.send(
      new CreateClusterCommand({ clusterName: 'cp6', capacityProviders: ['FARGATE', 'FARGATE_SPOT'], defaultCapacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1 }] }),
    );
    const created = (await h.ecs.send(new CreateServiceCommand({ cluster: 'cp6', serviceName: 'web', taskDefinition: td, desiredCount: 2, networkConfiguration: network }))).service!;
    expect(created.launchType).toBeUndefined();
    expect(created.capacityProviderStrategy).toEqual([{ capacityProvider: 'FARGATE', weight: 1, base: 0 }]);
    await h.advance(20);
    const tasks = (await h.ecs.send(new DescribeTasksCommand({ cluster: 'cp6', tasks: (await h.ecs.send(new ListTasksCommand({ cluster: 'cp6', serviceName: 'web' }))).taskArns! }))).tasks!;
    expect(tasks.map((t) => t.capacityProviderName)).toEqual(['FARGATE', 'FARGATE']);
    // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceRevision.html
    const revisionArn = (await describe(h.ecs, 'cp6', 'web')).currentServiceRevisions![0]!.arn!;
    const [revision] = (await h.ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: [revisionArn] }))).serviceRevisions!;
    expect(revision!.capacityProviderStrategy).toEqual([{ capacityProvider: 'FARGATE', weight: 1, base: 0 }]);
    expect(revision!.launchType).toBeUndefined();
    const updated = (await h.ecs.send(new UpdateServiceCommand({ cluster: 'cp6', service: 'web', capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }] }))).service!;
    expect(updated.capacityProviderStrategy).toEqual([{ capacityProvider: 'FARGATE_SPOT', weight: 1, base: 0 }]);
    expect(updated.deployments).toHaveLength(1);
    // A provider the service uses cannot be removed from the cluster.
    // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_PutClusterCapacityProviders.html
    await expect(h.ecs.send(new PutClusterCapacityProvidersCommand({ cluster: 'cp6', capacityProviders: ['FARGATE'], defaultCapacityProviderStrategy: [] }))).rejects.toThrow(/FARGATE_SPOT is in use/);
    expect((await describe(h.ecs, 'cp6', 'web')).capacityProviderStrategy).toEqual([{ capacityProvider: 'FARGATE_SPOT', weight: 1, base: 0 }]);
  });

  it('rejects a service strategy naming a provider the cluster does not have', async () => {
    await h.ecs.send(new CreateClusterCommand({ clusterName: 'cp7', capacityProviders: ['FARGATE'] }));
    const call = h.ecs.send(
      new CreateServiceCommand({ cluster: 'cp7', serviceName: 'web', taskDefinition: td, desiredCount: 1, capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }], networkConfiguration: network }),
    );
    await expect(call).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(call).rejects.toThrow(/not associated with the cluster/);
  });
});
