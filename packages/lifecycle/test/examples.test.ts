// Every worked example on AWS's "Examples of lifecycle policies" page, with its documented outcome:
// https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_examples.html
import { describe, expect, it } from '@jest/globals';
import { image, outcome, NOW, DAY } from './helpers.js';

const expireRule = (rulePriority: number, selection: Record<string, unknown>) => ({
  rulePriority,
  description: `Rule ${rulePriority}`,
  selection,
  action: { type: 'expire' as const },
});

describe('Filtering on image age (#lifecycle_policy_example_age)', () => {
  it('expires images with a tag matching prod* that are older than 14 days', () => {
    const rules = [expireRule(1, { tagStatus: 'tagged', tagPatternList: ['prod*'], countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 })];
    const images = [
      image('A', ['prod'], 20),
      image('B', ['production-team1'], 15),
      image('C', ['prod-2'], 10),
      image('D', ['dev-1'], 30),
      image('E', [], 30),
      image('F', ['repo-prod'], 30), // prod* is anchored: it does not match a tag that only contains prod
    ];
    expect(outcome(rules, images)).toEqual(['A:expire:1', 'B:expire:1']);
  });

  it('(earlier version of the page) expires untagged images older than 14 days', () => {
    const rules = [expireRule(1, { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 })];
    const images = [image('A', [], 15), image('B', [], 13), image('C', ['v1'], 100)];
    expect(outcome(rules, images)).toEqual(['A:expire:1']);
  });
});

describe('Filtering on image count (#lifecycle_policy_example_number)', () => {
  it('keeps only one untagged image and expires all others', () => {
    const rules = [expireRule(1, { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 1 })];
    const images = [image('A', [], 3), image('B', [], 2), image('C', [], 1), image('D', ['latest'], 10)];
    expect(outcome(rules, images)).toEqual(['A:expire:1', 'B:expire:1']);
  });
});

describe('Filtering on multiple rules (#lp_example_multiple)', () => {
  const images = [image('A', ['beta-1', 'prod-1'], 10), image('B', ['beta-2', 'prod-2'], 9), image('C', ['beta-3'], 8)];
  const prod = { tagStatus: 'tagged', tagPrefixList: ['prod'], countType: 'imageCountMoreThan', countNumber: 1 };
  const beta = { tagStatus: 'tagged', tagPrefixList: ['beta'], countType: 'imageCountMoreThan', countNumber: 1 };

  it('Example A: rule 2 may not take image B, which rule 1 (prod) sees and keeps; result: Image A is expired', () => {
    expect(outcome([expireRule(1, prod), expireRule(2, beta)], images)).toEqual(['A:expire:1']);
  });

  it('Example B: rule 1 (beta) takes A and B, rule 2 sees nothing new; result: Images A and B are expired', () => {
    expect(outcome([expireRule(1, beta), expireRule(2, prod)], images)).toEqual(['A:expire:1', 'B:expire:1']);
  });
});

describe('Filtering on multiple tags in a single rule (#lp_example_difftype)', () => {
  it('Example A: images must match all listed prefixes; result: Image C is expired', () => {
    const images = [
      image('A', ['alpha-1'], 12),
      image('B', ['beta-1'], 11),
      image('C', ['alpha-2', 'beta-2'], 10),
      image('D', ['alpha-3'], 4),
      image('E', ['beta-3'], 3),
      image('F', ['alpha-4', 'beta-4'], 2),
    ];
    const rules = [expireRule(1, { tagStatus: 'tagged', tagPrefixList: ['alpha', 'beta'], countType: 'sinceImagePushed', countNumber: 5, countUnit: 'days' })];
    expect(outcome(rules, images)).toEqual(['C:expire:1']);
  });

  it('Example B: tags are not exclusive; result: Images A and B are expired', () => {
    const images = [
      image('A', ['alpha-1', 'beta-1', 'gamma-1'], 10),
      image('B', ['alpha-2', 'beta-2'], 9),
      image('C', ['alpha-3', 'beta-3', 'gamma-2'], 8),
    ];
    const rules = [expireRule(1, { tagStatus: 'tagged', tagPrefixList: ['alpha', 'beta'], countType: 'imageCountMoreThan', countNumber: 1 })];
    expect(outcome(rules, images)).toEqual(['A:expire:1', 'B:expire:1']);
  });
});

describe('Filtering on all images (#lp_example_allimages)', () => {
  it('Example A: keep one image of any kind; result: Images A, B, and C are expired', () => {
    const images = [image('A', ['alpha-1'], 4), image('B', ['beta-1'], 3), image('C', [], 2), image('D', ['alpha-2'], 1)];
    const rules = [expireRule(1, { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 })];
    expect(outcome(rules, images)).toEqual(['A:expire:1', 'B:expire:1', 'C:expire:1']);
  });

  it('Example B: rule 3 counts images seen by rules 1 and 2 but may only take D; result: Images A, B, and D are expired', () => {
    // D and E are both "Pushed: 1 day ago"; the documented outcome needs E to be the younger one (it is
    // the image rule 3 keeps) and E not to be "older than one day" for rule 2.
    const images = [
      image('A', ['alpha-1', 'beta-1'], 4),
      image('B', [], 3),
      image('C', ['alpha-2'], 2),
      image('D', ['git hash'], 1 + 1 / 24),
      image('E', [], 1),
    ];
    const rules = [
      expireRule(1, { tagStatus: 'tagged', tagPrefixList: ['alpha'], countType: 'imageCountMoreThan', countNumber: 1 }),
      expireRule(2, { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 1 }),
      expireRule(3, { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 }),
    ];
    expect(outcome(rules, images)).toEqual(['A:expire:1', 'B:expire:2', 'D:expire:3']);
  });
});

describe('Archive examples (storage classes, 2025)', () => {
  const transitionRule = (rulePriority: number, selection: Record<string, unknown>) => ({
    rulePriority,
    description: `Rule ${rulePriority}`,
    selection,
    action: { type: 'transition' as const, targetStorageClass: 'archive' as const },
  });
  const archived = (name: string, tags: string[], archivedDaysAgo: number) =>
    image(name, tags, archivedDaysAgo + 200, { imageStatus: 'ARCHIVED', lastArchivedAt: new Date(NOW.getTime() - archivedDaysAgo * DAY) });

  it('archives images not pulled for 90 days; never-pulled images use the push time, restored ones last_activated_at', () => {
    const rules = [transitionRule(1, { tagStatus: 'any', countType: 'sinceImagePulled', countUnit: 'days', countNumber: 90 })];
    const images = [
      image('A', ['v1'], 300, { lastRecordedPullTime: new Date(NOW.getTime() - 100 * DAY) }),
      image('B', [], 120),
      image('C', ['v2'], 300, { lastRecordedPullTime: new Date(NOW.getTime() - 10 * DAY) }),
      image('D', ['v3'], 400, { lastRecordedPullTime: new Date(NOW.getTime() - 300 * DAY), lastActivatedAt: new Date(NOW.getTime() - 5 * DAY) }),
      image('E', ['v4'], 60),
      archived('F', ['old'], 10), // already archived: a standard rule does not see it
    ];
    expect(outcome(rules, images)).toEqual(['A:transition:1', 'B:transition:1']);
  });

  it('archives by image count and by push age (the other two archive criteria)', () => {
    const byCount = [transitionRule(1, { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 2 })];
    const images = [image('A', ['v1'], 3), image('B', ['v2'], 2), image('C', ['v3'], 1), archived('D', ['v0'], 5)];
    expect(outcome(byCount, images)).toEqual(['A:transition:1']);
    const byAge = [transitionRule(1, { tagStatus: 'tagged', tagPatternList: ['v*'], countType: 'sinceImagePushed', countUnit: 'days', countNumber: 2 })];
    expect(outcome(byAge, images)).toEqual(['A:transition:1']);
  });

  it('combining archive and expire rules: standard images are archived, images archived long enough are deleted', () => {
    const rules = [
      transitionRule(1, { tagStatus: 'any', countType: 'sinceImagePulled', countUnit: 'days', countNumber: 90 }),
      expireRule(2, { tagStatus: 'any', storageClass: 'archive', countType: 'sinceImageTransitioned', countUnit: 'days', countNumber: 365 }),
    ];
    const images = [
      image('A', ['stale'], 200),
      image('B', ['fresh'], 10),
      archived('C', ['ancient'], 400),
      archived('D', ['recent'], 100),
    ];
    expect(outcome(rules, images)).toEqual(['A:transition:1', 'C:expire:2']);
  });
});
