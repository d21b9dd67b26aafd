import type { CircuitBreakerConfig } from './circuit-breaker.js';
import type { StrategyItem } from './capacity.js';
import type { TaskDefinition } from './task-definitions.js';

export interface Cluster {
  clusterName: string;
  clusterArn: string;
  status: 'ACTIVE' | 'INACTIVE';
  services: Map<string, Service>;
  tasks: Map<string, Task>;
  createdAt: Date;
  tags: { key: string; value: string }[];
  settings: { name: string; value: string }[];
  /** Capacity providers associated with the cluster (FARGATE, FARGATE_SPOT). */
  capacityProviders: string[];
  defaultCapacityProviderStrategy: StrategyItem[];
}

export interface ServiceEvent {
  id: string;
  createdAt: Date;
  message: string;
}

export interface DeploymentConfiguration {
  minimumHealthyPercent: number;
  maximumPercent: number;
  deploymentCircuitBreaker?: CircuitBreakerConfig;
  [key: string]: unknown;
}

export interface ContainerImage {
  containerName: string;
  image: string;
  imageDigest?: string;
}

export interface ServiceRevision {
  serviceRevisionArn: string;
  serviceArn: string;
  clusterArn: string;
  taskDefinition: string;
  launchType?: string;
  /** https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceRevision.html */
  capacityProviderStrategy?: StrategyItem[];
  platformVersion?: string;
  networkConfiguration?: unknown;
  loadBalancers: unknown[];
  serviceRegistries: unknown[];
  containerImages: ContainerImage[];
  guardDutyEnabled: boolean;
  createdAt: Date;
}

export type ServiceDeploymentStatus =
  | 'PENDING'
  | 'IN_PROGRESS'
  | 'SUCCESSFUL'
  | 'STOPPED'
  | 'STOP_REQUESTED'
  | 'ROLLBACK_REQUESTED'
  | 'ROLLBACK_IN_PROGRESS'
  | 'ROLLBACK_SUCCESSFUL'
  | 'ROLLBACK_FAILED';

/** The ServiceDeployment resource (ListServiceDeployments/DescribeServiceDeployments). */
export interface ServiceDeploymentRecord {
  serviceDeploymentArn: string;
  service: Service;
  createdAt: Date;
  startedAt?: Date;
  finishedAt?: Date;
  stoppedAt?: Date;
  updatedAt: Date;
  sourceServiceRevisions: { arn: string; requestedTaskCount: number; runningTaskCount: number; pendingTaskCount: number }[];
  targetRevision: ServiceRevision;
  status: ServiceDeploymentStatus;
  statusReason?: string;
  deploymentConfiguration: DeploymentConfiguration;
  rollback?: { reason: string; startedAt: Date; serviceRevisionArn: string };
  circuitBreaker: { status: 'TRIGGERED' | 'MONITORING' | 'MONITORING_COMPLETE' | 'DISABLED'; failureCount: number; threshold: number };
  /** ServiceDeploymentAlarms: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceDeploymentAlarms.html */
  alarms?: { status: 'TRIGGERED' | 'MONITORING' | 'MONITORING_COMPLETE' | 'DISABLED'; alarmNames: string[]; triggeredAlarmNames: string[] };
}

export interface Deployment {
  id: string;
  status: 'PRIMARY' | 'ACTIVE' | 'INACTIVE';
  taskDefinition: TaskDefinition;
  revision: ServiceRevision;
  record: ServiceDeploymentRecord;
  failedTasks: number;
  createdAt: Date;
  updatedAt: Date;
  rolloutState: 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';
  rolloutStateReason: string;
  launchType?: string;
  platformVersion?: string;
  networkConfiguration?: unknown;
  /** Consecutive (or cumulative, without resetOnHealthyTask) failures the circuit breaker counts. */
  failureCount: number;
  isRollback: boolean;
  tasks: Set<Task>;
}

export interface Service {
  serviceName: string;
  serviceArn: string;
  cluster: Cluster;
  status: 'ACTIVE' | 'DRAINING' | 'INACTIVE';
  desiredCount: number;
  taskDefinition: TaskDefinition;
  launchType?: string;
  /** Set instead of launchType: the service's own strategy or, when it gave neither, the cluster default. */
  capacityProviderStrategy?: StrategyItem[];
  platformVersion?: string;
  networkConfiguration?: unknown;
  deploymentConfiguration: DeploymentConfiguration;
  deployments: Deployment[];
  events: ServiceEvent[];
  createdAt: Date;
  input: Record<string, unknown>;
  tasks: Set<Task>;
  records: ServiceDeploymentRecord[];
  lastCompleted?: Deployment;
  steady: boolean;
  reconcileAt?: number;
  /** Tasks that failed in a row with no healthy task in between, for launch throttling. */
  consecutiveFailures: number;
  launchNotBefore: number;
}

export interface Container {
  containerArn: string;
  name: string;
  image: string;
  imageDigest?: string;
  runtimeId?: string;
  lastStatus: string;
  exitCode?: number;
  reason?: string;
  healthStatus?: 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN';
  essential: boolean;
}

export interface Task {
  id: string;
  taskArn: string;
  cluster: Cluster;
  taskDefinition: TaskDefinition;
  service?: Service;
  deployment?: Deployment;
  group: string;
  startedBy?: string;
  lastStatus: string;
  desiredStatus: 'RUNNING' | 'STOPPED';
  healthStatus: 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN';
  createdAt: Date;
  pullStartedAt?: Date;
  pullStoppedAt?: Date;
  startedAt?: Date;
  stoppingAt?: Date;
  stoppedAt?: Date;
  executionStoppedAt?: Date;
  stoppedReason?: string;
  stopCode?: string;
  launchType: string;
  /** The capacity provider that placed the task, when a strategy did. */
  capacityProviderName?: string;
  platformVersion?: string;
  containers: Container[];
  overrides: { containerOverrides: unknown[] };
  version: number;
  /** Counted healthy by the scheduler (RUNNING and, with a health check, HEALTHY; behind a load balancer, its targets healthy too). */
  healthy: boolean;
  /** RUNNING and its container health checks (if any) pass; `healthy` also waits for load balancer targets. */
  containersHealthy?: boolean;
  /** The awsvpc task's elastic network interface (ecs/network.ts). */
  eni?: import('./network.js').TaskEni;
  tags: unknown[];
}
