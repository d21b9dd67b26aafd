import { DescribeImagesCommand, GetAuthorizationTokenCommand, type ECRClient } from '@aws-sdk/client-ecr';
import { parseEcrHost, parseImageRef } from '@gantry/aws';
import type { Logger } from '../runtime.js';

export interface EcrImageRef {
  /** Absent for the account's own registry served at another host: DescribeImages then uses the default registry. */
  registryId?: string;
  region: string;
  repositoryName: string;
  /** `registry/repository`, without tag or digest. */
  repositoryUri: string;
  tag?: string;
  digest?: string;
}

/** ECR repository names and image tags as these references may spell them; anything else is not ECR. */
const REPOSITORY_NAME = /^[a-z0-9][a-z0-9._\/-]*$/;
const TAG = /^\w[\w.-]{0,127}$/;

/** Parses `ACCOUNT.dkr.ecr.REGION.amazonaws.com[.cn]/repo[:tag][@sha256:...]`; anything else is not ECR. */
export function parseEcrImage(image: string): EcrImageRef | undefined {
  const hosted = parseHostedImage(image);
  const ecr = hosted && parseEcrHost(hosted.host);
  if (!hosted || !ecr) return undefined;
  return { ...ecr, repositoryName: hosted.repositoryName, repositoryUri: `${hosted.host}/${hosted.repositoryName}`, tag: hosted.tag, digest: hosted.digest };
}

/** `host/repo[:tag][@sha256:...]` with an explicit host (Docker's rule: a first component with `.` or `:`, or `localhost`). */
export function parseHostedImage(image: string): { host: string; repositoryName: string; tag?: string; digest?: string } | undefined {
  const ref = parseImageRef(image);
  if (!ref?.host || !REPOSITORY_NAME.test(ref.repository) || (ref.tag !== undefined && !TAG.test(ref.tag))) return undefined;
  return { host: ref.host, repositoryName: ref.repository, tag: ref.tag, digest: ref.digest };
}

/** Public registries that are never an account's ECR: no need to ask where the account's registry lives. */
const PUBLIC_REGISTRIES = /^(docker\.io|registry-1\.docker\.io|index\.docker\.io|public\.ecr\.aws|ghcr\.io|quay\.io|mcr\.microsoft\.com|registry\.k8s\.io|([a-z0-9-]+\.)?gcr\.io|[a-z0-9-]+-docker\.pkg\.dev)$/;

/**
 * The host of this account's own registry in `region`, from GetAuthorizationToken's `proxyEndpoint`
 * ("The registry URL to use for this authorization token in a docker login command"): one call per region
 * and run, and the permission every CI role that pushes to ECR already has. It is needed only where ECR is
 * served at a host other than ACCOUNT.dkr.ecr.REGION.amazonaws.com (an AWS-compatible peer, the simulator's
 * registry mode). The token itself is not used; it is masked all the same.
 * https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_AuthorizationData.html
 */
async function ownRegistryHost(ecr: ECRClient, logger: Logger): Promise<string | undefined> {
  const out = await ecr.send(new GetAuthorizationTokenCommand({}));
  const data = out.authorizationData?.[0];
  if (data?.authorizationToken) logger.mask?.(data.authorizationToken);
  if (!data?.proxyEndpoint) return undefined;
  try {
    return new URL(data.proxyEndpoint.includes('://') ? data.proxyEndpoint : `https://${data.proxyEndpoint}`).host;
  } catch {
    return undefined;
  }
}

export interface ImageResolution {
  container: string;
  image: string;
  /** The reference the task definition will use: `repo@sha256:...` when pinned. */
  pinned: string;
  digest?: string;
  inEcr: boolean;
}

export interface PinOptions {
  /** ECR client for a region (images may live in another region than the cluster). */
  ecrFor: (region: string) => ECRClient;
  /** Replace tags with digests (default true). */
  pin?: boolean;
  /** What to do with images outside ECR, which cannot be verified or pinned. */
  nonEcrImages?: 'keep' | 'error';
  /**
   * Region whose registry is this account's own: an image at the host its GetAuthorizationToken
   * proxyEndpoint names counts as ECR too. Without it only ACCOUNT.dkr.ecr.REGION.amazonaws.com hosts do.
   */
  registryRegion?: string;
}

/**
 * Checks that every ECR image exists (by tag or digest) and resolves tags to digests, so one revision
 * always means one set of images even if the tag moves later. Returns problems instead of throwing, so
 * they are reported together with the other validation problems.
 * DescribeImages only lists ACTIVE images unless asked otherwise, so an archived image counts as missing,
 * which is right: ECS cannot pull it. https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_DescribeImages.html
 */
export async function resolveImages(
  containers: { name: string; image: string }[],
  options: PinOptions,
  logger: Logger,
): Promise<{ images: ImageResolution[]; problems: string[] }> {
  const images: ImageResolution[] = [];
  const problems: string[] = [];
  let ownHost: Promise<string | undefined> | undefined;
  const ownRegistryRef = async (image: string): Promise<EcrImageRef | undefined> => {
    const hosted = options.registryRegion ? parseHostedImage(image) : undefined;
    if (!hosted || PUBLIC_REGISTRIES.test(hosted.host)) return undefined;
    const region = options.registryRegion!;
    ownHost ??= ownRegistryHost(options.ecrFor(region), logger).catch((err: Error) => {
      logger.warning(`Could not read this account's registry host (ecr:GetAuthorizationToken): ${err.message}. Only ACCOUNT.dkr.ecr.REGION.amazonaws.com images count as ECR.`);
      return undefined;
    });
    if ((await ownHost) !== hosted.host) return undefined;
    return { region, repositoryName: hosted.repositoryName, repositoryUri: `${hosted.host}/${hosted.repositoryName}`, tag: hosted.tag, digest: hosted.digest };
  };
  /** Whether the text before the first `/` is an ECR registry host, or the host this account's registry is served at. */
  const onOwnRegistryHost = async (image: string): Promise<boolean> => {
    const host = image.includes('/') ? image.slice(0, image.indexOf('/')).trim() : '';
    if (!host) return false;
    if (parseEcrHost(host)) return true;
    if (!options.registryRegion || PUBLIC_REGISTRIES.test(host) || !(host.includes('.') || host.includes(':') || host === 'localhost')) return false;
    ownHost ??= ownRegistryHost(options.ecrFor(options.registryRegion), logger).catch(() => undefined);
    return (await ownHost) === host;
  };
  for (const { name, image } of containers) {
    const ref = parseEcrImage(image) ?? (await ownRegistryRef(image));
    if (!ref && (await onOwnRegistryHost(image))) {
      // An account registry image that does not parse cannot be checked or pinned, and ECS could not pull it.
      problems.push(`container '${name}': image '${image}' is on this account's ECR registry but is not a valid reference (repository[:tag][@sha256:<64 hex digits>], tags of letters, digits, '_', '.' and '-')`);
      images.push({ container: name, image, pinned: image, inEcr: false });
      continue;
    }
    if (!ref) {
      if (options.nonEcrImages === 'error') problems.push(`container '${name}': image '${image}' is not in ECR, so it cannot be verified or pinned (set non-ecr-images: keep to allow it)`);
      else logger.info(`${name}: ${image} is not an ECR image; left as is (not verified, not pinned).`);
      images.push({ container: name, image, pinned: image, inEcr: false });
      continue;
    }
    const imageId = ref.digest ? { imageDigest: ref.digest } : { imageTag: ref.tag ?? 'latest' };
    try {
      const out = await options.ecrFor(ref.region).send(
        new DescribeImagesCommand({ ...(ref.registryId ? { registryId: ref.registryId } : {}), repositoryName: ref.repositoryName, imageIds: [imageId] }),
      );
      const digest = out.imageDetails?.[0]?.imageDigest;
      if (!digest) {
        problems.push(`container '${name}': image '${image}' was not found in ECR`);
        continue;
      }
      const pinned = options.pin === false ? image : `${ref.repositoryUri}@${digest}`;
      images.push({ container: name, image, pinned, digest, inEcr: true });
    } catch (err) {
      const e = err as Error;
      if (e.name === 'ImageNotFoundException') problems.push(`container '${name}': image '${image}' does not exist in ECR (${e.message})`);
      else if (e.name === 'RepositoryNotFoundException') problems.push(`container '${name}': ECR repository '${ref.repositoryName}' does not exist in ${ref.registryId ?? 'this account'}/${ref.region}`);
      else throw err;
    }
  }
  return { images, problems };
}
