import type { ECRClient } from '@aws-sdk/client-ecr';
import type { BuildSpec } from './build-command.js';
import { buildAndPush, type BuildContext } from './docker-ops.js';
import { findImage } from './ecr.js';

export interface BaseImageResult {
  /** `host/repo@sha256:...` */
  image: string;
  digest: string;
  tag: string;
  rebuilt: boolean;
  /** Another run pushed the same base tag while this one was building; its image is used. */
  raceLost: boolean;
  durationMs?: number;
  sizeBytes?: number;
  pushedLayers?: number;
}

export interface BaseImageRequest {
  repositoryName: string;
  /** `host/repo` */
  repositoryUri: string;
  tag: string;
  spec: Omit<BuildSpec, 'tags'>;
  registryId?: string;
}

/**
 * Reuses the base image when its content tag exists, otherwise builds and pushes it.
 *
 * Two runs racing on the same tag both end on one complete image:
 * - immutable tags: the later push fails with ImageTagAlreadyExistsException
 *   (https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html); the loser finds
 *   the tag present and uses the winner's digest.
 * - mutable tags: both pushes succeed and the tag names the last one; each run re-reads the tag after
 *   pushing and pins the digest the tag names now. (A push landing after that re-read leaves the
 *   earlier digest untagged but still pinned by its app image, which the guard protects by its
 *   base.digest annotation; tag immutability on the base repository closes the window entirely.)
 */
export async function ensureBaseImage(ecr: ECRClient, request: BaseImageRequest, ctx: BuildContext): Promise<BaseImageResult> {
  const { repositoryName, repositoryUri, tag, registryId } = request;
  const pinned = (digest: string) => `${repositoryUri}@${digest}`;
  const existing = await findImage(ecr, repositoryName, { tag }, registryId);
  if (existing) {
    ctx.logger.info(`Base image ${repositoryUri}:${tag} exists (${existing.digest}); not rebuilding it.`);
    return { image: pinned(existing.digest), digest: existing.digest, tag, rebuilt: false, raceLost: false, ...size(existing.sizeBytes) };
  }

  ctx.logger.info(`Base image ${repositoryUri}:${tag} does not exist yet; building it.`);
  let outcome;
  try {
    outcome = await buildAndPush({ ...request.spec, tags: [`${repositoryUri}:${tag}`] }, ctx);
  } catch (err) {
    const winner = await findImage(ecr, repositoryName, { tag }, registryId).catch(() => undefined);
    if (!winner) throw err;
    ctx.logger.info(`Another run pushed ${repositoryUri}:${tag} (${winner.digest}) while this one built it; using that image.`);
    return { image: pinned(winner.digest), digest: winner.digest, tag, rebuilt: false, raceLost: true, ...size(winner.sizeBytes) };
  }

  const now = await findImage(ecr, repositoryName, { tag }, registryId);
  if (now && now.digest !== outcome.digest) {
    ctx.logger.info(`${repositoryUri}:${tag} was overwritten by another run (${now.digest}); pinning the image the tag names.`);
    return { image: pinned(now.digest), digest: now.digest, tag, rebuilt: true, raceLost: true, durationMs: outcome.durationMs, ...size(now.sizeBytes) };
  }
  return {
    image: pinned(outcome.digest),
    digest: outcome.digest,
    tag,
    rebuilt: true,
    raceLost: false,
    durationMs: outcome.durationMs,
    ...size(now?.sizeBytes),
    ...(outcome.pushedLayers !== undefined ? { pushedLayers: outcome.pushedLayers } : {}),
  };
}

function size(bytes: number | undefined): { sizeBytes?: number } {
  return bytes === undefined ? {} : { sizeBytes: bytes };
}
