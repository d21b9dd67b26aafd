import { ListClustersCommand } from '@aws-sdk/client-ecs';
import { paginate } from '../batch.js';
import type { InventoryContext } from './context.js';

/** The clusters to inspect: the ones named in inputs, or every cluster in the region (100 per page). */
export async function listClusters(ctx: InventoryContext, requested: readonly string[]): Promise<string[]> {
  if (requested.length > 0) return [...requested];
  const arns = await ctx.blind.attempt('the list of ECS clusters (ecs:ListClusters)', () =>
    paginate(async (nextToken) => {
      const page = await ctx.limit(() => ctx.clients.ecs.send(new ListClustersCommand({ maxResults: 100, nextToken })));
      return { items: page.clusterArns, next: page.nextToken };
    }),
  );
  return arns ?? [];
}
