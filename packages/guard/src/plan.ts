import { UserError } from '@gantry/github';
import { shortDigest } from './images.js';
import { isProtectionTag, protectionTag, shieldPolicy, type ShieldedPolicy } from './policy.js';
import type { RepositoryState } from './repositories.js';
import type { InUseImage } from './types.js';

export interface TagChange {
  digest: string;
  tag: string;
}

/** What `protect` will change in one repository. Computed without calling AWS. */
export interface RepositoryPlan {
  repository: string;
  /** The new policy, when the policy changes. */
  policy?: ShieldedPolicy;
  tagsToAdd: TagChange[];
  /** Protection tags of images no longer in use that also carry another tag. */
  tagsToRemove: TagChange[];
  /**
   * Protection tags of images no longer in use that stay: they are the image's only tags, and
   * removing an image's last tag deletes the image (BatchDeleteImage,
   * https://docs.aws.amazon.com/cli/latest/reference/ecr/batch-delete-image.html). The guard never
   * deletes an image, so these images stay protected until someone deletes or retags them.
   */
  tagsKept: TagChange[];
  /** Why the repository cannot be protected (invalid policy, limits); nothing changes in it. */
  problem?: string;
  /** In-use images that cannot be tagged because they are archived. */
  archivedInUse: string[];
}

export interface PlanOptions {
  /** Removing protection tags needs a complete inventory: an unseen user may still need the image. */
  removeStaleTags: boolean;
}

/**
 * The protection plan for one repository: tag every in-use image (unless it already carries a
 * protection tag), put the shield rule first in the policy, and release protection tags no longer
 * needed. A repository without a lifecycle policy expires nothing, so it gets no tags and no policy.
 */
export function planRepository(state: RepositoryState, inUse: readonly InUseImage[], options: PlanOptions): RepositoryPlan {
  const plan: RepositoryPlan = { repository: state.name, tagsToAdd: [], tagsToRemove: [], tagsKept: [], archivedInUse: [] };
  const inUseDigests = new Set(inUse.map((i) => i.digest));
  const hasProtectionTag = (digest: string) => (state.byDigest.get(digest)?.imageTags ?? []).some(isProtectionTag);

  if (state.policyText !== undefined && inUse.length > 0) {
    try {
      const policy = shieldPolicy(state.name, state.policyText);
      if (policy.changed) plan.policy = policy;
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      plan.problem = err.message;
      return plan;
    }
    for (const image of inUse) {
      const detail = state.byDigest.get(image.digest);
      if (!detail) continue;
      if (detail.imageStatus === 'ARCHIVED' || detail.imageStatus === 'ACTIVATING') {
        plan.archivedInUse.push(image.digest);
        continue;
      }
      if (!hasProtectionTag(image.digest)) plan.tagsToAdd.push({ digest: image.digest, tag: protectionTag(image.digest, (t) => state.byTag.get(t)) });
    }
  }

  if (options.removeStaleTags) {
    for (const image of state.images) {
      const digest = image.imageDigest;
      if (!digest || inUseDigests.has(digest)) continue;
      const tags = image.imageTags ?? [];
      const stale = tags.filter(isProtectionTag);
      if (stale.length === 0) continue;
      const keepsAnotherTag = tags.some((t) => !isProtectionTag(t));
      for (const tag of stale) (keepsAnotherTag ? plan.tagsToRemove : plan.tagsKept).push({ digest, tag });
    }
  }
  return plan;
}

export function planIsEmpty(plan: RepositoryPlan): boolean {
  return !plan.policy && plan.tagsToAdd.length === 0 && plan.tagsToRemove.length === 0;
}

export function describePlan(plan: RepositoryPlan): string[] {
  const lines: string[] = [];
  if (plan.policy?.renumbered) {
    lines.push(
      `${plan.repository}: the shield rule needs priority 1, so your rules move up by one (order unchanged): ${plan.policy.priorityChanges.map(([a, b]) => `${a}→${b}`).join(', ')}.`,
    );
  } else if (plan.policy) lines.push(`${plan.repository}: the shield rule is added with priority 1; your rules keep their priorities.`);
  if (plan.tagsToAdd.length) lines.push(`${plan.repository}: tagging ${plan.tagsToAdd.length} in-use images (${plan.tagsToAdd.map((t) => t.tag).join(', ')}).`);
  if (plan.tagsToRemove.length) lines.push(`${plan.repository}: releasing ${plan.tagsToRemove.length} protection tags of images no longer in use.`);
  if (plan.tagsKept.length) {
    lines.push(
      `${plan.repository}: ${plan.tagsKept.length} images no longer in use keep their protection tag because it is their only tag and removing it would delete the image: ${plan.tagsKept.map((t) => shortDigest(t.digest)).join(', ')}.`,
    );
  }
  return lines;
}
