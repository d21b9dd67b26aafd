import { describe, expect, it, beforeEach } from '@jest/globals';
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeClustersCommand, DescribeServicesCommand, DescribeTaskDefinitionCommand, DescribeTasksCommand, ECSClient, RunTaskCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { parseCommand } from '../src/run-task/command.js';
import { decidingExit, runOneOffTask } from '../src/run-task/run.js';
import { fakeClock, memoryLogger } from './helpers.js';

describe('parseCommand', () => {
  it('splits a shell-like line with quotes, and takes JSON arrays as they are', () => {
    expect(parseCommand('php artisan migrate --force')).toEqual(['php', 'artisan', 'migrate', '--force']);
    expect(parseCommand(`sh -c "php artisan migrate && echo 'done'"`)).toEqual(['sh', '-c', "php artisan migrate && echo 'done'"]);
    expect(parseCommand('["echo", "a b"]')).toEqual(['echo', 'a b']);
    expect(() => parseCommand('echo "oops')).toThrow(/unclosed " quote/);
  });
});

describe('decidingExit', () => {
  it('uses the target essential container, else the first failing essential one', () => {
    const defs = [{ name: 'app', essential: true }, { name: 'sidecar', essential: false }];
    expect(decidingExit({ containers: [{ name: 'app', exitCode: 3 }, { name: 'sidecar', exitCode: 0 }] }, 'app', defs)).toMatchObject({ exitCode: 3, container: 'app' });
    expect(decidingExit({ stoppedReason: 'CannotPullContainerError: not found', containers: [{ name: 'app', reason: 'CannotPullContainerError' }] }, 'app', defs)).toMatchObject({
      exitCode: undefined,
      stoppedReason: 'CannotPullContainerError: not found; app: CannotPullContainerError',
    });
  });
});

const ecsMock = mockClient(ECSClient);
const logsMock = mockClient(CloudWatchLogsClient);

describe('runOneOffTask', () => {
  beforeEach(() => {
    ecsMock.reset();
    logsMock.reset();
  });

  it('runs in the service network, streams logs until the task stops and returns the exit code', async () => {
    ecsMock.on(DescribeTaskDefinitionCommand).resolves({
      taskDefinition: {
        taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/app:7',
        networkMode: 'awsvpc',
        containerDefinitions: [{ name: 'web', essential: true, logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/app', 'awslogs-stream-prefix': 'ecs' } } }],
      },
    });
    const network = { awsvpcConfiguration: { subnets: ['subnet-1'], securityGroups: ['sg-1'], assignPublicIp: 'DISABLED' as const } };
    ecsMock.on(DescribeServicesCommand).resolves({ services: [{ serviceName: 'web', status: 'ACTIVE', launchType: 'FARGATE', networkConfiguration: network }] });
    const arn = 'arn:aws:ecs:us-east-1:123456789012:task/prod/abc123';
    ecsMock.on(RunTaskCommand).resolves({ tasks: [{ taskArn: arn }] });
    ecsMock
      .on(DescribeTasksCommand)
      .resolvesOnce({ tasks: [{ taskArn: arn, lastStatus: 'RUNNING' }] })
      .resolves({ tasks: [{ taskArn: arn, lastStatus: 'STOPPED', stoppedReason: 'Essential container in task exited', containers: [{ name: 'web', exitCode: 2 }] }] });
    logsMock
      .on(GetLogEventsCommand)
      .rejectsOnce(Object.assign(new Error('The specified log stream does not exist.'), { name: 'ResourceNotFoundException' }))
      .resolvesOnce({ events: [{ message: 'Migrating: 2026_01_01_create_users' }], nextForwardToken: 'f/1' })
      .resolvesOnce({ events: [], nextForwardToken: 'f/1' })
      .resolvesOnce({ events: [{ message: 'SQLSTATE[42S01]: table exists\n' }], nextForwardToken: 'f/2' })
      .resolves({ events: [], nextForwardToken: 'f/2' });
    const logger = memoryLogger();
    const result = await runOneOffTask({
      ecs: new ECSClient({ region: 'us-east-1' }),
      logs: new CloudWatchLogsClient({ region: 'us-east-1' }),
      clock: fakeClock(),
      logger,
      cluster: 'prod',
      taskDefinition: 'app:7',
      command: ['php', 'artisan', 'migrate', '--force'],
      networkFromService: 'web',
      pollMs: 2000,
      timeoutMs: 60_000,
    });
    expect(result).toMatchObject({ outcome: 'exited', exitCode: 2, container: 'web', logLines: 2 });
    expect(ecsMock.commandCalls(RunTaskCommand)[0]!.args[0].input).toMatchObject({
      cluster: 'prod',
      launchType: 'FARGATE',
      networkConfiguration: network,
      overrides: { containerOverrides: [{ name: 'web', command: ['php', 'artisan', 'migrate', '--force'] }] },
    });
    expect(logsMock.commandCalls(GetLogEventsCommand)[0]!.args[0].input).toMatchObject({ logGroupName: '/ecs/app', logStreamName: 'ecs/web/abc123', startFromHead: true });
    expect(logger.lines).toContain('| Migrating: 2026_01_01_create_users');
    expect(logger.lines).toContain('| SQLSTATE[42S01]: table exists');
  });

  it('refuses an awsvpc task without subnets before running anything', async () => {
    ecsMock.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: 'arn:td/app:7', networkMode: 'awsvpc', containerDefinitions: [{ name: 'web' }] } });
    await expect(
      runOneOffTask({ ecs: new ECSClient({}), logs: new CloudWatchLogsClient({}), clock: fakeClock(), logger: memoryLogger(), cluster: 'prod', taskDefinition: 'app', pollMs: 1000, timeoutMs: 1000 }),
    ).rejects.toThrow(/needs subnets/);
    expect(ecsMock.commandCalls(RunTaskCommand)).toHaveLength(0);
  });
});

describe('runOneOffTask: where the task runs', () => {
  const td = { taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/app:7', networkMode: 'awsvpc' as const, containerDefinitions: [{ name: 'web', essential: true }] };
  const arn = 'arn:aws:ecs:us-east-1:123456789012:task/prod/abc123';
  beforeEach(() => {
    ecsMock.reset();
    logsMock.reset();
    ecsMock.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: td });
    ecsMock.on(RunTaskCommand).resolves({ tasks: [{ taskArn: arn }] });
    ecsMock.on(DescribeTasksCommand).resolves({ tasks: [{ taskArn: arn, lastStatus: 'STOPPED', containers: [{ name: 'web', exitCode: 0 }] }] });
  });
  const run = (extra: Partial<Parameters<typeof runOneOffTask>[0]>) =>
    runOneOffTask({ ecs: new ECSClient({ region: 'us-east-1' }), logs: new CloudWatchLogsClient({ region: 'us-east-1' }), clock: fakeClock(), logger: memoryLogger(), cluster: 'prod', taskDefinition: 'app:7', pollMs: 1000, timeoutMs: 60_000, ...extra });
  const network = { subnets: ['subnet-0123456789abcdef0'], securityGroups: ['sg-0123456789abcdef0'] };
  const runTaskInput = () => ecsMock.commandCalls(RunTaskCommand)[0]!.args[0].input;

  it('takes the launch type from the input over the service', async () => {
    ecsMock.on(DescribeServicesCommand).resolves({ services: [{ serviceName: 'web', status: 'ACTIVE', capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }], networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'] } } }] });
    await run({ networkFromService: 'web', capacity: { launchType: 'FARGATE' } });
    expect(runTaskInput()).toMatchObject({ launchType: 'FARGATE' });
    expect(runTaskInput().capacityProviderStrategy).toBeUndefined();
    expect(ecsMock.commandCalls(DescribeClustersCommand)).toHaveLength(0);
  });

  it("takes the service's capacity provider strategy when the input names none", async () => {
    const strategy = [{ capacityProvider: 'FARGATE_SPOT', weight: 3 }, { capacityProvider: 'FARGATE', weight: 1, base: 1 }];
    ecsMock.on(DescribeServicesCommand).resolves({ services: [{ serviceName: 'web', status: 'ACTIVE', capacityProviderStrategy: strategy, networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'] } } }] });
    await run({ networkFromService: 'web', network: { subnets: [], securityGroups: ['sg-0123456789abcdef0'] } });
    expect(runTaskInput()).toMatchObject({ capacityProviderStrategy: strategy, networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'], securityGroups: ['sg-0123456789abcdef0'] } } });
  });

  it("sends the cluster's default capacity provider strategy when subnets are given without a service", async () => {
    const strategy = [{ capacityProvider: 'FARGATE', weight: 1, base: 0 }];
    ecsMock.on(DescribeClustersCommand).resolves({ clusters: [{ clusterName: 'prod', status: 'ACTIVE', defaultCapacityProviderStrategy: strategy }] });
    await run({ network });
    expect(ecsMock.commandCalls(DescribeClustersCommand)[0]!.args[0].input).toEqual({ clusters: ['prod'] });
    expect(runTaskInput()).toMatchObject({ capacityProviderStrategy: strategy, networkConfiguration: { awsvpcConfiguration: { subnets: network.subnets } } });
    expect(runTaskInput().launchType).toBeUndefined();
  });

  it('fails clearly, before RunTask, when the cluster has no default strategy', async () => {
    ecsMock.on(DescribeClustersCommand).resolves({ clusters: [{ clusterName: 'prod', status: 'ACTIVE', defaultCapacityProviderStrategy: [] }] });
    await expect(run({ network })).rejects.toThrow(/Cluster 'prod' has no default capacity provider strategy.*Set 'launch-type' \(e\.g\. FARGATE\), 'capacity-provider-strategy'/);
    expect(ecsMock.commandCalls(RunTaskCommand)).toHaveLength(0);
  });

  it('refuses container overrides over 8192 characters before RunTask', async () => {
    await expect(run({ network, capacity: { launchType: 'FARGATE' }, environment: { BIG: 'x'.repeat(8200) } })).rejects.toThrow(/overrides \(inputs 'command' and 'environment'\) are \d+ characters of JSON; RunTask accepts at most 8192/);
    expect(ecsMock.commandCalls(RunTaskCommand)).toHaveLength(0);
  });
});
