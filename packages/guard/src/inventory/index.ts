import { UserError } from '@gantry/github';
import { Blindspots, type Limiter } from '../batch.js';
import { RegistryIndex } from '../image-ref.js';
import { imageKey, InUseSet, repositoryOfReference, resolveReferences, shortDigest, type MissingImage } from '../images.js';
import { getManifests, listRepositories, readRepository, type Manifest, type RepositoryState } from '../repositories.js';
import type { GuardCache } from '../cache.js';
import type { Blindspot, GuardClients, Logger, Usage } from '../types.js';
import { listClusters } from './clusters.js';
import { TaskDefinitionDemand, type InventoryContext, type InventorySink } from './context.js';
import { inventoryExtra } from './extra.js';
import { readConfigLabels } from './config-labels.js';
import { baseFrom, manifestFacts, type BaseImage } from './manifest.js';
import { inventoryRollbackWindow } from './rollback-window.js';
import { inventoryEventBridgeRules, inventorySchedules } from './scheduled.js';
import { inventoryServices } from './services.js';
import { describeTaskDefinitions, TaskDefinitionReader } from './task-definitions.js';
import { inventoryTasks } from './tasks.js';

export interface InventoryOptions {
  /** Cluster names or ARNs; empty means every cluster in the region. */
  clusters: readonly string[];
  /** Repositories to guard in addition to those holding in-use images. */
  repositories: readonly string[];
  /** How many most recent ACTIVE revisions of each service's task definition family stay protected. */
  rollbackRevisions: number;
  /** EventBridge buses whose rules may start ECS tasks. */
  eventBuses: readonly string[];
  /** Whether to read EventBridge Scheduler schedules. */
  schedules: boolean;
  /** Extra task definitions (family, family:revision or ARN) and images whose images stay protected. */
  taskDefinitions: readonly string[];
  images: readonly string[];
}

export interface Inventory {
  inUse: InUseSet;
  /** The repositories in scope, read in full. */
  repositories: Map<string, RepositoryState>;
  /** Manifests fetched for in-use images, by `repository@digest`; reused for retagging. */
  manifests: Map<string, Manifest>;
  /** Images outside this registry (Docker Hub, other accounts or regions), with who uses them: not guarded here. */
  outside: Map<string, Usage[]>;
  missing: MissingImage[];
  blindspots: Blindspot[];
  notes: string[];
  stats: { clusters: number; services: number; tasks: number; taskDefinitionsRead: number };
  /** The AWS account, from the registry id or a cluster ARN, when either was seen. */
  account?: string;
}

/**
 * Everything that is in use, by digest, with every reason. Read-only: it changes nothing in AWS, so
 * it can fail at any point. Parts it cannot read are collected as blind spots instead of thrown, so
 * a single run names all of them.
 */
export async function takeInventory(clients: GuardClients, options: InventoryOptions, limit: Limiter, log: Logger, cache?: GuardCache): Promise<Inventory> {
  const blind = new Blindspots();
  const ctx: InventoryContext = { clients, limit, blind, log, ...(cache ? { cache } : {}) };
  const sink: InventorySink = { references: [], taskDefinitions: new TaskDefinitionDemand() };
  const notes: string[] = [];

  const [repositoryList, clusters] = await Promise.all([listRepositories(ctx), listClusters(ctx, options.clusters)]);
  const registry = new RegistryIndex(repositoryList);
  const unknown = options.repositories.filter((r) => !registry.repositories.has(r));
  if (unknown.length > 0) {
    throw new UserError(
      `Input 'repositories' names ${unknown.map((r) => `'${r}'`).join(', ')}, which ${unknown.length === 1 ? 'is' : 'are'} not an ECR repository in this region.`,
      'Remove it or fix the name (repository names only, without the registry host).',
    );
  }
  inventoryExtra(sink, options.taskDefinitions, options.images);
  const [services, tasks] = await Promise.all([
    inventoryServices(ctx, clusters, sink),
    inventoryTasks(ctx, clusters, sink),
    inventoryEventBridgeRules(ctx, options.eventBuses, sink),
    options.schedules ? inventorySchedules(ctx, sink) : Promise.resolve(),
  ]);
  const reader = new TaskDefinitionReader(ctx);
  await inventoryRollbackWindow(ctx, services.flatMap((s) => s.taskDefinitions), options.rollbackRevisions, reader, sink);
  await describeTaskDefinitions(ctx, reader, sink);
  const taskDefinitionsRead = reader.reads;
  log.info(`Inventory: ${clusters.length} clusters, ${services.length} services, ${tasks} tasks, ${taskDefinitionsRead} task definitions read${cache ? ` (${cache.saved['ecs:DescribeTaskDefinition']} from the cache)` : ''}.`);

  const outside = new Map<string, Usage[]>();
  const scope = new Set(options.repositories);
  for (const ref of sink.references) {
    const repository = repositoryOfReference(ref, registry);
    if (repository) scope.add(repository);
    else if (!(outside.get(ref.uri) ?? []).some((u) => u.name === ref.usage.name && u.kind === ref.usage.kind)) outside.set(ref.uri, [...(outside.get(ref.uri) ?? []), ref.usage]);
  }
  const mutability = new Map(repositoryList.map((r) => [r.repositoryName ?? '', r.imageTagMutability]));
  const repositories = new Map<string, RepositoryState>();
  const readAll = async (names: Iterable<string>) => {
    await Promise.all(
      [...names].map(async (name) => {
        const state = await blind.attempt(`images and lifecycle policy of repository ${name} (ecr:DescribeImages, ecr:GetLifecyclePolicy)`, () =>
          readRepository(ctx, name, mutability.get(name)),
        );
        if (state) repositories.set(name, state);
      }),
    );
  };
  await readAll(scope);

  const inUse = new InUseSet();
  const missing = resolveReferences(sink.references, registry, repositories, inUse);
  const manifests = await followManifests(ctx, inUse, repositories, registry, readAll, notes);
  const account = repositoryList.find((r) => r.registryId)?.registryId ?? clusters.map((c) => /^arn:[^:]+:ecs:[^:]*:(\d{12}):/.exec(c)?.[1]).find(Boolean);
  return {
    ...(account ? { account } : {}),
    inUse,
    repositories,
    manifests,
    outside,
    missing,
    blindspots: blind.items,
    notes,
    stats: { clusters: clusters.length, services: services.length, tasks, taskDefinitionsRead },
  };
}

/**
 * Reads the manifest of every in-use image (100 per BatchGetImage) and follows it: an index protects
 * its children, an image protects its base image. The base comes from the manifest annotations or, when
 * an app image has none (plain `docker build` can only write labels), from its config labels: one
 * GetDownloadUrlForLayer and one download per distinct config. Images in use only as someone's base are
 * not read that way. Repeats for what it adds until nothing new appears.
 */
async function followManifests(
  ctx: InventoryContext,
  inUse: InUseSet,
  repositories: Map<string, RepositoryState>,
  registry: RegistryIndex,
  readAll: (names: Iterable<string>) => Promise<void>,
  notes: string[],
): Promise<Map<string, Manifest>> {
  const manifests = new Map<string, Manifest>();
  const attempted = new Set<string>();
  const labelReads = new Map<string, Promise<BaseImage | undefined>>();
  const baseFromLabels = (repository: string, config: string, of: string) => {
    const key = imageKey(repository, config);
    if (!labelReads.has(key)) {
      labelReads.set(
        key,
        cachedLabels(ctx, config) ??
          ctx.blind
            .attempt(`config labels of ${of}, which has no base image annotations (ecr:GetDownloadUrlForLayer)`, async () => {
              const labels = await readConfigLabels(ctx, repository, config);
              ctx.cache?.putLabels(config, labels);
              return labels;
            })
            .then((labels) => baseFrom(labels)),
      );
    }
    return labelReads.get(key)!;
  };
  for (;;) {
    const pending = [...inUse.images.values()].filter((i) => !attempted.has(imageKey(i.repository, i.digest)));
    if (pending.length === 0) return manifests;
    const byRepository = new Map<string, string[]>();
    for (const i of pending) {
      attempted.add(imageKey(i.repository, i.digest));
      // Archived images cannot be pulled, so their manifests cannot be read either.
      if (repositories.get(i.repository)?.byDigest.get(i.digest)?.imageStatus === 'ARCHIVED') continue;
      byRepository.set(i.repository, [...(byRepository.get(i.repository) ?? []), i.digest]);
    }
    const bases: { digest: string; repository?: string; of: string }[] = [];
    const addBase = (base: BaseImage, of: string) => {
      const baseRepository = base.name ? registry.repositoryOf(base.name) : undefined;
      bases.push({ digest: base.digest, ...(baseRepository ? { repository: baseRepository } : {}), of });
    };
    const fromLabels: Promise<void>[] = [];
    await Promise.all(
      [...byRepository].map(async ([repository, digests]) => {
        // A manifest is the bytes its digest hashes: one the cache holds needs no call.
        const known = new Map<string, Manifest>();
        for (const digest of digests) {
          const hit = ctx.cache?.manifest(digest);
          if (hit) known.set(digest, hit);
        }
        ctx.cache?.countManifestSavings(digests.length, known.size);
        const unread = digests.filter((d) => !known.has(d));
        const result =
          unread.length === 0
            ? { manifests: new Map<string, Manifest>(), failures: [] }
            : await ctx.blind.attempt(`manifests of ${unread.length} in-use images in ${repository} (ecr:BatchGetImage)`, () => getManifests(ctx, repository, unread));
        for (const f of result?.failures ?? []) {
          ctx.blind.items.push({ what: `manifest of ${repository}@${f.digest} (ecr:BatchGetImage)`, reason: f.reason });
        }
        for (const [digest, manifest] of result?.manifests ?? []) ctx.cache?.putManifest(digest, manifest);
        for (const [digest, manifest] of [...known, ...(result?.manifests ?? [])]) {
          manifests.set(imageKey(repository, digest), manifest);
          const facts = manifestFacts(manifest.manifest);
          const of = `${repository}@${shortDigest(digest)}`;
          for (const child of facts.children) {
            if (repositories.get(repository)?.byDigest.has(child)) inUse.add(repository, child, { kind: 'index-child', name: of });
          }
          if (facts.base) addBase(facts.base, of);
          else if (facts.config && isAppImage(inUse, repository, digest)) {
            fromLabels.push(baseFromLabels(repository, facts.config, of).then((base) => void (base && addBase(base, of))));
          }
        }
      }),
    );
    await Promise.all(fromLabels);
    const unread = new Set(bases.map((b) => b.repository).filter((r): r is string => !!r && !repositories.has(r)));
    if (unread.size > 0) await readAll(unread);
    for (const base of bases) {
      // Without a base name, look for the digest in every repository the guard has read.
      const candidates = base.repository ? [base.repository] : [...repositories.keys()];
      const home = candidates.find((r) => repositories.get(r)?.byDigest.has(base.digest));
      if (home) inUse.add(home, base.digest, { kind: 'base', name: base.of });
      else notes.push(`Base image ${base.digest} of ${base.of} is not in any repository the guard read; list its repository in 'repositories' to protect it.`);
    }
  }
}


/** The base image from labels the cache holds for this config, or undefined when it holds none. */
function cachedLabels(ctx: InventoryContext, config: string): Promise<BaseImage | undefined> | undefined {
  const labels = ctx.cache?.labels(config);
  return labels ? Promise.resolve(baseFrom(labels)) : undefined;
}

/** An image in use for its own sake (service, task, rollback, schedule, input, index child), not only as a base. */
function isAppImage(inUse: InUseSet, repository: string, digest: string): boolean {
  return (inUse.images.get(imageKey(repository, digest))?.usages ?? []).some((u) => u.kind !== 'base');
}
