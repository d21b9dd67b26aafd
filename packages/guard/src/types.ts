import type { ECRClient } from '@aws-sdk/client-ecr';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { SchedulerClient } from '@aws-sdk/client-scheduler';

/** How domain code reports progress: the action passes actionIO, tests pass an array, benches pass nothing. */
export interface Logger {
  info(line: string): void;
  warning(line: string): void;
  group?<T>(title: string, fn: () => Promise<T>): Promise<T>;
}

export const silentLogger: Logger = { info: () => {}, warning: () => {} };

export interface GuardClients {
  ecs: ECSClient;
  ecr: ECRClient;
  events: EventBridgeClient;
  scheduler: SchedulerClient;
}

/** Why an image counts as in use, e.g. `{ kind: 'service', name: 'prod/web' }`. */
export interface Usage {
  kind: 'service' | 'task' | 'rollback' | 'scheduled' | 'extra' | 'base' | 'index-child';
  /** Who uses it: service `cluster/service`, task id, `family:revision`, rule or schedule name, the parent image. */
  name: string;
}

export function describeUsage(u: Usage): string {
  const label: Record<Usage['kind'], string> = {
    service: 'service',
    task: 'task',
    rollback: 'rollback window of',
    scheduled: 'scheduled task',
    extra: 'listed in inputs',
    base: 'base image of',
    'index-child': 'child of index',
  };
  return `${label[u.kind]} ${u.name}`;
}

/** A container image reference as written in a task definition, task or input. */
export interface ImageReference {
  /** The reference as written. */
  uri: string;
  usage: Usage;
  /** The digest ECS resolved for it, when known (service revisions, tasks). */
  digest?: string;
}

/** One in-use image, by repository and digest: digests are what ECS pulls once it has resolved a tag. */
export interface InUseImage {
  repository: string;
  digest: string;
  usages: Usage[];
}

/** Something the inventory could not read. Any of these makes the guard fail closed. */
export interface Blindspot {
  what: string;
  reason: string;
}
