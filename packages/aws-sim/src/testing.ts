// Scaffolding that tests, benchmarks and the demo build on the simulator again and again: SDK clients pointed at
// it, a Fargate task definition, a cluster with a Fargate service. Imported as `@gantry/aws-sim/testing`
// so the simulator's main entry does not pull in the AWS SDK clients.
import { ECRClient } from '@aws-sdk/client-ecr';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  type ContainerDefinition,
  type DeploymentConfiguration,
  type LoadBalancer,
  type LogConfiguration,
} from '@aws-sdk/client-ecs';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  ElasticLoadBalancingV2Client,
  ModifyTargetGroupAttributesCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SIM_ACCOUNT_ID, SIM_REGION, type Simulator } from './simulator.js';

/** The ECR registry host of the simulator in memory mode. */
export const SIM_REGISTRY = `${SIM_ACCOUNT_ID}.dkr.ecr.${SIM_REGION}.amazonaws.com`;

/** The execution role the fixtures name; the simulator does not check it exists. */
export const SIM_EXECUTION_ROLE_ARN = `arn:aws:iam::${SIM_ACCOUNT_ID}:role/ecsTaskExecutionRole`;

export interface SdkOptions {
  /** The SDK's `maxAttempts`; 1 makes a throttled or faulted call fail at once. */
  maxAttempts?: number;
  /** The region the clients sign for (default the simulator's default region): state lives per region. */
  region?: string;
}

/** SDK client configuration for the simulator (any credentials do). */
export function sdkConfig(sim: Pick<Simulator, 'endpoint'>, options: SdkOptions = {}) {
  return {
    region: options.region ?? SIM_REGION,
    endpoint: sim.endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
  };
}

export interface SdkClients {
  ecs: ECSClient;
  ecr: ECRClient;
  events: EventBridgeClient;
  scheduler: SchedulerClient;
  elbv2: ElasticLoadBalancingV2Client;
  cloudwatch: CloudWatchClient;
}

/** One client per simulated service, all talking to `sim`. */
export function sdkClients(sim: Pick<Simulator, 'endpoint'>, options: SdkOptions = {}): SdkClients {
  const config = sdkConfig(sim, options);
  return {
    ecs: new ECSClient(config),
    ecr: new ECRClient(config),
    events: new EventBridgeClient(config),
    scheduler: new SchedulerClient(config),
    elbv2: new ElasticLoadBalancingV2Client(config),
    cloudwatch: new CloudWatchClient(config),
  };
}

/** `${SIM_REGISTRY}/${ref}`: the URI of an image the simulator holds, e.g. `simImage('app:v1')`. */
export const simImage = (ref: string) => `${SIM_REGISTRY}/${ref}`;

/** An awslogs log configuration writing to `group` (created on first use), as the fixtures' apps log. */
export function awslogs(group: string): LogConfiguration {
  return {
    logDriver: 'awslogs',
    options: { 'awslogs-group': group, 'awslogs-region': SIM_REGION, 'awslogs-stream-prefix': 'ecs', 'awslogs-create-group': 'true' },
  };
}

export interface FargateTaskDefinition {
  family: string;
  containerDefinitions: ContainerDefinition[];
  executionRoleArn?: string;
  /** Fargate task size; default 256 CPU units and 512 MiB. */
  cpu?: string;
  memory?: string;
}

/** Registers an awsvpc Fargate task definition and returns its ARN. */
export async function registerFargateTaskDefinition(ecs: ECSClient, definition: FargateTaskDefinition): Promise<string> {
  const { family, containerDefinitions, executionRoleArn, cpu = '256', memory = '512' } = definition;
  const out = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family,
      ...(executionRoleArn ? { executionRoleArn } : {}),
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu,
      memory,
      containerDefinitions,
    }),
  );
  return out.taskDefinition!.taskDefinitionArn!;
}

/**
 * Creates a cluster with the FARGATE capacity provider as its default strategy, so RunTask / CreateService
 * calls that give neither a launch type nor a strategy run on Fargate, as on a cluster set up for Fargate.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-capacity-providers.html
 */
export async function createFargateCluster(ecs: ECSClient, clusterName: string): Promise<string> {
  const out = await ecs.send(
    new CreateClusterCommand({ clusterName, capacityProviders: ['FARGATE', 'FARGATE_SPOT'], defaultCapacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1 }] }),
  );
  return out.cluster!.clusterArn!;
}

export interface FargateService {
  cluster: string;
  serviceName: string;
  taskDefinition: string;
  desiredCount: number;
  /** Create the cluster first, with FARGATE as its default capacity provider strategy (default false: the caller made it). */
  createCluster?: boolean;
  /** awsvpc network; default subnet `subnet-1`, no security group, no public IP setting. */
  subnets?: string[];
  securityGroups?: string[];
  assignPublicIp?: 'ENABLED' | 'DISABLED';
  deploymentConfiguration?: DeploymentConfiguration;
  /** Target groups the service's tasks register in (e.g. from createWebTargetGroup). */
  loadBalancers?: LoadBalancer[];
  healthCheckGracePeriodSeconds?: number;
}

/** Creates a Fargate service (and, if asked, its cluster). Simulated time must pass for its tasks to run. */
export async function createFargateService(ecs: ECSClient, service: FargateService): Promise<void> {
  const { cluster, serviceName, taskDefinition, desiredCount, subnets = ['subnet-1'], securityGroups, assignPublicIp, deploymentConfiguration, loadBalancers, healthCheckGracePeriodSeconds } = service;
  if (service.createCluster) await createFargateCluster(ecs, cluster);
  await ecs.send(
    new CreateServiceCommand({
      cluster,
      serviceName,
      taskDefinition,
      desiredCount,
      launchType: 'FARGATE',
      networkConfiguration: {
        awsvpcConfiguration: { subnets, ...(securityGroups ? { securityGroups } : {}), ...(assignPublicIp ? { assignPublicIp } : {}) },
      },
      ...(deploymentConfiguration ? { deploymentConfiguration } : {}),
      ...(loadBalancers ? { loadBalancers } : {}),
      ...(healthCheckGracePeriodSeconds !== undefined ? { healthCheckGracePeriodSeconds } : {}),
    }),
  );
}

export interface WebTargetGroupOptions {
  /** Names the load balancer `${name}-alb`, the target group `${name}` (at most 32 characters). */
  name: string;
  /** The container port targets listen on (default 8080). */
  port?: number;
  /** Health check path (default /health), interval (default 10 s) and thresholds (default 2 / 2). */
  healthCheckPath?: string;
  intervalSeconds?: number;
  healthyThresholdCount?: number;
  unhealthyThresholdCount?: number;
  /** deregistration_delay.timeout_seconds (default: AWS's 300). */
  deregistrationDelaySeconds?: number;
  /** Listener port (default 80). */
  listenerPort?: number;
}

export interface WebTargetGroup {
  loadBalancerArn: string;
  targetGroupArn: string;
  listenerArn: string;
}

/**
 * An internet-facing Application Load Balancer with an HTTP listener forwarding to an `ip` target group
 * (what awsvpc/Fargate services need), health checks on `healthCheckPath`. Returns the three ARNs.
 */
export async function createWebTargetGroup(elbv2: ElasticLoadBalancingV2Client, options: WebTargetGroupOptions): Promise<WebTargetGroup> {
  const { name, port = 8080, healthCheckPath = '/health', intervalSeconds = 10, healthyThresholdCount = 2, unhealthyThresholdCount = 2, listenerPort = 80 } = options;
  const lb = await elbv2.send(new CreateLoadBalancerCommand({ Name: `${name}-alb`.slice(0, 32), Subnets: ['subnet-1', 'subnet-2'], Type: 'application', Scheme: 'internet-facing' }));
  const tg = await elbv2.send(
    new CreateTargetGroupCommand({
      Name: name,
      Protocol: 'HTTP',
      Port: port,
      VpcId: 'vpc-sim',
      TargetType: 'ip',
      HealthCheckPath: healthCheckPath,
      HealthCheckIntervalSeconds: intervalSeconds,
      HealthCheckTimeoutSeconds: Math.min(5, intervalSeconds - 1),
      HealthyThresholdCount: healthyThresholdCount,
      UnhealthyThresholdCount: unhealthyThresholdCount,
      Matcher: { HttpCode: '200' },
    }),
  );
  const loadBalancerArn = lb.LoadBalancers![0]!.LoadBalancerArn!;
  const targetGroupArn = tg.TargetGroups![0]!.TargetGroupArn!;
  if (options.deregistrationDelaySeconds !== undefined) {
    await elbv2.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: targetGroupArn, Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: String(options.deregistrationDelaySeconds) }] }));
  }
  const listener = await elbv2.send(new CreateListenerCommand({ LoadBalancerArn: loadBalancerArn, Protocol: 'HTTP', Port: listenerPort, DefaultActions: [{ Type: 'forward', TargetGroupArn: targetGroupArn }] }));
  return { loadBalancerArn, targetGroupArn, listenerArn: listener.Listeners![0]!.ListenerArn! };
}

export interface BlueGreenAlbOptions {
  /** Names the load balancer `${name}-alb` and the target groups `${name}-blue` and `${name}-green`. */
  name: string;
  /** The container port targets listen on (default 80). */
  port?: number;
  /** Health check settings of both groups; unset ones keep ELB's defaults (path default /health). */
  healthCheckPath?: string;
  intervalSeconds?: number;
  healthyThresholdCount?: number;
  unhealthyThresholdCount?: number;
  /** deregistration_delay.timeout_seconds of both groups (default 5, so CLEAN_UP ends quickly). */
  deregistrationDelaySeconds?: number;
  /** Ports of the production and test listeners (default 80 and 8080). */
  productionListenerPort?: number;
  testListenerPort?: number;
  subnets?: string[];
  vpcId?: string;
}

export interface BlueGreenAlb {
  blueTargetGroup: string;
  greenTargetGroup: string;
  productionRule: string;
  testRule: string;
}

/**
 * The load balancer ECS blue/green, linear and canary deployments need, as the ECS developer guide lays
 * it out: two `ip` target groups, a production and a test listener, each with a rule forwarding to both
 * groups (blue 100 %, green 0 %). Returns the ARNs a service's `advancedConfiguration` names.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/alb-resources-for-blue-green.html
 */
export async function createBlueGreenAlb(elbv2: ElasticLoadBalancingV2Client, options: BlueGreenAlbOptions): Promise<BlueGreenAlb> {
  const { name, port = 80, healthCheckPath = '/health', deregistrationDelaySeconds = 5, productionListenerPort = 80, testListenerPort = 8080, subnets = ['subnet-1', 'subnet-2'], vpcId = 'vpc-1' } = options;
  const lb = (await elbv2.send(new CreateLoadBalancerCommand({ Name: `${name}-alb`, Subnets: subnets, Type: 'application' }))).LoadBalancers![0]!;
  const group = async (colour: string) => {
    const created = await elbv2.send(
      new CreateTargetGroupCommand({
        Name: `${name}-${colour}`,
        Protocol: 'HTTP',
        Port: port,
        VpcId: vpcId,
        TargetType: 'ip',
        HealthCheckPath: healthCheckPath,
        HealthCheckIntervalSeconds: options.intervalSeconds,
        HealthyThresholdCount: options.healthyThresholdCount,
        UnhealthyThresholdCount: options.unhealthyThresholdCount,
      }),
    );
    const arn = created.TargetGroups![0]!.TargetGroupArn!;
    await elbv2.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: arn, Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: String(deregistrationDelaySeconds) }] }));
    return arn;
  };
  const blueTargetGroup = await group('blue');
  const greenTargetGroup = await group('green');
  const forward = [{ Type: 'forward' as const, ForwardConfig: { TargetGroups: [{ TargetGroupArn: blueTargetGroup, Weight: 100 }, { TargetGroupArn: greenTargetGroup, Weight: 0 }] } }];
  const rule = async (listenerPort: number) => {
    const listener = (await elbv2.send(new CreateListenerCommand({ LoadBalancerArn: lb.LoadBalancerArn, Protocol: 'HTTP', Port: listenerPort, DefaultActions: forward }))).Listeners![0]!;
    return (await elbv2.send(new CreateRuleCommand({ ListenerArn: listener.ListenerArn, Priority: 1, Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/*'] } }], Actions: forward }))).Rules![0]!.RuleArn!;
  };
  return { blueTargetGroup, greenTargetGroup, productionRule: await rule(productionListenerPort), testRule: await rule(testListenerPort) };
}
