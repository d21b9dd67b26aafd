import { ECSClient, RegisterTaskDefinitionCommand, CreateServiceCommand, DescribeServicesCommand, type DeploymentConfiguration } from '@aws-sdk/client-ecs';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ECRClient } from '@aws-sdk/client-ecr';
import { startSimulator, type Simulator } from '../src/index.js';
import { sdkConfig, SIM_REGISTRY } from '../src/testing.js';

export const REGISTRY = SIM_REGISTRY;

/**
 * A simulator whose clock only moves when a test advances it (speed 0), and unmodified SDK clients
 * pointed at it over HTTP.
 */
export async function startEcsHarness() {
  const sim = await startSimulator({ port: 0, speed: 0, start: new Date('2026-03-01T00:00:00Z') });
  const config = sdkConfig(sim, { maxAttempts: 1 });
  const ecs = new ECSClient(config);
  const logs = new CloudWatchLogsClient(config);
  const ecr = new ECRClient(config);
  return {
    sim,
    ecs,
    logs,
    ecr,
    /** Moves simulated time forward by `seconds`, running everything that falls due. */
    advance: (seconds: number) => sim.clock.advance(seconds * 1000),
    async stop() {
      ecs.destroy();
      logs.destroy();
      ecr.destroy();
      await sim.stop();
    },
  };
}
export type EcsHarness = Awaited<ReturnType<typeof startEcsHarness>>;

export async function seed(sim: Simulator, repositoryName: string, tags: string[]): Promise<string> {
  const { imageDigest } = await sim.control.seedImage!({ repositoryName, tags });
  return imageDigest as string;
}

export async function registerWeb(ecs: ECSClient, family: string, image: string) {
  const out = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family,
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      executionRoleArn: 'arn:aws:iam::123456789012:role/exec',
      containerDefinitions: [{ name: 'app', image, essential: true }],
    }),
  );
  return out.taskDefinition!.taskDefinitionArn!;
}

export const network = { awsvpcConfiguration: { subnets: ['subnet-1'], assignPublicIp: 'ENABLED' as const } };

export async function createService(ecs: ECSClient, cluster: string, serviceName: string, taskDefinition: string, desiredCount: number, deploymentConfiguration?: DeploymentConfiguration) {
  const out = await ecs.send(new CreateServiceCommand({ cluster, serviceName, taskDefinition, desiredCount, launchType: 'FARGATE', networkConfiguration: network, deploymentConfiguration }));
  return out.service!;
}

export async function describe(ecs: ECSClient, cluster: string, service: string) {
  const out = await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
  return out.services![0]!;
}
