import type { ECSClient } from '@aws-sdk/client-ecs';
import { startSimulator, type Simulator } from '@gantry/aws-sim';
import { awslogs, createFargateService, registerFargateTaskDefinition, sdkClients, SIM_EXECUTION_ROLE_ARN, simImage } from '@gantry/aws-sim/testing';

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
