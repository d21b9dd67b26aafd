import { afterAll, beforeAll, describe as suite, expect, it } from '@jest/globals';
import { CreateClusterCommand, DescribeTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand } from '@aws-sdk/client-ecs';
import {
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  PutLogEventsCommand,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
} from '@aws-sdk/client-cloudwatch-logs';
import { network, REGISTRY, seed, startEcsHarness, type EcsHarness } from './ecs-harness.js';

suite('CloudWatch Logs', () => {
  let h: EcsHarness;
  beforeAll(async () => {
    h = await startEcsHarness();
    await h.ecs.send(new CreateClusterCommand({ clusterName: 'c1' }));
  });
  afterAll(() => h.stop());

  it('stores events and pages GetLogEvents forward with nextForwardToken until the token repeats', async () => {
    await h.logs.send(new CreateLogGroupCommand({ logGroupName: '/manual' }));
    const dup = await h.logs.send(new CreateLogGroupCommand({ logGroupName: '/manual' })).catch((e: unknown) => e);
    expect(dup).toBeInstanceOf(ResourceAlreadyExistsException);
    await h.logs.send(new CreateLogStreamCommand({ logGroupName: '/manual', logStreamName: 's1' }));
    const base = h.sim.clock.nowMs();
    await h.logs.send(new PutLogEventsCommand({ logGroupName: '/manual', logStreamName: 's1', logEvents: Array.from({ length: 5 }, (_, i) => ({ timestamp: base + i, message: `line ${i}` })) }));
    const lines: string[] = [];
    let token: string | undefined;
    for (let i = 0; i < 10; i++) {
      const out = await h.logs.send(new GetLogEventsCommand({ logGroupName: '/manual', logStreamName: 's1', startFromHead: true, limit: 2, nextToken: token }));
      lines.push(...out.events!.map((e) => e.message!));
      if (out.nextForwardToken === token) break;
      token = out.nextForwardToken;
    }
    expect(lines).toEqual(['line 0', 'line 1', 'line 2', 'line 3', 'line 4']);
    const tail = await h.logs.send(new GetLogEventsCommand({ logGroupName: '/manual', logStreamName: 's1', limit: 2 }));
    expect(tail.events!.map((e) => e.message)).toEqual(['line 3', 'line 4']);
    const filtered = await h.logs.send(new FilterLogEventsCommand({ logGroupName: '/manual', filterPattern: '"line 3"' }));
    expect(filtered.events!.map((e) => [e.logStreamName, e.message])).toEqual([['s1', 'line 3']]);
    const missing = await h.logs.send(new GetLogEventsCommand({ logGroupName: '/manual', logStreamName: 'nope' })).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
    expect((missing as Error).message).toBe('The specified log stream does not exist.');
  });

  it('writes the lines of a task whose container uses awslogs, in the prefix/container/task-id stream', async () => {
    await seed(h.sim, 'app', ['migrate']);
    h.sim.control.setImageBehaviour('app:migrate', { exitAfterSeconds: 2, exitCode: 0, logs: ['Migrating: 2026_01_01_create_users', 'Migrated: 2026_01_01_create_users'] });
    await h.logs.send(new CreateLogGroupCommand({ logGroupName: '/ecs/app' }));
    await h.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'migrate',
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        cpu: '256',
        memory: '512',
        executionRoleArn: 'arn:aws:iam::123456789012:role/exec',
        containerDefinitions: [{ name: 'app', image: `${REGISTRY}/app:migrate`, logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/app', 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'ecs' } } }],
      }),
    );
    const run = await h.ecs.send(new RunTaskCommand({ cluster: 'c1', taskDefinition: 'migrate', launchType: 'FARGATE', networkConfiguration: network }));
    const taskId = run.tasks![0]!.taskArn!.split('/').pop()!;
    await h.advance(20);
    const task = (await h.ecs.send(new DescribeTasksCommand({ cluster: 'c1', tasks: [taskId] }))).tasks![0]!;
    expect(task.containers![0]!.exitCode).toBe(0);
    const streams = await h.logs.send(new DescribeLogStreamsCommand({ logGroupName: '/ecs/app', logStreamNamePrefix: 'ecs/app/' }));
    expect(streams.logStreams!.map((s) => s.logStreamName)).toEqual([`ecs/app/${taskId}`]);
    const events = await h.logs.send(new GetLogEventsCommand({ logGroupName: '/ecs/app', logStreamName: `ecs/app/${taskId}`, startFromHead: true }));
    expect(events.events!.map((e) => e.message)).toEqual(['Migrating: 2026_01_01_create_users', 'Migrated: 2026_01_01_create_users']);
  });

  it('fails a task whose awslogs group does not exist, unless awslogs-create-group is true', async () => {
    const register = (family: string, createGroup: boolean) =>
      h.ecs.send(
        new RegisterTaskDefinitionCommand({
          family,
          containerDefinitions: [{ name: 'app', image: `${REGISTRY}/app:migrate`, memory: 128, logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': `/ecs/${family}`, 'awslogs-stream-prefix': 'ecs', ...(createGroup ? { 'awslogs-create-group': 'true' } : {}) } } }],
        }),
      );
    await register('nogroup', false);
    await register('autogroup', true);
    const a = await h.ecs.send(new RunTaskCommand({ cluster: 'c1', taskDefinition: 'nogroup', launchType: 'EC2' }));
    const b = await h.ecs.send(new RunTaskCommand({ cluster: 'c1', taskDefinition: 'autogroup', launchType: 'EC2' }));
    await h.advance(20);
    const [ta, tb] = (await h.ecs.send(new DescribeTasksCommand({ cluster: 'c1', tasks: [a.tasks![0]!.taskArn!, b.tasks![0]!.taskArn!] }))).tasks!;
    expect(ta!.stoppedReason).toMatch(/^ResourceInitializationError: .*The specified log group does not exist/);
    expect(tb!.stoppedReason).toBe('Essential container in task exited');
    const streams = await h.logs.send(new DescribeLogStreamsCommand({ logGroupName: '/ecs/autogroup' }));
    expect(streams.logStreams).toHaveLength(1);
  });
});
