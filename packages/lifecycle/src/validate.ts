// Validation as ECR's PutLifecyclePolicy would reject a policy.
// Sources:
//  - properties: https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_parameters.html
//  - evaluation rules: https://docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html#lp_evaluation_rules
//  - restrictions stated with the examples: https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_examples.html
//  - text length 100..30720: https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_PutLifecyclePolicy.html
//  - 50 rules per policy: https://docs.aws.amazon.com/AmazonECR/latest/userguide/service-quotas.html
import {
  LifecyclePolicyError,
  type CountType,
  type LifecyclePolicy,
  type LifecycleRule,
  type StorageClass,
  type TagStatus,
  type ValidationResult,
} from './types.js';

export const POLICY_TEXT_MIN_LENGTH = 100;
export const POLICY_TEXT_MAX_LENGTH = 30_720;
export const MAX_RULES = 50;
export const MAX_WILDCARDS_PER_PATTERN = 4;
/** "You cannot configure lifecycle policies that delete images that have been in archive for less than 90 days." */
export const MIN_ARCHIVE_DAYS_BEFORE_EXPIRE = 90;

const TAG_STATUSES: readonly TagStatus[] = ['tagged', 'untagged', 'any'];
const STORAGE_CLASSES: readonly StorageClass[] = ['standard', 'archive'];
const COUNT_TYPES: readonly CountType[] = ['imageCountMoreThan', 'sinceImagePushed', 'sinceImagePulled', 'sinceImageTransitioned'];
const POLICY_KEYS = ['rules'];
const RULE_KEYS = ['rulePriority', 'description', 'selection', 'action'];
const SELECTION_KEYS = ['tagStatus', 'tagPatternList', 'tagPrefixList', 'storageClass', 'countType', 'countUnit', 'countNumber'];
const ACTION_KEYS = ['type', 'targetStorageClass'];
// Prefixes accept the characters of a Docker tag (AWS docs team, awsdocs/amazon-ecr-user-guide#17);
// patterns add `*`. The 128-character limit is Docker's tag length.
const PREFIX_CHARS = /^[A-Za-z0-9_.-]{1,128}$/;
const PATTERN_CHARS = /^[A-Za-z0-9_.*-]{1,128}$/;

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v: unknown): string => JSON.stringify(v) ?? String(v);

/** Validates lifecycle policy text the way PutLifecyclePolicy would, collecting every reason. */
export function validatePolicy(text: string): ValidationResult {
  if (typeof text !== 'string') return { valid: false, errors: ['The lifecycle policy text must be a string.'] };
  const errors: string[] = [];
  if (text.length < POLICY_TEXT_MIN_LENGTH || text.length > POLICY_TEXT_MAX_LENGTH) {
    errors.push(
      `The policy text is ${text.length} characters; ECR accepts ${POLICY_TEXT_MIN_LENGTH} to ${POLICY_TEXT_MAX_LENGTH} characters.`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    errors.push(`The policy text is not valid JSON: ${(error as Error).message}.`);
    return { valid: false, errors };
  }
  const result = validatePolicyObject(parsed);
  errors.push(...result.errors);
  return errors.length === 0 ? result : { valid: false, errors };
}

/** Like validatePolicy, for an already-parsed object (no text length check). */
export function validatePolicyObject(value: unknown): ValidationResult {
  const errors: string[] = [];
  if (!isObject(value)) return { valid: false, errors: ['The policy must be a JSON object with a "rules" array.'] };
  for (const key of Object.keys(value)) {
    if (!POLICY_KEYS.includes(key)) errors.push(`The policy has an unknown top-level key "${key}"; only "rules" is allowed.`);
  }
  const rawRules = value.rules;
  if (!Array.isArray(rawRules) || rawRules.length === 0) {
    errors.push('The policy needs a non-empty "rules" array.');
    return { valid: false, errors };
  }
  if (rawRules.length > MAX_RULES) {
    errors.push(`The policy has ${rawRules.length} rules; ECR allows at most ${MAX_RULES} rules per lifecycle policy.`);
  }
  const rules: LifecycleRule[] = [];
  rawRules.forEach((raw, index) => {
    const rule = validateRule(raw, index, errors);
    if (rule) rules.push(rule);
  });
  if (rules.length === rawRules.length) checkAcrossRules(rules, errors);
  if (errors.length > 0) return { valid: false, errors };
  rules.sort((a, b) => a.rulePriority - b.rulePriority);
  return { valid: true, errors: [], policy: { rules } };
}

/** Parses and validates; throws LifecyclePolicyError with every reason when ECR would reject the text. */
export function parsePolicy(text: string): LifecyclePolicy {
  const result = validatePolicy(text);
  if (!result.valid || !result.policy) throw new LifecyclePolicyError(result.errors);
  return result.policy;
}

/** Throws LifecyclePolicyError unless the policy object is one ECR would accept; returns it sorted by priority. */
export function assertValidPolicy(policy: LifecyclePolicy): LifecyclePolicy {
  const result = validatePolicyObject(policy);
  if (!result.valid || !result.policy) throw new LifecyclePolicyError(result.errors);
  return result.policy;
}

function unknownKeys(obj: Obj, allowed: readonly string[], where: string, label: string, errors: string[]): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) errors.push(`${label}: unknown key "${key}" in ${where}; allowed keys are ${allowed.join(', ')}.`);
  }
}

function validateRule(raw: unknown, index: number, errors: string[]): LifecycleRule | undefined {
  const start = errors.length;
  if (!isObject(raw)) {
    errors.push(`Rule #${index + 1}: each rule must be an object with rulePriority, selection and action.`);
    return undefined;
  }
  const priority = raw.rulePriority;
  const priorityOk = typeof priority === 'number' && Number.isInteger(priority) && priority >= 1;
  const label = priorityOk ? `Rule ${priority}` : `Rule #${index + 1}`;
  if (!priorityOk) {
    errors.push(`${label}: rulePriority must be an integer of 1 or more, got ${show(priority)}.`);
  }
  unknownKeys(raw, RULE_KEYS, 'the rule', label, errors);
  if (raw.description !== undefined && typeof raw.description !== 'string') {
    errors.push(`${label}: description must be a string.`);
  }

  const selection = raw.selection;
  const action = raw.action;
  if (!isObject(selection)) errors.push(`${label}: selection is required and must be an object.`);
  if (!isObject(action)) errors.push(`${label}: action is required and must be an object.`);
  if (!isObject(selection) || !isObject(action)) return undefined;
  unknownKeys(selection, SELECTION_KEYS, 'selection', label, errors);
  unknownKeys(action, ACTION_KEYS, 'action', label, errors);

  const { tagStatus, tagPrefixList, tagPatternList, countType, countUnit, countNumber } = selection;
  const storageClass = selection.storageClass ?? 'standard';

  if (!TAG_STATUSES.includes(tagStatus as TagStatus)) {
    errors.push(`${label}: selection.tagStatus must be one of ${TAG_STATUSES.join(', ')}, got ${show(tagStatus)}.`);
  }
  if (tagPrefixList !== undefined && tagPatternList !== undefined) {
    errors.push(`${label}: a rule may specify tagPrefixList or tagPatternList, not both.`);
  }
  if (tagStatus === 'tagged' && tagPrefixList === undefined && tagPatternList === undefined) {
    errors.push(`${label}: tagStatus "tagged" needs a tagPrefixList or a tagPatternList.`);
  }
  if (tagStatus !== 'tagged' && (tagPrefixList !== undefined || tagPatternList !== undefined)) {
    errors.push(`${label}: tagPrefixList and tagPatternList are only allowed with tagStatus "tagged", not ${show(tagStatus)}.`);
  }
  checkTagList(tagPrefixList, 'tagPrefixList', label, errors);
  checkTagList(tagPatternList, 'tagPatternList', label, errors);

  if (!STORAGE_CLASSES.includes(storageClass as StorageClass)) {
    errors.push(`${label}: selection.storageClass must be "standard" or "archive", got ${show(storageClass)}.`);
  }
  if (!COUNT_TYPES.includes(countType as CountType)) {
    errors.push(`${label}: selection.countType must be one of ${COUNT_TYPES.join(', ')}, got ${show(countType)}.`);
  }
  if (typeof countNumber !== 'number' || !Number.isInteger(countNumber) || countNumber < 1) {
    errors.push(`${label}: selection.countNumber must be a positive integer (0 is not accepted), got ${show(countNumber)}.`);
  }
  const isSince = typeof countType === 'string' && countType.startsWith('since');
  if (isSince && countUnit === undefined) {
    errors.push(`${label}: countType "${String(countType)}" needs countUnit "days".`);
  } else if (isSince && countUnit !== 'days') {
    errors.push(`${label}: countUnit must be "days", got ${show(countUnit)}.`);
  } else if (countType === 'imageCountMoreThan' && countUnit !== undefined) {
    errors.push(`${label}: countUnit is only allowed with the since* count types, not with imageCountMoreThan.`);
  }

  const type = action.type;
  if (type !== 'expire' && type !== 'transition') {
    errors.push(`${label}: action.type must be "expire" or "transition", got ${show(type)}.`);
  }
  if (type === 'transition' && action.targetStorageClass !== 'archive') {
    errors.push(`${label}: action "transition" needs targetStorageClass "archive", got ${show(action.targetStorageClass)}.`);
  }
  if (type !== 'transition' && action.targetStorageClass !== undefined) {
    errors.push(`${label}: targetStorageClass is only allowed with action "transition".`);
  }
  if (countType === 'sinceImagePulled' && type !== 'transition') {
    errors.push(`${label}: countType "sinceImagePulled" can only be used with action "transition", not "${String(type)}".`);
  }
  if (countType === 'sinceImageTransitioned') {
    if (type !== 'expire') errors.push(`${label}: countType "sinceImageTransitioned" can only be used with action "expire".`);
    if (selection.storageClass !== 'archive') {
      errors.push(`${label}: countType "sinceImageTransitioned" needs storageClass "archive".`);
    }
    if (typeof countNumber === 'number' && countNumber < MIN_ARCHIVE_DAYS_BEFORE_EXPIRE && countNumber >= 1) {
      errors.push(
        `${label}: archived images must stay in archive at least ${MIN_ARCHIVE_DAYS_BEFORE_EXPIRE} days, so countNumber must be ${MIN_ARCHIVE_DAYS_BEFORE_EXPIRE} or more, got ${countNumber}.`,
      );
    }
  }
  if (storageClass === 'archive' && countType !== 'sinceImageTransitioned' && COUNT_TYPES.includes(countType as CountType)) {
    errors.push(`${label}: storageClass "archive" can only be used with countType "sinceImageTransitioned", not "${String(countType)}".`);
  }

  if (errors.length > start || !priorityOk) return undefined;
  const rule: LifecycleRule = {
    rulePriority: priority as number,
    selection: {
      tagStatus: tagStatus as TagStatus,
      ...(tagPrefixList !== undefined ? { tagPrefixList: [...(tagPrefixList as string[])] } : {}),
      ...(tagPatternList !== undefined ? { tagPatternList: [...(tagPatternList as string[])] } : {}),
      storageClass: storageClass as StorageClass,
      countType: countType as CountType,
      ...(countUnit !== undefined ? { countUnit: 'days' as const } : {}),
      countNumber: countNumber as number,
    },
    action: { type: type as 'expire' | 'transition', ...(type === 'transition' ? { targetStorageClass: 'archive' as const } : {}) },
  };
  if (typeof raw.description === 'string') rule.description = raw.description;
  return rule;
}

function checkTagList(list: unknown, name: 'tagPrefixList' | 'tagPatternList', label: string, errors: string[]): void {
  if (list === undefined) return;
  if (!Array.isArray(list) || list.length === 0) {
    errors.push(`${label}: ${name} must be a non-empty list of strings.`);
    return;
  }
  for (const entry of list) {
    if (typeof entry !== 'string') {
      errors.push(`${label}: ${name} entries must be strings, got ${show(entry)}.`);
      continue;
    }
    if (name === 'tagPrefixList') {
      if (entry.includes('*')) {
        errors.push(`${label}: tagPrefixList entry "${entry}" contains "*"; prefixes are plain text, use tagPatternList for wildcards.`);
      } else if (!PREFIX_CHARS.test(entry)) {
        errors.push(`${label}: tagPrefixList entry ${show(entry)} must be 1-128 characters of A-Z a-z 0-9 _ . -.`);
      }
      continue;
    }
    const wildcards = entry.split('*').length - 1;
    if (wildcards > MAX_WILDCARDS_PER_PATTERN) {
      errors.push(`${label}: tagPatternList entry "${entry}" has ${wildcards} wildcards; at most ${MAX_WILDCARDS_PER_PATTERN} "*" are allowed per pattern.`);
    } else if (!PATTERN_CHARS.test(entry)) {
      errors.push(`${label}: tagPatternList entry ${show(entry)} must be 1-128 characters of A-Z a-z 0-9 _ . - *.`);
    }
  }
}

/** Rules that span rules: unique priorities, and per storage class: `any` last, one untagged rule, unique prefixes. */
function checkAcrossRules(unsorted: LifecycleRule[], errors: string[]): void {
  const rules = [...unsorted].sort((a, b) => a.rulePriority - b.rulePriority);
  const seenPriorities = new Set<number>();
  for (const rule of rules) {
    if (seenPriorities.has(rule.rulePriority)) {
      errors.push(`Rule ${rule.rulePriority}: rulePriority ${rule.rulePriority} is used by more than one rule; each rule needs a unique rulePriority.`);
    }
    seenPriorities.add(rule.rulePriority);
  }
  for (const storageClass of STORAGE_CLASSES) {
    const inClass = rules.filter((r) => (r.selection.storageClass ?? 'standard') === storageClass);
    if (inClass.length === 0) continue;
    const highest = Math.max(...inClass.map((r) => r.rulePriority));
    for (const rule of inClass) {
      if (rule.selection.tagStatus === 'any' && rule.rulePriority !== highest) {
        errors.push(
          `Rule ${rule.rulePriority}: a tagStatus "any" rule must have the highest rulePriority among the ${storageClass} rules (${highest}), so it is evaluated last.`,
        );
      }
    }
    const untagged = inClass.filter((r) => r.selection.tagStatus === 'untagged');
    for (const extra of untagged.slice(1)) {
      errors.push(
        `Rule ${extra.rulePriority}: only one rule per storage class may select untagged images; rule ${untagged[0]!.rulePriority} already selects untagged ${storageClass} images.`,
      );
    }
    const prefixOwner = new Map<string, number>();
    for (const rule of inClass) {
      for (const prefix of new Set(rule.selection.tagPrefixList ?? [])) {
        const owner = prefixOwner.get(prefix);
        if (owner !== undefined) {
          errors.push(
            `Rule ${rule.rulePriority}: tag prefix "${prefix}" is already used by rule ${owner}; the ${storageClass} rules must use a unique set of prefixes.`,
          );
        } else {
          prefixOwner.set(prefix, rule.rulePriority);
        }
      }
    }
  }
}
