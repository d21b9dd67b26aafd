import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CloudWatchLogsClient, CreateLogGroupCommand, DescribeLogGroupsCommand, GetLogEventsCommand, ResourceNotFoundException } from '@aws-sdk/client-cloudwatch-logs';
import { CreateRepositoryCommand, DescribeRepositoriesCommand, ECRClient, RepositoryNotFoundException } from '@aws-sdk/client-ecr';
import {
  ClusterNotFoundException,
  CreateClusterCommand,
  DescribeClustersCommand,
  DescribeTasksCommand,
  ECSClient,
  ListClustersCommand,
  ListServicesCommand,
  RunTaskCommand,
} from '@aws-sdk/client-ecs';
import { EventBridgeClient, PutRuleCommand } from '@aws-sdk/client-eventbridge';
import { DescribeTargetGroupsCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { CloudWatchClient, DescribeAlarmsCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { startSimulator, type Simulator } from '../src/index.js';
import { createFargateCluster, createWebTargetGroup, registerFargateTaskDefinition, sdkConfig, SIM_EXECUTION_ROLE_ARN } from '../src/testing.js';

// Resources are per region: "Many resources are Region-specific"; ClusterNotFoundException: "Amazon ECS
// clusters are Region specific". https://docs.aws.amazon.com/AmazonECS/latest/developerguide/api_failures_messages.html
// The region is the SigV4 credential scope the SDK signs with. https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
describe('regions', () => {
  let sim: Simulator;
  const clients: { destroy(): void }[] = [];
  const inRegion = <T extends { destroy(): void }>(Client: new (config: ReturnType<typeof sdkConfig>) => T, region: string): T => {
    const c = new Client({ ...sdkConfig(sim, { maxAttempts: 1 }), region });
    clients.push(c);
    return c;
  };
  beforeAll(async () => {
    sim = await startSimulator({ port: 0, speed: 0, start: new Date('2026-03-01T00:00:00Z') });
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await sim.stop();
  });

  it('keeps a cluster in the region it was created in, with that region in its ARN', async () => {
    const eu = inRegion(ECSClient, 'eu-west-1');
    const us = inRegion(ECSClient, 'us-east-1');
    const created = await eu.send(new CreateClusterCommand({ clusterName: 'prod' }));
    expect(created.cluster!.clusterArn).toBe('arn:aws:ecs:eu-west-1:123456789012:cluster/prod');
    expect((await eu.send(new ListClustersCommand({}))).clusterArns).toEqual(['arn:aws:ecs:eu-west-1:123456789012:cluster/prod']);
    expect((await us.send(new ListClustersCommand({}))).clusterArns).toEqual([]);
    await expect(us.send(new ListServicesCommand({ cluster: 'prod' }))).rejects.toBeInstanceOf(ClusterNotFoundException);
    await expect(us.send(new ListServicesCommand({ cluster: created.cluster!.clusterArn }))).rejects.toThrow('Cluster not found.');
    const described = await us.send(new DescribeClustersCommand({ clusters: ['prod'] }));
    expect(described.clusters).toEqual([]);
    expect(described.failures).toEqual([{ arn: 'arn:aws:ecs:us-east-1:123456789012:cluster/prod', reason: 'MISSING' }]);
  });

  it('keeps ECR repositories per region, their URI naming the region', async () => {
    const eu = inRegion(ECRClient, 'eu-west-1');
    const us = inRegion(ECRClient, 'us-east-1');
    const repo = (await eu.send(new CreateRepositoryCommand({ repositoryName: 'regional/web' }))).repository!;
    expect(repo.repositoryUri).toBe('123456789012.dkr.ecr.eu-west-1.amazonaws.com/regional/web');
    expect(repo.repositoryArn).toBe('arn:aws:ecr:eu-west-1:123456789012:repository/regional/web');
    await expect(us.send(new DescribeRepositoriesCommand({ repositoryNames: ['regional/web'] }))).rejects.toBeInstanceOf(RepositoryNotFoundException);
    // The same name can exist in both regions, as two repositories.
    const usRepo = (await us.send(new CreateRepositoryCommand({ repositoryName: 'regional/web' }))).repository!;
    expect(usRepo.repositoryUri).toBe('123456789012.dkr.ecr.us-east-1.amazonaws.com/regional/web');
  });

  it('keeps log groups per region, with the region in their ARN', async () => {
    const eu = inRegion(CloudWatchLogsClient, 'eu-west-1');
    const us = inRegion(CloudWatchLogsClient, 'us-east-1');
    await eu.send(new CreateLogGroupCommand({ logGroupName: '/ecs/regional' }));
    const [group] = (await eu.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/ecs/regional' }))).logGroups!;
    expect(group!.logGroupArn).toBe('arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/regional');
    expect((await us.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/ecs/regional' }))).logGroups).toEqual([]);
    await expect(us.send(new GetLogEventsCommand({ logGroupName: '/ecs/regional', logStreamName: 'x' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('names the region in EventBridge rule ARNs', async () => {
    const eu = inRegion(EventBridgeClient, 'ap-southeast-2');
    const out = await eu.send(new PutRuleCommand({ Name: 'nightly', ScheduleExpression: 'rate(1 day)' }));
    expect(out.RuleArn).toBe('arn:aws:events:ap-southeast-2:123456789012:rule/nightly');
  });

  it('keeps load balancers, target groups and alarms per region (ELBv2 awsQuery, CloudWatch)', async () => {
    const euElb = inRegion(ElasticLoadBalancingV2Client, 'eu-west-1');
    const usElb = inRegion(ElasticLoadBalancingV2Client, 'us-east-1');
    const tg = await createWebTargetGroup(euElb, { name: 'regional-web' });
    expect(tg.targetGroupArn).toMatch(/^arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup\/regional-web\//);
    expect(tg.loadBalancerArn).toMatch(/^arn:aws:elasticloadbalancing:eu-west-1:/);
    await expect(usElb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [tg.targetGroupArn] }))).rejects.toMatchObject({ name: 'TargetGroupNotFoundException' });
    const euCw = inRegion(CloudWatchClient, 'eu-west-1');
    const usCw = inRegion(CloudWatchClient, 'us-east-1');
    await euCw.send(
      new PutMetricAlarmCommand({ AlarmName: 'regional-5xx', Namespace: 'AWS/ApplicationELB', MetricName: 'HTTPCode_Target_5XX_Count', Statistic: 'Sum', Period: 60, EvaluationPeriods: 1, Threshold: 5, ComparisonOperator: 'GreaterThanThreshold' }),
    );
    const [alarm] = (await euCw.send(new DescribeAlarmsCommand({ AlarmNames: ['regional-5xx'] }))).MetricAlarms!;
    expect(alarm!.AlarmArn).toBe('arn:aws:cloudwatch:eu-west-1:123456789012:alarm:regional-5xx');
    expect((await usCw.send(new DescribeAlarmsCommand({ AlarmNames: ['regional-5xx'] }))).MetricAlarms).toEqual([]);
  });

  it('runs a task in its region: ARNs, image from that region’s ECR (seeded through the control API), logs to awslogs-region', async () => {
    const eu = inRegion(ECSClient, 'eu-west-1');
    const euLogs = inRegion(CloudWatchLogsClient, 'eu-west-1');
    const usLogs = inRegion(CloudWatchLogsClient, 'us-east-1');
    const seeded = await sim.control.seedImage!({ region: 'eu-west-1', repositoryName: 'migrate', tags: ['v1'] });
    expect(seeded.imageUri).toBe(`123456789012.dkr.ecr.eu-west-1.amazonaws.com/migrate@${seeded.imageDigest}`);
    sim.control.setImageBehaviour('migrate:v1', { exitAfterSeconds: 1, exitCode: 0, logs: ['migrated in eu-west-1'] });
    await createFargateCluster(eu, 'jobs');
    await registerFargateTaskDefinition(eu, {
      family: 'migrate',
      executionRoleArn: SIM_EXECUTION_ROLE_ARN,
      containerDefinitions: [
        {
          name: 'migrate',
          image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/migrate:v1',
          logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/migrate', 'awslogs-region': 'eu-west-1', 'awslogs-stream-prefix': 'ecs', 'awslogs-create-group': 'true' } },
        },
      ],
    });
    const run = await eu.send(new RunTaskCommand({ cluster: 'jobs', taskDefinition: 'migrate', networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'] } } }));
    const task = run.tasks![0]!;
    expect(task.taskArn).toMatch(/^arn:aws:ecs:eu-west-1:123456789012:task\/jobs\/[0-9a-f]{32}$/);
    expect(task.taskDefinitionArn).toBe('arn:aws:ecs:eu-west-1:123456789012:task-definition/migrate:1');
    await sim.clock.advance(30_000);
    const done = (await eu.send(new DescribeTasksCommand({ cluster: 'jobs', tasks: [task.taskArn!] }))).tasks![0]!;
    expect(done.lastStatus).toBe('STOPPED');
    expect(done.containers![0]!.exitCode).toBe(0);
    expect(done.availabilityZone).toBe('eu-west-1a');
    const events = await euLogs.send(new GetLogEventsCommand({ logGroupName: '/ecs/migrate', logStreamName: `ecs/migrate/${task.taskArn!.split('/').pop()}` }));
    expect(events.events!.map((e) => e.message)).toEqual(['migrated in eu-west-1']);
    expect((await usLogs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/ecs/migrate' }))).logGroups).toEqual([]);
  });

  it('pulls from the region the image URI names: an image only in eu-west-1 fails to pull by its us-east-1 URI', async () => {
    // Runs after the test above seeded migrate:v1 in eu-west-1 only.
    const us = inRegion(ECSClient, 'us-east-1');
    await createFargateCluster(us, 'jobs-us');
    const run = async (image: string) => {
      const family = `pull-${Math.random().toString(36).slice(2, 8)}`;
      await registerFargateTaskDefinition(us, { family, executionRoleArn: SIM_EXECUTION_ROLE_ARN, containerDefinitions: [{ name: 'migrate', image }] });
      const task = (await us.send(new RunTaskCommand({ cluster: 'jobs-us', taskDefinition: family, networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'] } } }))).tasks![0]!;
      await sim.clock.advance(30_000);
      return (await us.send(new DescribeTasksCommand({ cluster: 'jobs-us', tasks: [task.taskArn!] }))).tasks![0]!;
    };
    const wrongRegion = await run('123456789012.dkr.ecr.us-east-1.amazonaws.com/migrate:v1');
    expect(wrongRegion.stopCode).toBe('TaskFailedToStart');
    expect(wrongRegion.stoppedReason).toMatch(/^CannotPullContainerError: .*us-east-1\.amazonaws\.com\/migrate:v1: not found$/);
    const crossRegion = await run('123456789012.dkr.ecr.eu-west-1.amazonaws.com/migrate:v1');
    expect(crossRegion.stopCode).toBe('EssentialContainerExited');
    expect(crossRegion.containers![0]!.exitCode).toBe(0);
  });

  it('rejects a control operation naming a malformed region, naming the field', async () => {
    const res = await fetch(`${sim.endpoint}/_sim/seedImage`, { method: 'POST', body: JSON.stringify({ region: 'Europe', repositoryName: 'x', tags: ['v1'] }) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/^region must be a region name such as us-east-1/);
    expect(await (await fetch(`${sim.endpoint}/_sim/regions`, { method: 'POST', body: '{}' })).json()).toEqual({ defaultRegion: 'us-east-1', regions: expect.arrayContaining(['us-east-1', 'eu-west-1', 'ap-southeast-2']) });
  });
});
