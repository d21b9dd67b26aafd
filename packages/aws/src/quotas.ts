/**
 * AWS's own published API rate quotas for the calls Gantry makes, one table for the simulator (which
 * enforces them) and for the actions (which pace themselves below them). Every quota applies per
 * account and per region.
 */

/** A token bucket: `capacity` tokens at most (the burst), `refillPerSecond` tokens added each second (the sustained rate). */
export interface BucketSpec {
  capacity: number;
  refillPerSecond: number;
}

export interface QuotaGroup extends BucketSpec {
  /** Stable id, e.g. `ecs:task-definition-read`. */
  id: string;
  /** AWS's name for it, e.g. "Task definition read actions" or "Rate of BatchGetImage requests". */
  name: string;
  service: 'ecs' | 'ecr';
  actions: readonly string[];
}

/**
 * Amazon ECS: token buckets per action category, "for each AWS account on a per-Region basis"; all actions
 * of a category share one bucket ("Bucket maximum capacity (or Burst rate)", "Bucket refill rate (or
 * Sustained rate)").
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/request-throttling.html
 */
const ECS: [string, string, readonly string[], number, number][] = [
  ['cluster-modify', 'Cluster modify actions', ['CreateCluster', 'DeleteCluster', 'PutClusterCapacityProviders', 'UpdateCluster', 'UpdateClusterSettings'], 20, 1],
  ['cluster-read', 'Cluster read actions', ['DescribeClusters', 'ListClusters'], 50, 20],
  ['task-definition-modify', 'Task definition modify actions', ['DeregisterTaskDefinition', 'RegisterTaskDefinition'], 20, 1],
  ['task-definition-read', 'Task definition read actions', ['DescribeTaskDefinition', 'ListTaskDefinitions', 'ListTaskDefinitionFamilies'], 50, 20],
  ['task-definition-deletion', 'Task definition deletion actions', ['DeleteTaskDefinitions'], 5, 1],
  ['capacity-provider-modify', 'Capacity provider modify actions', ['CreateCapacityProvider', 'DeleteCapacityProvider', 'UpdateCapacityProvider'], 10, 1],
  ['capacity-provider-read', 'Capacity provider read actions', ['DescribeCapacityProviders'], 50, 20],
  ['tag-modify', 'Tag modify actions', ['TagResource', 'UntagResource'], 20, 10],
  ['tag-read', 'Tag read actions', ['ListTagsForResource'], 50, 20],
  ['setting-modify', 'Setting modify actions', ['DeleteAccountSetting', 'PutAccountSetting', 'PutAccountSettingDefault'], 10, 1],
  ['setting-read', 'Setting read actions', ['ListAccountSettings'], 50, 20],
  [
    'cluster-resource-modify',
    'Cluster resource modify actions',
    ['DeleteAttributes', 'DeregisterContainerInstance', 'ExecuteCommand', 'PutAttributes', 'RunTask', 'StartTask', 'StopTask', 'UpdateContainerAgent', 'UpdateContainerInstancesStates'],
    100,
    40,
  ],
  ['cluster-resource-read', 'Cluster resource read actions', ['DescribeContainerInstances', 'DescribeTasks', 'ListAttributes', 'ListContainerInstances', 'ListTasks'], 100, 20],
  ['agent-modify', 'Agent modify actions', ['RegisterContainerInstance', 'SubmitAttachmentStateChanges', 'SubmitContainerStateChange', 'SubmitTaskStateChange'], 200, 120],
  ['service-modify', 'Service modify actions', ['CreateService', 'DeleteService', 'UpdateService'], 50, 5],
  ['service-read', 'Service read actions', ['DescribeServices', 'ListServices'], 100, 20],
  ['service-deployment', 'Service deployment actions', ['DescribeServiceDeployments', 'ListServiceDeployments'], 50, 20],
  ['service-revision', 'Service revision actions', ['DescribeServiceRevisions'], 50, 20],
  ['task-protection', 'Task protection actions', ['UpdateTaskProtection', 'GetTaskProtection'], 200, 80],
  ['cluster-service-resource-read', 'Cluster service resource read actions', ['ListServicesByNamespace'], 10, 1],
];

/**
 * Amazon ECR: a rate per second per action ("The maximum number of BatchGetImage requests that you can make
 * per second in the current Region"). AWS publishes no burst for these, so the bucket holds one second's
 * worth (our choice). Actions without a published rate (DescribeImages, DescribeRepositories,
 * GetLifecyclePolicy, ...) are not limited.
 * https://docs.aws.amazon.com/AmazonECR/latest/userguide/service-quotas.html
 */
const ECR: [string, number][] = [
  ['BatchCheckLayerAvailability', 1000],
  ['BatchGetImage', 2000],
  ['CompleteLayerUpload', 100],
  ['GetAuthorizationToken', 500],
  ['GetDownloadUrlForLayer', 3000],
  ['InitiateLayerUpload', 100],
  ['PutImage', 10],
  ['UploadLayerPart', 500],
];

export const AWS_QUOTA_GROUPS: readonly QuotaGroup[] = [
  ...ECS.map(([id, name, actions, capacity, refillPerSecond]) => ({ id: `ecs:${id}` as string, name, service: 'ecs' as const, actions, capacity, refillPerSecond })),
  ...ECR.map(([action, rate]) => ({ id: `ecr:${action}` as string, name: `Rate of ${action} requests`, service: 'ecr' as const, actions: [action], capacity: rate, refillPerSecond: rate })),
];

const BY_ACTION = new Map<string, QuotaGroup>(AWS_QUOTA_GROUPS.flatMap((g) => g.actions.map((a) => [`${g.service}:${a}`, g] as [string, QuotaGroup])));

/** The quota group `service:Action` (e.g. `ecs:DescribeTaskDefinition`) counts against, or undefined when AWS publishes none. */
export function quotaGroupOf(service: string, action: string): QuotaGroup | undefined {
  return BY_ACTION.get(`${service}:${action}`);
}
