import { afterEach, describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CreateClusterCommand, CreateServiceCommand, ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { startSimulator, type Simulator } from '@gantry/aws-sim';
import { iamActionsListedIn, iamActionsReachableFrom } from '@gantry/deploy/iam-actions';
import { actionContractProblems, runAction } from '@gantry/local-runner';

const actionDir = join(import.meta.dirname, '..');
const REGISTRY = '123456789012.dkr.ecr.us-east-1.amazonaws.com';
let sim: Simulator | undefined;

afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

/** Cluster `prod` with service `web` (awsvpc) and task definition `app` whose image is `app:<tag>`. */
async function setup(tag: string) {
  sim = await startSimulator({ port: 0, speed: 60 });
  const ecs = new ECSClient({ region: 'us-east-1', endpoint: sim.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  await sim.control.seedImage!({ repositoryName: 'app', tags: ['ok', 'fails'] });
  sim.control.setImageBehaviour('app:ok', { startSeconds: 5, exitAfterSeconds: 10, exitCode: 0, logs: ['Migrating: 2026_01_01_000000_create_users_table', 'Migrated: 2026_01_01_000000_create_users_table'] });
  sim.control.setImageBehaviour('app:fails', { startSeconds: 5, exitAfterSeconds: 5, exitCode: 3, logs: ['SQLSTATE[HY000] [2002] Connection refused'] });
  await ecs.send(new CreateClusterCommand({ clusterName: 'prod' }));
  const td = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'app',
      executionRoleArn: 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      containerDefinitions: [
        {
          name: 'web',
          image: `${REGISTRY}/app:${tag}`,
          essential: true,
          logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/app', 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'ecs', 'awslogs-create-group': 'true' } },
        },
      ],
    }),
  );
  await ecs.send(
    new CreateServiceCommand({
      cluster: 'prod',
      serviceName: 'web',
      taskDefinition: td.taskDefinition!.taskDefinitionArn,
      desiredCount: 0,
      launchType: 'FARGATE',
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'], securityGroups: ['sg-1'] } },
    }),
  );
  return td.taskDefinition!.taskDefinitionArn!;
}

const run = (taskDefinition: string, inputs: Record<string, string> = {}) =>
  runAction(actionDir, { inputs: { cluster: 'prod', 'task-definition': taskDefinition, command: 'php artisan migrate --force', 'network-from-service': 'web', 'poll-interval': '500ms', ...inputs }, env: sim!.env, timeoutMs: 60_000 });

describe('run-task contract', () => {
  it('has complete metadata and README tables', async () => {
    expect(await actionContractProblems(actionDir)).toEqual([]);
  });
  it('documents exactly the IAM actions its code can send', async () => {
    expect(iamActionsListedIn(await readFile(join(actionDir, 'README.md'), 'utf8'))).toEqual(iamActionsReachableFrom(join(actionDir, 'src', 'main.ts')));
  });
  it('fails the bundled action with one error naming a missing required input', async () => {
    const result = await runAction(actionDir, { inputs: { cluster: 'prod' }, env: { AWS_REGION: 'us-east-1' } });
    expect(result.exitCode).not.toBe(0);
    expect(result.errors).toEqual([expect.stringMatching(/^Input 'task-definition' is required but was empty or not set/)]);
  });
});

describe('run-task against the simulator', () => {
  it('runs the command in the service network, streams its logs and succeeds on exit code 0', async () => {
    const td = await setup('ok');
    const result = await run(td);
    expect(result.exitCode).toBe(0);
    expect(result.outputs['exit-code']).toBe('0');
    expect(result.outputs['task-arn']).toMatch(/^arn:aws:ecs:us-east-1:123456789012:task\/prod\//);
    expect(result.log).toContain('| Migrating: 2026_01_01_000000_create_users_table');
    expect(result.log).toContain('| Migrated: 2026_01_01_000000_create_users_table');
  });

  it("fails with the essential container's exit code and shows its output", async () => {
    const td = await setup('fails');
    const result = await run(td);
    expect(result.exitCode).toBe(3);
    expect(result.outputs['exit-code']).toBe('3');
    expect(result.log).toContain('| SQLSTATE[HY000] [2002] Connection refused');
    expect(result.errors).toEqual([expect.stringMatching(/Container 'web' of task \w+ exited with code 3/)]);
  });

  it('reports CannotPullContainerError when the image does not exist', async () => {
    const td = await setup('missing');
    const result = await run(td);
    expect(result.exitCode).toBe(1);
    expect(result.errors).toEqual([expect.stringMatching(/stopped before container 'web' ran: .*CannotPullContainerError/)]);
  });

  it('rejects an unknown container before running anything', async () => {
    const td = await setup('ok');
    sim!.control.resetCallCounts();
    const result = await run(td, { container: 'wbe' });
    expect(result.exitCode).toBe(1);
    expect(result.errors).toEqual([expect.stringMatching(/has no container named 'wbe'.*Its containers are: web/)]);
    expect(sim!.control.callCounts()['ecs:RunTask'] ?? 0).toBe(0);
  });
});
