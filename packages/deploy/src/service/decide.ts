import type { Deployment, Service, ServiceDeployment, Task } from '@aws-sdk/client-ecs';
import type { Strategy } from './strategy.js';

/** What one poll saw: our service deployment, the service, and the tasks our deployment started. */
export interface RolloutSnapshot {
  /** Wall-clock ms of the poll. */
  at: number;
  service: Service;
  serviceDeployment?: ServiceDeployment;
  tasks: Task[];
}

export interface RolloutIdentity {
  /** The ECS deployment id (`ecs-svc/...`) UpdateService created; it is the tasks' `startedBy`. */
  deploymentId: string;
  serviceDeploymentArn?: string;
}

export type Decision =
  | { state: 'in-progress' }
  | { state: 'success' }
  | { state: 'failed'; reason: string; rollingBack: boolean }
  | { state: 'superseded'; by: string };

/** BOUNDED_PERCENT's floor: the smallest threshold ECS uses when the service deployment does not say. */
const MIN_BREAKER_THRESHOLD = 3;

const ROLLBACK = new Set(['ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS', 'ROLLBACK_SUCCESSFUL', 'ROLLBACK_FAILED']);

export function ourDeployment(service: Service, id: RolloutIdentity): Deployment | undefined {
  return service.deployments?.find((d) => d.id === id.deploymentId);
}

/**
 * The outcome one poll shows. Failure wins over everything: ECS marks our deployment FAILED (rolloutState
 * in DescribeServices) or moves the service deployment to a ROLLBACK_* status the moment the circuit
 * breaker or an alarm trips, long before the rollback finishes, so we report it at that poll.
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceDeployment.html
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-circuit-breaker.html
 */
export function decide(snapshot: RolloutSnapshot, id: RolloutIdentity, previous?: RolloutSnapshot, strategy: Strategy = 'ROLLING'): Decision {
  const sd = snapshot.serviceDeployment;
  const ours = ourDeployment(snapshot.service, id);
  const status = sd?.status;
  if (ours?.rolloutState === 'FAILED' || (status && ROLLBACK.has(status))) {
    const reason = ours?.rolloutStateReason || sd?.rollback?.reason || sd?.statusReason || `service deployment ${status ?? 'FAILED'}`;
    // STOPPED: ECS ended it without a rollback (e.g. a deployment alarm with rollback off), whatever the breaker says.
    const rollingBack = (status !== undefined && ROLLBACK.has(status)) || (status !== 'STOPPED' && snapshot.service.deploymentConfiguration?.deploymentCircuitBreaker?.rollback === true);
    return { state: 'failed', reason, rollingBack };
  }
  const current = snapshot.service.currentServiceDeployment;
  const replacedByArn = id.serviceDeploymentArn && current && current !== id.serviceDeploymentArn ? current : undefined;
  const primary = snapshot.service.deployments?.find((d) => d.status === 'PRIMARY');
  const replacedById = primary && primary.id !== id.deploymentId ? primary.id : undefined;
  // Blue/green, linear and canary deployments finish only after the bake time: SUCCESSFUL is the one mark.
  // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-blue-green.html
  const completed = status === 'SUCCESSFUL' || ((strategy === 'ROLLING' || !sd) && ours?.status === 'PRIMARY' && ours.rolloutState === 'COMPLETED');
  if (completed) {
    // ECS can call a deployment complete while its tasks crash right after reaching RUNNING: such tasks are
    // not "failed" for the circuit breaker (failedTasks counts launches that never reach RUNNING or fail
    // health checks), and it stops watching once the deployment completes — the gap behind Copilot's
    // #1879. So count crashed tasks ourselves: as many as would trip the breaker is a failed deployment,
    // and a deployment still collecting failures is not settled yet.
    // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Deployment.html (failedTasks)
    const threshold = sd?.deploymentCircuitBreaker?.threshold ?? MIN_BREAKER_THRESHOLD;
    const failures = failureCount(snapshot, id);
    if (ours && failures >= threshold) {
      const reason = `ECS marked the deployment complete, but ${failures} of its tasks failed or exited after starting (the circuit breaker's threshold is ${threshold})`;
      return { state: 'failed', reason, rollingBack: false };
    }
    if (failures > (previous ? failureCount(previous, id) : 0)) return { state: 'in-progress' };
    if (!ours || ours.runningCount === ours.desiredCount) return { state: 'success' };
    return { state: 'in-progress' };
  }
  if (status === 'STOPPED' || status === 'STOP_REQUESTED' || replacedByArn || replacedById || (!ours && !sd)) {
    const by = replacedByArn ?? (primary ? `${primary.id} (${primary.taskDefinition})` : undefined);
    if (by) return { state: 'superseded', by };
    return { state: 'failed', reason: sd?.statusReason || 'the service deployment was stopped', rollingBack: false };
  }
  return { state: 'in-progress' };
}

/** Failed launches (ECS's failedTasks) or tasks of ours whose essential container exited, whichever is more. */
function failureCount(snapshot: RolloutSnapshot, id: RolloutIdentity): number {
  const crashed = snapshot.tasks.filter((t) => t.lastStatus === 'STOPPED' && t.stopCode === 'EssentialContainerExited').length;
  return Math.max(ourDeployment(snapshot.service, id)?.failedTasks ?? 0, crashed);
}

/**
 * After a failure: has the rollback finished, and on which task definition is the service now? Done when
 * the service deployment says ROLLBACK_SUCCESSFUL/FAILED, or DescribeServices shows a single COMPLETED
 * primary deployment that is not ours.
 */
export function rollbackState(snapshot: RolloutSnapshot, id: RolloutIdentity): { done: boolean; ok: boolean; taskDefinition?: string } {
  const status = snapshot.serviceDeployment?.status;
  const primary = snapshot.service.deployments?.find((d) => d.status === 'PRIMARY');
  const settled = snapshot.service.deployments?.length === 1 && primary && primary.id !== id.deploymentId && primary.rolloutState === 'COMPLETED';
  if (status === 'ROLLBACK_FAILED') return { done: true, ok: false, taskDefinition: snapshot.service.taskDefinition };
  if (status === 'ROLLBACK_SUCCESSFUL' || settled) return { done: true, ok: true, taskDefinition: primary?.taskDefinition ?? snapshot.service.taskDefinition };
  return { done: false, ok: false };
}

/** The stopped tasks of our deployment, newest first, with why they stopped. */
export function stoppedTaskReasons(tasks: Task[]): string[] {
  return tasks
    .filter((t) => t.lastStatus === 'STOPPED' || t.desiredStatus === 'STOPPED')
    .sort((a, b) => (b.stoppedAt?.getTime() ?? 0) - (a.stoppedAt?.getTime() ?? 0))
    .map((t) => {
      const containers = (t.containers ?? [])
        .filter((c) => c.exitCode !== undefined || c.reason)
        .map((c) => `${c.name}: ${c.exitCode !== undefined ? `exit code ${c.exitCode}` : 'no exit code'}${c.reason ? ` (${c.reason})` : ''}`);
      return `task ${shortTaskId(t.taskArn)} stopped: ${t.stoppedReason ?? t.stopCode ?? 'no reason given'}${containers.length ? `; ${containers.join('; ')}` : ''}`;
    });
}

export function shortTaskId(taskArn: string | undefined): string {
  return taskArn?.split('/').pop() ?? '?';
}
