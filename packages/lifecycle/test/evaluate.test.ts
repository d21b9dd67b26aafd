// Evaluator behaviour beyond the worked examples: storage classes, manifest lists, time formats,
// boundaries and the choices documented in README "Where AWS's documentation is silent".
import { describe, expect, it } from '@jest/globals';
import {
  LifecycleImageError,
  LifecyclePolicyError,
  describeDecision,
  evaluatePolicy,
  explainPolicy,
  matchesTagSelection,
  type LifecyclePolicy,
} from '../src/index.js';
import { DAY, NOW, daysAgo, image, outcome, policyOf } from './helpers.js';

const keepUntagged = (n: number) => [
  { rulePriority: 1, description: 'keep untagged', selection: { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: n }, action: { type: 'expire' as const } },
];

describe('tag selection', () => {
  const rule = (selection: Record<string, unknown>) => ({ selection: selection as never });
  it('patterns are anchored, * matches any run (also empty), and one tag may satisfy several entries', () => {
    expect(matchesTagSelection(rule({ tagStatus: 'tagged', tagPatternList: ['prod*'] }), ['prod'])).toBe(true);
    expect(matchesTagSelection(rule({ tagStatus: 'tagged', tagPatternList: ['*prod*'] }), ['repo-production'])).toBe(true);
    expect(matchesTagSelection(rule({ tagStatus: 'tagged', tagPatternList: ['prod*'] }), ['repo-prod'])).toBe(false);
    expect(matchesTagSelection(rule({ tagStatus: 'tagged', tagPatternList: ['v1.2'] }), ['v1x2'])).toBe(false);
    expect(matchesTagSelection(rule({ tagStatus: 'tagged', tagPatternList: ['v1.2'] }), ['v1.2'])).toBe(true);
    expect(matchesTagSelection(rule({ tagStatus: 'tagged', tagPatternList: ['prod*', '*-stable'] }), ['prod-x-stable'])).toBe(true);
    expect(matchesTagSelection(rule({ tagStatus: 'tagged', tagPatternList: ['prod*', '*-stable'] }), ['prod-x'])).toBe(false);
  });
  it('untagged sees only images without tags, any sees all, tagged never sees untagged images', () => {
    expect(matchesTagSelection(rule({ tagStatus: 'untagged' }), [])).toBe(true);
    expect(matchesTagSelection(rule({ tagStatus: 'untagged' }), undefined)).toBe(true);
    expect(matchesTagSelection(rule({ tagStatus: 'untagged' }), ['a'])).toBe(false);
    expect(matchesTagSelection(rule({ tagStatus: 'any' }), ['a'])).toBe(true);
    expect(matchesTagSelection(rule({ tagStatus: 'tagged', tagPrefixList: ['a'] }), [])).toBe(false);
  });
});

describe('priority and shielding', () => {
  it('a higher rule that keeps an image still shields it from a lower rule that would expire it', () => {
    const rules = [
      { rulePriority: 1, selection: { tagStatus: 'tagged', tagPatternList: ['release-*'], countType: 'sinceImagePushed', countUnit: 'days', countNumber: 3650 }, action: { type: 'expire' as const } },
      { rulePriority: 2, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'expire' as const } },
    ];
    const images = [image('A', ['release-1'], 30), image('B', ['main-1'], 20), image('C', ['main-2'], 1)];
    expect(outcome(rules, images)).toEqual(['B:expire:2']);
    const explained = explainPolicy(policyOf(rules), images, { now: NOW });
    expect(explained.find((o) => o.imageDigest === 'sha256:A')).toMatchObject({ ownerRulePriority: 1, seenByRulePriorities: [1, 2], markedByOwner: false });
  });
});

describe('boundaries and time formats', () => {
  const rules = [
    { rulePriority: 1, description: 'untagged older than 7 days', selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 7 }, action: { type: 'expire' as const } },
  ];
  it('"older than N days" is strictly more than N x 24 hours', () => {
    const exactly = { imageDigest: 'sha256:exact', imagePushedAt: new Date(NOW.getTime() - 7 * DAY) };
    const justOver = { imageDigest: 'sha256:over', imagePushedAt: new Date(NOW.getTime() - 7 * DAY - 1000) };
    expect(evaluatePolicy(policyOf(rules), [exactly, justOver], { now: NOW }).map((d) => d.imageDigest)).toEqual(['sha256:over']);
  });
  it('accepts Date, ISO strings, epoch seconds (number or string, as the AWS CLI prints them) and epoch milliseconds', () => {
    const t = NOW.getTime() - 8 * DAY;
    const images = [
      { imageDigest: 'sha256:date', imagePushedAt: new Date(t) },
      { imageDigest: 'sha256:iso', imagePushedAt: new Date(t).toISOString().replace('Z', '+00:00') },
      { imageDigest: 'sha256:secs', imagePushedAt: t / 1000 + 0.123 },
      { imageDigest: 'sha256:secstr', imagePushedAt: String(t / 1000) },
      { imageDigest: 'sha256:ms', imagePushedAt: t },
      { imageDigest: 'sha256:young', imagePushedAt: (NOW.getTime() - DAY) / 1000 },
    ];
    expect(evaluatePolicy(policyOf(rules), images, { now: NOW })).toHaveLength(5);
  });
  it('rejects unreadable dates and duplicate digests with a message naming the image', () => {
    expect(() => evaluatePolicy(policyOf(rules), [{ imageDigest: 'sha256:bad', imagePushedAt: 'yesterday' }], { now: NOW })).toThrow(
      /Image sha256:bad: imagePushedAt "yesterday" is not a date/,
    );
    const dup = image('A', [], 10);
    expect(() => evaluatePolicy(policyOf(rules), [dup, dup], { now: NOW })).toThrow(LifecycleImageError);
  });
  it('rejects an invalid policy object instead of guessing', () => {
    const bad = { rules: [{ rulePriority: 1, selection: { tagStatus: 'tagged', countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'expire' } }] } as LifecyclePolicy;
    expect(() => evaluatePolicy(bad, [], { now: NOW })).toThrow(LifecyclePolicyError);
  });
});

describe('ordering and restored images', () => {
  it('equal push times are ordered by digest, so the result does not depend on input order', () => {
    const a = { imageDigest: 'sha256:aaa', imagePushedAt: daysAgo(2) };
    const b = { imageDigest: 'sha256:bbb', imagePushedAt: daysAgo(2) };
    const one = evaluatePolicy(policyOf(keepUntagged(1)), [a, b], { now: NOW });
    const two = evaluatePolicy(policyOf(keepUntagged(1)), [b, a], { now: NOW });
    expect(one).toEqual(two);
    expect(one.map((d) => d.imageDigest)).toEqual(['sha256:aaa']);
  });
  it('imageCountMoreThan ranks a restored image by last_activated_at instead of its push time', () => {
    const restored = image('R', [], 100, { lastActivatedAt: daysAgo(1) });
    expect(outcome(keepUntagged(1), [restored, image('N', [], 5)])).toEqual(['N:expire:1']);
  });
  it('sinceImagePushed still reads the push time of a restored image (the at-risk reading)', () => {
    const rules = [
      { rulePriority: 1, selection: { tagStatus: 'any', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 30 }, action: { type: 'transition' as const, targetStorageClass: 'archive' as const } },
    ];
    expect(outcome(rules, [image('R', ['v1'], 100, { lastActivatedAt: daysAgo(1) })])).toEqual(['R:transition:1']);
  });
  it('ACTIVATING images are still in archive: standard rules do not see them', () => {
    const rules = [{ rulePriority: 1, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'expire' as const } }];
    expect(outcome(rules, [image('A', ['a'], 10, { imageStatus: 'ACTIVATING' }), image('B', ['b'], 9), image('C', ['c'], 8)])).toEqual(['B:expire:1']);
  });
});

describe('manifest lists', () => {
  const index = image('I', ['latest'], 10);
  const childAmd = image('amd', [], 10, { referencedBy: ['sha256:I'] });
  const childArm = image('arm', [], 10, { referencedBy: ['sha256:I'] });

  it('children referenced by a manifest list that stays are not expired, but still count toward imageCountMoreThan', () => {
    const images = [index, childAmd, childArm, image('old', [], 20), image('new', [], 1)];
    // Untagged, youngest first: new, then arm/amd (equal push time), then old. Keeping 3 still takes
    // old, because the held children occupy two of the kept places.
    expect(outcome(keepUntagged(3), images)).toEqual(['old:expire:1']);
    // Keeping 1 marks both children too, but the index holds them.
    expect(outcome(keepUntagged(1), images)).toEqual(['old:expire:1']);
    const held = explainPolicy(policyOf(keepUntagged(1)), images, { now: NOW }).filter((o) => o.heldByManifestList);
    expect(held.map((o) => o.imageDigest).sort()).toEqual(['sha256:amd', 'sha256:arm']);
  });

  it('children stay while their index is expired in the same run; they are free once the index is gone or archived', () => {
    const rules = [
      { rulePriority: 1, selection: { tagStatus: 'any', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 5 }, action: { type: 'expire' as const } },
    ];
    expect(outcome(rules, [index, childAmd, childArm])).toEqual(['I:expire:1']);
    // The index is not in the input: it is assumed to stay (the caller said it references the child).
    expect(outcome(rules, [childAmd])).toEqual([]);
    expect(outcome(rules, [{ ...childAmd, referencedBy: [] }])).toEqual(['amd:expire:1']);
    const archivedIndex = { ...index, imageStatus: 'ARCHIVED', lastArchivedAt: daysAgo(1) };
    expect(outcome(rules, [archivedIndex, childAmd])).toEqual(['amd:expire:1']);
  });
});

describe('describeDecision', () => {
  it('names the rule, the action and the image', () => {
    expect(describeDecision({ imageDigest: 'sha256:x', imageTags: ['v1', 'latest'], action: 'expire', rulePriority: 2, storageClass: 'standard' })).toBe(
      'rule 2 expires sha256:x (tags: v1, latest)',
    );
    expect(describeDecision({ imageDigest: 'sha256:y', imageTags: [], action: 'transition', targetStorageClass: 'archive', rulePriority: 1, storageClass: 'standard' })).toBe(
      'rule 1 archives sha256:y (untagged)',
    );
    expect(describeDecision({ imageDigest: 'sha256:z', imageTags: [], action: 'expire', rulePriority: 3, storageClass: 'archive' })).toBe(
      'rule 3 expires archived image sha256:z (untagged)',
    );
  });
});
