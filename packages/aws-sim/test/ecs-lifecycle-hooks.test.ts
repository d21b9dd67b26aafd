// Lifecycle hooks of ECS-native deployments: Lambda hooks (answered through the simulator's control API,
// since it runs no Lambda) and PAUSE hooks with ContinueServiceDeployment, on a service without a load
// balancer ("can also use blue/green deployments, but don't get any of the managed traffic shifting").
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-lifecycle-hooks.html
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/lambda-lifecycle-hooks.html
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/pause-lifecycle-hooks.html
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/continue-service-deployment.html
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContinueServiceDeployment.html
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentLifecycleHookDetail.html
import { afterAll, beforeAll, describe as suite, expect, it } from '@jest/globals';
import { ContinueServiceDeploymentCommand, CreateClusterCommand, DescribeServicesCommand, UpdateServiceCommand, type DeploymentLifecycleHook } from '@aws-sdk/client-ecs';
import { createWebService, describeDeployment, lambdaArn, LAMBDA_ROLE, latestDeployment, sequence, startStrategyHarness, watch, webRevision, type StrategyHarness } from './strategy-harness.js';

suite('ECS deployment lifecycle hooks', () => {
  let h: StrategyHarness;
  let n = 0;
  beforeAll(async () => {
    h = await startStrategyHarness();
    await h.ecs.send(new CreateClusterCommand({ clusterName: 'prod' }));
  });
  afterAll(() => h.stop());

  async function deployV2(lifecycleHooks: DeploymentLifecycleHook[]) {
    const family = `hk${++n}`;
    const v1 = await webRevision(h, family, 'v1');
    await createWebService(h, 'prod', family, v1, { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 0, lifecycleHooks });
    await h.advance(60);
    const v2 = await webRevision(h, family, 'v2');
    await h.ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: family, taskDefinition: v2 }));
    return { family, v1, v2, started: await latestDeployment(h.ecs, 'prod', family) };
  }

  it('a Lambda hook answering IN_PROGRESS is invoked again after its callback delay, and SUCCEEDED moves on', async () => {
    const fn = lambdaArn('integration-tests');
    await h.sim.control.setHookOutcome!({ hookTargetArn: fn, outcome: 'IN_PROGRESS', callbackDelaySeconds: 60 });
    const { started, v2 } = await deployV2([{ hookTargetArn: fn, roleArn: LAMBDA_ROLE, lifecycleStages: ['POST_SCALE_UP'], hookDetails: { suite: 'smoke' } }]);
    const waiting = await watch(h, started.serviceDeploymentArn!, undefined, 200, (o) => o.stage === 'POST_SCALE_UP');
    await h.advance(150);
    let d = await describeDeployment(h.ecs, started.serviceDeploymentArn!);
    expect(d).toMatchObject({ status: 'IN_PROGRESS', lifecycleStage: 'POST_SCALE_UP' });
    expect(d.lifecycleHookDetails).toEqual([{ hookId: expect.stringMatching(/^ecs-lambda-[A-Za-z0-9_-]{43}$/), targetType: 'AWS_LAMBDA', targetArn: fn, status: 'IN_PROGRESS', expiresAt: expect.any(Date), timeoutAction: 'ROLLBACK' }]);
    // Invoked at the start of the stage and every 60 s since, with the documented payload.
    const { invocations } = await h.sim.control.hookInvocations!({ hookTargetArn: fn });
    expect(invocations).toHaveLength(3);
    expect(invocations[0]).toMatchObject({
      lifecycleStage: 'POST_SCALE_UP',
      answer: 'IN_PROGRESS',
      payload: { serviceArn: started.serviceArn, targetServiceRevisionArn: started.targetServiceRevision!.arn, hookDetails: { suite: 'smoke' }, productionTrafficWeights: { [started.sourceServiceRevisions![0]!.arn!]: 100, [started.targetServiceRevision!.arn!]: 0 } },
    });
    expect(Date.parse(invocations[1].invokedAt) - Date.parse(invocations[0].invokedAt)).toBe(60_000);
    await h.sim.control.setHookOutcome!({ hookTargetArn: fn, outcome: 'SUCCEEDED' });
    const rest = await watch(h, started.serviceDeploymentArn!, undefined, 200);
    expect(rest.at(-1)!.status).toBe('SUCCESSFUL');
    d = await describeDeployment(h.ecs, started.serviceDeploymentArn!);
    expect(d.lifecycleHookDetails![0]!.status).toBe('SUCCEEDED');
    expect(sequence([...waiting, ...rest].map((o) => o.stage))).toContain('BAKE_TIME');
    const service = (await h.ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: [started.serviceArn!] }))).services![0]!;
    expect(service.taskDefinition).toBe(v2);
  }, 60_000);

  it('a Lambda hook that never answers times out and takes its timeout action (CONTINUE here)', async () => {
    const fn = lambdaArn('never-answers');
    const { started } = await deployV2([{ hookTargetArn: fn, roleArn: LAMBDA_ROLE, lifecycleStages: ['PRE_SCALE_UP'], timeoutConfiguration: { timeoutInMinutes: 5, action: 'CONTINUE' } }]);
    await h.advance(4 * 60);
    let d = await describeDeployment(h.ecs, started.serviceDeploymentArn!);
    expect(d).toMatchObject({ status: 'IN_PROGRESS', lifecycleStage: 'PRE_SCALE_UP' });
    expect(d.lifecycleHookDetails![0]).toMatchObject({ status: 'IN_PROGRESS', timeoutAction: 'CONTINUE' });
    expect(d.lifecycleHookDetails![0]!.expiresAt!.getTime() - d.createdAt!.getTime()).toBe(5 * 60_000);
    await h.advance(61);
    d = await describeDeployment(h.ecs, started.serviceDeploymentArn!);
    expect(d.lifecycleHookDetails![0]!.status).toBe('TIMED_OUT');
    expect(d.lifecycleStage).not.toBe('PRE_SCALE_UP');
    const rest = await watch(h, started.serviceDeploymentArn!, undefined, 200);
    expect(rest.at(-1)!.status).toBe('SUCCESSFUL');
  }, 60_000);

  it('a PAUSE hook waits in AWAITING_ACTION until ContinueServiceDeployment CONTINUE', async () => {
    const { started } = await deployV2([{ targetType: 'PAUSE', lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'], timeoutConfiguration: { timeoutInMinutes: 10, action: 'ROLLBACK' } }]);
    await watch(h, started.serviceDeploymentArn!, undefined, 200, (o) => o.stage === 'POST_TEST_TRAFFIC_SHIFT');
    await h.advance(5 * 60);
    let d = await describeDeployment(h.ecs, started.serviceDeploymentArn!);
    expect(d).toMatchObject({ status: 'IN_PROGRESS', lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT' });
    const hook = d.lifecycleHookDetails![0]!;
    // A pause hook has no target ARN.
    expect(hook).toEqual({ hookId: expect.stringMatching(/^ecs-pause-[A-Za-z0-9_-]{43}$/), targetType: 'PAUSE', status: 'AWAITING_ACTION', expiresAt: expect.any(Date), timeoutAction: 'ROLLBACK' });
    const out = await h.ecs.send(new ContinueServiceDeploymentCommand({ serviceDeploymentArn: started.serviceDeploymentArn!, hookId: hook.hookId! }));
    expect(out.serviceDeploymentArn).toBe(started.serviceDeploymentArn);
    // The hook is no longer awaiting action: a second call is refused.
    await expect(h.ecs.send(new ContinueServiceDeploymentCommand({ serviceDeploymentArn: started.serviceDeploymentArn!, hookId: hook.hookId!, action: 'ROLLBACK' }))).rejects.toMatchObject({ name: 'InvalidParameterException', message: expect.stringMatching(/SUCCEEDED; only a hook in AWAITING_ACTION/) });
    const rest = await watch(h, started.serviceDeploymentArn!, undefined, 200);
    expect(rest.at(-1)!.status).toBe('SUCCESSFUL');
    d = await describeDeployment(h.ecs, started.serviceDeploymentArn!);
    expect(d.lifecycleHookDetails![0]!.status).toBe('SUCCEEDED');
  }, 60_000);

  it('ContinueServiceDeployment ROLLBACK on a PAUSE hook rolls back; an unanswered PAUSE hook times out into its action', async () => {
    const first = await deployV2([{ targetType: 'PAUSE', lifecycleStages: ['POST_SCALE_UP'] }]);
    await watch(h, first.started.serviceDeploymentArn!, undefined, 200, (o) => o.stage === 'POST_SCALE_UP');
    const hookId = (await describeDeployment(h.ecs, first.started.serviceDeploymentArn!)).lifecycleHookDetails![0]!.hookId!;
    await h.ecs.send(new ContinueServiceDeploymentCommand({ serviceDeploymentArn: first.started.serviceDeploymentArn!, hookId, action: 'ROLLBACK' }));
    const rolled = await watch(h, first.started.serviceDeploymentArn!, undefined, 200);
    expect(sequence(rolled.map((o) => o.status))).toEqual(['ROLLBACK_IN_PROGRESS', 'ROLLBACK_SUCCESSFUL']);
    const d = await describeDeployment(h.ecs, first.started.serviceDeploymentArn!);
    expect(d.rollback).toMatchObject({ reason: expect.stringMatching(/ContinueServiceDeployment/), serviceRevisionArn: first.started.sourceServiceRevisions![0]!.arn });

    // Default timeout: 1440 minutes, then the default action ROLLBACK.
    const second = await deployV2([{ targetType: 'PAUSE', lifecycleStages: ['PRE_SCALE_UP'] }]);
    await h.advance(1439 * 60);
    expect((await describeDeployment(h.ecs, second.started.serviceDeploymentArn!)).lifecycleHookDetails![0]).toMatchObject({ status: 'AWAITING_ACTION', timeoutAction: 'ROLLBACK' });
    await h.advance(61);
    const timedOut = await describeDeployment(h.ecs, second.started.serviceDeploymentArn!);
    expect(timedOut.lifecycleHookDetails![0]!.status).toBe('TIMED_OUT');
    expect(['ROLLBACK_IN_PROGRESS', 'ROLLBACK_SUCCESSFUL']).toContain(timedOut.status);
  }, 60_000);

  it('ContinueServiceDeployment names the service deployment and the hook it could not find', async () => {
    await expect(h.ecs.send(new ContinueServiceDeploymentCommand({ serviceDeploymentArn: 'arn:aws:ecs:us-east-1:123456789012:service-deployment/prod/x/nope', hookId: 'ecs-pause-x' }))).rejects.toMatchObject({
      name: 'ServiceDeploymentNotFoundException',
    });
    const { started } = await deployV2([]);
    await expect(h.ecs.send(new ContinueServiceDeploymentCommand({ serviceDeploymentArn: started.serviceDeploymentArn!, hookId: 'ecs-pause-missing' }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: 'The service deployment has no lifecycle hook ecs-pause-missing.',
    });
  });
});
