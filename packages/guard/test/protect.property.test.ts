// Property: for any valid policy, image set and in-use set, once the protection plan is applied
// (tags added/released, shield rule first) the evaluator expires or archives no in-use image, and the
// user's rules keep their selection, action, description and relative order.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { evaluatePolicy, matchesTagPattern, parsePolicy, validatePolicy, type LifecycleDecision, type LifecycleImage } from '@gantry/lifecycle';
import { isProtectionTag, isShieldRule, planRepository, repositoryState } from '../src/index.js';
import { digestOf } from './helpers/world.js';

const NOW = new Date('2026-06-01T00:00:00Z');
const DAY = 86_400_000;
const TAGS = ['v1', 'v2', 'v3', 'prod-1', 'prod-2', 'prod-a', 'latest', 'release-a', 'rel-b', 'dev', 'gantry', 'ga-x', 'gantry-keep-000000000001'];
const PREFIXES = ['v', 'prod', 'rel', 'la', 'd', 'ga', 'gantry'];
const PATTERNS = ['prod*', '*-a', 'v*', '*', 'gantry*', '*keep*', 'latest'];

const selection = fc.oneof(
  fc.record({ tagStatus: fc.constant('any') }),
  fc.record({ tagStatus: fc.constant('untagged') }),
  fc.record({ tagStatus: fc.constant('tagged'), tagPrefixList: fc.uniqueArray(fc.constantFrom(...PREFIXES), { minLength: 1, maxLength: 2 }) }),
  fc.record({ tagStatus: fc.constant('tagged'), tagPatternList: fc.uniqueArray(fc.constantFrom(...PATTERNS), { minLength: 1, maxLength: 2 }) }),
);
const counting = fc.oneof(
  fc.record({ countType: fc.constant('imageCountMoreThan'), countNumber: fc.integer({ min: 1, max: 8 }), action: fc.constantFrom({ type: 'expire' }, { type: 'transition', targetStorageClass: 'archive' }) }),
  fc.record({ countType: fc.constant('sinceImagePushed'), countNumber: fc.integer({ min: 1, max: 120 }), action: fc.constantFrom({ type: 'expire' }, { type: 'transition', targetStorageClass: 'archive' }) }),
  fc.record({ countType: fc.constant('sinceImagePulled'), countNumber: fc.integer({ min: 1, max: 120 }), action: fc.constant({ type: 'transition', targetStorageClass: 'archive' }) }),
  fc.record({ countType: fc.constant('sinceImageTransitioned'), countNumber: fc.integer({ min: 90, max: 200 }), action: fc.constant({ type: 'expire' }), archive: fc.constant(true) }),
);
const rule = fc.record({ selection, counting, description: fc.option(fc.constantFrom('keep recent', 'prune dev'), { nil: undefined }) });

/** A policy ECR would accept, with priorities that may start at 1 or leave room below. */
const policy = fc
  .record({ rules: fc.array(rule, { minLength: 1, maxLength: 6 }), priorities: fc.uniqueArray(fc.integer({ min: 1, max: 40 }), { minLength: 6, maxLength: 6 }) })
  .map(({ rules, priorities }) => {
    const sorted = [...priorities].sort((a, b) => a - b);
    return {
      rules: rules.map((r, i) => {
        const { countType, countNumber, action } = r.counting;
        return {
          rulePriority: sorted[i]!,
          ...(r.description ? { description: r.description } : {}),
          selection: {
            ...r.selection,
            ...('archive' in r.counting ? { storageClass: 'archive' } : {}),
            countType,
            ...(countType === 'imageCountMoreThan' ? {} : { countUnit: 'days' }),
            countNumber,
          },
          action,
        };
      }),
    };
  })
  .filter((p) => validatePolicy(JSON.stringify(p)).valid);

const images = fc
  .array(
    fc.record({
      tags: fc.uniqueArray(fc.constantFrom(...TAGS), { maxLength: 3 }),
      pushedDaysAgo: fc.integer({ min: 0, max: 300 }),
      pulledDaysAgo: fc.option(fc.integer({ min: 0, max: 300 }), { nil: undefined }),
      archived: fc.boolean(),
      inUse: fc.boolean(),
    }),
    { minLength: 1, maxLength: 14 },
  )
  .map((list) => {
    const used = new Set<string>();
    return list.map((img, i) => {
      // A tag lives on one image at a time.
      const tags = img.tags.filter((t) => !used.has(t));
      tags.forEach((t) => used.add(t));
      const archived = img.archived && i % 3 === 0;
      return {
        detail: {
          imageDigest: digestOf(`image-${i}`),
          ...(tags.length ? { imageTags: tags } : {}),
          imagePushedAt: new Date(NOW.getTime() - img.pushedDaysAgo * DAY - i * 1000),
          ...(img.pulledDaysAgo !== undefined ? { lastRecordedPullTime: new Date(NOW.getTime() - img.pulledDaysAgo * DAY) } : {}),
          imageStatus: archived ? 'ARCHIVED' : 'ACTIVE',
          ...(archived ? { lastArchivedAt: new Date(NOW.getTime() - img.pushedDaysAgo * DAY / 2) } : {}),
        },
        // Archived images cannot be pulled, so they are never running; the guard reports them separately.
        inUse: img.inUse && !archived,
      };
    });
  });

type Detail = LifecycleImage & { imageTags?: string[] };

function afterPlan(details: Detail[], inUse: string[], policyText: string) {
  const state = repositoryState('app', details as never, policyText);
  const plan = planRepository(state, inUse.map((digest) => ({ repository: 'app', digest, usages: [{ kind: 'service', name: 'prod/web' }] })), { removeStaleTags: true });
  expect(plan.problem).toBeUndefined();
  const added = new Map(plan.tagsToAdd.map((t) => [t.digest, t.tag]));
  const removed = new Set(plan.tagsToRemove.map((t) => `${t.digest} ${t.tag}`));
  const next = details.map((d) => {
    const tags = [...(d.imageTags ?? []).filter((t) => !removed.has(`${d.imageDigest} ${t}`)), ...(added.has(d.imageDigest) ? [added.get(d.imageDigest)!] : [])];
    const { imageTags: _drop, ...rest } = d;
    return { ...rest, ...(tags.length ? { imageTags: tags } : {}) } as Detail;
  });
  return { plan, next, addedTags: [...added.values()], newPolicyText: plan.policy?.text ?? policyText };
}

const digestsOf = (ds: LifecycleDecision[]) => ds.map((d) => `${d.imageDigest} ${d.action} ${d.rulePriority}`);

describe('protection plan (property)', () => {
  it('leaves no in-use image to be expired or archived, and keeps the user rules, their meaning and their order', () => {
    fc.assert(
      fc.property(policy, images, (userPolicy, imageSet) => {
        const details = imageSet.map((i) => i.detail) as Detail[];
        const inUse = imageSet.filter((i) => i.inUse).map((i) => i.detail.imageDigest);
        fc.pre(inUse.length > 0);
        const text = JSON.stringify(userPolicy);
        const { next, addedTags, newPolicyText } = afterPlan(details, inUse, text);
        const newPolicy = parsePolicy(newPolicyText);

        // 1. Safety: no in-use image is taken.
        const decisions = evaluatePolicy(newPolicy, next, { now: NOW });
        expect(decisions.filter((d) => inUse.includes(d.imageDigest))).toEqual([]);

        // 2. The shield rule comes first; the user's rules follow unchanged but for their priority, in the same order.
        expect(isShieldRule(newPolicy.rules[0] as never)).toBe(true);
        const userRules = [...userPolicy.rules].sort((a, b) => a.rulePriority - b.rulePriority);
        const kept = (JSON.parse(newPolicyText).rules as typeof userRules).filter((r) => !isShieldRule(r as never)).sort((a, b) => a.rulePriority - b.rulePriority);
        expect(kept.map(({ rulePriority: _p, ...r }) => r)).toEqual(userRules.map(({ rulePriority: _p, ...r }) => r));
        const shift = userRules[0]!.rulePriority === 1 ? 1 : 0;
        expect(kept.map((r) => r.rulePriority)).toEqual(userRules.map((r) => r.rulePriority + shift));

        // 3. For every image the guard does not protect, the user's rules decide exactly as they would
        //    on the same images without the shield rule.
        const unprotected = new Set(next.filter((d) => !(d.imageTags ?? []).some(isProtectionTag)).map((d) => d.imageDigest));
        const withoutShield = evaluatePolicy(parsePolicy(text), next, { now: NOW }).filter((d) => unprotected.has(d.imageDigest));
        const withShield = decisions.filter((d) => unprotected.has(d.imageDigest));
        expect(digestsOf(withShield).map((s) => s.split(' ').slice(0, 2).join(' '))).toEqual(digestsOf(withoutShield).map((s) => s.split(' ').slice(0, 2).join(' ')));

        // 4. When no user rule can see a protection tag and every in-use image already had a tag, even the
        //    new tags change nothing for the other images.
        const seesProtectionTag = userRules.some((r) => {
          const s = r.selection as { tagPrefixList?: string[]; tagPatternList?: string[] };
          return addedTags.some((tag) => (s.tagPrefixList ?? []).some((p) => tag.startsWith(p)) || (s.tagPatternList ?? []).some((p) => matchesTagPattern(p, tag)));
        });
        const hadTags = inUse.every((d) => (details.find((x) => x.imageDigest === d)!.imageTags ?? []).length > 0);
        const hadProtection = details.some((d) => (d.imageTags ?? []).some(isProtectionTag));
        if (!seesProtectionTag && hadTags && !hadProtection) {
          const before = evaluatePolicy(parsePolicy(text), details, { now: NOW }).filter((d) => !inUse.includes(d.imageDigest));
          const after = decisions.filter((d) => !inUse.includes(d.imageDigest));
          expect(after.map((d) => [d.imageDigest, d.action])).toEqual(before.map((d) => [d.imageDigest, d.action]));
        }
      }),
      { numRuns: 400, seed: 20261121 },
    );
  });
});
