import { ListTaskDefinitionsCommand } from '@aws-sdk/client-ecs';
import { familyOf, type InventoryContext, type InventorySink } from './context.js';
import type { TaskDefinitionFacts, TaskDefinitionReader } from './task-definitions.js';

/** `arn:...:task-definition/web:7` → { family: 'web', revision: 7, arnOf(n) }. */
function parseRevision(arn: string): { family: string; revision: number; arnOf: (n: number) => string } | undefined {
  const m = /^(arn:[^:]+:ecs:[^:]*:[^:]*:task-definition\/)([^:]+):(\d+)$/.exec(arn);
  if (!m) return undefined;
  return { family: m[2]!, revision: Number(m[3]), arnOf: (n) => `${m[1]}${m[2]}:${n}` };
}

/**
 * The rollback window: for each family a service runs, the `depth` most recent ACTIVE revisions up to
 * the newest one a service runs (only ACTIVE definitions can be deployed again). The revisions just
 * below are read directly, since they are needed anyway for their images; only when one of them is
 * INACTIVE or gone does the guard list the family, because ListTaskDefinitions matches `familyPrefix`
 * as a prefix and would otherwise page through every family sharing it (`web-worker` for `web`).
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListTaskDefinitions.html
 */
export async function inventoryRollbackWindow(
  ctx: InventoryContext,
  serviceTaskDefinitions: readonly string[],
  depth: number,
  reader: TaskDefinitionReader,
  sink: InventorySink,
): Promise<void> {
  if (depth <= 1) return;
  const newest = new Map<string, NonNullable<ReturnType<typeof parseRevision>>>();
  for (const arn of serviceTaskDefinitions) {
    const parsed = parseRevision(arn);
    if (parsed && (newest.get(parsed.family)?.revision ?? 0) < parsed.revision) newest.set(parsed.family, parsed);
  }
  // Revisions the cache holds as ACTIVE may have been deregistered since: confirmed below, in one go.
  const unconfirmed: { top: NonNullable<ReturnType<typeof parseRevision>>; guesses: string[]; facts: (TaskDefinitionFacts | undefined)[] }[] = [];
  await Promise.all(
    [...newest.values()].map((top) =>
      ctx.blind.attempt(windowWhat(top.family), async () => {
        const guesses = [];
        for (let n = top.revision - 1; n >= 1 && n > top.revision - depth; n--) guesses.push(top.arnOf(n));
        const facts = await Promise.all(guesses.map((arn) => reader.read(arn)));
        if (facts.some((f) => f?.cached && f.status === 'ACTIVE')) return void unconfirmed.push({ top, guesses, facts });
        let window = guesses.filter((_, i) => facts[i]?.status === 'ACTIVE');
        if (window.length < guesses.length) window = await listWindow(ctx, top.family, top.revision, depth - 1);
        for (const arn of window) sink.taskDefinitions.add(arn, { kind: 'rollback', name: top.family });
      }),
    ),
  );
  if (unconfirmed.length === 0) return;
  // The region's whole ACTIVE list when it is short (100 a page), else each family's own listing.
  // If that listing fails, each family's own listing is tried instead (and is a blind spot if it fails).
  const active = await reader.listActive(unconfirmed.length).catch(() => undefined);
  await Promise.all(
    unconfirmed.map(({ top, guesses, facts }) =>
      ctx.blind.attempt(windowWhat(top.family), async () => {
        let window = active ? guesses.filter((arn, i) => facts[i]?.status === 'ACTIVE' && (!facts[i]!.cached || active.has(arn))) : [];
        if (!active || window.length < guesses.length) {
          window = await listWindow(ctx, top.family, top.revision, depth - 1, true);
        }
        for (const arn of window) sink.taskDefinitions.add(arn, { kind: 'rollback', name: top.family });
      }),
    ),
  );
}

const windowWhat = (family: string) => `the rollback window of task definition family ${family} (ecs:DescribeTaskDefinition, ecs:ListTaskDefinitions)`;

/** The `count` newest ACTIVE revisions of `family` below `below`, by listing (newest first). */
async function listWindow(ctx: InventoryContext, family: string, below: number, count: number, forCache = false): Promise<string[]> {
  const out: string[] = [];
  let nextToken: string | undefined;
  do {
    if (forCache && ctx.cache) ctx.cache.extraCalls++;
    const page = await ctx.limit(() =>
      ctx.clients.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: family, status: 'ACTIVE', sort: 'DESC', maxResults: 100, nextToken })),
    );
    for (const arn of page.taskDefinitionArns ?? []) {
      const parsed = parseRevision(arn);
      if (parsed && familyOf(arn) === family && parsed.revision < below && out.length < count) out.push(arn);
    }
    nextToken = page.nextToken;
  } while (nextToken && out.length < count);
  return out;
}
