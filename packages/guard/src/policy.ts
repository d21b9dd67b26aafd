import { MAX_RULES, POLICY_TEXT_MAX_LENGTH, validatePolicy } from '@gantry/lifecycle';
import { UserError } from '@gantry/github';

/** Every protection tag starts with this; the shield rule selects it. */
export const PROTECTION_TAG_PREFIX = 'gantry-keep-';
/**
 * The shield rule's count: far above any repository's image count (20,000 per repository by default,
 * https://docs.aws.amazon.com/AmazonECR/latest/userguide/service-quotas.html), so it never expires an
 * image itself, and below 2^31 so it fits any integer field.
 */
export const SHIELD_COUNT = 1_000_000_000;
export const SHIELD_DESCRIPTION = 'gantry-guard: keep images in use by ECS (tags gantry-keep-*); managed by ecr-lifecycle-guard';

export function isProtectionTag(tag: string): boolean {
  return tag.startsWith(PROTECTION_TAG_PREFIX);
}

/**
 * A tag unique to the image (12 hex digits of its digest, all 64 if those are taken), so it can be
 * added under IMMUTABLE tag mutability, which only refuses moving an existing tag.
 */
export function protectionTag(digest: string, takenBy?: (tag: string) => string | undefined): string {
  const hex = digest.replace(/^sha256:/, '');
  const short = `${PROTECTION_TAG_PREFIX}${hex.slice(0, 12)}`;
  const owner = takenBy?.(short);
  return owner === undefined || owner === digest ? short : `${PROTECTION_TAG_PREFIX}${hex}`;
}

/**
 * The rule that shields protected images. ECR: "An image that matches the tagging requirements of a
 * rule cannot be expired or archived by a rule with a lower priority", so a first rule selecting the
 * protection tags, whose own count never expires anything, takes those images out of every other rule
 * while they still count towards the other rules' image counts as before.
 * https://docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html#lp_evaluation_rules
 */
export function shieldRule(rulePriority: number) {
  return {
    rulePriority,
    description: SHIELD_DESCRIPTION,
    selection: { tagStatus: 'tagged', tagPrefixList: [PROTECTION_TAG_PREFIX], countType: 'imageCountMoreThan', countNumber: SHIELD_COUNT },
    action: { type: 'expire' },
  };
}

type RawRule = { rulePriority: number; selection?: Record<string, unknown>; action?: Record<string, unknown>; [key: string]: unknown };

export function isShieldRule(rule: RawRule): boolean {
  const s = rule.selection ?? {};
  const prefixes = s.tagPrefixList;
  return (
    s.tagStatus === 'tagged' &&
    Array.isArray(prefixes) &&
    prefixes.length === 1 &&
    prefixes[0] === PROTECTION_TAG_PREFIX &&
    (s.storageClass ?? 'standard') === 'standard' &&
    s.countType === 'imageCountMoreThan' &&
    typeof s.countNumber === 'number' &&
    s.countNumber >= SHIELD_COUNT &&
    rule.action?.type === 'expire'
  );
}

/**
 * The user's tag prefix or pattern that only matches protection tags, e.g. `gantry-keep-` or
 * `gantry-keep-1*`: such a rule would act on the guard's own tags. A pattern is inside the namespace when
 * its text before the first `*` already starts with the reserved prefix.
 */
export function reservedSelection(rule: { selection?: Record<string, unknown> }): string | undefined {
  const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  const prefix = strings(rule.selection?.tagPrefixList).find((p) => p.startsWith(PROTECTION_TAG_PREFIX));
  if (prefix !== undefined) return `tag prefix '${prefix}'`;
  const pattern = strings(rule.selection?.tagPatternList).find((p) => p.split('*')[0]!.startsWith(PROTECTION_TAG_PREFIX));
  return pattern !== undefined ? `tag pattern '${pattern}'` : undefined;
}

export interface ShieldedPolicy {
  /** The policy text to put, or the original when nothing changes. */
  text: string;
  changed: boolean;
  /** The user's rules got new priorities (their order is unchanged). */
  renumbered: boolean;
  /** `old -> new` for every renumbered rule. */
  priorityChanges: [number, number][];
}

/**
 * The user's policy with the shield rule first. The user's rules keep every field and their relative
 * order; their priorities change only when no number below all of them is free (their lowest is 1),
 * and then all move up by one. Throws a UserError naming the repository when the result would break
 * ECR's limits (50 rules, 30,720 characters) or be a policy ECR rejects.
 */
export function shieldPolicy(repository: string, policyText: string): ShieldedPolicy {
  const original = validatePolicy(policyText);
  if (!original.valid) {
    throw new UserError(
      `The lifecycle policy of repository ${repository} does not validate: ${original.errors.join(' ')}`,
      'Fix the policy (npx gantry-lifecycle validate --policy POLICY.json) so the guard can add its rule.',
    );
  }
  const doc = JSON.parse(policyText) as { rules: RawRule[] };
  const sorted = [...doc.rules].sort((a, b) => a.rulePriority - b.rulePriority);
  const shields = sorted.filter(isShieldRule);
  if (shields.length === 1 && sorted[0] === shields[0]) return { text: policyText, changed: false, renumbered: false, priorityChanges: [] };

  const userRules = sorted.filter((r) => !isShieldRule(r));
  for (const rule of userRules) {
    const reserved = reservedSelection(rule);
    if (reserved) {
      throw new UserError(
        `Rule ${rule.rulePriority} of the lifecycle policy of repository ${repository} selects ${reserved}, inside the '${PROTECTION_TAG_PREFIX}' tag namespace the guard reserves for its protection tags.`,
        `Remove that ${reserved.startsWith('tag prefix') ? 'prefix' : 'pattern'} from the rule (protection tags are managed by the guard alone).`,
      );
    }
  }
  if (userRules.length + 1 > MAX_RULES) {
    throw new UserError(
      `The lifecycle policy of repository ${repository} has ${userRules.length} rules; the guard needs one more for its shield rule and ECR allows at most ${MAX_RULES}.`,
      'Merge two of your rules so the policy has at most 49.',
    );
  }
  const lowest = userRules[0]?.rulePriority ?? 2;
  const shift = lowest > 1 ? 0 : 1;
  const priorityChanges: [number, number][] = shift ? userRules.map((r) => [r.rulePriority, r.rulePriority + shift]) : [];
  const rules = [shieldRule(1), ...userRules.map((r) => (shift ? { ...r, rulePriority: r.rulePriority + shift } : r))];
  const text = JSON.stringify({ ...doc, rules });
  if (text.length > POLICY_TEXT_MAX_LENGTH) {
    throw new UserError(
      `With the guard's shield rule, the lifecycle policy of repository ${repository} would be ${text.length} characters; ECR allows at most ${POLICY_TEXT_MAX_LENGTH}.`,
      `Shorten rule descriptions or merge rules to free ${text.length - POLICY_TEXT_MAX_LENGTH} characters.`,
    );
  }
  const check = validatePolicy(text);
  if (!check.valid) {
    throw new UserError(`Adding the shield rule to the lifecycle policy of repository ${repository} would make it invalid: ${check.errors.join(' ')}`);
  }
  return { text, changed: true, renumbered: shift > 0, priorityChanges };
}
