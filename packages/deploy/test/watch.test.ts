import { describe, expect, it, beforeEach } from '@jest/globals';
import {
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  type Deployment,
  type Service,
  type ServiceDeployment,
  type Task,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { decide, rollbackState, stoppedTaskReasons, type RolloutSnapshot } from '../src/service/decide.js';
import { watchRollout } from '../src/service/watch.js';
import { fakeClock, memoryLogger } from './helpers.js';

const SD_ARN = 'arn:aws:ecs:us-east-1:123456789012:service-deployment/prod/web/NEWdeploy123';
const OLD_TD = 'arn:aws:ecs:us-east-1:123456789012:task-definition/app:6';
const NEW_TD = 'arn:aws:ecs:us-east-1:123456789012:task-definition/app:7';
const TD_5 = 'arn:aws:ecs:us-east-1:123456789012:task-definition/app:5';
const REV_5 = 'arn:aws:ecs:us-east-1:123456789012:service-revision/prod/web/5555';
const REV_7 = 'arn:aws:ecs:us-east-1:123456789012:service-revision/prod/web/7777';
const id = { deploymentId: 'ecs-svc/222', serviceDeploymentArn: SD_ARN };

const dep = (over: Partial<Deployment>): Deployment => ({ id: 'ecs-svc/222', status: 'PRIMARY', taskDefinition: NEW_TD, desiredCount: 2, runningCount: 0, pendingCount: 0, failedTasks: 0, rolloutState: 'IN_PROGRESS', ...over });
const oldDep = (over: Partial<Deployment> = {}): Deployment => ({ id: 'ecs-svc/111', status: 'ACTIVE', taskDefinition: OLD_TD, desiredCount: 2, runningCount: 2, rolloutState: 'COMPLETED', ...over });
const svc = (deployments: Deployment[], over: Partial<Service> = {}): Service => ({
  serviceName: 'web',
  taskDefinition: deployments.find((d) => d.status === 'PRIMARY')?.taskDefinition,
  currentServiceDeployment: SD_ARN,
  deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } },
  deployments,
  events: [],
  ...over,
});
const sd = (over: Partial<ServiceDeployment>): ServiceDeployment => ({ serviceDeploymentArn: SD_ARN, status: 'IN_PROGRESS', deploymentCircuitBreaker: { status: 'MONITORING', failureCount: 0, threshold: 3 }, ...over });
const snap = (service: Service, serviceDeployment?: ServiceDeployment, tasks: Task[] = []): RolloutSnapshot => ({ at: 0, service, serviceDeployment, tasks });

describe('decide', () => {
  it('keeps going while the rollout is in progress', () => {
    expect(decide(snap(svc([dep({ runningCount: 1 }), oldDep()]), sd({})), id)).toEqual({ state: 'in-progress' });
  });
  it('fails as soon as DescribeServices marks our deployment FAILED, before the rollback finishes', () => {
    const d = decide(snap(svc([dep({ rolloutState: 'FAILED', rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.' }), oldDep()]), sd({ status: 'IN_PROGRESS' })), id);
    expect(d).toEqual({ state: 'failed', reason: 'ECS deployment circuit breaker: tasks failed to start.', rollingBack: true });
  });
  it('does not count on a rollback when ECS STOPPED the deployment (an alarm with rollback off), circuit breaker or not', () => {
    const failed = dep({ rolloutState: 'FAILED', rolloutStateReason: 'ECS deployment failed: alarm(s) web-5xx in ALARM state.' });
    expect(decide(snap(svc([failed, oldDep()]), sd({ status: 'STOPPED' })), id)).toEqual({ state: 'failed', reason: 'ECS deployment failed: alarm(s) web-5xx in ALARM state.', rollingBack: false });
  });
  it('fails when the service deployment enters a rollback status', () => {
    for (const status of ['ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS', 'ROLLBACK_SUCCESSFUL'] as const) {
      expect(decide(snap(svc([dep({}), oldDep()]), sd({ status, rollback: { reason: 'Circuit breaker triggered' } })), id)).toMatchObject({ state: 'failed', reason: 'Circuit breaker triggered' });
    }
  });
  it('succeeds on SUCCESSFUL or on a completed primary with every task running', () => {
    expect(decide(snap(svc([dep({ rolloutState: 'COMPLETED', runningCount: 2 })]), sd({ status: 'SUCCESSFUL' })), id)).toEqual({ state: 'success' });
    expect(decide(snap(svc([dep({ rolloutState: 'COMPLETED', runningCount: 2 })])), { deploymentId: id.deploymentId }), ).toEqual({ state: 'success' });
    expect(decide(snap(svc([dep({ rolloutState: 'COMPLETED', runningCount: 1 })])), { deploymentId: id.deploymentId })).toEqual({ state: 'in-progress' });
  });
  it('fails a completed deployment whose failures reached the breaker threshold (a crash loop ECS calls complete)', () => {
    const looping = svc([dep({ rolloutState: 'COMPLETED', runningCount: 2, failedTasks: 788 })]);
    const d = decide(snap(looping, sd({ status: 'SUCCESSFUL', deploymentCircuitBreaker: { status: 'MONITORING_COMPLETE', failureCount: 0, threshold: 3 } })), id);
    expect(d).toMatchObject({ state: 'failed', rollingBack: false });
    expect(d.state === 'failed' && d.reason).toContain("788 of its tasks failed or exited after starting (the circuit breaker's threshold is 3)");
  });
  it('counts tasks that exited after reaching RUNNING, which ECS does not count as failed', () => {
    const crashed = (n: number): Task[] =>
      Array.from({ length: n }, (_, i) => ({ taskArn: `arn:aws:ecs:us-east-1:123456789012:task/prod/t${i}`, lastStatus: 'STOPPED', stopCode: 'EssentialContainerExited', startedBy: 'ecs-svc/222' }));
    const allUp = svc([dep({ rolloutState: 'COMPLETED', runningCount: 2, failedTasks: 0 })]);
    const d = decide(snap(allUp, sd({ status: 'IN_PROGRESS' }), crashed(4)), id);
    expect(d).toMatchObject({ state: 'failed' });
    expect(d.state === 'failed' && d.reason).toContain('4 of its tasks failed or exited after starting');
    // One crash below the threshold: not settled at the poll that first sees it, success once it stays alone.
    expect(decide(snap(allUp, sd({ status: 'SUCCESSFUL' }), crashed(1)), id)).toEqual({ state: 'in-progress' });
    expect(decide(snap(allUp, sd({ status: 'SUCCESSFUL' }), crashed(1)), id, snap(allUp, sd({}), crashed(1)))).toEqual({ state: 'success' });
    // Completed but not every task running: keep watching.
    expect(decide(snap(svc([dep({ rolloutState: 'COMPLETED', runningCount: 0 })]), sd({ status: 'SUCCESSFUL' })), id)).toEqual({ state: 'in-progress' });
  });
  it('reports a deployment replaced by a newer one as superseded, naming it', () => {
    const other = 'arn:aws:ecs:us-east-1:123456789012:service-deployment/prod/web/OTHER999';
    const d = decide(snap(svc([dep({ id: 'ecs-svc/333', taskDefinition: 'app:8' }), dep({ status: 'ACTIVE' })], { currentServiceDeployment: other }), sd({ status: 'STOPPED' })), id);
    expect(d).toEqual({ state: 'superseded', by: other });
  });
  it('knows when a rollback has finished and where the service is', () => {
    const rolledBack = snap(svc([oldDep({ status: 'PRIMARY', id: 'ecs-svc/444' })], { taskDefinition: OLD_TD }), sd({ status: 'ROLLBACK_SUCCESSFUL' }));
    expect(rollbackState(rolledBack, id)).toEqual({ done: true, ok: true, taskDefinition: OLD_TD });
    expect(rollbackState(snap(svc([dep({ rolloutState: 'FAILED' }), oldDep({ status: 'PRIMARY', id: 'ecs-svc/444', rolloutState: 'IN_PROGRESS' })]), sd({ status: 'ROLLBACK_IN_PROGRESS' })), id).done).toBe(false);
  });
  it('explains stopped tasks with exit codes and reasons', () => {
    const lines = stoppedTaskReasons([
      { taskArn: 'arn:task/prod/abc', lastStatus: 'STOPPED', stoppedReason: 'Essential container in task exited', stoppedAt: new Date(2), containers: [{ name: 'web', exitCode: 137, reason: 'OutOfMemoryError: Container killed due to memory usage' }] },
      { taskArn: 'arn:task/prod/def', lastStatus: 'RUNNING' },
    ]);
    expect(lines).toEqual(['task abc stopped: Essential container in task exited; web: exit code 137 (OutOfMemoryError: Container killed due to memory usage)']);
  });
});

const ecsMock = mockClient(ECSClient);
const ecs = new ECSClient({ region: 'us-east-1' });

/** Serves a scripted sequence of (service, service deployment, tasks) states, one per poll. */
function script(states: { service: Service; sd?: ServiceDeployment; tasks?: Task[]; throttle?: boolean }[]) {
  // Each poll sends DescribeServiceDeployments and DescribeServices (in parallel): the first of the two
  // moves the script on.
  let i = -1;
  let calls = 0;
  let current = states[0]!;
  const step = () => {
    if (calls++ % 2 === 0) {
      i = Math.min(i + 1, states.length - 1);
      current = states[i]!;
    }
  };
  ecsMock.on(DescribeServicesCommand).callsFake(() => {
    step();
    if (current.throttle) throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
    return { services: [current.service] };
  });
  ecsMock.on(DescribeServiceDeploymentsCommand).callsFake(() => {
    step();
    return { serviceDeployments: current.sd ? [current.sd] : [] };
  });
  ecsMock.on(ListTasksCommand).callsFake((input) => ({ taskArns: (current.tasks ?? []).filter((t) => (input.desiredStatus === 'STOPPED') === (t.lastStatus === 'STOPPED')).map((t) => t.taskArn!) }));
  ecsMock.on(DescribeTasksCommand).callsFake((input) => ({ tasks: (current.tasks ?? []).filter((t) => input.tasks.includes(t.taskArn!)) }));
  ecsMock.on(DescribeServiceRevisionsCommand).callsFake((input) => ({ serviceRevisions: input.serviceRevisionArns.map((arn: string) => ({ serviceRevisionArn: arn, taskDefinition: arn === REV_5 ? TD_5 : arn === REV_7 ? NEW_TD : OLD_TD })) }));
  return { polls: () => i + 1 };
}

const watchOptions = (over = {}) => ({
  ecs,
  clock: fakeClock(),
  logger: memoryLogger(),
  cluster: 'prod',
  service: 'web',
  identity: { ...id, taskDefinitionArn: NEW_TD },
  pollMs: 5000,
  timeoutMs: 600_000,
  waitForRollback: false,
  ...over,
});

const task = (n: string, over: Partial<Task>): Task => ({ taskArn: `arn:aws:ecs:us-east-1:123456789012:task/prod/${n}`, startedBy: 'ecs-svc/222', taskDefinitionArn: NEW_TD, ...over });

describe('watchRollout', () => {
  beforeEach(() => {
    ecsMock.reset();
  });

  it('streams events, task changes and the circuit breaker count, and fails on the first poll that shows FAILED', async () => {
    const crashed = task('t1', { lastStatus: 'STOPPED', stoppedReason: 'Essential container in task exited', containers: [{ name: 'web', exitCode: 1, reason: undefined }] });
    const { polls } = script([
      { service: svc([dep({}), oldDep()], { events: [{ id: 'e0', message: 'old event' }] }), sd: sd({}), tasks: [task('t1', { lastStatus: 'PROVISIONING' })] },
      { service: svc([dep({ failedTasks: 1 }), oldDep()], { events: [{ id: 'e1', message: '(service web) has started 1 tasks: (task t1).' }, { id: 'e0', message: 'old event' }] }), sd: sd({ deploymentCircuitBreaker: { failureCount: 1, threshold: 3 } }), tasks: [crashed] },
      {
        service: svc([dep({ failedTasks: 3, rolloutState: 'FAILED', rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.' }), oldDep()]),
        sd: sd({ status: 'ROLLBACK_REQUESTED', rollback: { reason: 'circuit breaker', serviceRevisionArn: REV_5 }, deploymentCircuitBreaker: { status: 'TRIGGERED', failureCount: 3, threshold: 3 } }),
        tasks: [crashed],
      },
      { service: svc([oldDep({ status: 'PRIMARY' })]), sd: sd({ status: 'ROLLBACK_SUCCESSFUL' }) },
    ]);
    const options = watchOptions({ knownEventIds: ['e0'] });
    const result = await watchRollout(options);
    // The rollback target is the revision ECS names (app:5, the last completed one), not the one the
    // service showed before the deploy (app:6, itself an unfinished deployment).
    expect(result).toMatchObject({ outcome: 'failed', reason: 'ECS deployment circuit breaker: tasks failed to start.', rolledBackTo: TD_5, rollbackFinished: false, rollbackBy: 'ecs' });
    expect(polls()).toBe(3);
    const log = options.logger.text();
    expect(log).not.toContain('old event');
    expect(log).toContain('[event] (service web) has started 1 tasks');
    expect(log).toContain('[task] t1 PROVISIONING → STOPPED (Essential container in task exited)');
    expect(log).toContain('[circuit breaker] 1 of 3 failed tasks');
    expect(log).toContain('[circuit breaker] 3 of 3 failed tasks (TRIGGERED)');
    expect(log).toContain('WARN   task t1 stopped: Essential container in task exited; web: exit code 1');
  });

  it('waits for the rollback when asked and reports the revision the service is back on', async () => {
    script([
      { service: svc([dep({ rolloutState: 'FAILED', rolloutStateReason: 'circuit breaker' }), oldDep()]), sd: sd({ status: 'ROLLBACK_IN_PROGRESS' }) },
      { service: svc([dep({ rolloutState: 'FAILED', status: 'ACTIVE' }), oldDep({ status: 'PRIMARY', id: 'ecs-svc/444', rolloutState: 'IN_PROGRESS' })]), sd: sd({ status: 'ROLLBACK_IN_PROGRESS' }) },
      { service: svc([oldDep({ status: 'PRIMARY', id: 'ecs-svc/444' })], { taskDefinition: OLD_TD }), sd: sd({ status: 'ROLLBACK_SUCCESSFUL' }) },
    ]);
    const options = watchOptions({ waitForRollback: true });
    const result = await watchRollout(options);
    expect(result).toMatchObject({ outcome: 'failed', rolledBackTo: OLD_TD, rollbackFinished: true, polls: 3 });
    expect(options.logger.text()).toContain('Rollback finished: the service runs');
  });

  it('keeps watching through throttling and reports success', async () => {
    script([
      { service: svc([dep({ runningCount: 1 }), oldDep()]), sd: sd({}) },
      { service: svc([]), throttle: true },
      { service: svc([]), throttle: true },
      { service: svc([dep({ runningCount: 2, rolloutState: 'COMPLETED' })]), sd: sd({ status: 'SUCCESSFUL' }) },
    ]);
    const options = watchOptions();
    const result = await watchRollout(options);
    expect(result).toMatchObject({ outcome: 'success', pollErrors: 2, polls: 2 });
    expect(options.logger.text()).toMatch(/Poll failed \(ThrottlingException: Rate exceeded\); polling again in 5s/);
    expect(options.clock.sleeps.every((ms) => ms === 5000)).toBe(true);
  });

  it('times out with a description of where everything is', async () => {
    script([{ service: svc([dep({ runningCount: 1, pendingCount: 1 }), oldDep()]), sd: sd({}) }]);
    const result = await watchRollout(watchOptions({ timeoutMs: 30_000 }));
    expect(result.outcome).toBe('timeout');
    expect(result.reason).toBe('service deployment IN_PROGRESS; rollout IN_PROGRESS, 1/2 running, 1 pending, 0 failed; 2 deployment(s) on the service');
    expect(result.polls).toBe(6);
  });

  it('stops when cancelled and says what state the rollout is in', async () => {
    script([{ service: svc([dep({ runningCount: 1 }), oldDep()]), sd: sd({}) }]);
    const controller = new AbortController();
    const clock = fakeClock();
    const sleep = clock.sleep;
    clock.sleep = async (ms, signal) => {
      await sleep(ms, signal);
      if (clock.sleeps.length === 2) controller.abort();
    };
    const result = await watchRollout(watchOptions({ clock, signal: controller.signal }));
    expect(result).toMatchObject({ outcome: 'cancelled', polls: 2 });
    expect(result.reason).toMatch(/rollout IN_PROGRESS, 1\/2 running/);
  });

  it('rethrows errors a user must fix instead of polling on', async () => {
    ecsMock.on(DescribeServicesCommand).rejects(Object.assign(new Error('not authorized'), { name: 'UserError' }));
    ecsMock.on(DescribeServiceDeploymentsCommand).resolves({ serviceDeployments: [] });
    await expect(watchRollout(watchOptions())).rejects.toThrow('not authorized');
  });
});
