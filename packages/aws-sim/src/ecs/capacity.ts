import { AwsError, invalidParameter } from '../protocol/errors.js';

/**
 * Capacity providers. The simulator has the two Fargate ones, "available to all accounts and only need to
 * be associated with a cluster to be used in a capacity provider strategy"; Auto Scaling group providers
 * (CreateCapacityProvider) are not simulated.
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CapacityProviderStrategyItem.html
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-capacity-providers.html
 */
export const FARGATE_PROVIDERS = ['FARGATE', 'FARGATE_SPOT'] as const;

export interface StrategyItem {
  capacityProvider: string;
  weight: number;
  base: number;
}

/** Where one task runs: the launch type it reports and, when a strategy placed it, the provider. */
export interface Placement {
  launchType: string;
  capacityProviderName?: string;
}

// "A capacity provider strategy can contain a maximum of 20 capacity providers."
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html
const MAX_ITEMS = 20;

/** `capacityProviders` of CreateCluster / PutClusterCapacityProviders: Fargate providers, each once. */
export function validateProviders(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalidParameter('capacityProviders must be a list of capacity provider names.');
  const seen = new Set<string>();
  for (const p of value) {
    if (typeof p !== 'string' || !(FARGATE_PROVIDERS as readonly string[]).includes(p)) {
      throw invalidParameter(`The specified capacity provider ${JSON.stringify(p)} does not exist. The simulator has the Fargate capacity providers FARGATE and FARGATE_SPOT.`);
    }
    if (seen.has(p)) throw invalidParameter(`The capacity provider ${p} is listed more than once in capacityProviders.`);
    seen.add(p);
  }
  return [...seen];
}

/**
 * A capacity provider strategy: weight 0–1000, base 0–100000 (default 0), at most one provider with a
 * base, each provider once, every provider associated with the cluster.
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CapacityProviderStrategyItem.html
 */
export function validateStrategy(value: unknown, field: string, associated: readonly string[]): StrategyItem[] {
  if (!Array.isArray(value)) throw invalidParameter(`${field} must be a list of { capacityProvider, weight, base }.`);
  if (value.length > MAX_ITEMS) throw invalidParameter(`${field} can contain a maximum of ${MAX_ITEMS} capacity providers.`);
  const items: StrategyItem[] = [];
  for (const raw of value as Record<string, unknown>[]) {
    const name = raw?.capacityProvider;
    if (typeof name !== 'string' || !name) throw invalidParameter(`Each item of ${field} must name a capacityProvider.`);
    const weight = raw.weight ?? 0;
    const base = raw.base ?? 0;
    if (!Number.isInteger(weight) || (weight as number) < 0 || (weight as number) > 1000) throw invalidParameter(`${field}: the weight of capacity provider ${name} must be between 0 and 1000.`);
    if (!Number.isInteger(base) || (base as number) < 0 || (base as number) > 100000) throw invalidParameter(`${field}: the base of capacity provider ${name} must be between 0 and 100000.`);
    if (items.some((i) => i.capacityProvider === name)) throw invalidParameter(`${field}: capacity provider ${name} is listed more than once.`);
    if (!associated.includes(name)) {
      throw invalidParameter(`The specified capacity provider strategy cannot contain a capacity provider that is not associated with the cluster (${name}; associated: ${associated.join(', ') || 'none'}). Associate it with PutClusterCapacityProviders first.`);
    }
    items.push({ capacityProvider: name, weight: weight as number, base: base as number });
  }
  if (items.filter((i) => i.base > 0).length > 1) throw invalidParameter(`${field}: only one capacity provider in a capacity provider strategy can have a base defined.`);
  return items;
}

/**
 * How a RunTask / CreateService call launches: its launchType, or its capacityProviderStrategy, or the
 * cluster's default strategy. "If a capacityProviderStrategy is specified, the launchType parameter must
 * be omitted. If no capacityProviderStrategy or launchType is specified, the defaultCapacityProviderStrategy
 * for the cluster is used." https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html
 * With neither and no default strategy ECS falls back to EC2 and finds no container instance; the
 * simulator rejects the call with that message (README, our choice for CreateService).
 */
export function resolveLaunch(
  input: { launchType?: unknown; capacityProviderStrategy?: unknown },
  cluster: { capacityProviders: string[]; defaultCapacityProviderStrategy: StrategyItem[] },
): { launchType?: string; strategy?: StrategyItem[] } {
  const strategy = input.capacityProviderStrategy;
  const given = Array.isArray(strategy) && strategy.length > 0;
  if (input.launchType !== undefined && input.launchType !== null && given) {
    throw invalidParameter('Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.');
  }
  if (input.launchType !== undefined && input.launchType !== null) {
    if (!['EC2', 'FARGATE', 'EXTERNAL'].includes(String(input.launchType))) throw invalidParameter(`launchType must be one of EC2, FARGATE, EXTERNAL, got ${JSON.stringify(input.launchType)}.`);
    return { launchType: String(input.launchType) };
  }
  if (given) return { strategy: validateStrategy(strategy, 'capacityProviderStrategy', cluster.capacityProviders) };
  if (cluster.defaultCapacityProviderStrategy.length > 0) return { strategy: cluster.defaultCapacityProviderStrategy };
  throw invalidParameter('No Container Instances were found in your cluster.');
}

/**
 * The provider the next task goes to: first the base of the provider that has one, then the providers in
 * proportion to their weights (the one furthest below its share; ties to the first listed). AWS describes
 * base and weight but not the order of placement: README, our choice.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-capacity-providers.html
 */
export function nextProvider(strategy: StrategyItem[], running: ReadonlyMap<string, number>): string {
  const count = (name: string) => running.get(name) ?? 0;
  const withBase = strategy.find((i) => i.base > 0 && count(i.capacityProvider) < i.base);
  if (withBase) return withBase.capacityProvider;
  const weighted = strategy.filter((i) => i.weight > 0);
  if (weighted.length === 0) return strategy[0]!.capacityProvider;
  let best = weighted[0]!;
  let bestScore = Infinity;
  for (const i of weighted) {
    const beyondBase = count(i.capacityProvider) - i.base;
    const score = (beyondBase + 1) / i.weight;
    if (score < bestScore) {
      best = i;
      bestScore = score;
    }
  }
  return best.capacityProvider;
}

/** Fargate providers run tasks with launch type FARGATE. */
export function placementOn(provider: string): Placement {
  return { launchType: 'FARGATE', capacityProviderName: provider };
}

/**
 * A provider that services still use cannot be removed from the cluster.
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_PutClusterCapacityProviders.html
 */
export const providerInUse = (name: string) =>
  new AwsError('ResourceInUseException', `The specified capacity provider ${name} is in use by a service and cannot be removed from the cluster.`);
