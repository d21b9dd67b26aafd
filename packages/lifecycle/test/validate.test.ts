// Validation as PutLifecyclePolicy would reject a policy; each case cites the documented constraint.
import { describe, expect, it } from '@jest/globals';
import { LifecyclePolicyError, parsePolicy, validatePolicy, validatePolicyObject } from '../src/index.js';

type Rule = Record<string, unknown>;
const rule = (rulePriority: unknown, selection: Rule, action: Rule = { type: 'expire' }): Rule => ({
  rulePriority,
  description: 'a rule with a description long enough to keep the policy text over 100 characters',
  selection,
  action,
});
const untaggedKeep = (p: unknown, extra: Rule = {}) => rule(p, { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 5, ...extra });
const taggedKeep = (p: unknown, extra: Rule = {}) => rule(p, { tagStatus: 'tagged', tagPrefixList: ['v'], countType: 'imageCountMoreThan', countNumber: 5, ...extra });
const text = (rules: unknown[], extra: Rule = {}) => JSON.stringify({ rules, ...extra });
const errorsOf = (rules: unknown[], extra: Rule = {}) => validatePolicy(text(rules, extra)).errors;

describe('validatePolicy accepts', () => {
  it('a valid two-rule policy, returning it sorted by rulePriority with storageClass filled in', () => {
    const result = validatePolicy(text([untaggedKeep(10), taggedKeep(2)]));
    expect(result).toMatchObject({ valid: true, errors: [] });
    expect(result.policy!.rules.map((r) => r.rulePriority)).toEqual([2, 10]);
    expect(result.policy!.rules[0]!.selection.storageClass).toBe('standard');
  });

  it('an `any` rule per storage class, each last within its class (the documented archive+expire combination)', () => {
    const rules = [
      rule(1, { tagStatus: 'any', countType: 'sinceImagePulled', countUnit: 'days', countNumber: 90 }, { type: 'transition', targetStorageClass: 'archive' }),
      rule(2, { tagStatus: 'any', storageClass: 'archive', countType: 'sinceImageTransitioned', countUnit: 'days', countNumber: 180 }),
    ];
    expect(errorsOf(rules)).toEqual([]);
  });

  it('up to four wildcards per pattern ("*test*1*2*3" and "test*1*2*3*" are documented as valid)', () => {
    expect(errorsOf([rule(1, { tagStatus: 'tagged', tagPatternList: ['*test*1*2*3', 'test*1*2*3*'], countType: 'imageCountMoreThan', countNumber: 1 })])).toEqual([]);
  });

  it('one untagged rule in each storage class, and the same prefix in different storage classes', () => {
    const rules = [
      untaggedKeep(1),
      rule(2, { tagStatus: 'untagged', storageClass: 'archive', countType: 'sinceImageTransitioned', countUnit: 'days', countNumber: 90 }),
      taggedKeep(3),
      rule(4, { tagStatus: 'tagged', tagPrefixList: ['v'], storageClass: 'archive', countType: 'sinceImageTransitioned', countUnit: 'days', countNumber: 90 }),
    ];
    expect(errorsOf(rules)).toEqual([]);
  });
});

describe('validatePolicy rejects', () => {
  const cases: Array<[string, unknown[], RegExp, Rule?]> = [
    ['a tagged rule without a list', [rule(3, { tagStatus: 'tagged', countType: 'imageCountMoreThan', countNumber: 1 })], /^Rule 3: tagStatus "tagged" needs a tagPrefixList or a tagPatternList/],
    ['an untagged rule with a list', [untaggedKeep(4, { tagPrefixList: ['v'] })], /^Rule 4: tagPrefixList and tagPatternList are only allowed with tagStatus "tagged"/],
    ['both lists in one rule', [taggedKeep(2, { tagPatternList: ['v*'] })], /^Rule 2: a rule may specify tagPrefixList or tagPatternList, not both/],
    ['five wildcards', [rule(1, { tagStatus: 'tagged', tagPatternList: ['test*1*2*3*4*5*6'], countType: 'imageCountMoreThan', countNumber: 1 })], /^Rule 1: tagPatternList entry "test\*1\*2\*3\*4\*5\*6" has 6 wildcards; at most 4/],
    ['a wildcard in a prefix', [taggedKeep(1, { tagPrefixList: ['v*'] })], /^Rule 1: tagPrefixList entry "v\*" contains "\*"/],
    ['an empty tag list', [taggedKeep(1, { tagPrefixList: [] })], /^Rule 1: tagPrefixList must be a non-empty list/],
    ['countNumber 0', [untaggedKeep(1, { countNumber: 0 })], /^Rule 1: selection.countNumber must be a positive integer \(0 is not accepted\), got 0/],
    ['a fractional countNumber', [untaggedKeep(1, { countNumber: 1.5 })], /^Rule 1: selection.countNumber must be a positive integer/],
    ['countUnit with imageCountMoreThan', [untaggedKeep(6, { countUnit: 'days' })], /^Rule 6: countUnit is only allowed with the since\* count types/],
    ['a since* rule without countUnit', [rule(1, { tagStatus: 'untagged', countType: 'sinceImagePushed', countNumber: 3 })], /^Rule 1: countType "sinceImagePushed" needs countUnit "days"/],
    ['a countUnit other than days', [rule(1, { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'hours', countNumber: 3 })], /^Rule 1: countUnit must be "days", got "hours"/],
    ['transition without targetStorageClass', [rule(1, { tagStatus: 'any', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 30 }, { type: 'transition' })], /^Rule 1: action "transition" needs targetStorageClass "archive"/],
    ['targetStorageClass with expire', [rule(1, { tagStatus: 'any', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 30 }, { type: 'expire', targetStorageClass: 'archive' })], /^Rule 1: targetStorageClass is only allowed with action "transition"/],
    ['sinceImagePulled with expire', [rule(2, { tagStatus: 'any', countType: 'sinceImagePulled', countUnit: 'days', countNumber: 30 })], /^Rule 2: countType "sinceImagePulled" can only be used with action "transition", not "expire"/],
    ['sinceImageTransitioned without storageClass archive', [rule(1, { tagStatus: 'any', countType: 'sinceImageTransitioned', countUnit: 'days', countNumber: 90 })], /^Rule 1: countType "sinceImageTransitioned" needs storageClass "archive"/],
    ['sinceImageTransitioned with transition', [rule(1, { tagStatus: 'any', storageClass: 'archive', countType: 'sinceImageTransitioned', countUnit: 'days', countNumber: 90 }, { type: 'transition', targetStorageClass: 'archive' })], /^Rule 1: countType "sinceImageTransitioned" can only be used with action "expire"/],
    ['deleting archived images before 90 days', [rule(1, { tagStatus: 'any', storageClass: 'archive', countType: 'sinceImageTransitioned', countUnit: 'days', countNumber: 30 })], /^Rule 1: archived images must stay in archive at least 90 days/],
    ['storageClass archive with another count type', [rule(5, { tagStatus: 'any', storageClass: 'archive', countType: 'imageCountMoreThan', countNumber: 3 })], /^Rule 5: storageClass "archive" can only be used with countType "sinceImageTransitioned"/],
    ['an unknown storage class', [untaggedKeep(1, { storageClass: 'glacier' })], /^Rule 1: selection.storageClass must be "standard" or "archive"/],
    ['an unknown tagStatus', [rule(1, { tagStatus: 'TAGGED', tagPrefixList: ['v'], countType: 'imageCountMoreThan', countNumber: 1 })], /^Rule 1: selection.tagStatus must be one of tagged, untagged, any, got "TAGGED"/],
    ['an unknown countType', [rule(1, { tagStatus: 'untagged', countType: 'imageCountLessThan', countNumber: 1 })], /^Rule 1: selection.countType must be one of/],
    ['an unknown action', [rule(1, { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 1 }, { type: 'delete' })], /^Rule 1: action.type must be "expire" or "transition", got "delete"/],
    ['duplicate rulePriority', [untaggedKeep(1), taggedKeep(1)], /^Rule 1: rulePriority 1 is used by more than one rule/],
    ['rulePriority 0', [untaggedKeep(0)], /^Rule #1: rulePriority must be an integer of 1 or more, got 0/],
    ['a missing rulePriority', [taggedKeep(1), { ...untaggedKeep(2), rulePriority: undefined }], /^Rule #2: rulePriority must be an integer of 1 or more/],
    ['`any` before another standard rule', [rule(1, { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 10 }), untaggedKeep(2)], /^Rule 1: a tagStatus "any" rule must have the highest rulePriority among the standard rules \(2\)/],
    ['two untagged rules in one storage class', [untaggedKeep(1), rule(2, { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 3 })], /^Rule 2: only one rule per storage class may select untagged images; rule 1 already/],
    ['the same prefix in two rules of one storage class', [taggedKeep(1, { tagPrefixList: ['prod', 'v'] }), taggedKeep(2, { tagPrefixList: ['v'] })], /^Rule 2: tag prefix "v" is already used by rule 1/],
    ['an unknown selection key', [untaggedKeep(7, { tagStaus: 'x' })], /^Rule 7: unknown key "tagStaus" in selection/],
    ['an unknown rule key', [{ ...untaggedKeep(1), priority: 1 }], /^Rule 1: unknown key "priority" in the rule/],
    ['an unknown action key', [rule(1, { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 1 }, { type: 'expire', dryRun: true })], /^Rule 1: unknown key "dryRun" in action/],
    ['an unknown top-level key', [untaggedKeep(1)], /^The policy has an unknown top-level key "version"/, { version: 1 }],
    ['a missing selection', [{ rulePriority: 1, description: 'x'.repeat(100), action: { type: 'expire' } }], /^Rule 1: selection is required/],
  ];
  // Rows become one object so the test function's arity never makes jest wait for a `done` callback.
  it.each(cases.map(([name, rules, expected, extra]) => ({ name, rules, expected, extra: extra ?? {} })))('$name', ({ rules, expected, extra }) => {
    const result = validatePolicy(text(rules, extra));
    expect(result.valid).toBe(false);
    expect(result.policy).toBeUndefined();
    expect(result.errors.some((e) => expected.test(e))).toBe(true);
  });

  it('policy text under 100 or over 30720 characters, and more than 50 rules', () => {
    expect(validatePolicy('{"rules":[]}').errors[0]).toMatch(/is 12 characters; ECR accepts 100 to 30720/);
    const many = Array.from({ length: 51 }, (_, i) => taggedKeep(i + 1, { tagPrefixList: [`p${i}`] }));
    const errors = errorsOf(many);
    expect(errors).toContain('The policy has 51 rules; ECR allows at most 50 rules per lifecycle policy.');
    const long = text([{ ...untaggedKeep(1), description: 'x'.repeat(30_720) }]);
    expect(validatePolicy(long).errors.join(' ')).toMatch(/ECR accepts 100 to 30720 characters/);
  });

  it('text that is not JSON, or JSON without rules', () => {
    expect(validatePolicy(`{"rules": [${' '.repeat(100)}`).errors.join(' ')).toMatch(/not valid JSON/);
    expect(validatePolicy(JSON.stringify({ rules: [] }) + ' '.repeat(100)).errors).toContain('The policy needs a non-empty "rules" array.');
    expect(validatePolicyObject([]).errors[0]).toMatch(/must be a JSON object/);
  });

  it('collects every reason, not just the first', () => {
    const errors = errorsOf([rule(1, { tagStatus: 'tagged', countType: 'imageCountMoreThan', countNumber: 0, countUnit: 'days' })]);
    expect(errors).toHaveLength(3);
    expect(errors.every((e) => e.startsWith('Rule 1: '))).toBe(true);
  });
});

describe('parsePolicy', () => {
  it('throws LifecyclePolicyError carrying every error', () => {
    let thrown: unknown;
    try {
      parsePolicy(text([untaggedKeep(1, { countNumber: -1 }), untaggedKeep(1)]));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(LifecyclePolicyError);
    expect((thrown as LifecyclePolicyError).errors.length).toBeGreaterThanOrEqual(1);
    expect((thrown as Error).message).toMatch(/^The lifecycle policy is not valid: Rule 1: selection.countNumber/);
  });

  it('returns the normalised policy for valid text', () => {
    expect(parsePolicy(text([taggedKeep(3)])).rules[0]).toEqual({
      rulePriority: 3,
      description: expect.any(String),
      selection: { tagStatus: 'tagged', tagPrefixList: ['v'], storageClass: 'standard', countType: 'imageCountMoreThan', countNumber: 5 },
      action: { type: 'expire' },
    });
  });
});
