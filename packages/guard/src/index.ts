export { runGuard, describeViolation, type GuardOptions, type GuardReport, type GuardMode, type RepositoryRow } from './guard.js';
export { summaryMarkdown, failureMessage } from './report.js';
export { takeInventory, type Inventory, type InventoryOptions } from './inventory/index.js';
export { planRepository, describePlan, type RepositoryPlan } from './plan.js';
export { shieldPolicy, reservedSelection, shieldRule, isShieldRule, protectionTag, isProtectionTag, PROTECTION_TAG_PREFIX, SHIELD_COUNT } from './policy.js';
export { verifyRepository, lifecycleImages, type Violation, type RepositoryVerdict } from './verify.js';
export { repositoryState, type RepositoryState } from './repositories.js';
export { parseImage, RegistryIndex } from './image-ref.js';
export { silentLogger, type GuardClients, type Logger, type Usage, type InUseImage, type Blindspot } from './types.js';
