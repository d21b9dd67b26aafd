import { DescribeImagesCommand, DescribeRepositoriesCommand, ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';

const ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/** GET a manifest (by tag or digest) from the registry's v2 API; undefined when it does not exist. */
export async function registryManifest(registry: string, repository: string, reference: string) {
  const response = await fetch(`http://${registry}/v2/${repository}/manifests/${reference}`, { headers: { accept: ACCEPT } });
  if (response.status === 404) return undefined;
  if (!response.ok) throw new Error(`registry answered ${response.status} for ${repository}:${reference}`);
  const manifest = (await response.json()) as { config?: { digest: string; size: number }; layers?: { digest: string; size: number }[]; annotations?: Record<string, string> };
  return { digest: response.headers.get('docker-content-digest')!, manifest };
}

export async function registryBlobJson<T>(registry: string, repository: string, digest: string): Promise<T> {
  const response = await fetch(`http://${registry}/v2/${repository}/blobs/${digest}`);
  if (!response.ok) throw new Error(`registry answered ${response.status} for blob ${digest}`);
  return (await response.json()) as T;
}

/**
 * An ECR client whose image calls are answered from a real registry's v2 API, so ECR lookups and
 * `docker push` meet the same images. A stand-in for @gantry/aws-sim's registry mode, used by the
 * package's own docker tests. Every repository "exists"; the login password is arbitrary (the test
 * registry has no auth, and `docker login` to it succeeds with any credentials).
 */
export function registryBackedEcr(registry: string, password: string): ECRClient {
  const mock = mockClient(ECRClient);
  mock.on(GetAuthorizationTokenCommand).resolves({
    authorizationData: [{ authorizationToken: Buffer.from(`AWS:${password}`).toString('base64'), proxyEndpoint: `http://${registry}` }],
  });
  mock.on(DescribeRepositoriesCommand).callsFake((input: { repositoryNames: string[] }) => ({
    repositories: input.repositoryNames.map((name) => ({ repositoryName: name, repositoryUri: `${registry}/${name}` })),
  }));
  mock.on(DescribeImagesCommand).callsFake(async (input: { repositoryName: string; imageIds: { imageTag?: string; imageDigest?: string }[] }) => {
    const id = input.imageIds[0]!;
    const found = await registryManifest(registry, input.repositoryName, id.imageTag ?? id.imageDigest!);
    if (!found) throw Object.assign(new Error(`The image with imageId ${JSON.stringify(id)} does not exist`), { name: 'ImageNotFoundException' });
    const size = (found.manifest.layers ?? []).reduce((sum, l) => sum + l.size, found.manifest.config?.size ?? 0);
    return { imageDetails: [{ repositoryName: input.repositoryName, imageDigest: found.digest, imageTags: id.imageTag ? [id.imageTag] : [], imageSizeInBytes: size }] };
  });
  return new ECRClient({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
}
