import { DescribeTaskDefinitionCommand, ListTaskDefinitionsCommand } from '@aws-sdk/client-ecs';
import { GuardCache } from '../cache.js';
import type { InventoryContext, InventorySink } from './context.js';

export interface TaskDefinitionFacts {
  arn: string;
  status: string;
  images: string[];
  /** From the guard cache: the images are certain, an ACTIVE status may have become INACTIVE since. */
  cached?: boolean;
}

/**
 * Reads task definitions once each (there is no batch API), however many parts of the inventory ask
 * for the same one, and a revision the cache holds not at all. A definition that does not exist resolves
 * to undefined; other errors reject.
 */
export class TaskDefinitionReader {
  private readonly cache = new Map<string, Promise<TaskDefinitionFacts | undefined>>();
  private described = 0;
  constructor(private readonly ctx: InventoryContext) {}

  /** DescribeTaskDefinition calls made. */
  get reads(): number {
    return this.described;
  }

  read(ref: string): Promise<TaskDefinitionFacts | undefined> {
    let pending = this.cache.get(ref);
    if (!pending) {
      const hit = GuardCache.cacheableTaskDefinition(ref) ? this.ctx.cache?.taskDefinition(ref) : undefined;
      pending = hit ? Promise.resolve({ arn: ref, status: hit.status, images: [...hit.images], cached: true }) : this.describe(ref);
      this.cache.set(ref, pending);
    }
    return pending;
  }

  private describe(ref: string): Promise<TaskDefinitionFacts | undefined> {
    this.described++;
    return this.ctx
      .limit(() => this.ctx.clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: ref })))
      .then((out) => {
        const td = out.taskDefinition;
        const facts = { arn: td?.taskDefinitionArn ?? ref, status: td?.status ?? 'ACTIVE', images: (td?.containerDefinitions ?? []).flatMap((c) => (c.image ? [c.image] : [])) };
        this.ctx.cache?.putTaskDefinition(facts.arn, facts);
        return facts;
      })
      .catch((err: Error) => {
        // ECS answers ClientException "Unable to describe task definition" for one that does not exist.
        if (err.name === 'ClientException' && /unable to describe/i.test(err.message)) return undefined;
        throw err;
      });
  }

  /**
   * Every ACTIVE task definition ARN in the region, listed 100 a page, or undefined when that takes more
   * than `maxPages` pages (then listing the few families concerned is cheaper). Counts as calls the cache
   * cost.
   */
  async listActive(maxPages: number): Promise<Set<string> | undefined> {
    const active = new Set<string>();
    let nextToken: string | undefined;
    let pages = 0;
    do {
      if (pages >= maxPages) return undefined;
      pages++;
      if (this.ctx.cache) this.ctx.cache.extraCalls++;
      const page = await this.ctx.limit(() => this.ctx.clients.ecs.send(new ListTaskDefinitionsCommand({ status: 'ACTIVE', maxResults: 100, nextToken })));
      for (const arn of page.taskDefinitionArns ?? []) active.add(arn);
      nextToken = page.nextToken;
    } while (nextToken);
    return active;
  }
}

/**
 * Records the container images of every demanded task definition under every usage that demanded
 * it. Definitions whose images a service revision already reported are not read.
 */
export async function describeTaskDefinitions(ctx: InventoryContext, reader: TaskDefinitionReader, sink: InventorySink): Promise<void> {
  const { byRef, covered } = sink.taskDefinitions;
  await Promise.all(
    [...byRef.keys()]
      .filter((ref) => !covered.has(ref))
      .map((ref) =>
        ctx.blind.attempt(`task definition ${ref} (ecs:DescribeTaskDefinition)`, async () => {
          const facts = await reader.read(ref);
          if (!facts) {
            ctx.log.warning(`Task definition ${ref} does not exist; used by ${(byRef.get(ref) ?? []).map((u) => u.name).join(', ')}.`);
            return;
          }
          for (const image of facts.images) for (const usage of byRef.get(ref) ?? []) sink.references.push({ uri: image, usage });
        }),
      ),
  );
}
