import {
  BatchGetImageCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  GetLifecyclePolicyCommand,
  type ImageDetail,
  type Repository,
} from '@aws-sdk/client-ecr';
import { chunk, paginate } from './batch.js';
import type { InventoryContext } from './inventory/context.js';

/** One repository as the guard sees it: every image (any status), its policy, and lookups by tag and digest. */
export interface RepositoryState {
  name: string;
  tagMutability?: string;
  images: ImageDetail[];
  /** The lifecycle policy text, or undefined when the repository has none. */
  policyText?: string;
  byDigest: Map<string, ImageDetail>;
  byTag: Map<string, string>;
}

/** Every repository of the registry in this region, 1000 per page. */
export async function listRepositories(ctx: InventoryContext): Promise<Repository[]> {
  return paginate(async (nextToken) => {
    const page = await ctx.limit(() => ctx.clients.ecr.send(new DescribeRepositoriesCommand({ maxResults: 1000, nextToken })));
    return { items: page.repositories, next: page.nextToken };
  });
}

/**
 * Reads a repository's images and lifecycle policy. `imageStatus: ANY` because DescribeImages returns
 * only ACTIVE images when it is omitted, and an archived in-use image is exactly what the guard must see.
 * https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_DescribeImages.html
 */
export async function readRepository(ctx: InventoryContext, name: string, tagMutability?: string): Promise<RepositoryState> {
  const [images, policyText] = await Promise.all([listImages(ctx, name), readPolicy(ctx, name)]);
  return repositoryState(name, images, policyText, tagMutability);
}

export function repositoryState(name: string, images: ImageDetail[], policyText: string | undefined, tagMutability?: string): RepositoryState {
  const byDigest = new Map<string, ImageDetail>();
  const byTag = new Map<string, string>();
  for (const image of images) {
    if (!image.imageDigest) continue;
    byDigest.set(image.imageDigest, image);
    for (const tag of image.imageTags ?? []) byTag.set(tag, image.imageDigest);
  }
  return { name, images, byDigest, byTag, ...(policyText !== undefined ? { policyText } : {}), ...(tagMutability ? { tagMutability } : {}) };
}

export function listImages(ctx: InventoryContext, repositoryName: string): Promise<ImageDetail[]> {
  return paginate(async (nextToken) => {
    const page = await ctx.limit(() =>
      ctx.clients.ecr.send(new DescribeImagesCommand({ repositoryName, maxResults: 1000, nextToken, filter: { imageStatus: 'ANY' } })),
    );
    return { items: page.imageDetails, next: page.nextToken };
  });
}

export async function readPolicy(ctx: InventoryContext, repositoryName: string): Promise<string | undefined> {
  try {
    const out = await ctx.limit(() => ctx.clients.ecr.send(new GetLifecyclePolicyCommand({ repositoryName })));
    return out.lifecyclePolicyText;
  } catch (err) {
    if ((err as Error).name === 'LifecyclePolicyNotFoundException') return undefined;
    throw err;
  }
}

export interface Manifest {
  manifest: string;
  mediaType?: string;
}

/** Every media type a manifest may have, so BatchGetImage returns indexes and manifest lists as stored. */
export const ACCEPTED_MEDIA_TYPES = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v1+json',
];

/** Manifests by digest, 100 image ids per BatchGetImage call. Failures are returned for the caller to judge. */
export async function getManifests(
  ctx: InventoryContext,
  repositoryName: string,
  digests: readonly string[],
): Promise<{ manifests: Map<string, Manifest>; failures: { digest: string; reason: string }[] }> {
  const manifests = new Map<string, Manifest>();
  const failures: { digest: string; reason: string }[] = [];
  await Promise.all(
    chunk(digests, 100).map(async (batch) => {
      const out = await ctx.limit(() =>
        ctx.clients.ecr.send(
          new BatchGetImageCommand({ repositoryName, imageIds: batch.map((imageDigest) => ({ imageDigest })), acceptedMediaTypes: ACCEPTED_MEDIA_TYPES }),
        ),
      );
      for (const image of out.images ?? []) {
        const digest = image.imageId?.imageDigest;
        if (digest && image.imageManifest) manifests.set(digest, { manifest: image.imageManifest, ...(image.imageManifestMediaType ? { mediaType: image.imageManifestMediaType } : {}) });
      }
      for (const f of out.failures ?? []) failures.push({ digest: f.imageId?.imageDigest ?? '?', reason: `${f.failureCode ?? ''} ${f.failureReason ?? ''}`.trim() });
    }),
  );
  return { manifests, failures };
}
