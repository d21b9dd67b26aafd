import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateClusterCommand, CreateServiceCommand, DescribeTasksCommand, ListTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand } from '@aws-sdk/client-ecs';
import { ImageBehaviours, readScenarioFile } from '../src/scenario.js';
import { SimClock } from '../src/clock.js';
import { startSimulator } from '../src/index.js';
import { network, REGISTRY, seed, startEcsHarness } from './ecs-harness.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;

describe('image behaviours', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gantry-scenario-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('matches by tag or digest, ignores the registry host, and lets the pulled digest win', () => {
    const b = new ImageBehaviours();
    b.set('web:v1', { startSeconds: 30 });
    b.set(`${REGISTRY}/web@${DIGEST}`, { exitAfterSeconds: 0 });
    expect(b.lookup(`${REGISTRY}/web:v1`).startSeconds).toBe(30);
    expect(b.lookup(`${REGISTRY}/web:v1`, 'web', DIGEST)).toMatchObject({ exitAfterSeconds: 0, startSeconds: 5 });
    expect(b.lookup('web:v2')).toEqual({ startSeconds: 5 });
  });

  it('rejects unknown fields and bad values with a sentence naming them', () => {
    const b = new ImageBehaviours();
    expect(() => b.set('web:v1', { exitAfterSecs: 3 } as never)).toThrow("image behaviour for 'web:v1': unknown field 'exitAfterSecs'");
    expect(() => b.set('web:v1', { startSeconds: -1 })).toThrow('startSeconds must be a number >= 0');
    expect(() => b.set('web:v1', { healthCheck: 'maybe' as never })).toThrow("healthCheck must be 'pass' or 'fail'");
  });

  it('reads YAML and JSON scenario files, as a map or a list', () => {
    const yaml = join(dir, 's.yaml');
    writeFileSync(yaml, 'images:\n  web:bad: { exitAfterSeconds: 0, exitCode: 137 }\n');
    const json = join(dir, 's.json');
    writeFileSync(json, JSON.stringify({ images: [{ image: 'worker:v1', healthCheck: 'fail' }] }));
    const b = new ImageBehaviours();
    expect(b.load(readScenarioFile(yaml))).toBe(1);
    expect(b.load(readScenarioFile(json))).toBe(1);
    expect(b.list()).toEqual({ 'web:bad': { exitAfterSeconds: 0, exitCode: 137 }, 'worker:v1': { healthCheck: 'fail' } });
  });

  it('is driven over the HTTP control API, with 400 and a message for a bad body', async () => {
    const sim = await startSimulator({ port: 0, speed: 0 });
    try {
      const post = (op: string, body: unknown) => fetch(`${sim.endpoint}/_sim/${op}`, { method: 'POST', body: JSON.stringify(body) });
      expect((await post('setImageBehaviour', { imageRef: 'web:v1', startSeconds: 60 })).status).toBe(200);
      const bad = await post('setImageBehaviour', { startSeconds: 1 });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: string }).error).toMatch(/imageRef is required/);
      expect(await (await post('loadScenario', { scenario: { images: { 'api:v1': { logs: ['hello'] } } } })).json()).toEqual({ loaded: 1 });
      expect(await (await post('imageBehaviours', {})).json()).toEqual({ images: { 'web:v1': { startSeconds: 60 }, 'api:v1': { logs: ['hello'] } } });
      await post('clearImageBehaviours', {});
      expect(await (await post('imageBehaviours', {})).json()).toEqual({ images: {} });
    } finally {
      await sim.stop();
    }
  });
});

const MIGRATE = ['php', 'artisan', 'migrate', '--force'];
const MIGRATION_LOGS = ['Migrating: 2026_11_01_create_orders', 'Migrated:  2026_11_01_create_orders (12.30ms)'];

describe('behaviours by command', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gantry-scenario-cmd-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a matching command replaces only the fields it sets; other commands and no command get the image behaviour', () => {
    const b = new ImageBehaviours();
    b.set('web:v1', { startSeconds: 7, logs: ['octane started'], commands: { 'php  artisan migrate --force ': { exitAfterSeconds: 2, exitCode: 0, logs: MIGRATION_LOGS } } });
    // Words compare, not spacing: the override argv joined with spaces finds the entry written above.
    expect(b.lookup('web:v1', undefined, undefined, MIGRATE)).toEqual({ startSeconds: 7, exitAfterSeconds: 2, exitCode: 0, logs: MIGRATION_LOGS });
    expect(b.lookup('web:v1', undefined, undefined, ['php', 'artisan', 'octane:start'])).toEqual({ startSeconds: 7, logs: ['octane started'] });
    expect(b.lookup('web:v1')).toEqual({ startSeconds: 7, logs: ['octane started'] });
    // Commands belong to the behaviour that matched the image; another image does not inherit them.
    expect(b.lookup('web:v2', undefined, undefined, MIGRATE)).toEqual({ startSeconds: 5 });
    expect(b.list()['web:v1']!.commands).toEqual({ 'php  artisan migrate --force ': { exitAfterSeconds: 2, exitCode: 0, logs: MIGRATION_LOGS } });
  });

  it('rejects a malformed commands field with a sentence naming the image and the command', () => {
    const b = new ImageBehaviours();
    expect(() => b.set('web:v1', { commands: ['php artisan migrate'] } as never)).toThrow("image behaviour for 'web:v1': commands must be a map from a command line to its behaviour");
    expect(() => b.set('web:v1', { commands: { 'php artisan migrate': { exitCode: 'zero' } } } as never)).toThrow("image behaviour for 'web:v1', command 'php artisan migrate': exitCode must be a number");
    expect(() => b.set('web:v1', { commands: { 'php artisan migrate': { commands: {} } } } as never)).toThrow("command 'php artisan migrate': unknown field 'commands'");
    expect(() => b.set('web:v1', { commands: { ' ': {} } })).toThrow("image behaviour for 'web:v1': a command in commands is empty");
    expect(() => b.set('web:v1', { commands: { 'a b': {}, 'a  b': {} } })).toThrow("command 'a  b': the same command as 'a b'");
    expect(() => b.set('web:v1', { commands: { migrate: null } } as never)).toThrow("command 'migrate': expected an object of fields");
    expect(b.list()).toEqual({});
  });

  it('reads commands from YAML and JSON scenario files and validates them there too', () => {
    const yaml = join(dir, 'cmd.yaml');
    writeFileSync(yaml, ['images:', '  web:v1:', '    commands:', '      php artisan migrate --force: { exitAfterSeconds: 2, exitCode: 0, logs: ["Migrated"] }', ''].join('\n'));
    const json = join(dir, 'cmd.json');
    writeFileSync(json, JSON.stringify({ images: [{ image: 'worker:v1', commands: { 'php artisan queue:work': { healthCheck: 'fail' } } }] }));
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, ['images:', '  web:v1:', '    commands:', '      php artisan migrate: { exitAfter: 2 }', ''].join('\n'));
    const b = new ImageBehaviours();
    expect(b.load(readScenarioFile(yaml))).toBe(1);
    expect(b.load(readScenarioFile(json))).toBe(1);
    expect(b.lookup('web:v1', undefined, undefined, MIGRATE)).toMatchObject({ exitAfterSeconds: 2, exitCode: 0, logs: ['Migrated'] });
    expect(b.lookup('worker:v1', undefined, undefined, ['php', 'artisan', 'queue:work']).healthCheck).toBe('fail');
    expect(() => b.load(readScenarioFile(bad))).toThrow("image behaviour for 'web:v1', command 'php artisan migrate': unknown field 'exitAfter'");
  });

  it('a RunTask with a command override runs the command: exits 0 with its logs in CloudWatch Logs, while the same image as a service keeps running', async () => {
    const h = await startEcsHarness();
    try {
      await h.ecs.send(new CreateClusterCommand({ clusterName: 'shop' }));
      const digest = await seed(h.sim, 'web', ['v1']);
      const image = `${REGISTRY}/web@${digest}`;
      // Over HTTP, as a scenario author would set it: the web server never exits; its migration does.
      const res = await fetch(`${h.sim.endpoint}/_sim/setImageBehaviour`, {
        method: 'POST',
        body: JSON.stringify({ imageRef: image, startSeconds: 3, commands: { 'php artisan migrate --force': { exitAfterSeconds: 2, exitCode: 0, logs: MIGRATION_LOGS } } }),
      });
      expect(res.status).toBe(200);
      const td = await h.ecs.send(
        new RegisterTaskDefinitionCommand({
          family: 'web',
          networkMode: 'awsvpc',
          requiresCompatibilities: ['FARGATE'],
          cpu: '256',
          memory: '512',
          executionRoleArn: 'arn:aws:iam::123456789012:role/exec',
          containerDefinitions: [
            {
              name: 'web',
              image,
              essential: true,
              command: ['php', 'artisan', 'octane:start'],
              logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/web', 'awslogs-stream-prefix': 'ecs', 'awslogs-region': 'us-east-1', 'awslogs-create-group': 'true' } },
            },
          ],
        }),
      );
      const arn = td.taskDefinition!.taskDefinitionArn!;
      await h.ecs.send(new CreateServiceCommand({ cluster: 'shop', serviceName: 'web', taskDefinition: arn, desiredCount: 1, launchType: 'FARGATE', networkConfiguration: network }));
      const run = await h.ecs.send(
        new RunTaskCommand({ cluster: 'shop', taskDefinition: arn, launchType: 'FARGATE', networkConfiguration: network, startedBy: 'migrate', overrides: { containerOverrides: [{ name: 'web', command: MIGRATE }] } }),
      );
      const taskArn = run.tasks![0]!.taskArn!;
      await h.advance(120);

      const [migration] = (await h.ecs.send(new DescribeTasksCommand({ cluster: 'shop', tasks: [taskArn] }))).tasks!;
      expect(migration).toMatchObject({ lastStatus: 'STOPPED', stopCode: 'EssentialContainerExited', overrides: { containerOverrides: [{ name: 'web', command: MIGRATE }] } });
      expect(migration!.containers![0]!.exitCode).toBe(0);
      const events = await h.logs.send(new GetLogEventsCommand({ logGroupName: '/ecs/web', logStreamName: `ecs/web/${taskArn.split('/').pop()}`, startFromHead: true }));
      expect(events.events!.map((e) => e.message)).toEqual(MIGRATION_LOGS);

      // The service's task runs the task definition's command with the same image: still running.
      const serviceTasks = (await h.ecs.send(new ListTasksCommand({ cluster: 'shop', serviceName: 'web' }))).taskArns!;
      expect(serviceTasks).toHaveLength(1);
      const [web] = (await h.ecs.send(new DescribeTasksCommand({ cluster: 'shop', tasks: serviceTasks }))).tasks!;
      expect([web!.lastStatus, web!.desiredStatus, web!.containers![0]!.exitCode]).toEqual(['RUNNING', 'RUNNING', undefined]);
      // So does a one-off task of the same image without an override.
      const plain = await h.ecs.send(new RunTaskCommand({ cluster: 'shop', taskDefinition: arn, launchType: 'FARGATE', networkConfiguration: network }));
      await h.advance(120);
      const [still] = (await h.ecs.send(new DescribeTasksCommand({ cluster: 'shop', tasks: [plain.tasks![0]!.taskArn!] }))).tasks!;
      expect(still!.lastStatus).toBe('RUNNING');
    } finally {
      await h.stop();
    }
  });

  it('takes the command from the container definition when RunTask has no override, and rejects an override of a container the task definition lacks', async () => {
    const h = await startEcsHarness();
    try {
      await h.ecs.send(new CreateClusterCommand({ clusterName: 'shop' }));
      await seed(h.sim, 'web', ['v2']);
      h.sim.control.setImageBehaviour('web:v2', { commands: { 'php artisan migrate --force': { exitAfterSeconds: 1, exitCode: 3 } } });
      const td = await h.ecs.send(
        new RegisterTaskDefinitionCommand({
          family: 'migrate',
          networkMode: 'awsvpc',
          requiresCompatibilities: ['FARGATE'],
          cpu: '256',
          memory: '512',
          containerDefinitions: [{ name: 'app', image: `${REGISTRY}/web:v2`, essential: true, command: MIGRATE }],
        }),
      );
      const arn = td.taskDefinition!.taskDefinitionArn!;
      const run = await h.ecs.send(new RunTaskCommand({ cluster: 'shop', taskDefinition: arn, launchType: 'FARGATE', networkConfiguration: network }));
      await h.advance(60);
      const [task] = (await h.ecs.send(new DescribeTasksCommand({ cluster: 'shop', tasks: [run.tasks![0]!.taskArn!] }))).tasks!;
      expect([task!.lastStatus, task!.containers![0]!.exitCode]).toEqual(['STOPPED', 3]);

      await expect(
        h.ecs.send(new RunTaskCommand({ cluster: 'shop', taskDefinition: arn, launchType: 'FARGATE', networkConfiguration: network, overrides: { containerOverrides: [{ name: 'web', command: MIGRATE }] } })),
      ).rejects.toMatchObject({ name: 'InvalidParameterException', message: expect.stringContaining('Override for container named web is not a container in the TaskDefinition') });
    } finally {
      await h.stop();
    }
  });
});

describe('SimClock timer heap', () => {
  it('runs timers in time order, ties in registration order, including timers added while running', () => {
    const clock = new SimClock(0, new Date(0));
    const seen: string[] = [];
    clock.at(3000, () => seen.push('c'));
    clock.at(1000, (at) => {
      seen.push(`a@${at}`);
      clock.at(2000, () => seen.push('b'));
      clock.at(1000, () => seen.push('a2'));
    });
    clock.at(1000, () => seen.push('a1'));
    for (let i = 0; i < 500; i++) clock.at(10_000 + ((i * 7919) % 500), () => seen.push('late'));
    clock.advance(2500);
    expect(seen).toEqual(['a@1000', 'a1', 'a2', 'b']);
    expect(clock.nowMs()).toBe(2500);
    clock.advance(20_000);
    expect(seen.slice(4, 5)).toEqual(['c']);
    expect(seen.filter((s) => s === 'late')).toHaveLength(500);
    expect(clock.pendingTimers()).toBe(0);
  });
});
