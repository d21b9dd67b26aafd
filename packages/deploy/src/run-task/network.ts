import { DescribeClustersCommand, type CapacityProviderStrategyItem, type ECSClient, type LaunchType, type NetworkConfiguration } from '@aws-sdk/client-ecs';
import { UserError } from '@gantry/github';
import { describeServiceOrFail } from '../task-definition/load.js';

export interface Placement {
  networkConfiguration?: NetworkConfiguration;
  launchType?: LaunchType;
  capacityProviderStrategy?: CapacityProviderStrategyItem[];
  platformVersion?: string;
}

export interface NetworkInput {
  /** Empty with `network-from-service`: the service's subnets stay and only the other fields change. */
  subnets: string[];
  securityGroups: string[];
  assignPublicIp?: boolean;
}

/** Where the task runs, as the user chose it: a launch type or a capacity provider strategy (never both). */
export interface CapacityInput {
  launchType?: LaunchType;
  capacityProviderStrategy?: CapacityProviderStrategyItem[];
}

/**
 * Where the one-off task runs. Network: the given subnets and security groups, over those of the named
 * service. Launch type or capacity providers: the input, else the named service's, else the cluster's
 * default capacity provider strategy (withClusterDefaultCapacity), else a clear failure, because RunTask without either runs on EC2
 * container instances, which a Fargate cluster does not have.
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html
 */
export async function placementFor(
  ecs: ECSClient,
  cluster: string,
  fromService: string | undefined,
  network: NetworkInput | undefined,
  capacity: CapacityInput = {},
): Promise<Placement> {
  const placement: Placement = {};
  if (fromService) {
    const svc = await describeServiceOrFail(ecs, cluster, fromService, { service: 'network-from-service', cluster: 'cluster' });
    placement.networkConfiguration = svc.networkConfiguration;
    if (svc.capacityProviderStrategy?.length) placement.capacityProviderStrategy = svc.capacityProviderStrategy;
    else if (svc.launchType) placement.launchType = svc.launchType;
    if (svc.platformVersion && svc.platformVersion !== 'LATEST') placement.platformVersion = svc.platformVersion;
  }
  if (network) {
    const current = placement.networkConfiguration?.awsvpcConfiguration;
    placement.networkConfiguration = {
      awsvpcConfiguration: {
        subnets: network.subnets.length ? network.subnets : current?.subnets,
        securityGroups: network.securityGroups.length ? network.securityGroups : current?.securityGroups,
        assignPublicIp: network.assignPublicIp === undefined ? current?.assignPublicIp ?? 'DISABLED' : network.assignPublicIp ? 'ENABLED' : 'DISABLED',
      },
    };
  }
  if (capacity.launchType || capacity.capacityProviderStrategy?.length) {
    delete placement.launchType;
    delete placement.capacityProviderStrategy;
    if (capacity.launchType) placement.launchType = capacity.launchType;
    else placement.capacityProviderStrategy = capacity.capacityProviderStrategy;
    if (placement.launchType !== 'FARGATE' && !placement.capacityProviderStrategy) delete placement.platformVersion;
  }
  return placement;
}

/**
 * Neither the input nor the service said where to run: the cluster's default capacity provider strategy,
 * sent explicitly so the request shows what was chosen, else a clear failure.
 */
export async function withClusterDefaultCapacity(ecs: ECSClient, cluster: string, placement: Placement): Promise<Placement> {
  if (placement.launchType || placement.capacityProviderStrategy?.length) return placement;
  const out = await ecs.send(new DescribeClustersCommand({ clusters: [cluster] }));
  const found = out.clusters?.find((c) => c.status !== 'INACTIVE');
  if (!found) throw new UserError(`Cluster '${cluster}' was not found.`, "Check the 'cluster' input and the region.");
  if (!found.defaultCapacityProviderStrategy?.length) {
    throw new UserError(
      `Cluster '${cluster}' has no default capacity provider strategy, so there is no telling where the task should run.`,
      "Set 'launch-type' (e.g. FARGATE), 'capacity-provider-strategy' (e.g. FARGATE_SPOT:1) or 'network-from-service'.",
    );
  }
  return { ...placement, capacityProviderStrategy: found.defaultCapacityProviderStrategy };
}
