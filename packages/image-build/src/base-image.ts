import { setTimeout as sleep } from 'node:timers/promises';
import type { ECRClient } from '@aws-sdk/client-ecr';
import type { BuildSpec } from './build-command.js';
import type { BuildContext } from './docker-ops.js';
import { findImage, putTag, type ImageRecord } from './ecr.js';
import { releaseStaging, stageImage, type Destination, type StagedImage } from './publish.js';

export interface BaseImageResult {
  /** `host/repo@sha256:...` */
  image: string;
  digest: string;
  /** The base's content tag; undefined when the base was given by digest and carries no such tag. */
  tag?: string;
  rebuilt: boolean;
  /** Another run's image under the same content tag is used instead of (or instead of building) this run's. */
  raceLost: boolean;
  durationMs?: number;
  sizeBytes?: number;
  pushedLayers?: number;
}

export interface BaseImageRequest extends Destination {
  tag: string;
  spec: Omit<BuildSpec, 'tags'>;
  /** The repository's tags are IMMUTABLE: a refused tag write settles the race, no second read is needed. */
  tagsImmutable?: boolean;
  /** MUTABLE tags: how long to wait before reading the tag a second time (default 2000 ms). */
  settleMs?: number;
}

export const DEFAULT_SETTLE_MS = 2000;

/**
 * Reuses the base image when its content tag exists, otherwise builds it, pushes it under a staging tag
 * of its own and then puts the content tag on exactly that image. Runs racing on the same content tag
 * end on the image the registry's tag names:
 * - a run that finds the tag already set when its own build is pushed adopts that image (its own is dropped);
 * - IMMUTABLE tags: a run whose PutImage is refused (ImageTagAlreadyExistsException,
 *   https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html) adopts the holder;
 * - MUTABLE tags: a run that wrote the tag reads it back at once and again `settleMs` later, and uses
 *   whatever it names then. A racing run writes the tag within one API round trip of finding it unset, so
 *   when every run's check-and-write takes less than `settleMs`, all of them end on the last image written.
 *   Slower than that (API retries under throttling), two runs can still end on two bases; both images stay
 *   complete and each app records its base's digest in its labels.
 */
export async function ensureBaseImage(ecr: ECRClient, request: BaseImageRequest, ctx: BuildContext): Promise<BaseImageResult> {
  const { repositoryName, repositoryUri, tag, registryId } = request;
  const lookup = () => findImage(ecr, repositoryName, { tag }, registryId);
  const existing = await lookup();
  if (existing) {
    ctx.logger.info(`Base image ${repositoryUri}:${tag} exists (${existing.digest}); not rebuilding it.`);
    return adopt(request, existing, { rebuilt: false, raceLost: false });
  }

  ctx.logger.info(`Base image ${repositoryUri}:${tag} does not exist yet; building it.`);
  let staged: StagedImage;
  try {
    staged = await stageImage(request.spec, request, ecr, ctx);
  } catch (err) {
    const winner = await lookup().catch(() => undefined);
    if (!winner) throw err;
    ctx.logger.info(`This run's base build failed, but another run pushed ${repositoryUri}:${tag} (${winner.digest}) meanwhile; using that image.`);
    return adopt(request, winner, { rebuilt: false, raceLost: true });
  }

  let kept = false;
  try {
    const winner = await lookup();
    if (winner) {
      ctx.logger.info(`Another run tagged ${repositoryUri}:${tag} (${winner.digest}) while this one built it; using that image and dropping this run's.`);
      return adopt(request, winner, { rebuilt: true, raceLost: true, durationMs: staged.durationMs });
    }
    const outcome = await putTag(ecr, repositoryName, staged.stored, tag, registryId);
    let now = await lookup();
    if (now?.digest === staged.digest && !request.tagsImmutable) {
      await sleep(request.settleMs ?? DEFAULT_SETTLE_MS);
      now = await lookup();
    }
    if (!now) throw new Error(`ECR does not show ${repositoryUri}:${tag} right after tagging ${staged.digest} with it`);
    if (now.digest !== staged.digest) {
      const why = outcome === 'refused' ? 'the tag is immutable and another run set it first' : 'another run moved the tag after this run set it';
      ctx.logger.info(`${repositoryUri}:${tag} names ${now.digest}, not this run's ${staged.digest} (${why}); using the registry's image.`);
      return adopt(request, now, { rebuilt: true, raceLost: true, durationMs: staged.durationMs });
    }
    kept = true;
    return {
      ...adopt(request, now, { rebuilt: true, raceLost: false, durationMs: staged.durationMs }),
      ...(staged.pushedLayers !== undefined ? { pushedLayers: staged.pushedLayers } : {}),
    };
  } finally {
    await releaseStaging(staged, kept ? [tag] : [], request, ecr, ctx);
  }
}

function adopt(
  request: BaseImageRequest,
  record: ImageRecord,
  how: { rebuilt: boolean; raceLost: boolean; durationMs?: number },
): BaseImageResult {
  return {
    image: `${request.repositoryUri}@${record.digest}`,
    digest: record.digest,
    tag: request.tag,
    rebuilt: how.rebuilt,
    raceLost: how.raceLost,
    ...(how.durationMs !== undefined ? { durationMs: how.durationMs } : {}),
    ...(record.sizeBytes !== undefined ? { sizeBytes: record.sizeBytes } : {}),
  };
}
