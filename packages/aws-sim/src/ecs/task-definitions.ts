import { AwsError, clientException, invalidParameter } from '../protocol/errors.js';
import { arn, decodeToken, encodeToken, type ArnScope } from './ids.js';

export interface ContainerDefinition {
  name: string;
  image: string;
  essential?: boolean;
  memory?: number;
  memoryReservation?: number;
  healthCheck?: { command: string[]; interval?: number; retries?: number; startPeriod?: number; timeout?: number };
  logConfiguration?: { logDriver: string; options?: Record<string, string> };
  [key: string]: unknown;
}

export interface TaskDefinition {
  taskDefinitionArn: string;
  family: string;
  revision: number;
  status: 'ACTIVE' | 'INACTIVE' | 'DELETE_IN_PROGRESS';
  containerDefinitions: ContainerDefinition[];
  networkMode?: string;
  requiresCompatibilities?: string[];
  compatibilities: string[];
  requiresAttributes: { name: string }[];
  cpu?: string;
  memory?: string;
  taskRoleArn?: string;
  executionRoleArn?: string;
  registeredAt: Date;
  registeredBy: string;
  deregisteredAt?: Date;
  [key: string]: unknown;
}

const FAMILY = /^[A-Za-z0-9_-]{1,255}$/;
const CONTAINER_NAME = /^[A-Za-z0-9_-]{1,255}$/;

/**
 * Fargate task sizes: CPU units → allowed memory (MiB).
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size
 */
const FARGATE_SIZES: Record<number, number[]> = {
  256: [512, 1024, 2048],
  512: range(1024, 4096, 1024),
  1024: range(2048, 8192, 1024),
  2048: range(4096, 16384, 1024),
  4096: range(8192, 30720, 1024),
  8192: range(16384, 61440, 4096),
  16384: range(32768, 122880, 8192),
};
function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let v = from; v <= to; v += step) out.push(v);
  return out;
}

/** Task-level cpu/memory may be given as units ("1024", "1 vCPU", "2 GB"); ECS stores units/MiB. */
function normaliseSize(value: unknown, kind: 'cpu' | 'memory'): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const text = String(value).trim();
  const m = /^(\d+(?:\.\d+)?)\s*(vcpu|gb)?$/i.exec(text);
  if (!m) throw clientException(`Invalid '${kind}' setting for task.`);
  const n = Number(m[1]);
  if (m[2]?.toLowerCase() === 'vcpu') return String(Math.round(n * 1024));
  if (m[2]?.toLowerCase() === 'gb') return String(Math.round(n * 1024));
  return String(n);
}

/** Capabilities ECS records as requiresAttributes for what the definition uses. */
function requiredAttributes(td: Pick<TaskDefinition, 'containerDefinitions' | 'executionRoleArn' | 'taskRoleArn' | 'networkMode'>): { name: string }[] {
  const names = new Set<string>();
  for (const c of td.containerDefinitions) {
    if (c.logConfiguration?.logDriver === 'awslogs') {
      names.add('com.amazonaws.ecs.capability.logging-driver.awslogs');
      names.add('com.amazonaws.ecs.capability.docker-remote-api.1.19');
      if (td.executionRoleArn) names.add('ecs.capability.execution-role-awslogs');
    }
    if (/\.dkr\.ecr\.[^/]+\.amazonaws\.com\//.test(c.image)) {
      names.add('com.amazonaws.ecs.capability.ecr-auth');
      if (td.executionRoleArn) names.add('ecs.capability.execution-role-ecr-pull');
    }
    if (c.healthCheck) names.add('ecs.capability.container-health-check');
  }
  if (td.taskRoleArn) names.add('com.amazonaws.ecs.capability.task-iam-role');
  if (td.networkMode === 'awsvpc') names.add('ecs.capability.task-eni');
  return [...names].sort().map((name) => ({ name }));
}

/**
 * Task definition families and revisions, validated the way RegisterTaskDefinition validates.
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html
 */
export class TaskDefinitions {
  private readonly families = new Map<string, TaskDefinition[]>();
  private readonly byArn = new Map<string, TaskDefinition>();
  private sortedFamilies: string[] | undefined;

  constructor(private readonly scope: ArnScope) {}

  register(input: any, at: Date): TaskDefinition {
    const family = input.family;
    if (typeof family !== 'string' || !FAMILY.test(family)) {
      throw clientException('Family contains invalid characters. Up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores are allowed.');
    }
    const containers = input.containerDefinitions;
    if (!Array.isArray(containers) || containers.length === 0) throw clientException('Container list cannot be empty.');
    const requires: string[] = input.requiresCompatibilities ?? [];
    for (const r of requires) if (!['EC2', 'FARGATE', 'EXTERNAL', 'MANAGED_INSTANCES'].includes(r)) throw invalidParameter(`Invalid value for requiresCompatibilities: ${r}`);
    const networkMode: string | undefined = input.networkMode;
    if (networkMode !== undefined && !['bridge', 'host', 'awsvpc', 'none'].includes(networkMode)) throw clientException(`Invalid networkMode: ${networkMode}`);
    const cpu = normaliseSize(input.cpu, 'cpu');
    const memory = normaliseSize(input.memory, 'memory');
    if (requires.includes('FARGATE')) {
      // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html
      if (networkMode !== 'awsvpc') throw clientException("Fargate only supports network mode 'awsvpc'.");
      if (!cpu) throw clientException("Fargate requires that 'cpu' be defined at the task level.");
      if (!memory) throw clientException("Fargate requires that 'memory' be defined at the task level.");
      if (!FARGATE_SIZES[Number(cpu)]?.includes(Number(memory))) {
        throw clientException(`No Fargate configuration exists for given values: ${cpu} CPU, ${memory} memory. See the Amazon ECS documentation for the valid values.`);
      }
      if (!input.executionRoleArn && containers.some((c: ContainerDefinition) => c.logConfiguration?.logDriver === 'awslogs')) {
        throw clientException('Fargate requires task definition to have execution role ARN to support log driver awslogs.');
      }
    }
    const names = new Set<string>();
    for (const c of containers as ContainerDefinition[]) {
      if (!c || typeof c.name !== 'string' || !c.name) throw clientException('Container.name should not be null or empty.');
      if (!CONTAINER_NAME.test(c.name)) throw clientException(`Container name '${c.name}' is invalid. Up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores are allowed.`);
      if (typeof c.image !== 'string' || !c.image) throw clientException('Container.image should not be null or empty.');
      if (names.has(c.name)) throw clientException(`Duplicate container name '${c.name}'. Container names must be unique within a task definition.`);
      names.add(c.name);
      if (!memory && c.memory === undefined && c.memoryReservation === undefined) {
        throw clientException(`Invalid setting for container '${c.name}'. At least one of 'memory' or 'memoryReservation' must be specified.`);
      }
      if (c.memory !== undefined && c.memoryReservation !== undefined && c.memoryReservation > c.memory) {
        throw clientException(`Invalid setting for container '${c.name}'. 'memoryReservation' must be less than or equal to 'memory'.`);
      }
      if (c.logConfiguration && typeof c.logConfiguration.logDriver !== 'string') throw clientException(`Invalid setting for container '${c.name}'. logConfiguration.logDriver is required.`);
    }
    if (!containers.some((c: ContainerDefinition) => c.essential !== false)) throw clientException('A task definition must have at least one essential container.');
    const revisions = this.families.get(family) ?? [];
    const revision = (revisions.at(-1)?.revision ?? 0) + 1;
    const fargateCapable = networkMode === 'awsvpc' && !!cpu && !!memory && !!FARGATE_SIZES[Number(cpu)]?.includes(Number(memory));
    const compatibilities = ['EC2', ...(networkMode !== 'awsvpc' ? ['EXTERNAL'] : []), ...(fargateCapable ? ['FARGATE'] : [])];
    const { tags: _tags, ...rest } = input;
    const base = {
      ...rest,
      containerDefinitions: containers.map((c: ContainerDefinition) => ({ essential: true, ...c })),
      family,
      cpu,
      memory,
      taskDefinitionArn: arn(this.scope, `task-definition/${family}:${revision}`),
      revision,
      status: 'ACTIVE' as const,
      compatibilities,
      registeredAt: at,
      registeredBy: `arn:aws:iam::${this.scope.accountId}:user/gantry-sim`,
    };
    const td: TaskDefinition = { ...base, requiresAttributes: requiredAttributes(base) };
    revisions.push(td);
    if (revisions.length === 1) {
      this.families.set(family, revisions);
      this.sortedFamilies = undefined;
    }
    this.byArn.set(td.taskDefinitionArn, td);
    return td;
  }

  /**
   * Resolves `family` (latest ACTIVE revision), `family:revision` or a full ARN.
   * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeTaskDefinition.html
   */
  find(ref: unknown): TaskDefinition | undefined {
    if (typeof ref !== 'string' || !ref) return undefined;
    if (ref.startsWith('arn:')) return this.byArn.get(ref);
    const colon = ref.lastIndexOf(':');
    if (colon > 0) {
      const revs = this.families.get(ref.slice(0, colon));
      const n = Number(ref.slice(colon + 1));
      return revs?.find((t) => t.revision === n);
    }
    const revs = this.families.get(ref);
    if (!revs) return undefined;
    for (let i = revs.length - 1; i >= 0; i--) if (revs[i]!.status === 'ACTIVE') return revs[i];
    return undefined;
  }

  get(ref: unknown): TaskDefinition {
    if (typeof ref !== 'string' || !ref) throw invalidParameter('Task Definition can not be blank.');
    const td = this.find(ref);
    if (!td) throw clientException('Unable to describe task definition.');
    return td;
  }

  deregister(ref: unknown, at: Date): TaskDefinition {
    if (typeof ref !== 'string' || !ref.includes(':')) throw clientException('Invalid revision number. Number: ' + String(ref ?? ''));
    const td = this.find(ref);
    if (!td) throw clientException('The specified task definition does not exist.');
    if (td.status === 'ACTIVE') {
      td.status = 'INACTIVE';
      td.deregisteredAt = at;
    }
    return td;
  }

  private families_(): string[] {
    this.sortedFamilies ??= [...this.families.keys()].sort();
    return this.sortedFamilies;
  }

  /** https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListTaskDefinitions.html */
  list(input: any): { taskDefinitionArns: string[]; nextToken?: string } {
    const status = input.status ?? 'ACTIVE';
    if (!['ACTIVE', 'INACTIVE', 'DELETE_IN_PROGRESS'].includes(status)) throw invalidParameter(`Invalid status: ${status}`);
    const sort = input.sort ?? 'ASC';
    if (sort !== 'ASC' && sort !== 'DESC') throw invalidParameter(`Invalid sort: ${sort}`);
    const maxResults = pageSize(input.maxResults, 100);
    const offset = decodeToken(input.nextToken);
    if (offset === undefined) throw invalidParameter('Invalid token');
    const prefix: string | undefined = input.familyPrefix;
    const out: string[] = [];
    // familyPrefix matches the whole family name, not a prefix of it (see the API reference).
    const families = prefix ? (this.families.has(prefix) ? [prefix] : []) : this.families_();
    for (const f of families) for (const td of this.families.get(f)!) if (td.status === status) out.push(td.taskDefinitionArn);
    if (sort === 'DESC') out.reverse();
    const items = out.slice(offset, offset + maxResults);
    return { taskDefinitionArns: items, nextToken: offset + maxResults < out.length ? encodeToken(offset + maxResults) : undefined };
  }

  /** https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListTaskDefinitionFamilies.html */
  listFamilies(input: any): { families: string[]; nextToken?: string } {
    const status = input.status ?? 'ACTIVE';
    if (!['ACTIVE', 'INACTIVE', 'ALL'].includes(status)) throw invalidParameter(`Invalid status: ${status}`);
    const maxResults = pageSize(input.maxResults, 100);
    const offset = decodeToken(input.nextToken);
    if (offset === undefined) throw invalidParameter('Invalid token');
    const prefix = String(input.familyPrefix ?? '');
    const out = this.families_().filter((f) => {
      if (!f.startsWith(prefix)) return false;
      const revs = this.families.get(f)!;
      const anyActive = revs.some((t) => t.status === 'ACTIVE');
      return status === 'ALL' || (status === 'ACTIVE' ? anyActive : !anyActive);
    });
    return { families: out.slice(offset, offset + maxResults), nextToken: offset + maxResults < out.length ? encodeToken(offset + maxResults) : undefined };
  }
}

export function pageSize(value: unknown, max: number, fallback = max): number {
  if (value === undefined || value === null) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw invalidParameter(`maxResults must be between 1 and ${max}.`);
  return n;
}

export { AwsError };
