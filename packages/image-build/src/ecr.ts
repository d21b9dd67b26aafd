import {
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  CreateRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  GetAuthorizationTokenCommand,
  PutImageCommand,
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

/** Manifest media types ECR stores; BatchGetImage answers only for the ones accepted. */
const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
];

export interface StoredManifest {
  digest: string;
  manifest: string;
  mediaType?: string;
}

/**
 * The exact manifest bytes of an image, so a tag can be put on exactly that image.
 * https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_BatchGetImage.html
 * https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-retag.html
 */
export async function getManifest(ecr: ECRClient, repositoryName: string, digest: string, registryId?: string): Promise<StoredManifest> {
  const response = await ecr.send(
    new BatchGetImageCommand({ repositoryName, ...(registryId ? { registryId } : {}), imageIds: [{ imageDigest: digest }], acceptedMediaTypes: MANIFEST_TYPES }),
  );
  const image = response.images?.[0];
  if (!image?.imageManifest) {
    const failure = response.failures?.[0];
    throw new Error(`ECR has no manifest for ${repositoryName}@${digest} right after pushing it${failure ? ` (${failure.failureCode}: ${failure.failureReason})` : ''}`);
  }
  return { digest, manifest: image.imageManifest, ...(image.imageManifestMediaType ? { mediaType: image.imageManifestMediaType } : {}) };
}

/** What putting a tag did: set (or moved) it, found it already on this image, or was refused by an immutable tag. */
export type TagOutcome = 'tagged' | 'unchanged' | 'refused';

/**
 * Points `tag` at exactly the image `stored` (PutImage with its manifest bytes and digest), never at
 * whatever a local name happens to point to. ImageAlreadyExistsException means the tag already names this
 * image; ImageTagAlreadyExistsException means the tag is immutable and names another image.
 * https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_PutImage.html
 * https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html
 */
export async function putTag(ecr: ECRClient, repositoryName: string, stored: StoredManifest, tag: string, registryId?: string): Promise<TagOutcome> {
  try {
    await ecr.send(
      new PutImageCommand({
        repositoryName,
        ...(registryId ? { registryId } : {}),
        imageManifest: stored.manifest,
        ...(stored.mediaType ? { imageManifestMediaType: stored.mediaType } : {}),
        imageDigest: stored.digest,
        imageTag: tag,
      }),
    );
    return 'tagged';
  } catch (err) {
    if ((err as Error).name === 'ImageAlreadyExistsException') return 'unchanged';
    if ((err as Error).name === 'ImageTagAlreadyExistsException') return 'refused';
    throw err;
  }
}

/**
 * Removes one tag. The image stays while another tag names it; "When you remove the last tag from an
 * image, the image is deleted from your repository."
 * https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_BatchDeleteImage.html
 */
export async function removeTag(ecr: ECRClient, repositoryName: string, tag: string, registryId?: string): Promise<void> {
  await ecr.send(new BatchDeleteImageCommand({ repositoryName, ...(registryId ? { registryId } : {}), imageIds: [{ imageTag: tag }] }));
}
