import type { CapacityProviderStrategyItem, LaunchType, NetworkConfiguration } from '@aws-sdk/client-ecs';
import type { ECSClient } from '@aws-sdk/client-ecs';
import { describeServiceOrFail } from '../task-definition/load.js';

export interface Placement {
  networkConfiguration?: NetworkConfiguration;
  launchType?: LaunchType;
  capacityProviderStrategy?: CapacityProviderStrategyItem[];
  platformVersion?: string;
}

export interface NetworkInput {
  subnets: string[];
  securityGroups: string[];
  assignPublicIp?: boolean;
}

/**
 * Where the one-off task runs: the given network, or the subnets, security groups, public-IP setting,
 * launch type / capacity providers and platform version of a named service, so a migration runs exactly
 * where the app does.
 */
export async function placementFor(ecs: ECSClient, cluster: string, fromService: string | undefined, network: NetworkInput | undefined): Promise<Placement> {
  const placement: Placement = {};
  if (fromService) {
    const svc = await describeServiceOrFail(ecs, cluster, fromService);
    placement.networkConfiguration = svc.networkConfiguration;
    if (svc.capacityProviderStrategy?.length) placement.capacityProviderStrategy = svc.capacityProviderStrategy;
    else if (svc.launchType) placement.launchType = svc.launchType;
    if (svc.platformVersion && svc.platformVersion !== 'LATEST') placement.platformVersion = svc.platformVersion;
  }
  if (network && network.subnets.length > 0) {
    placement.networkConfiguration = {
      awsvpcConfiguration: {
        subnets: network.subnets,
        securityGroups: network.securityGroups.length ? network.securityGroups : placement.networkConfiguration?.awsvpcConfiguration?.securityGroups,
        assignPublicIp: network.assignPublicIp === undefined ? placement.networkConfiguration?.awsvpcConfiguration?.assignPublicIp ?? 'DISABLED' : network.assignPublicIp ? 'ENABLED' : 'DISABLED',
      },
    };
  }
  return placement;
}
