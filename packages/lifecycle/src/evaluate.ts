// The lifecycle policy evaluator, following "Lifecycle policy evaluation rules":
// https://docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html#lp_evaluation_rules
// Worked examples it reproduces: https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_examples.html
//
// Model: every rule is evaluated on its own against all images of its storage class that match its
// tag selection ("All rules are evaluated at the same time, regardless of rule priority"), so counts
// include images other rules see. An image is then owned by the highest-priority rule whose
// selection it matches ("An image that matches the tagging requirements of a rule cannot be expired
// or archived by a rule with a lower priority"), and it is expired/archived only if that owner marks
// it ("An image is expired or archived by exactly one or zero rules").
import { matchesTagSelection, imageStorageClass, ruleStorageClass } from './match.js';
import { DAY_MS, toMillis } from './time.js';
import { assertValidPolicy } from './validate.js';
import {
  LifecycleImageError,
  type EvaluateOptions,
  type LifecycleDecision,
  type LifecycleImage,
  type LifecyclePolicy,
  type LifecycleRule,
  type StorageClass,
} from './types.js';

/** What the evaluator concluded about one image, kept or not. */
export interface ImageOutcome {
  imageDigest: string;
  imageTags: string[];
  storageClass: StorageClass;
  /** The highest-priority rule whose selection matches the image; undefined when no rule sees it. */
  ownerRulePriority?: number;
  /** Every rule that sees the image, in priority order. */
  seenByRulePriorities: number[];
  /** Whether the owner's count condition marks the image. */
  markedByOwner: boolean;
  /** Marked, but kept because a manifest list that stays references it. */
  heldByManifestList: boolean;
  /** Present when the image would be expired or archived. */
  decision?: LifecycleDecision;
}

interface Normalized {
  source: LifecycleImage;
  digest: string;
  tags: string[];
  storageClass: StorageClass;
  pushedAt: number;
  /** Ordering time: last_activated_at replaces pushed_at_time for restored images. */
  orderTime: number;
  /** Reference time for sinceImagePulled. */
  pulledRef: number;
  /** Reference time for sinceImageTransitioned. */
  archivedRef: number;
}

/** The images the policy would expire or archive now, one decision per affected image; others are kept. */
export function evaluatePolicy(policy: LifecyclePolicy, images: readonly LifecycleImage[], options: EvaluateOptions): LifecycleDecision[] {
  return explainPolicy(policy, images, options).flatMap((outcome) => (outcome.decision ? [outcome.decision] : []));
}

/**
 * Like evaluatePolicy, but one outcome per image (sorted like the decisions: affected images by rule
 * priority, then kept images), with the rule that owns it and why it is kept.
 */
export function explainPolicy(policy: LifecyclePolicy, images: readonly LifecycleImage[], options: EvaluateOptions): ImageOutcome[] {
  const rules = assertValidPolicy(policy).rules;
  const now = options.now.getTime();
  if (!Number.isFinite(now)) throw new LifecycleImageError('options.now is not a valid date.');
  const normalized = normalizeImages(images);
  const byDigest = new Map(normalized.map((image) => [image.digest, image]));

  const seen = new Map<LifecycleRule, Set<string>>();
  const marked = new Map<LifecycleRule, Set<string>>();
  for (const rule of rules) {
    const selected = normalized.filter(
      (image) => image.storageClass === ruleStorageClass(rule) && matchesTagSelection(rule, image.tags),
    );
    seen.set(rule, new Set(selected.map((image) => image.digest)));
    marked.set(rule, markedByRule(rule, selected, now));
  }

  const outcomes = normalized.map((image): ImageOutcome => {
    const seenBy = rules.filter((rule) => seen.get(rule)!.has(image.digest));
    const owner = seenBy[0];
    const markedByOwner = owner !== undefined && marked.get(owner)!.has(image.digest);
    const held = markedByOwner && heldByManifestList(image, byDigest);
    const outcome: ImageOutcome = {
      imageDigest: image.digest,
      imageTags: image.tags,
      storageClass: image.storageClass,
      seenByRulePriorities: seenBy.map((rule) => rule.rulePriority),
      markedByOwner,
      heldByManifestList: held,
    };
    if (owner) outcome.ownerRulePriority = owner.rulePriority;
    if (owner && markedByOwner && !held) {
      outcome.decision = {
        imageDigest: image.digest,
        imageTags: image.tags,
        action: owner.action.type,
        ...(owner.action.type === 'transition' ? { targetStorageClass: 'archive' as const } : {}),
        rulePriority: owner.rulePriority,
        storageClass: image.storageClass,
      };
    }
    return outcome;
  });

  const order = new Map(normalized.map((image) => [image.digest, image]));
  return outcomes.sort((a, b) => {
    const pa = a.decision?.rulePriority ?? Number.POSITIVE_INFINITY;
    const pb = b.decision?.rulePriority ?? Number.POSITIVE_INFINITY;
    if (pa !== pb) return pa - pb;
    return compareOldestFirst(order.get(a.imageDigest)!, order.get(b.imageDigest)!);
  });
}

/** The images a rule marks among those it sees, judged on its own (other rules do not matter here). */
function markedByRule(rule: LifecycleRule, selected: Normalized[], now: number): Set<string> {
  const { countType, countNumber } = rule.selection;
  if (countType === 'imageCountMoreThan') {
    // "images are sorted from youngest to oldest ... and then all images greater than the specified
    // count are expired or archived."
    const youngestFirst = [...selected].sort((a, b) => compareOldestFirst(b, a));
    return new Set(youngestFirst.slice(countNumber).map((image) => image.digest));
  }
  const limit = countNumber * DAY_MS;
  const reference = (image: Normalized): number =>
    countType === 'sinceImagePushed' ? image.pushedAt : countType === 'sinceImagePulled' ? image.pulledRef : image.archivedRef;
  // "older than the specified number of days": strictly more than countNumber x 24 hours.
  return new Set(selected.filter((image) => now - reference(image) > limit).map((image) => image.digest));
}

/** Oldest first by ordering time; equal times fall back to the digest so the result never depends on input order. */
function compareOldestFirst(a: Normalized, b: Normalized): number {
  if (a.orderTime !== b.orderTime) return a.orderTime - b.orderTime;
  return a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0;
}

/**
 * "If an image is referenced by a manifest list, it cannot be expired or archived without the manifest
 * list being deleted or archived first." A referencing list stays unless it is in the input and
 * already archived; a list missing from the input is assumed to stay (the caller said it exists), and a
 * list expired in this same run only frees its children on a later run.
 */
function heldByManifestList(image: Normalized, byDigest: Map<string, Normalized>): boolean {
  const parents = image.source.referencedBy ?? [];
  return parents.some((digest) => byDigest.get(digest)?.storageClass !== 'archive');
}

function normalizeImages(images: readonly LifecycleImage[]): Normalized[] {
  const seenDigests = new Set<string>();
  return images.map((image) => {
    const digest = image.imageDigest;
    if (typeof digest !== 'string' || digest === '') {
      throw new LifecycleImageError('Every image needs an imageDigest (as in DescribeImages imageDetails).');
    }
    if (seenDigests.has(digest)) throw new LifecycleImageError(`Image ${digest} appears more than once in the image list.`);
    seenDigests.add(digest);
    const pushedAt = toMillis(image.imagePushedAt, 'imagePushedAt', digest);
    if (pushedAt === undefined) throw new LifecycleImageError(`Image ${digest} has no imagePushedAt.`);
    const activatedAt = toMillis(image.lastActivatedAt, 'lastActivatedAt', digest);
    const pulledAt = toMillis(image.lastRecordedPullTime, 'lastRecordedPullTime', digest);
    const archivedAt = toMillis(image.lastArchivedAt, 'lastArchivedAt', digest);
    return {
      source: image,
      digest,
      tags: [...(image.imageTags ?? [])],
      storageClass: imageStorageClass(image),
      pushedAt,
      orderTime: Math.max(pushedAt, activatedAt ?? Number.NEGATIVE_INFINITY),
      // Never pulled: push time; restored and not pulled since: last_activated_at.
      pulledRef: Math.max(pulledAt ?? pushedAt, activatedAt ?? Number.NEGATIVE_INFINITY),
      // An archived image without lastArchivedAt: the push time, the earliest it can have been archived.
      archivedRef: archivedAt ?? pushedAt,
    };
  });
}

/** One line for logs and summaries, e.g. `rule 2 expires sha256:abc… (tags: v1, latest)`. */
export function describeDecision(decision: LifecycleDecision): string {
  const tags = decision.imageTags.length > 0 ? `tags: ${decision.imageTags.join(', ')}` : 'untagged';
  const what =
    decision.action === 'transition'
      ? `archives ${decision.imageDigest} (${tags})`
      : `expires ${decision.storageClass === 'archive' ? 'archived image ' : ''}${decision.imageDigest} (${tags})`;
  return `rule ${decision.rulePriority} ${what}`;
}
