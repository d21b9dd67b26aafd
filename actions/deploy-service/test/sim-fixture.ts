import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { DeploymentConfiguration, ECSClient } from '@aws-sdk/client-ecs';
import { DescribeRulesCommand, type ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { startSimulator, type Simulator } from '@gantry/aws-sim';
import { awslogs, createBlueGreenAlb, createFargateService, registerFargateTaskDefinition, sdkClients, SIM_EXECUTION_ROLE_ARN, simImage, type BlueGreenAlb } from '@gantry/aws-sim/testing';

/** A simulator with cluster `prod` and service `web` running app:v1 (revision 1), settled. */
export async function startWithService(options: { speed?: number; desiredCount?: number } = {}): Promise<{ sim: Simulator; ecs: ECSClient; register(tag: string): Promise<string> }> {
  const sim = await startSimulator({ port: 0, speed: options.speed ?? 60 });
  const { ecs } = sdkClients(sim);
  for (const tag of ['v1', 'v2', 'crash', 'unhealthy', 'slow', 'v3']) await sim.control.seedImage!({ repositoryName: 'app', tags: [tag] });
  sim.control.setImageBehaviour('app:v1', { startSeconds: 5 });
  sim.control.setImageBehaviour('app:v2', { startSeconds: 5 });
  sim.control.setImageBehaviour('app:v3', { startSeconds: 5 });
  sim.control.setImageBehaviour('app:crash', { startSeconds: 5, exitAfterSeconds: 3, exitCode: 137 });
  sim.control.setImageBehaviour('app:unhealthy', { startSeconds: 5, healthCheck: 'fail' });
  sim.control.setImageBehaviour('app:slow', { startSeconds: 100_000 });
  const register = (tag: string) =>
    registerFargateTaskDefinition(ecs, {
      family: 'app',
      executionRoleArn: SIM_EXECUTION_ROLE_ARN,
      containerDefinitions: [
        {
          name: 'web',
          image: simImage(`app:${tag}`),
          essential: true,
          healthCheck: { command: ['CMD-SHELL', 'curl -f http://localhost/ || exit 1'], interval: 10, retries: 2 },
          logConfiguration: awslogs('/ecs/app'),
        },
      ],
    });
  await createFargateService(ecs, {
    createCluster: true,
    cluster: 'prod',
    serviceName: 'web',
    taskDefinition: await register('v1'),
    desiredCount: options.desiredCount ?? 2,
    securityGroups: ['sg-1'],
    assignPublicIp: 'DISABLED',
    deploymentConfiguration: { maximumPercent: 200, minimumHealthyPercent: 100, deploymentCircuitBreaker: { enable: false, rollback: false } },
  });
  await sim.clock.advance(120_000);
  return { sim, ecs, register };
}

export type StrategyName = 'BLUE_GREEN' | 'LINEAR' | 'CANARY';

export type Alb = BlueGreenAlb;

/** The blue/green load balancer of `web` (sim's createBlueGreenAlb): production listener 80, test listener 8080. */
const blueGreenAlb = (elbv2: ElasticLoadBalancingV2Client): Promise<Alb> =>
  createBlueGreenAlb(elbv2, { name: 'web', port: 80, healthCheckPath: '/health', intervalSeconds: 10, healthyThresholdCount: 2, unhealthyThresholdCount: 2 });

export interface StrategyFixture {
  sim: Simulator;
  ecs: ECSClient;
  elbv2: ElasticLoadBalancingV2Client;
  cloudwatch: CloudWatchClient;
  alb: Alb;
  register(tag: string): Promise<string>;
  /** The share of a listener rule's traffic that goes to the green target group. */
  greenWeight(rule: string): Promise<number>;
}

/**
 * A simulator with cluster `prod` and web service `web` behind `blueGreenAlb`, deploying with `strategy`
 * (bake time 1 minute, canary 20 % / linear 50 % steps with 1-minute step bake), running app:v1, settled.
 */
export async function startWithStrategyService(strategy: StrategyName, extra: DeploymentConfiguration = {}, speed = 20): Promise<StrategyFixture> {
  const sim = await startSimulator({ port: 0, speed });
  const { ecs, elbv2, cloudwatch } = sdkClients(sim);
  for (const tag of ['v1', 'v2', 'crash', 'bad-gateway']) await sim.control.seedImage!({ repositoryName: 'app', tags: [tag] });
  for (const tag of ['v1', 'v2']) sim.control.setImageBehaviour(`app:${tag}`, { startSeconds: 5 });
  sim.control.setImageBehaviour('app:crash', { startSeconds: 5, exitAfterSeconds: 3, exitCode: 137 });
  sim.control.setImageBehaviour('app:bad-gateway', { startSeconds: 5, loadBalancerResponse: 502 });
  const alb = await blueGreenAlb(elbv2);
  const register = (tag: string) =>
    registerFargateTaskDefinition(ecs, {
      family: 'app',
      executionRoleArn: SIM_EXECUTION_ROLE_ARN,
      containerDefinitions: [{ name: 'web', image: simImage(`app:${tag}`), essential: true, portMappings: [{ containerPort: 80 }], logConfiguration: awslogs('/ecs/app') }],
    });
  const strategyConfig: DeploymentConfiguration =
    strategy === 'CANARY'
      ? { strategy, bakeTimeInMinutes: 1, canaryConfiguration: { canaryPercent: 20, canaryBakeTimeInMinutes: 1 } }
      : strategy === 'LINEAR'
        ? { strategy, bakeTimeInMinutes: 1, linearConfiguration: { stepPercent: 50, stepBakeTimeInMinutes: 1 } }
        : { strategy, bakeTimeInMinutes: 1 };
  await createFargateService(ecs, {
    createCluster: true,
    cluster: 'prod',
    serviceName: 'web',
    taskDefinition: await register('v1'),
    desiredCount: 2,
    deploymentConfiguration: { ...strategyConfig, ...extra },
    loadBalancers: [
      {
        targetGroupArn: alb.blueTargetGroup,
        containerName: 'web',
        containerPort: 80,
        advancedConfiguration: { alternateTargetGroupArn: alb.greenTargetGroup, productionListenerRule: alb.productionRule, testListenerRule: alb.testRule, roleArn: ECS_ELB_ROLE },
      },
    ],
  });
  await sim.clock.advance(180_000);
  const greenWeight = async (rule: string) => {
    const r = (await elbv2.send(new DescribeRulesCommand({ RuleArns: [rule] }))).Rules![0]!;
    return r.Actions!.find((a) => a.Type === 'forward')!.ForwardConfig!.TargetGroups!.find((g) => g.TargetGroupArn === alb.greenTargetGroup)?.Weight ?? 0;
  };
  return { sim, ecs, elbv2, cloudwatch, alb, register, greenWeight };
}

const ECS_ELB_ROLE = 'arn:aws:iam::123456789012:role/ecsInfrastructureRoleForLoadBalancers';
