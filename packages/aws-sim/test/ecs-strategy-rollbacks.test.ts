// Rollbacks of ECS-native BLUE_GREEN and CANARY deployments: production (and test) traffic goes back to
// blue, the service deployment goes ROLLBACK_IN_PROGRESS → ROLLBACK_SUCCESSFUL with `rollback`, and the
// field of what failed (lifecycleHookDetails, deploymentCircuitBreaker, alarms) says so.
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-blue-green.html ("quickly revert to the blue deployment")
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/lambda-lifecycle-hooks.html (FAILED rolls back)
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-circuit-breaker.html
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-alarm-failure.html
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/blue-green-deployment-how-it-works.html (alarms during bake time)
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_StopServiceDeployment.html
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceDeployment.html
import { afterAll, beforeAll, describe as suite, expect, it } from '@jest/globals';
import { PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { CreateClusterCommand, DescribeServicesCommand, StopServiceDeploymentCommand, UpdateServiceCommand, type DeploymentConfiguration, type ServiceDeployment } from '@aws-sdk/client-ecs';
import { albForBlueGreen, createWebService, describeDeployment, lambdaArn, LAMBDA_ROLE, latestDeployment, ruleWeight, sequence, startStrategyHarness, watch, webRevision, type Alb, type Observation, type StrategyHarness } from './strategy-harness.js';

type Strategy = 'BLUE_GREEN' | 'CANARY';
const strategyConfig = (strategy: Strategy): DeploymentConfiguration =>
  strategy === 'CANARY' ? { strategy, canaryConfiguration: { canaryPercent: 20, canaryBakeTimeInMinutes: 1 }, bakeTimeInMinutes: 1 } : { strategy, bakeTimeInMinutes: 1 };

suite.each(['BLUE_GREEN', 'CANARY'] as const)('%s rollbacks', (strategy) => {
  let h: StrategyHarness;
  let n = 0;
  beforeAll(async () => {
    h = await startStrategyHarness();
    await h.ecs.send(new CreateClusterCommand({ clusterName: 'prod' }));
  });
  afterAll(() => h.stop());

  /** A service on v1 behind its ALB, then an UpdateService to v2; returns the v2 service deployment. */
  async function deployV2(extra: DeploymentConfiguration = {}, before?: (family: string) => void) {
    const family = `rb${++n}`;
    const alb = await albForBlueGreen(h.elb, family);
    const v1 = await webRevision(h, family, 'v1');
    await createWebService(h, 'prod', family, v1, { ...strategyConfig(strategy), ...extra }, alb);
    await h.advance(60);
    const v2 = await webRevision(h, family, 'v2');
    before?.(family);
    await h.ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: family, taskDefinition: v2 }));
    const started = await latestDeployment(h.ecs, 'prod', family);
    return { family, alb, v1, v2, started };
  }

  /** Traffic and tasks are back on blue, and the record says it was rolled back to blue's revision. */
  async function expectRolledBack(family: string, alb: Alb, v1: string, started: ServiceDeployment, seen: Observation[], reason: RegExp) {
    expect(sequence(seen.map((o) => o.status))).toEqual(['IN_PROGRESS', 'ROLLBACK_IN_PROGRESS', 'ROLLBACK_SUCCESSFUL']);
    const d = await describeDeployment(h.ecs, started.serviceDeploymentArn!);
    expect(d.rollback).toEqual({ reason: expect.stringMatching(reason), startedAt: expect.any(Date), serviceRevisionArn: started.sourceServiceRevisions![0]!.arn });
    expect(d.finishedAt).toBeInstanceOf(Date);
    expect(await ruleWeight(h.elb, alb.productionRule, alb.greenTargetGroup)).toBe(0);
    expect(await ruleWeight(h.elb, alb.productionRule, alb.blueTargetGroup)).toBe(100);
    expect(await ruleWeight(h.elb, alb.testRule, alb.greenTargetGroup)).toBe(0);
    const service = (await h.ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: [family] }))).services![0]!;
    expect(service.taskDefinition).toBe(v1);
    expect(service.deployments).toHaveLength(1);
    expect(service.deployments![0]).toMatchObject({ taskDefinition: v1, runningCount: 2 });
    expect(service.events!.map((e) => e.message)).toContain(`(service ${family}) rolling back to deployment ${service.deployments![0]!.id}.`);
    return d;
  }

  it('a lifecycle hook answering FAILED rolls back', async () => {
    const fn = lambdaArn(`${strategy.toLowerCase()}-smoke`);
    await h.sim.control.setHookOutcome!({ hookTargetArn: fn, outcome: 'FAILED' });
    const { family, alb, v1, started } = await deployV2({ lifecycleHooks: [{ hookTargetArn: fn, roleArn: LAMBDA_ROLE, lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'] }] });
    const seen = await watch(h, started.serviceDeploymentArn!, alb, 300);
    const d = await expectRolledBack(family, alb, v1, started, seen, /returned FAILED at POST_TEST_TRAFFIC_SHIFT/);
    expect(seen.find((o) => o.status === 'ROLLBACK_IN_PROGRESS')!.stage).toBe('POST_TEST_TRAFFIC_SHIFT');
    expect(d.lifecycleHookDetails).toEqual([{ hookId: expect.stringMatching(/^ecs-lambda-/), targetType: 'AWS_LAMBDA', targetArn: fn, status: 'FAILED', expiresAt: expect.any(Date), timeoutAction: 'ROLLBACK' }]);
    // Production traffic never reached green.
    expect(seen.every((o) => o.production === 0)).toBe(true);
  }, 60_000);

  it('green tasks that fail to start trip the circuit breaker, which rolls back', async () => {
    const { family, alb, v1, started } = await deployV2({ deploymentCircuitBreaker: { enable: true, rollback: true } }, (family) => h.sim.control.setImageBehaviour(`${family}:v2`, { exitAfterSeconds: 0, exitCode: 1 }));
    const seen = await watch(h, started.serviceDeploymentArn!, alb, 300);
    const d = await expectRolledBack(family, alb, v1, started, seen, /circuit breaker/);
    expect(d.deploymentCircuitBreaker).toEqual({ status: 'TRIGGERED', failureCount: 3, threshold: 3 });
    expect(seen.find((o) => o.status === 'ROLLBACK_IN_PROGRESS')!.stage).toBe('SCALE_UP');
  }, 60_000);

  it('a deployment alarm going into ALARM during BAKE_TIME rolls back', async () => {
    const alarmName = `${strategy}-5xx`;
    await h.cloudwatch.send(
      new PutMetricAlarmCommand({ AlarmName: alarmName, Namespace: 'AWS/ApplicationELB', MetricName: 'HTTPCode_Target_5XX_Count', Statistic: 'Sum', Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' }),
    );
    const { family, alb, v1, started } = await deployV2({ alarms: { alarmNames: [alarmName], enable: true, rollback: true } });
    const baking = await watch(h, started.serviceDeploymentArn!, alb, 300, (o) => o.stage === 'BAKE_TIME');
    expect(baking.at(-1)).toMatchObject({ stage: 'BAKE_TIME', status: 'IN_PROGRESS', production: 100 });
    expect((await describeDeployment(h.ecs, started.serviceDeploymentArn!)).alarms).toEqual({ status: 'MONITORING', alarmNames: [alarmName], triggeredAlarmNames: [] });
    await h.advance(20);
    await h.cloudwatch.send(new SetAlarmStateCommand({ AlarmName: alarmName, StateValue: 'ALARM', StateReason: 'green answers 5xx' }));
    const seen = await watch(h, started.serviceDeploymentArn!, alb, 300);
    const d = await expectRolledBack(family, alb, v1, started, [...baking, ...seen], new RegExp(alarmName));
    expect(d.alarms).toEqual({ status: 'TRIGGERED', alarmNames: [alarmName], triggeredAlarmNames: [alarmName] });
    expect(seen[0]).toMatchObject({ stage: 'BAKE_TIME', status: 'ROLLBACK_IN_PROGRESS' });
  }, 60_000);

  it('StopServiceDeployment ROLLBACK sends traffic back to blue mid-deployment', async () => {
    const { family, alb, v1, started } = await deployV2();
    const shifting = await watch(h, started.serviceDeploymentArn!, alb, 300, (o) => o.production > 0);
    const share = strategy === 'CANARY' ? 20 : 100;
    expect(shifting.at(-1)!.production).toBe(share);
    // The revisions' requested traffic weights (ServiceRevisionSummary) show the same split.
    // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceRevisionSummary.html
    const mid = await describeDeployment(h.ecs, started.serviceDeploymentArn!);
    expect(mid.targetServiceRevision).toMatchObject({ requestedProductionTrafficWeight: share, requestedTestTrafficWeight: 100 });
    expect(mid.sourceServiceRevisions![0]).toMatchObject({ requestedProductionTrafficWeight: 100 - share, requestedTestTrafficWeight: 0 });
    await h.ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: started.serviceDeploymentArn!, stopType: 'ROLLBACK' }));
    const seen = await watch(h, started.serviceDeploymentArn!, alb, 300);
    const d = await expectRolledBack(family, alb, v1, started, [...shifting, ...seen], /stop request/);
    expect(d.targetServiceRevision).toMatchObject({ requestedProductionTrafficWeight: 0, requestedTestTrafficWeight: 0 });
  }, 60_000);

  it('StopServiceDeployment ABORT stops the deployment where it is', async () => {
    const { alb, started } = await deployV2();
    const scaled = await watch(h, started.serviceDeploymentArn!, alb, 300, (o) => o.stage === 'POST_SCALE_UP');
    await h.ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: started.serviceDeploymentArn!, stopType: 'ABORT' }));
    await h.advance(120);
    const d = await describeDeployment(h.ecs, started.serviceDeploymentArn!);
    expect(d).toMatchObject({ status: 'STOPPED', lifecycleStage: scaled.at(-1)!.stage, stoppedAt: expect.any(Date) });
    expect(d.rollback).toBeUndefined();
    expect(await ruleWeight(h.elb, alb.productionRule, alb.greenTargetGroup)).toBe(0);
  }, 60_000);
});
