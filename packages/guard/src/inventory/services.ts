import {
  DescribeServiceRevisionsCommand,
  DescribeServicesCommand,
  ListServiceDeploymentsCommand,
  ListServicesCommand,
  type Service,
  type ServiceDeploymentBrief,
} from '@aws-sdk/client-ecs';
import { chunk, paginate } from '../batch.js';
import type { Usage } from '../types.js';
import { shortName, type InventoryContext, type InventorySink } from './context.js';

/** A service and where its in-use images come from. */
export interface ServiceFinding {
  cluster: string;
  name: string;
  /** Task definitions of every deployment that is not INACTIVE (PRIMARY and ACTIVE) and of every task set. */
  taskDefinitions: string[];
  /** Service revisions whose container images ECS has resolved to digests. */
  revisionArns: string[];
}

const DESCRIBE_SERVICES_BATCH = 10; // DescribeServices accepts at most 10 services per call.
const DESCRIBE_REVISIONS_BATCH = 20; // DescribeServiceRevisions accepts at most 20 ARNs per call.
const ACTIVE_DEPLOYMENT = new Set(['PENDING', 'IN_PROGRESS', 'ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS', 'STOP_REQUESTED']);

/**
 * Every service of the given clusters with all of its deployments. Images come from two places:
 * the resolved digests of the service's current revisions (DescribeServiceRevisions, 20 per call;
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeServiceRevisions.html), and the
 * task definitions of its deployments, read only when no revision already covers them.
 */
export async function inventoryServices(ctx: InventoryContext, clusters: readonly string[], sink: InventorySink): Promise<ServiceFinding[]> {
  const perCluster = await Promise.all(clusters.map((cluster) => servicesOfCluster(ctx, cluster)));
  const services = perCluster.flat();
  const revisionOwners = new Map<string, Usage[]>();
  for (const s of services) {
    for (const arn of s.revisionArns) revisionOwners.set(arn, [...(revisionOwners.get(arn) ?? []), serviceUsage(s)]);
  }
  const revisionTaskDefinitions = await describeRevisions(ctx, revisionOwners, sink);
  for (const td of revisionTaskDefinitions.values()) sink.taskDefinitions.covered.add(td);
  for (const s of services) {
    for (const td of s.taskDefinitions) sink.taskDefinitions.add(td, serviceUsage(s));
  }
  return services;
}

export function serviceUsage(s: { cluster: string; name: string }): Usage {
  return { kind: 'service', name: `${shortName(s.cluster)}/${s.name}` };
}

async function servicesOfCluster(ctx: InventoryContext, cluster: string): Promise<ServiceFinding[]> {
  const { ecs } = ctx.clients;
  const label = `cluster ${shortName(cluster)}`;
  const arns = await ctx.blind.attempt(`services of ${label} (ecs:ListServices)`, () =>
    paginate(async (nextToken) => {
      const page = await ctx.limit(() => ecs.send(new ListServicesCommand({ cluster, maxResults: 100, nextToken })));
      return { items: page.serviceArns, next: page.nextToken };
    }),
  );
  if (!arns) return [];
  const batches = await Promise.all(
    chunk(arns, DESCRIBE_SERVICES_BATCH).map((batch) =>
      ctx.blind.attempt(`services ${batch.map(shortName).join(', ')} of ${label} (ecs:DescribeServices)`, async () => {
        const out = await ctx.limit(() => ecs.send(new DescribeServicesCommand({ cluster, services: batch })));
        for (const f of out.failures ?? []) {
          // MISSING: deleted between ListServices and DescribeServices, so it runs nothing.
          if (f.reason !== 'MISSING') ctx.blind.items.push({ what: `service ${shortName(f.arn ?? '?')} of ${label}`, reason: f.reason ?? 'unknown failure' });
        }
        return out.services ?? [];
      }),
    ),
  );
  const described = batches.flatMap((b) => b ?? []);
  return Promise.all(described.map((service) => toFinding(ctx, cluster, service)));
}

async function toFinding(ctx: InventoryContext, cluster: string, service: Service): Promise<ServiceFinding> {
  const name = service.serviceName ?? shortName(service.serviceArn ?? '?');
  const taskDefinitions = new Set<string>();
  for (const d of service.deployments ?? []) if (d.taskDefinition && d.status !== 'INACTIVE') taskDefinitions.add(d.taskDefinition);
  for (const t of service.taskSets ?? []) if (t.taskDefinition && t.status !== 'INACTIVE') taskDefinitions.add(t.taskDefinition);
  if (service.taskDefinition) taskDefinitions.add(service.taskDefinition);
  let revisionArns = (service.currentServiceRevisions ?? []).map((r) => r.arn).filter((a): a is string => !!a);
  // Older responses lack currentServiceRevisions; then the service's deployments name their revisions.
  if (service.currentServiceRevisions === undefined && (service.deploymentController?.type ?? 'ECS') === 'ECS') {
    revisionArns = (await currentRevisionsFromDeployments(ctx, cluster, service.serviceArn ?? name)) ?? [];
  }
  return { cluster, name, taskDefinitions: [...taskDefinitions], revisionArns };
}

async function currentRevisionsFromDeployments(ctx: InventoryContext, cluster: string, service: string): Promise<string[] | undefined> {
  const deployments = await ctx.blind.attempt(`deployments of service ${shortName(service)} (ecs:ListServiceDeployments)`, () =>
    paginate<ServiceDeploymentBrief>(async (nextToken) => {
      const page = await ctx.limit(() =>
        ctx.clients.ecs.send(
          new ListServiceDeploymentsCommand({ cluster, service, nextToken, status: [...ACTIVE_DEPLOYMENT, 'SUCCESSFUL'] as never }),
        ),
      );
      return { items: page.serviceDeployments, next: page.nextToken };
    }),
  );
  if (!deployments) return undefined;
  const arns = new Set<string>();
  for (const d of deployments) if (d.status && ACTIVE_DEPLOYMENT.has(d.status) && d.targetServiceRevisionArn) arns.add(d.targetServiceRevisionArn);
  const latest = deployments
    .filter((d) => d.status === 'SUCCESSFUL' && d.targetServiceRevisionArn)
    .sort((a, b) => time(b.finishedAt ?? b.createdAt) - time(a.finishedAt ?? a.createdAt))[0];
  if (latest?.targetServiceRevisionArn) arns.add(latest.targetServiceRevisionArn);
  return [...arns];
}

const time = (d: Date | undefined) => (d ? new Date(d).getTime() : 0);

/** Reads revisions in batches of 20; returns each revision's task definition. */
async function describeRevisions(ctx: InventoryContext, owners: Map<string, Usage[]>, sink: InventorySink): Promise<Map<string, string>> {
  const taskDefinitionOf = new Map<string, string>();
  await Promise.all(
    chunk([...owners.keys()], DESCRIBE_REVISIONS_BATCH).map((batch) =>
      ctx.blind.attempt(`service revisions of ${describeOwners(batch, owners)} (ecs:DescribeServiceRevisions)`, async () => {
        const out = await ctx.limit(() => ctx.clients.ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: batch })));
        for (const f of out.failures ?? []) {
          ctx.blind.items.push({ what: `service revision ${f.arn ?? '?'} of ${describeOwners([f.arn ?? ''], owners)}`, reason: f.reason ?? 'unknown failure' });
        }
        for (const revision of out.serviceRevisions ?? []) {
          const arn = revision.serviceRevisionArn ?? '';
          if (revision.taskDefinition) taskDefinitionOf.set(arn, revision.taskDefinition);
          for (const image of revision.containerImages ?? []) {
            if (!image.image) continue;
            for (const usage of owners.get(arn) ?? []) {
              sink.references.push({ uri: image.image, usage, ...(image.imageDigest ? { digest: image.imageDigest } : {}) });
            }
          }
        }
      }),
    ),
  );
  return taskDefinitionOf;
}

function describeOwners(arns: readonly string[], owners: Map<string, Usage[]>): string {
  const names = new Set(arns.flatMap((a) => (owners.get(a) ?? []).map((u) => u.name)));
  return [...names].join(', ') || 'unknown services';
}
