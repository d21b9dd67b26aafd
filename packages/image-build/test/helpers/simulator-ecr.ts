import { CreateRepositoryCommand, ECRClient } from '@aws-sdk/client-ecr';
import { startSimulator, type Simulator } from '@gantry/aws-sim';
import { sdkConfig } from '@gantry/aws-sim/testing';

/**
 * ECR as @gantry/aws-sim serves it in registry mode: its API (GetAuthorizationToken, DescribeImages,
 * BatchGetImage, PutImage with tag immutability, BatchDeleteImage) and `docker push` meet the same
 * images in the real registry.
 */
export async function simulatedEcr(registry: string): Promise<{ sim: Simulator; ecr: ECRClient; createRepository(name: string, mutability?: 'MUTABLE' | 'IMMUTABLE'): Promise<void> }> {
  const sim = await startSimulator({ port: 0, speed: 60, registryUrl: `http://${registry}` });
  const ecr = new ECRClient(sdkConfig(sim));
  return {
    sim,
    ecr,
    async createRepository(name, mutability = 'MUTABLE') {
      await ecr.send(new CreateRepositoryCommand({ repositoryName: name, imageTagMutability: mutability }));
    },
  };
}
