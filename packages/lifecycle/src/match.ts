// Which images a rule "sees": its tag selection within its storage class.
// Semantics: https://docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html#lp_evaluation_rules
import type { LifecycleImage, LifecycleRule, StorageClass } from './types.js';

/** The storage class a rule selects; ECR uses `standard` when it is omitted. */
export function ruleStorageClass(rule: Pick<LifecycleRule, 'selection'>): StorageClass {
  return rule.selection.storageClass ?? 'standard';
}

/**
 * ARCHIVED images are in the archive storage class. ACTIVATING images are still archived until the
 * restore completes, so they count as `archive` too (see README, "Where AWS's documentation is silent").
 */
export function imageStorageClass(image: Pick<LifecycleImage, 'imageStatus'>): StorageClass {
  return image.imageStatus === 'ARCHIVED' || image.imageStatus === 'ACTIVATING' ? 'archive' : 'standard';
}

const patternCache = new Map<string, RegExp>();

/**
 * A tagPatternList entry matches a whole tag; `*` matches any run of characters (also none), so
 * `prod*` matches `prod` and `production`, and a pattern without `*` is an exact match.
 */
export function matchesTagPattern(pattern: string, tag: string): boolean {
  let re = patternCache.get(pattern);
  if (!re) {
    const body = pattern
      .split('*')
      .map((part) => part.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&'))
      .join('.*');
    re = new RegExp(`^${body}$`, 's');
    patternCache.set(pattern, re);
  }
  return re.test(tag);
}

/** A tagPrefixList entry is a plain string prefix with no expressions. */
export function matchesTagPrefix(prefix: string, tag: string): boolean {
  return tag.startsWith(prefix);
}

/**
 * Whether an image with these tags matches the rule's tag selection (storage class aside).
 * `tagged`: every listed prefix/pattern must match at least one of the image's tags; one tag may
 * satisfy several entries ("all of the tags in the tagPatternList or tagPrefixList value are
 * matched against any of the image's tags").
 */
export function matchesTagSelection(rule: Pick<LifecycleRule, 'selection'>, imageTags: readonly string[] | undefined): boolean {
  const tags = imageTags ?? [];
  const { tagStatus, tagPrefixList, tagPatternList } = rule.selection;
  if (tagStatus === 'any') return true;
  if (tagStatus === 'untagged') return tags.length === 0;
  if (tags.length === 0) return false;
  if (tagPatternList && tagPatternList.length > 0) {
    return tagPatternList.every((pattern) => tags.some((tag) => matchesTagPattern(pattern, tag)));
  }
  if (tagPrefixList && tagPrefixList.length > 0) {
    return tagPrefixList.every((prefix) => tags.some((tag) => matchesTagPrefix(prefix, tag)));
  }
  // A tagged rule without a list is invalid; selecting nothing is the safe answer.
  return false;
}

/** Whether the rule sees the image: same storage class and matching tag selection. */
export function ruleSelectsImage(rule: Pick<LifecycleRule, 'selection'>, image: Pick<LifecycleImage, 'imageStatus' | 'imageTags'>): boolean {
  return ruleStorageClass(rule) === imageStorageClass(image) && matchesTagSelection(rule, image.imageTags);
}
