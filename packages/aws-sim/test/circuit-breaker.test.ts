import { afterAll, beforeAll, describe as suite, expect, it } from '@jest/globals';
import { CreateClusterCommand, DescribeServiceDeploymentsCommand, UpdateServiceCommand, type DeploymentCircuitBreaker, type ECSClient } from '@aws-sdk/client-ecs';
import { failureThreshold } from '../src/ecs/circuit-breaker.js';
import { createService, describe, REGISTRY, registerWeb, seed, startEcsHarness, type EcsHarness } from './ecs-harness.js';

// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ThresholdConfiguration.html
suite('failureThreshold (the documented formula)', () => {
  it.each([
    [1, 3],
    [4, 3],
    [6, 3],
    [7, 4],
    [10, 5],
    [399, 200],
    [400, 200],
    [1000, 200],
  ])('BOUNDED_PERCENT 50 of desired %i is %i (0.5 × desired, min 3, max 200)', (desired, expected) => {
    expect(failureThreshold(undefined, desired)).toBe(expected);
    expect(failureThreshold({ enable: true, rollback: true, thresholdConfiguration: { type: 'BOUNDED_PERCENT', value: 50 } }, desired)).toBe(expected);
  });
  it('UNBOUNDED_PERCENT drops the bounds and COUNT is the value itself', () => {
    expect(failureThreshold({ enable: true, rollback: true, thresholdConfiguration: { type: 'UNBOUNDED_PERCENT', value: 50 } }, 1000)).toBe(500);
    expect(failureThreshold({ enable: true, rollback: true, thresholdConfiguration: { type: 'UNBOUNDED_PERCENT', value: 50 } }, 1)).toBe(1);
    expect(failureThreshold({ enable: true, rollback: true, thresholdConfiguration: { type: 'COUNT', value: 7 } }, 1000)).toBe(7);
  });
});

interface Trip {
  threshold: number;
  failureCountAtTrip: number;
  maxFailureCountBefore: number;
  rollbackStatus?: string;
  events: string[];
}

/**
 * Deploys a good revision, then a revision whose container exits while starting, and steps the clock
 * one simulated second at a time, watching the service deployment's circuit breaker.
 */
async function deployBad(h: EcsHarness, ecs: ECSClient, name: string, desired: number, cb: DeploymentCircuitBreaker, maximumPercent = 200): Promise<Trip> {
  const good = await registerWeb(ecs, `${name}`, `${REGISTRY}/cb:good`);
  await createService(ecs, 'cb', name, good, desired, { minimumHealthyPercent: 100, maximumPercent, deploymentCircuitBreaker: cb });
  await h.advance(20);
  expect((await describe(ecs, 'cb', name)).deployments![0]!.rolloutState).toBe('COMPLETED');
  const bad = await registerWeb(ecs, `${name}`, `${REGISTRY}/cb:crash`);
  const updated = await ecs.send(new UpdateServiceCommand({ cluster: 'cb', service: name, taskDefinition: bad }));
  const arn = updated.service!.currentServiceDeployment!;
  let maxBefore = 0;
  for (let i = 0; i < 600; i++) {
    await h.advance(1);
    const sd = (await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }))).serviceDeployments![0]!;
    const breaker = sd.deploymentCircuitBreaker!;
    if (breaker.status === 'TRIGGERED') {
      const s = await describe(ecs, 'cb', name);
      return { threshold: breaker.threshold!, failureCountAtTrip: breaker.failureCount!, maxFailureCountBefore: maxBefore, rollbackStatus: sd.status, events: s.events!.map((e) => e.message!) };
    }
    expect(sd.status).toBe('IN_PROGRESS');
    maxBefore = Math.max(maxBefore, breaker.failureCount!);
  }
  throw new Error(`circuit breaker of ${name} never tripped`);
}

suite('deployment circuit breaker against the simulator', () => {
  let h: EcsHarness;
  beforeAll(async () => {
    h = await startEcsHarness();
    await h.ecs.send(new CreateClusterCommand({ clusterName: 'cb' }));
    await seed(h.sim, 'cb', ['good']);
    await seed(h.sim, 'cb', ['crash']);
    h.sim.control.setImageBehaviour('cb:crash', { exitAfterSeconds: 0, exitCode: 1 });
  });
  afterAll(() => h.stop());

  const rollback = { enable: true, rollback: true };
  it.each([
    [1, 3],
    [4, 3],
    [10, 5],
    [1000, 200],
  ])('BOUNDED_PERCENT (default): desired %i trips at %i failed tasks and rolls back', async (desired, expected) => {
    const trip = await deployBad(h, h.ecs, `bounded-${desired}`, desired, rollback);
    expect(trip.threshold).toBe(expected);
    expect(trip.failureCountAtTrip).toBe(expected);
    expect(trip.maxFailureCountBefore).toBeLessThan(expected);
    expect(trip.rollbackStatus).toBe('ROLLBACK_IN_PROGRESS');
    // DescribeServices shows the latest 100 events; with 1000 tasks the stop events push these out.
    if (desired < 100) expect(trip.events).toContainEqual(expect.stringMatching(new RegExp(`^\\(service bounded-${desired}\\) \\(deployment ecs-svc/\\d{19}\\) deployment failed: tasks failed to start\\.$`)));
    if (desired < 100) expect(trip.events).toContainEqual(expect.stringMatching(new RegExp(`^\\(service bounded-${desired}\\) rolling back to deployment ecs-svc/\\d{19}\\.$`)));
  });

  it.each([
    ['COUNT', 2, 10, 2],
    ['COUNT', 5, 1, 5],
    ['UNBOUNDED_PERCENT', 50, 1000, 500],
    ['UNBOUNDED_PERCENT', 50, 4, 2],
    ['BOUNDED_PERCENT', 20, 10, 3],
  ] as const)('%s %i with desired %i trips at %i failed tasks', async (type, value, desired, expected) => {
    const trip = await deployBad(h, h.ecs, `t-${type.toLowerCase().replace('_', '-')}-${value}-${desired}`, desired, { ...rollback, thresholdConfiguration: { type, value } });
    expect(trip.threshold).toBe(expected);
    expect(trip.failureCountAtTrip).toBe(expected);
    expect(trip.maxFailureCountBefore).toBeLessThan(expected);
  });

  it('completes the rollback to the last COMPLETED deployment', async () => {
    await deployBad(h, h.ecs, 'rb', 4, rollback);
    await h.advance(60);
    const s = await describe(h.ecs, 'cb', 'rb');
    expect(s.deployments).toHaveLength(1);
    const primary = s.deployments![0]!;
    expect(primary.rolloutState).toBe('COMPLETED');
    expect(primary.taskDefinition).toBe(s.taskDefinition);
    expect(s.taskDefinition).toMatch(/task-definition\/rb:1$/);
    expect(s.runningCount).toBe(4);
    const sd = (await h.ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [s.currentServiceDeployment!] }))).serviceDeployments![0]!;
    expect(sd.status).toBe('ROLLBACK_SUCCESSFUL');
    // The failed deployment keeps the count that tripped the breaker; the rollback's healthy tasks do not
    // reset it. https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceDeploymentCircuitBreaker.html
    expect(sd.deploymentCircuitBreaker).toEqual({ status: 'TRIGGERED', failureCount: 3, threshold: 3 });
    expect(sd.rollback).toMatchObject({ reason: 'ECS deployment circuit breaker: tasks failed to start.', serviceRevisionArn: expect.stringMatching(/:service-revision\/cb\/rb\/\d+$/) });
    expect(s.events![0]!.message).toBe('(service rb) has reached a steady state.');
  });

  it('starts the rollback at once: no restart back-off inherited from the failed deployment (README, our choice)', async () => {
    await deployBad(h, h.ecs, 'rb-fast', 4, rollback);
    // Provisioning 1 s + pull 2 s + start 5 s: the rollback's tasks run 8 s after the trip, not after a back-off.
    await h.advance(9);
    const s = await describe(h.ecs, 'cb', 'rb-fast');
    expect(s.deployments![0]!.runningCount).toBe(4);
    const sd = (await h.ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [s.currentServiceDeployment!] }))).serviceDeployments![0]!;
    expect(sd.status).toBe('ROLLBACK_SUCCESSFUL');
  });

  it('without rollback the deployment stays FAILED, launches nothing new and the old tasks keep serving', async () => {
    await deployBad(h, h.ecs, 'norb', 4, { enable: true, rollback: false });
    await h.advance(60);
    const s = await describe(h.ecs, 'cb', 'norb');
    expect(s.deployments!.map((d) => [d.status, d.rolloutState])).toEqual([
      ['PRIMARY', 'FAILED'],
      ['ACTIVE', 'COMPLETED'],
    ]);
    expect(s.deployments![0]!.rolloutStateReason).toBe('ECS deployment circuit breaker: tasks failed to start.');
    expect(s.deployments![0]!.pendingCount).toBe(0);
    expect(s.deployments![1]!.runningCount).toBe(4);
  });
});

suite('resetOnHealthyTask', () => {
  let h: EcsHarness;
  beforeAll(async () => {
    h = await startEcsHarness();
    await h.ecs.send(new CreateClusterCommand({ clusterName: 'cb' }));
    await seed(h.sim, 'cb', ['good']);
    await seed(h.sim, 'cb', ['flaky']);
    // Starts, counts as healthy, then dies: each healthy start resets a consecutive failure count.
    h.sim.control.setImageBehaviour('cb:flaky', { exitAfterSeconds: 3, exitCode: 2 });
  });
  afterAll(() => h.stop());

  async function run(name: string, resetOnHealthyTask: boolean) {
    const good = await registerWeb(h.ecs, name, `${REGISTRY}/cb:good`);
    await createService(h.ecs, 'cb', name, good, 2, { minimumHealthyPercent: 100, maximumPercent: 150, deploymentCircuitBreaker: { enable: true, rollback: false, resetOnHealthyTask } });
    await h.advance(20);
    const flaky = await registerWeb(h.ecs, name, `${REGISTRY}/cb:flaky`);
    await h.ecs.send(new UpdateServiceCommand({ cluster: 'cb', service: name, taskDefinition: flaky }));
    await h.advance(120);
    return describe(h.ecs, 'cb', name);
  }

  it('true (the default): failures separated by healthy tasks never add up to the threshold', async () => {
    const s = await run('reset-on', true);
    expect(s.deployments![0]!.rolloutState).toBe('IN_PROGRESS');
    expect(s.deployments![0]!.failedTasks).toBeGreaterThanOrEqual(3);
  });

  it('false: the same failures accumulate and trip the breaker at 3', async () => {
    const s = await run('reset-off', false);
    expect(s.deployments![0]!.rolloutState).toBe('FAILED');
  });
});
