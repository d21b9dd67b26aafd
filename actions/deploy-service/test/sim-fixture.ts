import { CreateClusterCommand, CreateServiceCommand, ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { startSimulator, type Simulator } from '@gantry/aws-sim';

export const REGISTRY = '123456789012.dkr.ecr.us-east-1.amazonaws.com';

/** A simulator with cluster `prod` and service `web` running app:v1 (revision 1), settled. */
export async function startWithService(options: { speed?: number; desiredCount?: number } = {}): Promise<{ sim: Simulator; ecs: ECSClient; register(tag: string): Promise<string> }> {
  const sim = await startSimulator({ port: 0, speed: options.speed ?? 60 });
  const ecs = new ECSClient({ region: 'us-east-1', endpoint: sim.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  for (const tag of ['v1', 'v2', 'crash', 'unhealthy', 'slow', 'v3']) await sim.control.seedImage!({ repositoryName: 'app', tags: [tag] });
  sim.control.setImageBehaviour('app:v1', { startSeconds: 5 });
  sim.control.setImageBehaviour('app:v2', { startSeconds: 5 });
  sim.control.setImageBehaviour('app:v3', { startSeconds: 5 });
  sim.control.setImageBehaviour('app:crash', { startSeconds: 5, exitAfterSeconds: 3, exitCode: 137 });
  sim.control.setImageBehaviour('app:unhealthy', { startSeconds: 5, healthCheck: 'fail' });
  sim.control.setImageBehaviour('app:slow', { startSeconds: 100_000 });
  await ecs.send(new CreateClusterCommand({ clusterName: 'prod' }));
  const register = async (tag: string) =>
    (
      await ecs.send(
        new RegisterTaskDefinitionCommand({
          family: 'app',
          executionRoleArn: 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole',
          networkMode: 'awsvpc',
          requiresCompatibilities: ['FARGATE'],
          cpu: '256',
          memory: '512',
          containerDefinitions: [
            {
              name: 'web',
              image: `${REGISTRY}/app:${tag}`,
              essential: true,
              healthCheck: { command: ['CMD-SHELL', 'curl -f http://localhost/ || exit 1'], interval: 10, retries: 2 },
              logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/app', 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'ecs', 'awslogs-create-group': 'true' } },
            },
          ],
        }),
      )
    ).taskDefinition!.taskDefinitionArn!;
  const v1 = await register('v1');
  await ecs.send(
    new CreateServiceCommand({
      cluster: 'prod',
      serviceName: 'web',
      taskDefinition: v1,
      desiredCount: options.desiredCount ?? 2,
      launchType: 'FARGATE',
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'], securityGroups: ['sg-1'], assignPublicIp: 'DISABLED' } },
      deploymentConfiguration: { maximumPercent: 200, minimumHealthyPercent: 100, deploymentCircuitBreaker: { enable: false, rollback: false } },
    }),
  );
  await sim.clock.advance(120_000);
  return { sim, ecs, register };
}
