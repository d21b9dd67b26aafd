import { BatchDeleteImageCommand, DescribeImagesCommand, PutImageCommand, PutLifecyclePolicyCommand } from '@aws-sdk/client-ecr';
import { chunk, errorText, type Limiter } from './batch.js';
import { imageKey, shortDigest } from './images.js';
import { isProtectionTag } from './policy.js';
import type { RepositoryPlan, TagChange } from './plan.js';
import type { Manifest } from './repositories.js';
import type { GuardClients, Logger } from './types.js';

export interface AppliedPlan {
  repository: string;
  tagged: TagChange[];
  policyUpdated: boolean;
  released: TagChange[];
  /** Stale tags left in place because, on a fresh read, they had become the image's only tags. */
  keptOnRecheck: TagChange[];
  failures: string[];
}

/**
 * Applies one repository's plan in the order that never lowers protection: tags first, then the
 * shield rule, and only then releases stale protection tags. Every failure is collected; a failed
 * tag leaves that image unprotected, which the verification that follows reports.
 */
export async function applyPlan(clients: GuardClients, plan: RepositoryPlan, manifests: ReadonlyMap<string, Manifest>, limit: Limiter, log: Logger): Promise<AppliedPlan> {
  const applied: AppliedPlan = { repository: plan.repository, tagged: [], policyUpdated: false, released: [], keptOnRecheck: [], failures: [] };
  const repositoryName = plan.repository;
  await Promise.all(
    plan.tagsToAdd.map(async (change) => {
      const manifest = manifests.get(imageKey(repositoryName, change.digest));
      if (!manifest) {
        applied.failures.push(`${repositoryName}@${shortDigest(change.digest)}: its manifest could not be read, so it was not tagged.`);
        return;
      }
      try {
        await retag(clients, repositoryName, change, manifest, limit);
        applied.tagged.push(change);
      } catch (err) {
        applied.failures.push(`${repositoryName}@${shortDigest(change.digest)}: tagging it ${change.tag} failed (${errorText(err)}).`);
      }
    }),
  );
  if (plan.policy) {
    try {
      await limit(() => clients.ecr.send(new PutLifecyclePolicyCommand({ repositoryName, lifecyclePolicyText: plan.policy!.text })));
      applied.policyUpdated = true;
    } catch (err) {
      applied.failures.push(`${repositoryName}: putting the lifecycle policy with the shield rule failed (${errorText(err)}).`);
    }
  }
  if (plan.tagsToRemove.length > 0 && applied.failures.length === 0) await releaseTags(clients, plan, applied, limit, log);
  return applied;
}

/**
 * Adds a tag without pulling or pushing layers: PutImage with the manifest exactly as BatchGetImage
 * returned it, its media type and its digest, so the digest cannot change.
 * https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-retag.html
 */
async function retag(clients: GuardClients, repositoryName: string, change: TagChange, manifest: Manifest, limit: Limiter): Promise<void> {
  try {
    await limit(() =>
      clients.ecr.send(
        new PutImageCommand({
          repositoryName,
          imageManifest: manifest.manifest,
          ...(manifest.mediaType ? { imageManifestMediaType: manifest.mediaType } : {}),
          imageDigest: change.digest,
          imageTag: change.tag,
        }),
      ),
    );
  } catch (err) {
    // The tag is already on this image (an earlier, interrupted run): nothing to do.
    if ((err as Error).name !== 'ImageAlreadyExistsException') throw err;
  }
}

/**
 * Removes protection tags by tag, never by digest. Removing an image's last tag deletes the image, so
 * the images are read again just before and a tag is removed only while the image still has a tag
 * that is not a protection tag.
 */
async function releaseTags(clients: GuardClients, plan: RepositoryPlan, applied: AppliedPlan, limit: Limiter, log: Logger): Promise<void> {
  const repositoryName = plan.repository;
  const digests = [...new Set(plan.tagsToRemove.map((c) => c.digest))];
  const otherTagged = new Set<string>();
  for (const batch of chunk(digests, 100)) {
    const out = await limit(() =>
      clients.ecr.send(new DescribeImagesCommand({ repositoryName, imageIds: batch.map((imageDigest) => ({ imageDigest })), filter: { imageStatus: 'ANY' } })),
    ).catch((err: unknown) => {
      applied.failures.push(`${repositoryName}: could not re-read images before releasing protection tags (${errorText(err)}).`);
      return undefined;
    });
    for (const image of out?.imageDetails ?? []) {
      if (image.imageDigest && (image.imageTags ?? []).some((t) => !isProtectionTag(t))) otherTagged.add(image.imageDigest);
    }
  }
  const safe = plan.tagsToRemove.filter((c) => otherTagged.has(c.digest));
  applied.keptOnRecheck.push(...plan.tagsToRemove.filter((c) => !otherTagged.has(c.digest)));
  for (const batch of chunk(safe, 100)) {
    try {
      const out = await limit(() => clients.ecr.send(new BatchDeleteImageCommand({ repositoryName, imageIds: batch.map((c) => ({ imageTag: c.tag })) })));
      const failed = new Set((out.failures ?? []).map((f) => f.imageId?.imageTag));
      for (const c of batch) if (!failed.has(c.tag)) applied.released.push(c);
      for (const f of out.failures ?? []) log.warning(`${repositoryName}: protection tag ${f.imageId?.imageTag} was not removed (${f.failureCode}: ${f.failureReason}).`);
    } catch (err) {
      log.warning(`${repositoryName}: releasing protection tags failed (${errorText(err)}); they stay and keep those images protected.`);
    }
  }
}
