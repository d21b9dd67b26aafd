import { DescribeTasksCommand, ListTasksCommand } from '@aws-sdk/client-ecs';
import { chunk, paginate } from '../batch.js';
import { shortName, type InventoryContext, type InventorySink } from './context.js';

const TASKS_PER_CALL = 100; // ListTasks pages and DescribeTasks batches both hold at most 100 tasks.

/**
 * Every task of the clusters whose desired status is RUNNING, which includes tasks still PENDING:
 * ListTasks "defaults to RUNNING" and filtering on PENDING "doesn't return any results"
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListTasks.html), so one sweep per
 * cluster sees both. Each container reports the digest it runs (`containers[].imageDigest`).
 */
export async function inventoryTasks(ctx: InventoryContext, clusters: readonly string[], sink: InventorySink): Promise<number> {
  const counts = await Promise.all(clusters.map((cluster) => tasksOfCluster(ctx, cluster, sink)));
  return counts.reduce((a, b) => a + b, 0);
}

async function tasksOfCluster(ctx: InventoryContext, cluster: string, sink: InventorySink): Promise<number> {
  const { ecs } = ctx.clients;
  const label = `cluster ${shortName(cluster)}`;
  const arns = await ctx.blind.attempt(`tasks of ${label} (ecs:ListTasks)`, () =>
    paginate(async (nextToken) => {
      const page = await ctx.limit(() => ecs.send(new ListTasksCommand({ cluster, desiredStatus: 'RUNNING', maxResults: TASKS_PER_CALL, nextToken })));
      return { items: page.taskArns, next: page.nextToken };
    }),
  );
  if (!arns) return 0;
  await Promise.all(
    chunk(arns, TASKS_PER_CALL).map((batch) =>
      ctx.blind.attempt(`${batch.length} tasks of ${label} (ecs:DescribeTasks)`, async () => {
        const out = await ctx.limit(() => ecs.send(new DescribeTasksCommand({ cluster, tasks: batch })));
        for (const f of out.failures ?? []) {
          if (f.reason !== 'MISSING') ctx.blind.items.push({ what: `task ${shortName(f.arn ?? '?')} of ${label}`, reason: f.reason ?? 'unknown failure' });
        }
        for (const task of out.tasks ?? []) {
          const name = `${shortName(cluster)}/${shortName(task.taskArn ?? '?')}${task.group ? ` (${task.group})` : ''}`;
          for (const c of task.containers ?? []) {
            if (c.image) sink.references.push({ uri: c.image, usage: { kind: 'task', name }, ...(c.imageDigest ? { digest: c.imageDigest } : {}) });
          }
        }
      }),
    ),
  );
  return arns.length;
}
