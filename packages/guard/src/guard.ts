import { Blindspots, errorText, limiter } from './batch.js';
import { shortDigest, type MissingImage } from './images.js';
import { takeInventory, type Inventory, type InventoryOptions } from './inventory/index.js';
import { planRepository, describePlan, type RepositoryPlan } from './plan.js';
import { isProtectionTag, isShieldRule } from './policy.js';
import { applyPlan, type AppliedPlan } from './protect.js';
import { readRepository, type RepositoryState } from './repositories.js';
import { describeUsage, type Blindspot, type GuardClients, type Logger, type Usage } from './types.js';
import { verifyRepository, type RepositoryVerdict, type Violation } from './verify.js';
import type { InventoryContext } from './inventory/context.js';
import type { CacheReport, GuardCache } from './cache.js';
import type { QuotaUse } from '@gantry/aws';

export type GuardMode = 'protect' | 'verify';

export interface GuardOptions extends InventoryOptions {
  mode: GuardMode;
  /** Concurrent AWS calls at most. */
  concurrency: number;
  /** The clock the policy is evaluated at. */
  now?: () => Date;
  /** Immutable facts from earlier runs (cache.ts); the run adds what it learns. */
  cache?: GuardCache;
  /** The pacer the clients were attached to, for the report's quota figures. */
  quota?: { use(): QuotaUse };
  /** The region the clients call, for the report. */
  region?: string;
}

export interface RepositoryRow {
  repository: string;
  images: number;
  inUse: number;
  /** In-use images carrying a protection tag while the shield rule leads the policy. */
  protected: number;
  /** In-use images the policy would expire or archive as it was found. */
  wouldExpire: number;
  /** Of those, how many this run protected. */
  fixedNow: number;
  hasPolicy: boolean;
  policyUpdated: boolean;
  renumbered: boolean;
  tagged: string[];
  released: string[];
  keptProtectionTags: string[];
}

export interface GuardReport {
  mode: GuardMode;
  /** Where the guard looked: the account (when any repository or cluster showed it) and the region. */
  account?: string;
  region?: string;
  ok: boolean;
  /** One sentence per reason the run failed. */
  failures: string[];
  notes: string[];
  stats: Inventory['stats'] & { inUseImages: number; repositories: number };
  repositories: RepositoryRow[];
  violations: Violation[];
  blindspots: Blindspot[];
  missing: MissingImage[];
  outside: { image: string; usedBy: string[] }[];
  inUse: { repository: string; digest: string; usedBy: string[] }[];
  /** How the run shared AWS's API quotas: its share, time waited for quota, throttled calls. */
  quota?: QuotaUse;
  /** What the cache saved. */
  cache?: CacheReport;
}

/**
 * The guard: inventory, then (protect) tag in-use images and shield them in each policy, then verify
 * every repository's policy against what is in use. It never deletes an image: it removes only
 * protection tags, by tag, from images that keep another tag.
 */
export async function runGuard(clients: GuardClients, options: GuardOptions, log: Logger): Promise<GuardReport> {
  const limit = limiter(options.concurrency);
  const now = options.now ?? (() => new Date());
  const inventory = await takeInventory(clients, options, limit, log, options.cache);
  const failures: string[] = [];
  const notes = [...inventory.notes];
  const complete = inventory.blindspots.length === 0;
  if (!complete) {
    failures.push(
      `The inventory is incomplete, so images in use may be missing from it; nothing that could reduce protection was changed. Not seen: ${inventory.blindspots.map((b) => `${b.what} — ${b.reason}`).join('; ')}.`,
    );
  }
  const before = new Map<string, RepositoryVerdict>();
  for (const state of inventory.repositories.values()) before.set(state.name, verifyRepository(state, inventory.inUse.inRepository(state.name), inventory.manifests, now()));

  const applied = new Map<string, { plan: RepositoryPlan; result: AppliedPlan }>();
  let after = before;
  if (options.mode === 'protect') {
    const plans = [...inventory.repositories.values()].map((state) =>
      planRepository(state, inventory.inUse.inRepository(state.name), { removeStaleTags: complete }),
    );
    for (const plan of plans) {
      if (plan.problem) failures.push(plan.problem);
      for (const line of describePlan(plan)) log.info(line);
    }
    await Promise.all(
      plans
        .filter((p) => !p.problem)
        .map(async (plan) => applied.set(plan.repository, { plan, result: await applyPlan(clients, plan, inventory.manifests, limit, log) })),
    );
    for (const { result } of applied.values()) failures.push(...result.failures);
    after = new Map(before);
    const changed = [...applied.values()].filter(({ result }) => result.tagged.length || result.policyUpdated || result.released.length);
    const ctx: InventoryContext = { clients, limit, blind: new Blindspots(), log };
    await Promise.all(
      changed.map(async ({ plan }) => {
        const old = inventory.repositories.get(plan.repository)!;
        try {
          const fresh = await readRepository(ctx, plan.repository, old.tagMutability);
          inventory.repositories.set(plan.repository, fresh);
          after.set(plan.repository, verifyRepository(fresh, inventory.inUse.inRepository(plan.repository), inventory.manifests, now()));
        } catch (err) {
          failures.push(`Repository ${plan.repository} was changed but could not be read again to verify it (${errorText(err)}); run the guard again.`);
        }
      }),
    );
  }

  const violations = [...after.values()].flatMap((v) => v.violations);
  for (const v of after.values()) if (v.problem) failures.push(v.problem);
  if (violations.length > 0) failures.push(...violations.map(describeViolation));
  for (const m of inventory.missing) notes.push(`${describeUsage(m.usage)} refers to ${m.reference}, which is not in repository ${m.repository} any more.`);

  const rows = [...inventory.repositories.values()]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((state) => repositoryRow(state, inventory, before.get(state.name)!, after.get(state.name)!, applied.get(state.name)));
  const unique = [...new Set(failures)];
  return {
    mode: options.mode,
    ...(inventory.account ? { account: inventory.account } : {}),
    ...(options.region ? { region: options.region } : {}),
    ok: unique.length === 0,
    failures: unique,
    notes,
    stats: { ...inventory.stats, inUseImages: inventory.inUse.images.size, repositories: inventory.repositories.size },
    repositories: rows,
    violations,
    blindspots: inventory.blindspots,
    missing: inventory.missing,
    outside: [...inventory.outside].map(([image, usages]) => ({ image, usedBy: usages.map(describeUsage) })),
    inUse: [...inventory.inUse.images.values()].map((i) => ({ repository: i.repository, digest: i.digest, usedBy: i.usages.map(describeUsage) })),
    ...(options.quota ? { quota: options.quota.use() } : {}),
    ...(options.cache ? { cache: options.cache.report() } : {}),
  };
}

function repositoryRow(
  state: RepositoryState,
  inventory: Inventory,
  before: RepositoryVerdict,
  after: RepositoryVerdict,
  applied: { plan: RepositoryPlan; result: AppliedPlan } | undefined,
): RepositoryRow {
  const inUse = inventory.inUse.inRepository(state.name);
  const shieldFirst = (() => {
    if (state.policyText === undefined) return false;
    try {
      const rules = (JSON.parse(state.policyText) as { rules: { rulePriority: number }[] }).rules;
      const first = [...rules].sort((a, b) => a.rulePriority - b.rulePriority)[0];
      return !!first && isShieldRule(first as never);
    } catch {
      return false;
    }
  })();
  const protectedCount = shieldFirst ? inUse.filter((i) => (state.byDigest.get(i.digest)?.imageTags ?? []).some(isProtectionTag)).length : 0;
  const stillTaken = new Set(after.violations.map((v) => v.digest));
  const wouldExpire = before.violations.filter((v) => v.action !== 'archived');
  return {
    repository: state.name,
    images: state.images.length,
    inUse: inUse.length,
    protected: protectedCount,
    wouldExpire: wouldExpire.length,
    fixedNow: applied ? wouldExpire.filter((v) => !stillTaken.has(v.digest)).length : 0,
    hasPolicy: state.policyText !== undefined,
    policyUpdated: applied?.result.policyUpdated ?? false,
    renumbered: (applied?.result.policyUpdated && applied.plan.policy?.renumbered) ?? false,
    tagged: applied?.result.tagged.map((t) => t.tag) ?? [],
    released: applied?.result.released.map((t) => t.tag) ?? [],
    keptProtectionTags: [...(applied?.plan.tagsKept ?? []), ...(applied?.result.keptOnRecheck ?? [])].map((t) => t.tag),
  };
}

/** E.g. `app@0123456789ab (tags: v1), used by service prod/ws and 1 running task, would be expired by rule 2 ("keep 30").` */
export function describeViolation(v: Violation): string {
  const image = `${v.repository}@${shortDigest(v.digest)} (${v.tags.length ? `tags: ${v.tags.join(', ')}` : 'untagged'}), used by ${describeUsers(v.usages)},`;
  if (v.action === 'archived') return `${image} is archived and cannot be pulled; restore it to the standard storage class.`;
  const rule = `rule ${v.rulePriority}${v.ruleDescription ? ` ("${v.ruleDescription}")` : ''}`;
  return `${image} would be ${v.action === 'transition' ? 'archived' : 'expired'} by ${rule}.`;
}

const KIND_ORDER: Usage['kind'][] = ['service', 'scheduled', 'extra', 'rollback', 'base', 'index-child', 'task'];

/** Who uses an image, most telling first; running tasks are counted rather than listed. */
export function describeUsers(usages: readonly Usage[]): string {
  const sorted = [...usages].sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind));
  const tasks = sorted.filter((u) => u.kind === 'task');
  const named = sorted.filter((u) => u.kind !== 'task').map(describeUsage);
  if (tasks.length === 1 && named.length === 0) named.push(describeUsage(tasks[0]!));
  else if (tasks.length > 0) named.push(`${tasks.length} running task${tasks.length === 1 ? '' : 's'}`);
  return named.length > 1 ? `${named.slice(0, -1).join(', ')} and ${named.at(-1)}` : (named[0] ?? 'nobody');
}


export type { Usage };
