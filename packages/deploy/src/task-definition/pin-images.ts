import { DescribeImagesCommand, type ECRClient } from '@aws-sdk/client-ecr';
import type { Logger } from '../runtime.js';

export interface EcrImageRef {
  registryId: string;
  region: string;
  repositoryName: string;
  /** `registry/repository`, without tag or digest. */
  repositoryUri: string;
  tag?: string;
  digest?: string;
}

/** Parses `ACCOUNT.dkr.ecr.REGION.amazonaws.com[.cn]/repo[:tag][@sha256:...]`; anything else is not ECR. */
export function parseEcrImage(image: string): EcrImageRef | undefined {
  const m = /^((\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?)\/([a-z0-9][a-z0-9._\/-]*?)(?::([\w][\w.-]{0,127}))?(?:@(sha256:[a-f0-9]{64}))?$/.exec(image);
  if (!m) return undefined;
  return { registryId: m[2]!, region: m[3]!, repositoryName: m[4]!, repositoryUri: `${m[1]}/${m[4]}`, tag: m[5], digest: m[6] };
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
  for (const { name, image } of containers) {
    const ref = parseEcrImage(image);
    if (!ref) {
      if (options.nonEcrImages === 'error') problems.push(`container '${name}': image '${image}' is not in ECR, so it cannot be verified or pinned (set non-ecr-images: keep to allow it)`);
      else logger.info(`${name}: ${image} is not an ECR image; left as is (not verified, not pinned).`);
      images.push({ container: name, image, pinned: image, inEcr: false });
      continue;
    }
    const imageId = ref.digest ? { imageDigest: ref.digest } : { imageTag: ref.tag ?? 'latest' };
    try {
      const out = await options.ecrFor(ref.region).send(
        new DescribeImagesCommand({ registryId: ref.registryId, repositoryName: ref.repositoryName, imageIds: [imageId] }),
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
      else if (e.name === 'RepositoryNotFoundException') problems.push(`container '${name}': ECR repository '${ref.repositoryName}' does not exist in ${ref.registryId}/${ref.region}`);
      else throw err;
    }
  }
  return { images, problems };
}
