// A small in-memory AWS for unit tests, wired into real SDK clients with aws-sdk-client-mock so the
// guard's call sequences, batch sizes and pagination can be asserted on.
import { createHash } from 'node:crypto';
import {
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetDownloadUrlForLayerCommand,
  GetLifecyclePolicyCommand,
  PutImageCommand,
  PutLifecyclePolicyCommand,
  type ImageDetail,
} from '@aws-sdk/client-ecr';
import {
  DescribeServiceRevisionsCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListClustersCommand,
  ListServiceDeploymentsCommand,
  ListServicesCommand,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
} from '@aws-sdk/client-ecs';
import { EventBridgeClient, ListRulesCommand, ListTargetsByRuleCommand } from '@aws-sdk/client-eventbridge';
import { GetScheduleCommand, ListSchedulesCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import type { GuardClients } from '../../src/index.js';

export const ACCOUNT = '123456789012';
export const HOST = `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com`;
const ARN = `arn:aws:ecs:us-east-1:${ACCOUNT}`;

export interface FakeImage {
  digest: string;
  tags: string[];
  pushedAt: Date;
  status?: 'ACTIVE' | 'ARCHIVED';
  manifest: string;
  mediaType: string;
}

export interface FakeService {
  name: string;
  taskDefinition: string;
  /** Images the current revision resolved: [image, digest]. */
  revisionImages?: [string, string][];
  /** Answer DescribeServices without currentServiceRevisions, as older API versions do. */
  legacy?: boolean;
}

export function digestOf(text: string): string {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

/** Config blobs of every manifest made here, by digest, served through GetDownloadUrlForLayer as data: URLs. */
const CONFIG_BLOBS = new Map<string, string>();

/** An image manifest (optionally with base annotations, and config labels) and its digest. */
export function makeManifest(seed: string, annotations?: Record<string, string>, labels?: Record<string, string>): { manifest: string; digest: string; mediaType: string } {
  const config = JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Env: [`SEED=${seed}`], ...(labels ? { Labels: labels } : {}) } });
  CONFIG_BLOBS.set(digestOf(config), config);
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: digestOf(config), size: config.length },
    layers: [],
    ...(annotations ? { annotations } : {}),
  });
  return { manifest, digest: digestOf(manifest), mediaType: 'application/vnd.oci.image.manifest.v1+json' };
}

export function makeIndex(children: string[]): { manifest: string; digest: string; mediaType: string } {
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: children.map((digest) => ({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest, size: 10 })),
  });
  return { manifest, digest: digestOf(manifest), mediaType: 'application/vnd.oci.image.index.v1+json' };
}

const tdArn = (family: string, revision: number) => `${ARN}:task-definition/${family}:${revision}`;

export class World {
  clusters = new Map<string, { services: FakeService[]; tasks: { id: string; containers: [string, string | undefined][] }[] }>();
  taskDefinitions = new Map<string, { family: string; revision: number; status: 'ACTIVE' | 'INACTIVE'; images: string[] }>();
  repositories = new Map<string, { images: FakeImage[]; policy?: string; mutability: 'MUTABLE' | 'IMMUTABLE' }>();
  rules: { name: string; taskDefinitions: string[] }[] = [];
  schedules: { name: string; target: string; taskDefinition?: string }[] = [];
  /** `ecs:ListServices` etc. → cluster names (or '*') it is denied for. */
  denied = new Map<string, string>();
  now = new Date('2026-06-01T00:00:00Z');
  /** Runs before DescribeImages by image id, to stage what changes between two reads. */
  beforeDescribeById?: () => void;

  readonly ecs = new ECSClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  readonly ecr = new ECRClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  readonly events = new EventBridgeClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  readonly scheduler = new SchedulerClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  readonly ecsMock = mockClient(this.ecs);
  readonly ecrMock = mockClient(this.ecr);
  readonly eventsMock = mockClient(this.events);
  readonly schedulerMock = mockClient(this.scheduler);

  constructor() {
    this.install();
  }

  get clients(): GuardClients {
    return { ecs: this.ecs, ecr: this.ecr, events: this.events, scheduler: this.scheduler };
  }

  // ---- building the world ----
  repository(name: string, options: { policy?: object; mutability?: 'MUTABLE' | 'IMMUTABLE' } = {}) {
    this.repositories.set(name, { images: [], mutability: options.mutability ?? 'MUTABLE', ...(options.policy ? { policy: JSON.stringify(options.policy) } : {}) });
    return this;
  }

  /** Pushes an image `daysAgo` days before `now`; returns its digest. */
  push(repository: string, tags: string[], daysAgo: number, manifest = makeManifest(`${repository}-${tags.join(',')}-${daysAgo}-${Math.random()}`)): string {
    const repo = this.repositories.get(repository)!;
    for (const other of repo.images) other.tags = other.tags.filter((t) => !tags.includes(t));
    repo.images.push({ digest: manifest.digest, tags: [...tags], pushedAt: new Date(this.now.getTime() - daysAgo * 86_400_000), manifest: manifest.manifest, mediaType: manifest.mediaType });
    return manifest.digest;
  }

  taskDefinition(family: string, images: string[], status: 'ACTIVE' | 'INACTIVE' = 'ACTIVE'): string {
    const revision = [...this.taskDefinitions.values()].filter((t) => t.family === family).length + 1;
    const arn = tdArn(family, revision);
    this.taskDefinitions.set(arn, { family, revision, status, images });
    return arn;
  }

  cluster(name: string) {
    if (!this.clusters.has(name)) this.clusters.set(name, { services: [], tasks: [] });
    return this.clusters.get(name)!;
  }

  service(cluster: string, service: FakeService) {
    this.cluster(cluster).services.push(service);
    return this;
  }

  task(cluster: string, containers: [string, string | undefined][]) {
    const c = this.cluster(cluster);
    c.tasks.push({ id: `t${c.tasks.length}`, containers });
    return this;
  }

  uri(repository: string, ref: string) {
    return `${HOST}/${repository}${ref.startsWith('sha256:') ? `@${ref}` : `:${ref}`}`;
  }

  image(repository: string, digest: string) {
    return this.repositories.get(repository)!.images.find((i) => i.digest === digest);
  }

  calls(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [prefix, mock] of [['ecs', this.ecsMock], ['ecr', this.ecrMock], ['events', this.eventsMock], ['scheduler', this.schedulerMock]] as const) {
      for (const call of mock.calls()) {
        const name = `${prefix}:${(call.args[0] as object).constructor.name.replace(/Command$/, '')}`;
        out[name] = (out[name] ?? 0) + 1;
      }
    }
    return out;
  }

  private deny(action: string, cluster = '*') {
    const rule = this.denied.get(action);
    if (rule && (rule === '*' || rule === cluster)) {
      throw Object.assign(new Error(`User is not authorized to perform: ${action}`), { name: 'AccessDeniedException' });
    }
  }

  // ---- the fake API ----
  private install() {
    const page = <T>(items: T[], token: string | undefined, size: number) => {
      const start = token ? Number(token) : 0;
      const next = start + size < items.length ? String(start + size) : undefined;
      return { items: items.slice(start, start + size), next };
    };
    const clusterName = (c: string | undefined) => (c ?? 'default').slice((c ?? 'default').lastIndexOf('/') + 1);

    this.ecsMock.on(ListClustersCommand).callsFake((input) => {
      this.deny('ecs:ListClusters');
      const p = page([...this.clusters.keys()].map((c) => `${ARN}:cluster/${c}`), input.nextToken, input.maxResults ?? 100);
      return { clusterArns: p.items, nextToken: p.next };
    });
    this.ecsMock.on(ListServicesCommand).callsFake((input) => {
      const name = clusterName(input.cluster);
      this.deny('ecs:ListServices', name);
      const p = page(this.cluster(name).services.map((s) => `${ARN}:service/${name}/${s.name}`), input.nextToken, Math.min(input.maxResults ?? 10, 100));
      return { serviceArns: p.items, nextToken: p.next };
    });
    this.ecsMock.on(DescribeServicesCommand).callsFake((input) => {
      if (input.services.length > 10) throw Object.assign(new Error('too many services'), { name: 'InvalidParameterException' });
      const name = clusterName(input.cluster);
      const services = input.services.map((arn: string) => this.cluster(name).services.find((s) => s.name === arn.slice(arn.lastIndexOf('/') + 1))!);
      return {
        services: services.map((s: FakeService) => ({
          serviceName: s.name,
          serviceArn: `${ARN}:service/${name}/${s.name}`,
          taskDefinition: s.taskDefinition,
          deployments: [{ status: 'PRIMARY', taskDefinition: s.taskDefinition }],
          ...(s.legacy ? {} : { currentServiceRevisions: s.revisionImages ? [{ arn: `${ARN}:service-revision/${name}/${s.name}/1` }] : [] }),
        })),
        failures: [],
      };
    });
    this.ecsMock.on(ListServiceDeploymentsCommand).callsFake((input) => {
      const name = clusterName(input.cluster);
      const service = (input.service as string).slice((input.service as string).lastIndexOf('/') + 1);
      return {
        serviceDeployments: [
          { status: 'SUCCESSFUL', finishedAt: new Date(0), targetServiceRevisionArn: `${ARN}:service-revision/${name}/${service}/0` },
          { status: 'SUCCESSFUL', finishedAt: new Date(1000), targetServiceRevisionArn: `${ARN}:service-revision/${name}/${service}/1` },
        ],
      };
    });
    this.ecsMock.on(DescribeServiceRevisionsCommand).callsFake((input) => {
      if (input.serviceRevisionArns.length > 20) throw Object.assign(new Error('too many'), { name: 'InvalidParameterException' });
      return {
        serviceRevisions: input.serviceRevisionArns.map((arn: string) => {
          const [, cluster, service] = arn.split('/');
          const s = this.cluster(cluster!).services.find((x) => x.name === service)!;
          return { serviceRevisionArn: arn, taskDefinition: s.taskDefinition, containerImages: s.revisionImages!.map(([image, imageDigest]) => ({ image, imageDigest })) };
        }),
        failures: [],
      };
    });
    this.ecsMock.on(ListTasksCommand).callsFake((input) => {
      const name = clusterName(input.cluster);
      this.deny('ecs:ListTasks', name);
      const p = page(this.cluster(name).tasks.map((t) => `${ARN}:task/${name}/${t.id}`), input.nextToken, Math.min(input.maxResults ?? 100, 100));
      return { taskArns: p.items, nextToken: p.next };
    });
    this.ecsMock.on(DescribeTasksCommand).callsFake((input) => {
      if (input.tasks.length > 100) throw Object.assign(new Error('too many tasks'), { name: 'InvalidParameterException' });
      const name = clusterName(input.cluster);
      return {
        tasks: input.tasks.map((arn: string) => {
          const t = this.cluster(name).tasks.find((x) => x.id === arn.slice(arn.lastIndexOf('/') + 1))!;
          return { taskArn: arn, containers: t.containers.map(([image, imageDigest]) => ({ image, ...(imageDigest ? { imageDigest } : {}) })) };
        }),
        failures: [],
      };
    });
    this.ecsMock.on(ListTaskDefinitionsCommand).callsFake((input) => {
      const matching = [...this.taskDefinitions.entries()]
        .filter(([, t]) => t.family.startsWith(input.familyPrefix ?? '') && t.status === (input.status ?? 'ACTIVE'))
        .sort(([, a], [, b]) => (a.family === b.family ? a.revision - b.revision : a.family < b.family ? -1 : 1))
        .map(([arn]) => arn);
      if (input.sort === 'DESC') matching.reverse();
      const p = page(matching, input.nextToken, input.maxResults ?? 100);
      return { taskDefinitionArns: p.items, nextToken: p.next };
    });
    this.ecsMock.on(DescribeTaskDefinitionCommand).callsFake((input) => {
      let arn = input.taskDefinition as string;
      if (!arn.startsWith('arn:')) {
        const [family, revision] = arn.split(':');
        const candidates = [...this.taskDefinitions.entries()].filter(([, t]) => t.family === family && (revision ? t.revision === Number(revision) : t.status === 'ACTIVE'));
        arn = candidates.at(-1)?.[0] ?? arn;
      }
      const td = this.taskDefinitions.get(arn);
      if (!td) throw Object.assign(new Error('Unable to describe task definition.'), { name: 'ClientException' });
      return { taskDefinition: { taskDefinitionArn: arn, family: td.family, revision: td.revision, status: td.status, containerDefinitions: td.images.map((image, i) => ({ name: `c${i}`, image })) } };
    });

    this.eventsMock.on(ListRulesCommand).callsFake((input) => {
      const p = page(this.rules.map((r) => ({ Name: r.name })), input.NextToken, input.Limit ?? 100);
      return { Rules: p.items, NextToken: p.next };
    });
    this.eventsMock.on(ListTargetsByRuleCommand).callsFake((input) => ({
      Targets: this.rules.find((r) => r.name === input.Rule)!.taskDefinitions.map((td, i) => ({ Id: `t${i}`, Arn: `${ARN}:cluster/prod`, EcsParameters: { TaskDefinitionArn: td } })),
    }));
    this.schedulerMock.on(ListSchedulesCommand).callsFake((input) => {
      const p = page(this.schedules.map((s) => ({ Name: s.name, GroupName: 'default', Target: { Arn: s.target } })), input.NextToken, input.MaxResults ?? 100);
      return { Schedules: p.items, NextToken: p.next };
    });
    this.schedulerMock.on(GetScheduleCommand).callsFake((input) => {
      const s = this.schedules.find((x) => x.name === input.Name)!;
      return { Name: s.name, Target: { Arn: s.target, RoleArn: 'r', ...(s.taskDefinition ? { EcsParameters: { TaskDefinitionArn: s.taskDefinition } } : {}) } };
    });

    const repo = (name: string) => {
      const r = this.repositories.get(name);
      if (!r) throw Object.assign(new Error(`repository ${name} not found`), { name: 'RepositoryNotFoundException' });
      return r;
    };
    const detail = (name: string, i: FakeImage): ImageDetail => ({
      repositoryName: name,
      imageDigest: i.digest,
      ...(i.tags.length ? { imageTags: [...i.tags] } : {}),
      imagePushedAt: i.pushedAt,
      imageStatus: i.status ?? 'ACTIVE',
      imageManifestMediaType: i.mediaType,
    });
    this.ecrMock.on(DescribeRepositoriesCommand).callsFake((input) => {
      const p = page([...this.repositories.entries()], input.nextToken, input.maxResults ?? 100);
      return { repositories: p.items.map(([name, r]) => ({ repositoryName: name, repositoryUri: `${HOST}/${name}`, imageTagMutability: r.mutability })), nextToken: p.next };
    });
    this.ecrMock.on(DescribeImagesCommand).callsFake((input) => {
      const r = repo(input.repositoryName);
      const wanted = input.imageIds as { imageDigest?: string; imageTag?: string }[] | undefined;
      const all = r.images.filter((i) => (input.filter?.imageStatus === 'ANY' ? true : (i.status ?? 'ACTIVE') === 'ACTIVE'));
      if (wanted) this.beforeDescribeById?.();
      if (wanted) return { imageDetails: all.filter((i) => wanted.some((w) => w.imageDigest === i.digest || (w.imageTag && i.tags.includes(w.imageTag)))).map((i) => detail(input.repositoryName, i)) };
      const p = page(all, input.nextToken, input.maxResults ?? 100);
      return { imageDetails: p.items.map((i) => detail(input.repositoryName, i)), nextToken: p.next };
    });
    this.ecrMock.on(GetLifecyclePolicyCommand).callsFake((input) => {
      const r = repo(input.repositoryName);
      if (!r.policy) throw Object.assign(new Error('no policy'), { name: 'LifecyclePolicyNotFoundException' });
      return { repositoryName: input.repositoryName, lifecyclePolicyText: r.policy };
    });
    this.ecrMock.on(PutLifecyclePolicyCommand).callsFake((input) => {
      repo(input.repositoryName).policy = input.lifecyclePolicyText;
      return { repositoryName: input.repositoryName, lifecyclePolicyText: input.lifecyclePolicyText };
    });
    this.ecrMock.on(BatchGetImageCommand).callsFake((input) => {
      if (input.imageIds.length > 100) throw Object.assign(new Error('too many'), { name: 'InvalidParameterException' });
      const r = repo(input.repositoryName);
      const images = [];
      const failures = [];
      for (const id of input.imageIds as { imageDigest: string }[]) {
        const i = r.images.find((x) => x.digest === id.imageDigest);
        if (i) images.push({ imageId: { imageDigest: i.digest }, imageManifest: i.manifest, imageManifestMediaType: i.mediaType });
        else failures.push({ imageId: id, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' });
      }
      return { images, failures };
    });
    this.ecrMock.on(GetDownloadUrlForLayerCommand).callsFake((input) => {
      this.deny('ecr:GetDownloadUrlForLayer');
      repo(input.repositoryName);
      const blob = CONFIG_BLOBS.get(input.layerDigest);
      if (!blob) throw Object.assign(new Error('layer not found'), { name: 'LayersNotFoundException' });
      return { layerDigest: input.layerDigest, downloadUrl: `data:application/octet-stream;base64,${Buffer.from(blob).toString('base64')}` };
    });
    this.ecrMock.on(PutImageCommand).callsFake((input) => {
      const r = repo(input.repositoryName);
      const i = r.images.find((x) => x.manifest === input.imageManifest);
      if (!i || (input.imageDigest && input.imageDigest !== i.digest)) throw Object.assign(new Error('digest mismatch'), { name: 'ImageDigestDoesNotMatchException' });
      if (i.tags.includes(input.imageTag)) throw Object.assign(new Error('exists'), { name: 'ImageAlreadyExistsException' });
      const holder = r.images.find((x) => x.tags.includes(input.imageTag));
      if (holder && r.mutability === 'IMMUTABLE') throw Object.assign(new Error('immutable'), { name: 'ImageTagAlreadyExistsException' });
      if (holder) holder.tags = holder.tags.filter((t) => t !== input.imageTag);
      i.tags.push(input.imageTag);
      return { image: { imageId: { imageDigest: i.digest, imageTag: input.imageTag } } };
    });
    this.ecrMock.on(BatchDeleteImageCommand).callsFake((input) => {
      const r = repo(input.repositoryName);
      const imageIds = [];
      for (const id of input.imageIds as { imageTag?: string; imageDigest?: string }[]) {
        const i = r.images.find((x) => (id.imageTag ? x.tags.includes(id.imageTag) : x.digest === id.imageDigest));
        if (!i) continue;
        if (id.imageTag) i.tags = i.tags.filter((t) => t !== id.imageTag);
        // ECR: removing the last tag deletes the image; a digest deletes it outright.
        if (!id.imageTag || i.tags.length === 0) r.images = r.images.filter((x) => x !== i);
        imageIds.push(id);
      }
      return { imageIds, failures: [] };
    });
  }
}
