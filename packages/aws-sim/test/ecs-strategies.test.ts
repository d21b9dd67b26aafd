// ECS-native BLUE_GREEN, LINEAR and CANARY deployments reaching SUCCESSFUL, seen through the SDK:
// DescribeServiceDeployments (lifecycleStage) and DescribeRules (listener rule weights).
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-blue-green.html
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/linear-deployment.html
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/canary-deployment.html
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceDeployment.html (lifecycleStage)
import { afterAll, beforeAll, describe as suite, expect, it } from '@jest/globals';
import { CreateClusterCommand, DescribeServicesCommand, UpdateServiceCommand, type DeploymentConfiguration } from '@aws-sdk/client-ecs';
import { DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { albForBlueGreen, createWebService, describeDeployment, latestDeployment, ruleWeight, sequence, startStrategyHarness, watch, webRevision, type StrategyHarness } from './strategy-harness.js';

const BLUE_GREEN_STAGES = [
  'PRE_SCALE_UP',
  'SCALE_UP',
  'POST_SCALE_UP',
  'TEST_TRAFFIC_SHIFT',
  'POST_TEST_TRAFFIC_SHIFT',
  'PRE_PRODUCTION_TRAFFIC_SHIFT',
  'PRODUCTION_TRAFFIC_SHIFT',
  'POST_PRODUCTION_TRAFFIC_SHIFT',
  'BAKE_TIME',
  'CLEAN_UP',
];

suite('ECS blue/green, linear and canary deployments (deploymentController ECS)', () => {
  let h: StrategyHarness;
  beforeAll(async () => {
    h = await startStrategyHarness();
    await h.ecs.send(new CreateClusterCommand({ clusterName: 'prod' }));
  });
  afterAll(() => h.stop());

  /** A service on v1 behind its own ALB with `dc`, updated to v2; the v2 service deployment. */
  async function deployV2(name: string, dc: DeploymentConfiguration) {
    const alb = await albForBlueGreen(h.elb, name);
    const v1 = await webRevision(h, name, 'v1');
    await createWebService(h, 'prod', name, v1, dc, alb);
    await h.advance(60);
    const v2 = await webRevision(h, name, 'v2');
    await h.ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: name, taskDefinition: v2 }));
    return { alb, v2, started: await latestDeployment(h.ecs, 'prod', name) };
  }

  it('BLUE_GREEN: green scales up in the alternate target group, takes test then all production traffic at once, bakes, and blue is cleaned up', async () => {
    const { alb, v2, started } = await deployV2('bg', { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 2 });
    expect(started).toMatchObject({ status: 'IN_PROGRESS', deploymentConfiguration: expect.objectContaining({ strategy: 'BLUE_GREEN', bakeTimeInMinutes: 2 }) });

    const seen = await watch(h, started.serviceDeploymentArn!, alb, 400);
    expect(sequence(seen.map((o) => o.stage))).toEqual(BLUE_GREEN_STAGES);
    expect(seen.at(-1)!.status).toBe('SUCCESSFUL');
    // Production traffic stays on blue until PRODUCTION_TRAFFIC_SHIFT, then moves all at once.
    const byStage = (stage: string) => seen.filter((o) => o.stage === stage);
    for (const stage of ['PRE_SCALE_UP', 'SCALE_UP', 'POST_SCALE_UP', 'TEST_TRAFFIC_SHIFT', 'POST_TEST_TRAFFIC_SHIFT', 'PRE_PRODUCTION_TRAFFIC_SHIFT']) expect(byStage(stage).every((o) => o.production === 0)).toBe(true);
    expect(sequence(seen.map((o) => o.production))).toEqual([0, 100]);
    // Test traffic goes to green from TEST_TRAFFIC_SHIFT on.
    expect(byStage('SCALE_UP').every((o) => o.test === 0)).toBe(true);
    expect(byStage('POST_TEST_TRAFFIC_SHIFT').every((o) => o.test === 100)).toBe(true);
    // Both revisions run through the 2-minute bake time.
    const bake = byStage('BAKE_TIME');
    expect(bake.at(-1)!.at - bake[0]!.at).toBeGreaterThanOrEqual(115);

    const service = (await h.ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['bg'] }))).services![0]!;
    expect(service.deployments).toHaveLength(1);
    expect(service.deployments![0]).toMatchObject({ taskDefinition: v2, rolloutState: 'COMPLETED', runningCount: 2 });
    // Green tasks serve from the alternate target group; blue's targets were deregistered.
    const green = await h.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: alb.greenTargetGroup }));
    expect(green.TargetHealthDescriptions!.filter((t) => t.TargetHealth!.State === 'healthy')).toHaveLength(2);
    const blue = await h.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: alb.blueTargetGroup }));
    expect(blue.TargetHealthDescriptions!.filter((t) => t.TargetHealth!.State === 'healthy')).toHaveLength(0);
  }, 120_000);

  it('LINEAR: production traffic moves in equal steps with the step bake time between them, none after 100 %', async () => {
    // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_LinearConfiguration.html
    const { alb, started } = await deployV2('lin', { strategy: 'LINEAR', linearConfiguration: { stepPercent: 34, stepBakeTimeInMinutes: 1 }, bakeTimeInMinutes: 1 });
    expect(started.deploymentConfiguration).toMatchObject({ strategy: 'LINEAR', linearConfiguration: { stepPercent: 34, stepBakeTimeInMinutes: 1 } });
    const seen = await watch(h, started.serviceDeploymentArn!, alb, 400);
    expect(seen.at(-1)!.status).toBe('SUCCESSFUL');
    expect(sequence(seen.map((o) => o.production))).toEqual([0, 34, 68, 100]);
    // PRE_PRODUCTION_TRAFFIC_SHIFT and PRODUCTION_TRAFFIC_SHIFT repeat for every step.
    expect(sequence(seen.map((o) => o.stage))).toEqual([
      ...BLUE_GREEN_STAGES.slice(0, 5),
      'PRE_PRODUCTION_TRAFFIC_SHIFT',
      'PRODUCTION_TRAFFIC_SHIFT',
      'PRE_PRODUCTION_TRAFFIC_SHIFT',
      'PRODUCTION_TRAFFIC_SHIFT',
      'PRE_PRODUCTION_TRAFFIC_SHIFT',
      'PRODUCTION_TRAFFIC_SHIFT',
      ...BLUE_GREEN_STAGES.slice(7),
    ]);
    // Each step holds for the step bake time (60 s) before the next; the last step does not wait.
    const firstAt = (p: number) => seen.find((o) => o.production === p)!.at;
    expect(firstAt(68) - firstAt(34)).toBeGreaterThanOrEqual(60);
    expect(firstAt(100) - firstAt(68)).toBeGreaterThanOrEqual(60);
    expect(seen.find((o) => o.stage === 'POST_PRODUCTION_TRAFFIC_SHIFT')!.at - firstAt(100)).toBeLessThan(5);
  }, 120_000);

  it('CANARY: the canary percentage first, then the rest after the canary bake time', async () => {
    // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CanaryConfiguration.html
    const { alb, started } = await deployV2('can', { strategy: 'CANARY', canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 2 }, bakeTimeInMinutes: 1 });
    const seen = await watch(h, started.serviceDeploymentArn!, alb, 400);
    expect(seen.at(-1)!.status).toBe('SUCCESSFUL');
    expect(sequence(seen.map((o) => o.production))).toEqual([0, 10, 100]);
    const firstAt = (p: number) => seen.find((o) => o.production === p)!.at;
    expect(firstAt(100) - firstAt(10)).toBeGreaterThanOrEqual(120);
    expect(sequence(seen.map((o) => o.stage)).filter((s) => s === 'PRODUCTION_TRAFFIC_SHIFT')).toHaveLength(2);
    // A canary deployment keeps the test listener on green from TEST_TRAFFIC_SHIFT on.
    expect(seen.filter((o) => o.production === 10).every((o) => o.test === 100)).toBe(true);
  }, 120_000);

  it('the first deployment of a BLUE_GREEN service has no blue revision: it rolls out into the primary target group', async () => {
    const alb = await albForBlueGreen(h.elb, 'first');
    const v1 = await webRevision(h, 'first', 'v1');
    await createWebService(h, 'prod', 'first', v1, { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 5 }, alb);
    const first = await latestDeployment(h.ecs, 'prod', 'first');
    const seen = await watch(h, first.serviceDeploymentArn!, alb, 120);
    expect(seen.at(-1)!.status).toBe('SUCCESSFUL');
    const blue = await h.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: alb.blueTargetGroup }));
    expect(blue.TargetHealthDescriptions).toHaveLength(2);
  }, 60_000);

  it('a newer UpdateService during a BLUE_GREEN deployment supersedes it; the newer one goes out from the same blue', async () => {
    const { alb, started } = await deployV2('sup', { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 1 });
    await watch(h, started.serviceDeploymentArn!, alb, 100, (o) => o.stage === 'POST_SCALE_UP');
    const v3 = await webRevision(h, 'sup', 'v3');
    await h.ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: 'sup', taskDefinition: v3 }));
    const newer = await latestDeployment(h.ecs, 'prod', 'sup');
    expect(newer.serviceDeploymentArn).not.toBe(started.serviceDeploymentArn);
    const seen = await watch(h, newer.serviceDeploymentArn!, alb, 300);
    expect(seen.at(-1)!.status).toBe('SUCCESSFUL');
    // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceDeployment.html (stoppedAt)
    const superseded = await describeDeployment(h.ecs, started.serviceDeploymentArn!);
    expect(superseded).toMatchObject({ status: 'STOPPED', statusReason: 'Service deployment superseded by a newer deployment.' });
    const service = (await h.ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['sup'] }))).services![0]!;
    expect(service.deployments).toHaveLength(1);
    expect(service.deployments![0]).toMatchObject({ taskDefinition: v3, runningCount: 2 });
    expect(await ruleWeight(h.elb, alb.productionRule, alb.greenTargetGroup)).toBe(100);
  }, 120_000);
});
