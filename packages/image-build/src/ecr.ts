import {
  CreateRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  GetAuthorizationTokenCommand,
  type ECRClient,
  type ImageDetail,
} from '@aws-sdk/client-ecr';
import { UserError } from '@gantry/github';

export interface RegistryCredentials {
  /** Registry host as docker names it, e.g. `123456789012.dkr.ecr.eu-west-1.amazonaws.com`. */
  host: string;
  username: string;
  password: string;
  expiresAt?: Date;
}

/**
 * Credentials for `docker login` from ECR. The token decodes to `user:password`, and `proxyEndpoint` is
 * the registry URL to log in to.
 * https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_GetAuthorizationToken.html
 * https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_AuthorizationData.html
 */
export async function getRegistryCredentials(ecr: ECRClient, registryId?: string): Promise<RegistryCredentials> {
  const response = await ecr.send(new GetAuthorizationTokenCommand(registryId ? { registryIds: [registryId] } : {}));
  const data = response.authorizationData?.[0];
  if (!data?.authorizationToken || !data.proxyEndpoint) {
    throw new UserError('ECR returned no authorization data for the registry.', 'Check that the role may call ecr:GetAuthorizationToken.');
  }
  const decoded = Buffer.from(data.authorizationToken, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) throw new UserError('ECR returned an authorization token that is not user:password.');
  return {
    host: registryHost(data.proxyEndpoint),
    username: decoded.slice(0, colon),
    password: decoded.slice(colon + 1),
    ...(data.expiresAt ? { expiresAt: data.expiresAt } : {}),
  };
}

/** `https://host[:port][/]` → `host[:port]`. */
export function registryHost(proxyEndpoint: string): string {
  return proxyEndpoint.replace(/^[a-z]+:\/\//i, '').replace(/\/+$/, '');
}

export interface ImageRecord {
  digest: string;
  tags: string[];
  sizeBytes?: number;
}

function toRecord(detail: ImageDetail): ImageRecord {
  return {
    digest: detail.imageDigest!,
    tags: detail.imageTags ?? [],
    ...(detail.imageSizeInBytes !== undefined ? { sizeBytes: detail.imageSizeInBytes } : {}),
  };
}

/**
 * The image a tag (or digest) names in a repository, or undefined when there is none. DescribeImages
 * answers ImageNotFoundException for a missing tag.
 * https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_DescribeImages.html
 */
export async function findImage(
  ecr: ECRClient,
  repositoryName: string,
  ref: { tag: string } | { digest: string },
  registryId?: string,
): Promise<ImageRecord | undefined> {
  try {
    const response = await ecr.send(
      new DescribeImagesCommand({
        repositoryName,
        ...(registryId ? { registryId } : {}),
        imageIds: ['tag' in ref ? { imageTag: ref.tag } : { imageDigest: ref.digest }],
      }),
    );
    const detail = response.imageDetails?.find((d) => d.imageDigest);
    return detail ? toRecord(detail) : undefined;
  } catch (err) {
    if ((err as Error).name === 'ImageNotFoundException') return undefined;
    throw err;
  }
}

export interface RepositorySettings {
  scanOnPush: boolean;
  tagImmutability: 'MUTABLE' | 'IMMUTABLE';
}

export interface RepositoryInfo {
  name: string;
  uri?: string;
  tagImmutability?: string;
  created: boolean;
}

/**
 * Checks that a repository exists; creates it when allowed. Creation happens only after every input has
 * been validated, so a typo never leaves a stray repository behind.
 * https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepository.html
 */
export async function describeRepository(ecr: ECRClient, name: string, registryId?: string): Promise<RepositoryInfo | undefined> {
  try {
    const response = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [name], ...(registryId ? { registryId } : {}) }));
    const repo = response.repositories?.[0];
    if (!repo) return undefined;
    return { name, created: false, ...(repo.repositoryUri ? { uri: repo.repositoryUri } : {}), ...(repo.imageTagMutability ? { tagImmutability: repo.imageTagMutability } : {}) };
  } catch (err) {
    if ((err as Error).name === 'RepositoryNotFoundException') return undefined;
    throw err;
  }
}

export async function createRepository(ecr: ECRClient, name: string, settings: RepositorySettings, registryId?: string): Promise<RepositoryInfo> {
  try {
    const response = await ecr.send(
      new CreateRepositoryCommand({
        repositoryName: name,
        ...(registryId ? { registryId } : {}),
        imageScanningConfiguration: { scanOnPush: settings.scanOnPush },
        imageTagMutability: settings.tagImmutability,
      }),
    );
    return { name, created: true, tagImmutability: settings.tagImmutability, ...(response.repository?.repositoryUri ? { uri: response.repository.repositoryUri } : {}) };
  } catch (err) {
    // Another run created it between our check and this call: that is the outcome we wanted.
    if ((err as Error).name === 'RepositoryAlreadyExistsException') return { name, created: false };
    throw err;
  }
}
