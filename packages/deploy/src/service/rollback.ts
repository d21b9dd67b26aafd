import { StopServiceDeploymentCommand, UpdateServiceCommand, type DeploymentConfiguration, type ECSClient } from '@aws-sdk/client-ecs';
import type { Logger } from '../runtime.js';

/**
 * Asks ECS to roll a service deployment back while it still can (StopServiceDeployment ROLLBACK); once
 * the deployment has finished, that is refused, so deploys the previous revision again with the circuit
 * breaker and rollback on.
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_StopServiceDeployment.html
 */
export async function rollBack(
  ecs: ECSClient,
  o: { cluster: string; service: string; serviceDeploymentArn?: string; previousTaskDefinition?: string; deploymentConfiguration?: DeploymentConfiguration; why: string; logger: Logger },
): Promise<'stopped' | 'redeployed' | 'impossible'> {
  if (o.serviceDeploymentArn) {
    try {
      await ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: o.serviceDeploymentArn, stopType: 'ROLLBACK' }));
      o.logger.warning(`Called StopServiceDeployment with ROLLBACK on ${o.serviceDeploymentArn.split('/').pop()}: ${o.why}.`);
      return 'stopped';
    } catch (err) {
      // A deployment that already finished cannot be stopped; anything else is a real failure.
      if ((err as Error).name !== 'ConflictException' && (err as Error).name !== 'InvalidParameterException') throw err;
      o.logger.info(`StopServiceDeployment refused (${(err as Error).message}); deploying the previous revision instead.`);
    }
  }
  if (!o.previousTaskDefinition) return 'impossible';
  await ecs.send(
    new UpdateServiceCommand({
      cluster: o.cluster,
      service: o.service,
      taskDefinition: o.previousTaskDefinition,
      deploymentConfiguration: { ...o.deploymentConfiguration, deploymentCircuitBreaker: { ...o.deploymentConfiguration?.deploymentCircuitBreaker, enable: true, rollback: true } },
    }),
  );
  o.logger.warning(`Deployed ${o.previousTaskDefinition.split('/').pop()} again with the circuit breaker on: ${o.why}.`);
  return 'redeployed';
}
