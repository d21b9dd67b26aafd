import { afterEach, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { RegisterTaskDefinitionCommand, UpdateServiceCommand, DescribeTaskDefinitionCommand, DescribeServicesCommand } from '@aws-sdk/client-ecs';
import type { Simulator } from '@gantry/aws-sim';
import { runAction, type ActionRun, type RunOptions } from '@gantry/local-runner';
import { startWithService } from './sim-fixture.js';

// The bundled action against the simulator, as a runner would run it. Simulated time runs 60x faster
// than real time, so a 5 s task start takes under 0.1 s; polls are 500 ms apart.
const actionDir = join(import.meta.dirname, '..');
let sim: Simulator | undefined;

afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

async function setup() {
  const fixture = await startWithService();
  sim = fixture.sim;
  return fixture;
}

function deploy(taskDefinition: string, extra: Partial<RunOptions> & { inputs?: RunOptions['inputs'] } = {}): Promise<ActionRun> {
  return runAction(actionDir, {
    ...extra,
    inputs: { cluster: 'prod', service: 'web', 'task-definition': taskDefinition, 'poll-interval': '500ms', timeout: '2m', ...extra.inputs },
    env: sim!.env,
    timeoutMs: 90_000,
  });
}

const revision = (arn: string) => arn.split('/').pop();

describe('deploy-service against the simulator', () => {
  it('reports a healthy rollout as success with outputs and a summary', async () => {
    const { register } = await setup();
    const v2 = await register('v2');
    const run = await deploy(v2);
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({ status: 'success', 'task-definition-arn': v2, 'rolled-back-to': '' });
    expect(run.outputs['deployment-id']).toMatch(/^[\w-]+$/);
    expect(Number(run.outputs['duration-seconds'])).toBeGreaterThanOrEqual(0);
    expect(run.log).toContain('[deployment] SUCCESSFUL');
    expect(run.summary).toContain('| web | app:1 → app:2 |');
    expect(run.summary).toContain(`https://console.aws.amazon.com/ecs/v2/clusters/prod/services/web/deployments/${run.outputs['deployment-id']}?region=us-east-1`);
    expect(run.summary).toMatch(/web: `sha256:[a-f0-9]{64}`/);
  });

  it('fails a crash loop caught by the circuit breaker, prints why, and reports the rollback', async () => {
    const { register } = await setup();
    const crash = await register('crash');
    const run = await deploy(crash, { inputs: { 'wait-for-rollback': 'true' } });
    expect(run.exitCode).toBe(1);
    expect(run.outputs).toMatchObject({ status: 'failed', 'task-definition-arn': crash });
    expect(revision(run.outputs['rolled-back-to']!)).toBe('app:1');
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(/Deployment of app:2 to 'web' failed: ECS deployment circuit breaker.*rolled the service back to app:1/);
    expect(run.log).toMatch(/web: exit code 137/);
    expect(run.log).toMatch(/\[circuit breaker\] \d+ of 3 failed tasks \(TRIGGERED\)/);
    expect(run.log).toContain('Rollback finished');
  });

  it('fails without waiting for the rollback by default, naming its target', async () => {
    const { register } = await setup();
    const run = await deploy(await register('crash'));
    expect(run.exitCode).toBe(1);
    expect(revision(run.outputs['rolled-back-to']!)).toBe('app:1');
    expect(run.errors[0]).toMatch(/is rolling the service back to app:1/);
    expect(run.log).not.toContain('Rollback finished');
  });

  it('fails a deployment whose tasks fail their health check', async () => {
    const { register } = await setup();
    const run = await deploy(await register('unhealthy'));
    expect(run.exitCode).toBe(1);
    expect(run.outputs.status).toBe('failed');
    expect(run.log).toMatch(/health ?check/i);
  });

  it('reports CannotPullContainerError for an image that does not exist', async () => {
    const { register } = await setup();
    const run = await deploy(await register('missing'));
    expect(run.exitCode).toBe(1);
    expect(run.outputs.status).toBe('failed');
    expect(run.log).toContain('CannotPullContainerError');
  });

  it('reports a deployment replaced by another one as superseded', async () => {
    const { register, ecs } = await setup();
    const slow = await register('slow');
    const v3 = await register('v3');
    let replaced: Promise<unknown> | undefined;
    const run = await deploy(slow, {
      onLog: (_chunk, { log }) => {
        if (!replaced && log.includes('[rollout]')) replaced = ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: 'web', taskDefinition: v3 }));
      },
    });
    await replaced;
    expect(run.exitCode).toBe(2);
    expect(run.outputs.status).toBe('superseded');
    expect(run.errors[0]).toMatch(/was superseded: another deployment replaced ours: arn:aws:ecs:us-east-1:123456789012:service-deployment\/prod\/web\//);
  });

  it('times out and says what state the rollout is in', async () => {
    const { register } = await setup();
    const run = await deploy(await register('slow'), { inputs: { timeout: '3s' } });
    expect(run.exitCode).toBe(3);
    expect(run.outputs.status).toBe('timeout');
    expect(run.errors[0]).toMatch(/did not finish within the timeout: service deployment IN_PROGRESS; rollout IN_PROGRESS, 0\/2 running/);
  });

  it('keeps watching through 30% throttled calls and succeeds', async () => {
    const { register } = await setup();
    const v2 = await register('v2');
    sim!.control.setFaults({ throttleRate: 0.3 });
    const run = await deploy(v2);
    sim!.control.setFaults({});
    expect(run.exitCode).toBe(0);
    expect(run.outputs.status).toBe('success');
    expect(run.errors).toEqual([]);
  });

  it('stops watching on cancellation and prints the state report', async () => {
    const { register } = await setup();
    const run = await deploy(await register('slow'), { onLog: (_chunk, { log }) => log.includes('[rollout]') });
    expect(run.exitCode).toBe(4);
    expect(run.outputs.status).toBe('cancelled');
    expect(run.log).toContain('Received SIGINT: stopping the watch');
    expect(run.log).toMatch(/Outcome: cancelled — service deployment IN_PROGRESS/);
    expect(run.errors[0]).toMatch(/cancelled; ECS continues the rollout/);
  });

  it('rejects an unknown service with one clear error and changes nothing', async () => {
    const { register } = await setup();
    const v2 = await register('v2');
    sim!.control.resetCallCounts();
    const run = await deploy(v2, { inputs: { service: 'wbe' } });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([expect.stringMatching(/Service 'wbe' was not found in cluster 'prod'/)]);
    expect(sim!.control.callCounts()['ecs:UpdateService'] ?? 0).toBe(0);
  });

  it('names the IAM action a least-privilege role lacks and leaves the service as it was', async () => {
    const { register, ecs } = await setup();
    const v2 = await register('v2');
    sim!.control.setFaults({ deny: ['ecs:UpdateService'] });
    const run = await deploy(v2);
    sim!.control.setFaults({});
    expect(run.exitCode).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(/AWS denied ecs:UpdateService \(HTTP 400, request id [^)]*\): .*Allow 'ecs:UpdateService' in the IAM policy/);
    const [service] = (await ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['web'] }))).services ?? [];
    expect(service?.taskDefinition).toMatch(/task-definition\/app:1$/);
  });

  it('rejects a task definition that does not exist and changes nothing', async () => {
    await setup();
    sim!.control.resetCallCounts();
    const run = await deploy('app:99');
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([expect.stringMatching(/Task definition 'app:99' does not exist/)]);
    expect(sim!.control.callCounts()['ecs:UpdateService'] ?? 0).toBe(0);
  });
});
