import { afterEach, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { startSimulator, type Simulator } from '@gantry/aws-sim';
import { awslogs, createFargateService, registerFargateTaskDefinition, sdkClients, SIM_EXECUTION_ROLE_ARN, simImage } from '@gantry/aws-sim/testing';
import { iamActionFor } from '@gantry/aws';
import { actionContractProblems, iamListProblems, runAction } from '@gantry/local-runner';

const actionDir = join(import.meta.dirname, '..');
let sim: Simulator | undefined;

afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

/** Cluster `prod` with service `web` (awsvpc) and task definition `app` whose image is `app:<tag>`. */
async function setup(tag: string) {
  sim = await startSimulator({ port: 0, speed: 60 });
  const { ecs } = sdkClients(sim);
  await sim.control.seedImage!({ repositoryName: 'app', tags: ['ok', 'fails'] });
  sim.control.setImageBehaviour('app:ok', { startSeconds: 5, exitAfterSeconds: 10, exitCode: 0, logs: ['Migrating: 2026_01_01_000000_create_users_table', 'Migrated: 2026_01_01_000000_create_users_table'] });
  sim.control.setImageBehaviour('app:fails', { startSeconds: 5, exitAfterSeconds: 5, exitCode: 3, logs: ['SQLSTATE[HY000] [2002] Connection refused'] });
  const taskDefinition = await registerFargateTaskDefinition(ecs, {
    family: 'app',
    executionRoleArn: SIM_EXECUTION_ROLE_ARN,
    containerDefinitions: [{ name: 'web', image: simImage(`app:${tag}`), essential: true, logConfiguration: awslogs('/ecs/app') }],
  });
  await createFargateService(ecs, { createCluster: true, cluster: 'prod', serviceName: 'web', taskDefinition, desiredCount: 0, securityGroups: ['sg-1'] });
  return taskDefinition;
}

const run = (taskDefinition: string, inputs: Record<string, string> = {}) =>
  runAction(actionDir, { inputs: { cluster: 'prod', 'task-definition': taskDefinition, command: 'php artisan migrate --force', 'network-from-service': 'web', 'poll-interval': '500ms', ...inputs }, env: sim!.env, timeoutMs: 60_000 });

describe('run-task contract', () => {
  it('has complete metadata and README tables', async () => {
    expect(await actionContractProblems(actionDir)).toEqual([]);
  });
  it('documents exactly the IAM actions its code can send', async () => {
    expect(iamListProblems(actionDir, iamActionFor)).toEqual([]);
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
