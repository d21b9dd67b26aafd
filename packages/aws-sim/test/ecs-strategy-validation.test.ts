// CreateService / UpdateService / StopServiceDeployment refuse deployment strategy settings outside what
// the API reference documents, with InvalidParameterException naming the field and the fix.
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentConfiguration.html
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_LinearConfiguration.html
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CanaryConfiguration.html
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentLifecycleHook.html
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_AdvancedConfiguration.html
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_StopServiceDeployment.html
import { afterAll, beforeAll, describe as suite, expect, it } from '@jest/globals';
import { CreateClusterCommand, DescribeServicesCommand, StopServiceDeploymentCommand, UpdateServiceCommand, type DeploymentConfiguration } from '@aws-sdk/client-ecs';
import { albForBlueGreen, createWebService, ECS_ELB_ROLE, lambdaArn, LAMBDA_ROLE, latestDeployment, loadBalancerFor, startStrategyHarness, webRevision, type Alb, type StrategyHarness } from './strategy-harness.js';

suite('deployment strategy validation', () => {
  let h: StrategyHarness;
  let td: string;
  let alb: Alb;
  let n = 0;
  beforeAll(async () => {
    h = await startStrategyHarness();
    await h.ecs.send(new CreateClusterCommand({ clusterName: 'prod' }));
    td = await webRevision(h, 'val', 'v1');
    alb = await albForBlueGreen(h.elb, 'val');
  });
  afterAll(() => h.stop());

  const create = (dc: DeploymentConfiguration, withAlb: Alb | undefined = alb) => createWebService(h, 'prod', `val${++n}`, td, dc, withAlb);
  const rejects = (dc: DeploymentConfiguration, message: string | RegExp, withAlb?: Alb) =>
    expect(create(dc, withAlb)).rejects.toMatchObject({ name: 'InvalidParameterException', message: typeof message === 'string' ? message : expect.stringMatching(message) });

  it('strategy is one of ROLLING, BLUE_GREEN, LINEAR, CANARY; a service without one reports ROLLING', async () => {
    await rejects({ strategy: 'RED_BLACK' as never }, 'Invalid deploymentConfiguration.strategy: "RED_BLACK". Valid values are ROLLING, BLUE_GREEN, LINEAR, CANARY.');
    const s = await create({}, undefined);
    expect(s.deploymentConfiguration!.strategy).toBe('ROLLING');
  });

  it('BLUE_GREEN needs bakeTimeInMinutes ("You must provide this parameter"), 0 to 1440', async () => {
    await rejects({ strategy: 'BLUE_GREEN' }, 'deploymentConfiguration.bakeTimeInMinutes is required when the strategy is BLUE_GREEN.');
    await rejects({ strategy: 'BLUE_GREEN', bakeTimeInMinutes: 1441 }, /bakeTimeInMinutes must be a whole number of minutes from 0 to 1440 \(got 1441\)/);
  });

  it('linearConfiguration: only with LINEAR; stepPercent a multiple of 0.1 from 3.0 to 100.0; stepBakeTimeInMinutes 0-1440', async () => {
    await rejects({ strategy: 'CANARY', linearConfiguration: { stepPercent: 10 } }, 'deploymentConfiguration.linearConfiguration is only valid when the strategy is LINEAR (the strategy is CANARY).');
    await rejects({ strategy: 'LINEAR', linearConfiguration: { stepPercent: 2.9 } }, 'linearConfiguration.stepPercent must be a multiple of 0.1 from 3.0 to 100.0 (got 2.9).');
    await rejects({ strategy: 'LINEAR', linearConfiguration: { stepPercent: 12.34 } }, /stepPercent must be a multiple of 0.1/);
    await rejects({ strategy: 'LINEAR', linearConfiguration: { stepBakeTimeInMinutes: -1 } }, /stepBakeTimeInMinutes must be a whole number of minutes from 0 to 1440/);
    // A fractional percentage in 0.1 steps is accepted.
    const s = await create({ strategy: 'LINEAR', linearConfiguration: { stepPercent: 12.5 } });
    expect(s.deploymentConfiguration).toMatchObject({ strategy: 'LINEAR', linearConfiguration: { stepPercent: 12.5 } });
  });

  it('canaryConfiguration: only with CANARY; canaryPercent a multiple of 0.1 from 0.1 to 100.0; canaryBakeTimeInMinutes 0-1440', async () => {
    await rejects({ strategy: 'BLUE_GREEN', bakeTimeInMinutes: 5, canaryConfiguration: { canaryPercent: 5 } }, /canaryConfiguration is only valid when the strategy is CANARY/);
    await rejects({ strategy: 'CANARY', canaryConfiguration: { canaryPercent: 0.05 } }, 'canaryConfiguration.canaryPercent must be a multiple of 0.1 from 0.1 to 100.0 (got 0.05).');
    await rejects({ strategy: 'CANARY', canaryConfiguration: { canaryBakeTimeInMinutes: 2000 } }, /canaryBakeTimeInMinutes must be a whole number of minutes from 0 to 1440 \(got 2000\)/);
  });

  it('lifecycleHooks: a Lambda ARN and role for AWS_LAMBDA, stages that take hooks, no PAUSE at the traffic shifts', async () => {
    const base = { strategy: 'BLUE_GREEN' as const, bakeTimeInMinutes: 1 };
    await rejects({ ...base, lifecycleHooks: [{ lifecycleStages: ['POST_SCALE_UP'], roleArn: LAMBDA_ROLE }] }, /lifecycleHooks\[0\]\.hookTargetArn must be the ARN of a Lambda function .* \(got undefined\)/);
    await rejects({ ...base, lifecycleHooks: [{ hookTargetArn: lambdaArn('f'), lifecycleStages: ['POST_SCALE_UP'] }] }, /lifecycleHooks\[0\]\.roleArn must be the ARN of an IAM role that lets Amazon ECS invoke/);
    await rejects({ ...base, lifecycleHooks: [{ hookTargetArn: lambdaArn('f'), roleArn: LAMBDA_ROLE, lifecycleStages: [] }] }, /lifecycleHooks\[0\]\.lifecycleStages must list at least one of RECONCILE_SERVICE/);
    // BAKE_TIME, SCALE_UP and CLEAN_UP are stages, but take no hooks.
    await rejects({ ...base, lifecycleHooks: [{ hookTargetArn: lambdaArn('f'), roleArn: LAMBDA_ROLE, lifecycleStages: ['BAKE_TIME' as never] }] }, /"BAKE_TIME" is not a stage that takes a lifecycle hook/);
    await rejects({ ...base, lifecycleHooks: [{ targetType: 'PAUSE', lifecycleStages: ['PRODUCTION_TRAFFIC_SHIFT'] }] }, 'lifecycleHooks[0]: PAUSE hooks cannot be configured at the PRODUCTION_TRAFFIC_SHIFT stage; it only takes AWS_LAMBDA hooks.');
    await rejects({ ...base, lifecycleHooks: [{ targetType: 'PAUSE', lifecycleStages: ['POST_SCALE_UP'], timeoutConfiguration: { timeoutInMinutes: 0 } }] }, /timeoutConfiguration\.timeoutInMinutes must be a whole number of minutes from 1 to 1440/);
  });

  it('with a load balancer, BLUE_GREEN/LINEAR/CANARY need advancedConfiguration with an alternate target group, production listener rule and role', async () => {
    const bg = { strategy: 'BLUE_GREEN' as const, bakeTimeInMinutes: 1 };
    const lb = loadBalancerFor(alb);
    const withLb = (advancedConfiguration: Record<string, unknown> | undefined) =>
      h.ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: 'plain', deploymentConfiguration: bg, loadBalancers: [{ ...lb, advancedConfiguration }] }));
    await createWebService(h, 'prod', 'plain', td, {}, undefined);
    await expect(withLb(undefined)).rejects.toMatchObject({ message: expect.stringMatching(/^loadBalancers\[0\]\.advancedConfiguration is required for the BLUE_GREEN deployment strategy/) });
    await expect(withLb({ productionListenerRule: alb.productionRule, roleArn: ECS_ELB_ROLE })).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: 'loadBalancers[0].advancedConfiguration.alternateTargetGroupArn is required for the BLUE_GREEN deployment strategy: the target group the new (green) tasks register in.',
    });
    await expect(withLb({ alternateTargetGroupArn: alb.blueTargetGroup, productionListenerRule: alb.productionRule, roleArn: ECS_ELB_ROLE })).rejects.toMatchObject({ message: expect.stringMatching(/alternateTargetGroupArn must differ from targetGroupArn/) });
    await expect(withLb({ alternateTargetGroupArn: alb.greenTargetGroup, roleArn: ECS_ELB_ROLE })).rejects.toMatchObject({ message: expect.stringMatching(/productionListenerRule is required/) });
    await expect(withLb({ alternateTargetGroupArn: alb.greenTargetGroup, productionListenerRule: alb.productionRule })).rejects.toMatchObject({ message: expect.stringMatching(/roleArn must be the ARN of the IAM role that lets Amazon ECS call Elastic Load Balancing/) });
    const missingRule = alb.productionRule.replace(/[0-9a-f]{8}$/, '00000000');
    await expect(withLb({ alternateTargetGroupArn: alb.greenTargetGroup, productionListenerRule: missingRule, roleArn: ECS_ELB_ROLE })).rejects.toMatchObject({ message: `loadBalancers[0].advancedConfiguration.productionListenerRule: the listener rule ${missingRule} does not exist.` });
    // Nothing was changed by the refused calls (validation comes before any change).
    const s = (await h.ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['plain'] }))).services![0]!;
    expect(s.deploymentConfiguration!.strategy).toBe('ROLLING');
    expect(s.loadBalancers).toEqual([]);
  });

  it('StopServiceDeployment takes stopType ROLLBACK or ABORT', async () => {
    await create({}, undefined);
    const d = await latestDeployment(h.ecs, 'prod', `val${n}`);
    await expect(h.ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: d.serviceDeploymentArn!, stopType: 'PAUSE' as never }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: 'Invalid stopType "PAUSE". Valid values are ABORT, ROLLBACK.',
    });
  });
});
