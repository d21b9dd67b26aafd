import type { ImageDetail } from '@aws-sdk/client-ecr';
import { evaluatePolicy, validatePolicy, type LifecycleImage, type LifecycleRule } from '@gantry/lifecycle';
import { manifestFacts } from './inventory/manifest.js';
import { imageKey } from './images.js';
import type { Manifest, RepositoryState } from './repositories.js';
import type { InUseImage, Usage } from './types.js';

/** An in-use image that the repository's policy would take, or that is already archived. */
export interface Violation {
  repository: string;
  digest: string;
  tags: string[];
  usages: Usage[];
  /** `expire` / `transition` by `rulePriority`, or `archived` when it already cannot be pulled. */
  action: 'expire' | 'transition' | 'archived';
  rulePriority?: number;
  ruleDescription?: string;
}

export interface RepositoryVerdict {
  repository: string;
  images: number;
  inUse: number;
  /** Images of any kind the policy would expire or archive now. */
  policyTakes: number;
  violations: Violation[];
  /** The policy could not be evaluated (our validator rejects it). */
  problem?: string;
}

/**
 * Evaluates the repository's policy against all its images with the lifecycle evaluator and reports
 * every in-use image it would expire or archive. Children of the in-use indexes carry `referencedBy`,
 * as ECR does not expire an image a manifest list still references.
 */
export function verifyRepository(state: RepositoryState, inUse: readonly InUseImage[], manifests: ReadonlyMap<string, Manifest>, now: Date): RepositoryVerdict {
  const verdict: RepositoryVerdict = { repository: state.name, images: state.images.length, inUse: inUse.length, policyTakes: 0, violations: [] };
  const byDigest = new Map(inUse.map((i) => [i.digest, i]));
  for (const image of inUse) {
    const status = state.byDigest.get(image.digest)?.imageStatus;
    if (status === 'ARCHIVED' || status === 'ACTIVATING') {
      verdict.violations.push({ repository: state.name, digest: image.digest, tags: state.byDigest.get(image.digest)?.imageTags ?? [], usages: image.usages, action: 'archived' });
    }
  }
  if (state.policyText === undefined) return verdict;
  const checked = validatePolicy(state.policyText);
  if (!checked.valid || !checked.policy) {
    verdict.problem = `The lifecycle policy of repository ${state.name} could not be evaluated: ${checked.errors.join(' ')}`;
    return verdict;
  }
  const rules = new Map<number, LifecycleRule>(checked.policy.rules.map((r) => [r.rulePriority, r]));
  const decisions = evaluatePolicy(checked.policy, lifecycleImages(state, inUse, manifests), { now });
  verdict.policyTakes = decisions.length;
  for (const d of decisions) {
    const image = byDigest.get(d.imageDigest);
    if (!image) continue;
    const description = rules.get(d.rulePriority)?.description;
    verdict.violations.push({
      repository: state.name,
      digest: d.imageDigest,
      tags: d.imageTags,
      usages: image.usages,
      action: d.action,
      rulePriority: d.rulePriority,
      ...(description ? { ruleDescription: description } : {}),
    });
  }
  return verdict;
}

/** DescribeImages details as the evaluator reads them, with the index references the guard knows. */
export function lifecycleImages(state: RepositoryState, inUse: readonly InUseImage[], manifests: ReadonlyMap<string, Manifest>): LifecycleImage[] {
  const referencedBy = new Map<string, string[]>();
  for (const image of inUse) {
    const manifest = manifests.get(imageKey(state.name, image.digest));
    if (!manifest) continue;
    for (const child of manifestFacts(manifest.manifest).children) referencedBy.set(child, [...(referencedBy.get(child) ?? []), image.digest]);
  }
  return state.images
    .filter((i): i is ImageDetail & { imageDigest: string; imagePushedAt: Date } => !!i.imageDigest && i.imagePushedAt !== undefined)
    .map((i) => {
      const refs = referencedBy.get(i.imageDigest);
      return { ...i, ...(refs ? { referencedBy: refs } : {}) } as LifecycleImage;
    });
}
