// A summary shaped like GetLifecyclePolicyPreview's `summary`
// (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_LifecyclePolicyPreviewSummary.html),
// plus counts per rule.
import type { LifecycleDecision } from './types.js';

export interface DecisionSummary {
  evaluatedImageCount: number;
  expiringImageTotalCount: number;
  transitioningImageTotalCounts: { targetStorageClass: 'archive'; imageTotalCount: number }[];
  keptImageCount: number;
  byRule: { rulePriority: number; expire: number; transition: number }[];
}

export function summarizeDecisions(decisions: readonly LifecycleDecision[], evaluatedImageCount: number): DecisionSummary {
  const byRule = new Map<number, { rulePriority: number; expire: number; transition: number }>();
  let expiring = 0;
  let transitioning = 0;
  for (const decision of decisions) {
    const entry = byRule.get(decision.rulePriority) ?? { rulePriority: decision.rulePriority, expire: 0, transition: 0 };
    entry[decision.action] += 1;
    byRule.set(decision.rulePriority, entry);
    if (decision.action === 'expire') expiring += 1;
    else transitioning += 1;
  }
  return {
    evaluatedImageCount,
    expiringImageTotalCount: expiring,
    transitioningImageTotalCounts: transitioning > 0 ? [{ targetStorageClass: 'archive', imageTotalCount: transitioning }] : [],
    keptImageCount: evaluatedImageCount - decisions.length,
    byRule: [...byRule.values()].sort((a, b) => a.rulePriority - b.rulePriority),
  };
}
