import { DescribeTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import type { InventoryContext, InventorySink } from './context.js';

export interface TaskDefinitionFacts {
  arn: string;
  status: string;
  images: string[];
}

/**
 * Reads task definitions once each (there is no batch API), however many parts of the inventory ask
 * for the same one. A definition that does not exist resolves to undefined; other errors reject.
 */
export class TaskDefinitionReader {
  private readonly cache = new Map<string, Promise<TaskDefinitionFacts | undefined>>();
  constructor(private readonly ctx: InventoryContext) {}

  get reads(): number {
    return this.cache.size;
  }

  read(ref: string): Promise<TaskDefinitionFacts | undefined> {
    let pending = this.cache.get(ref);
    if (!pending) {
      pending = this.ctx
        .limit(() => this.ctx.clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: ref })))
        .then((out) => {
          const td = out.taskDefinition;
          return { arn: td?.taskDefinitionArn ?? ref, status: td?.status ?? 'ACTIVE', images: (td?.containerDefinitions ?? []).flatMap((c) => (c.image ? [c.image] : [])) };
        })
        .catch((err: Error) => {
          // ECS answers ClientException "Unable to describe task definition" for one that does not exist.
          if (err.name === 'ClientException' && /unable to describe/i.test(err.message)) return undefined;
          throw err;
        });
      this.cache.set(ref, pending);
    }
    return pending;
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
