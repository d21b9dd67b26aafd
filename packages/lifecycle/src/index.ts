export { validatePolicy, validatePolicyObject, parsePolicy, assertValidPolicy, MAX_RULES, MAX_WILDCARDS_PER_PATTERN, POLICY_TEXT_MAX_LENGTH, POLICY_TEXT_MIN_LENGTH, MIN_ARCHIVE_DAYS_BEFORE_EXPIRE } from './validate.js';
export { evaluatePolicy, explainPolicy, describeDecision, type ImageOutcome } from './evaluate.js';
export { matchesTagSelection, matchesTagPattern, matchesTagPrefix, ruleSelectsImage, imageStorageClass, ruleStorageClass } from './match.js';
export { summarizeDecisions, type DecisionSummary } from './summary.js';
export { toMillis } from './time.js';
export * from './types.js';
