import type { Blindspots, Limiter } from '../batch.js';
import type { GuardCache } from '../cache.js';
import type { GuardClients, ImageReference, Logger, Usage } from '../types.js';

/** What every inventory step needs: clients, the shared concurrency limit, and where to record blind spots. */
export interface InventoryContext {
  clients: GuardClients;
  limit: Limiter;
  blind: Blindspots;
  log: Logger;
  /** What earlier runs learned about immutable things (cache.ts); absent = read everything. */
  cache?: GuardCache;
}

/** Task definitions to read, each with the usages that make its images in use. */
export class TaskDefinitionDemand {
  readonly byRef = new Map<string, Usage[]>();
  /** Task definitions whose images are already known from a service revision: no need to read them. */
  readonly covered = new Set<string>();
  add(ref: string, usage: Usage): void {
    const list = this.byRef.get(ref) ?? [];
    list.push(usage);
    this.byRef.set(ref, list);
  }
}

export interface InventorySink {
  references: ImageReference[];
  taskDefinitions: TaskDefinitionDemand;
}

/** `family` of `arn:aws:ecs:REGION:ACCOUNT:task-definition/family:3`, `family:3` or `family`. */
export function familyOf(taskDefinition: string): string {
  const name = taskDefinition.includes('/') ? taskDefinition.slice(taskDefinition.lastIndexOf('/') + 1) : taskDefinition;
  const colon = name.lastIndexOf(':');
  return colon > 0 && /^\d+$/.test(name.slice(colon + 1)) ? name.slice(0, colon) : name;
}

/** `web` from `arn:aws:ecs:...:cluster/web` (or `web` itself). */
export function shortName(arnOrName: string): string {
  return arnOrName.slice(arnOrName.lastIndexOf('/') + 1);
}
