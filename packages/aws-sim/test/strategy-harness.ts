// A web service behind an Application Load Balancer set up for ECS blue/green, linear and canary
// deployments, as the ECS developer guide lays it out: two target groups, a production listener rule and
// a test listener rule, both forwarding to the two groups.
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/alb-resources-for-blue-green.html
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import {
  CreateServiceCommand,
  DescribeServiceDeploymentsCommand,
  ListServiceDeploymentsCommand,
  type DeploymentConfiguration,
  type ECSClient,
  type ServiceDeployment,
} from '@aws-sdk/client-ecs';
import {
  DescribeRulesCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { createBlueGreenAlb, registerFargateTaskDefinition, sdkConfig, type BlueGreenAlb } from '../src/testing.js';
import { network, REGISTRY, seed, startEcsHarness } from './ecs-harness.js';

export const ECS_ELB_ROLE = 'arn:aws:iam::123456789012:role/ecsInfrastructureRoleForLoadBalancers';
export const LAMBDA_ROLE = 'arn:aws:iam::123456789012:role/ecsLambdaHookRole';
export const lambdaArn = (name: string) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;

export async function startStrategyHarness() {
  const h = await startEcsHarness();
  const config = sdkConfig(h.sim, { maxAttempts: 1 });
  const elb = new ElasticLoadBalancingV2Client(config);
  const cloudwatch = new CloudWatchClient(config);
  const stop = h.stop;
  return {
    ...h,
    elb,
    cloudwatch,
    async stop() {
      elb.destroy();
      cloudwatch.destroy();
      await stop();
    },
  };
}
export type StrategyHarness = Awaited<ReturnType<typeof startStrategyHarness>>;

export type Alb = BlueGreenAlb;

/** Two target groups, an ALB, a production listener (80) and a test listener (8080), one rule each. */
export function albForBlueGreen(elb: ElasticLoadBalancingV2Client, name: string): Promise<Alb> {
  return createBlueGreenAlb(elb, { name, port: 80, healthCheckPath: '/', intervalSeconds: 10, healthyThresholdCount: 2 });
}

/** The load balancer entry of a service deployed with BLUE_GREEN, LINEAR or CANARY. */
export function loadBalancerFor(alb: Alb) {
  return {
    targetGroupArn: alb.blueTargetGroup,
    containerName: 'app',
    containerPort: 80,
    advancedConfiguration: { alternateTargetGroupArn: alb.greenTargetGroup, productionListenerRule: alb.productionRule, testListenerRule: alb.testRule, roleArn: ECS_ELB_ROLE },
  };
}

/** A Fargate web task definition serving port 80 from `web:<tag>` (seeded in the simulator's ECR). */
export async function webRevision(h: StrategyHarness, family: string, tag: string): Promise<string> {
  await seed(h.sim, family, [tag]);
  return registerFargateTaskDefinition(h.ecs, { family, containerDefinitions: [{ name: 'app', image: `${REGISTRY}/${family}:${tag}`, essential: true, portMappings: [{ containerPort: 80 }] }] });
}

export async function createWebService(h: StrategyHarness, cluster: string, serviceName: string, taskDefinition: string, deploymentConfiguration: DeploymentConfiguration, alb?: Alb) {
  const out = await h.ecs.send(
    new CreateServiceCommand({
      cluster,
      serviceName,
      taskDefinition,
      desiredCount: 2,
      launchType: 'FARGATE',
      networkConfiguration: network,
      deploymentConfiguration,
      ...(alb ? { loadBalancers: [loadBalancerFor(alb)] } : {}),
    }),
  );
  return out.service!;
}

/** The newest service deployment of a service. */
export async function latestDeployment(ecs: ECSClient, cluster: string, service: string): Promise<ServiceDeployment> {
  const list = await ecs.send(new ListServiceDeploymentsCommand({ cluster, service }));
  const arn = list.serviceDeployments![0]!.serviceDeploymentArn!;
  return (await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }))).serviceDeployments![0]!;
}

export async function describeDeployment(ecs: ECSClient, arn: string): Promise<ServiceDeployment> {
  return (await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }))).serviceDeployments![0]!;
}

/** The weight (percent) the rule forwards to `targetGroupArn`, as DescribeRules shows it. */
export async function ruleWeight(elb: ElasticLoadBalancingV2Client, ruleArn: string, targetGroupArn: string): Promise<number> {
  const rule = (await elb.send(new DescribeRulesCommand({ RuleArns: [ruleArn] }))).Rules![0]!;
  const groups = rule.Actions!.find((a) => a.Type === 'forward')!.ForwardConfig!.TargetGroups!;
  return groups.find((g) => g.TargetGroupArn === targetGroupArn)?.Weight ?? 0;
}

export interface Observation {
  at: number;
  stage?: string;
  status?: string;
  production: number;
  test: number;
}

/**
 * Records the service deployment's lifecycle stage and the green share of the production and test
 * listener rules, then moves the clock on: one second at a time, five during BAKE_TIME and CLEAN_UP (which
 * last minutes); until the deployment leaves IN_PROGRESS / ROLLBACK_IN_PROGRESS, `stopWhen` says so, or
 * `limit` observations.
 */
export async function watch(h: StrategyHarness, arn: string, alb: Alb | undefined, limit: number, stopWhen?: (o: Observation) => boolean): Promise<Observation[]> {
  const seen: Observation[] = [];
  let at = 0;
  for (let i = 0; i < limit; i++) {
    const d = await describeDeployment(h.ecs, arn);
    const o: Observation = {
      at,
      stage: d.lifecycleStage,
      status: d.status,
      production: alb ? await ruleWeight(h.elb, alb.productionRule, alb.greenTargetGroup) : 0,
      test: alb ? await ruleWeight(h.elb, alb.testRule, alb.greenTargetGroup) : 0,
    };
    seen.push(o);
    if (stopWhen?.(o) || (d.status !== 'IN_PROGRESS' && d.status !== 'ROLLBACK_IN_PROGRESS')) break;
    const step = o.stage === 'BAKE_TIME' || o.stage === 'CLEAN_UP' ? 5 : 1;
    await h.advance(step);
    at += step;
  }
  return seen;
}

/** Consecutive duplicates removed: the order in which values were seen. */
export function sequence<T>(values: T[]): T[] {
  return values.filter((v, i) => i === 0 || v !== values[i - 1]);
}
