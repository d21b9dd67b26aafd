import {
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  type ECSClient,
  type Service,
  type Task,
} from '@aws-sdk/client-ecs';
import { errorText, isTransient, type Clock, type Logger } from '../runtime.js';
import { decide, ourDeployment, rollbackState, shortTaskId, stoppedTaskReasons, type Decision, type RolloutIdentity, type RolloutSnapshot } from './decide.js';

export type Outcome = 'success' | 'failed' | 'superseded' | 'timeout' | 'cancelled';

export interface WatchOptions {
  ecs: ECSClient;
  clock: Clock;
  logger: Logger;
  cluster: string;
  service: string;
  identity: RolloutIdentity & { taskDefinitionArn: string };
  /** Event ids already on the service before the update; only newer events are printed. */
  knownEventIds?: Iterable<string>;
  /** Task definition the service ran before, which a rollback returns to. */
  previousTaskDefinition?: string;
  pollMs: number;
  timeoutMs: number;
  /** After a failure, keep watching until the rollback finishes and report where the service is. */
  waitForRollback: boolean;
  signal?: AbortSignal;
}

export interface WatchResult {
  outcome: Outcome;
  /** Why it failed, or what replaced it, or what it was doing when the watch stopped. */
  reason: string;
  supersededBy?: string;
  rolledBackTo?: string;
  rollbackFinished?: boolean;
  /** Lines explaining a failure: reason, stopped tasks, last events. */
  explanation: string[];
  last?: RolloutSnapshot;
  /** Wall-clock ms when the watch saw the outcome (before any wait for a rollback). */
  decidedAt: number;
  polls: number;
  pollErrors: number;
}

/**
 * Polls a rollout at a fixed interval (no growing backoff) until it succeeds, fails, is superseded, times
 * out or is cancelled, streaming new service events, task state changes and the circuit breaker count as
 * they appear. Throttles and dropped connections that outlive the SDK's retries skip one poll, nothing more.
 */
export async function watchRollout(options: WatchOptions): Promise<WatchResult> {
  const { clock, logger, identity } = options;
  const started = clock.now();
  const stream = new RolloutStream(logger, identity, options.knownEventIds);
  let last: RolloutSnapshot | undefined;
  let previous: RolloutSnapshot | undefined;
  let polls = 0;
  let pollErrors = 0;
  let failure: (Decision & { state: 'failed' }) | undefined;
  let failedAt = 0;
  const base = () => ({ last, polls, pollErrors });

  for (;;) {
    if (options.signal?.aborted) {
      return { outcome: failure ? 'failed' : 'cancelled', reason: failure?.reason ?? describeState(last, identity), explanation: failure ? explain(failure, last!) : [], decidedAt: failedAt || clock.now(), ...rolledBackGuess(failure, options), ...base() };
    }
    if (clock.now() - started >= options.timeoutMs) {
      if (failure) return { outcome: 'failed', reason: failure.reason, explanation: explain(failure, last!), decidedAt: failedAt, ...rolledBackGuess(failure, options), ...base() };
      return { outcome: 'timeout', reason: describeState(last, identity), explanation: last ? explainState(last) : [], decidedAt: clock.now(), ...base() };
    }
    try {
      previous = last;
      last = await pollRollout(options.ecs, options.cluster, options.service, identity, clock.now());
      polls++;
      stream.print(last);
    } catch (err) {
      if (!isTransient(err)) throw err;
      pollErrors++;
      logger.info(`Poll failed (${errorText(err)}); polling again in ${Math.round(options.pollMs / 1000)}s.`);
      await clock.sleep(options.pollMs, options.signal);
      continue;
    }
    if (failure) {
      const rb = rollbackState(last, identity);
      if (rb.done) {
        logger.info(rb.ok ? `Rollback finished: the service runs ${rb.taskDefinition} again.` : `Rollback FAILED; the service is on ${rb.taskDefinition}.`);
        return { outcome: 'failed', reason: failure.reason, explanation: explain(failure, last), decidedAt: failedAt, rolledBackTo: rb.taskDefinition, rollbackFinished: rb.ok, ...base() };
      }
    } else {
      const decision = decide(last, identity, previous);
      if (decision.state === 'success') return { outcome: 'success', reason: 'all tasks of the new deployment are running', explanation: [], decidedAt: clock.now(), ...base() };
      if (decision.state === 'superseded') {
        return { outcome: 'superseded', reason: `another deployment replaced ours: ${decision.by}`, supersededBy: decision.by, explanation: [], decidedAt: clock.now(), ...base() };
      }
      if (decision.state === 'failed') {
        failure = decision;
        failedAt = clock.now();
        for (const line of explain(decision, last)) logger.warning(line);
        if (!options.waitForRollback || !decision.rollingBack) {
          return { outcome: 'failed', reason: decision.reason, explanation: explain(decision, last), decidedAt: failedAt, ...rolledBackGuess(decision, options), ...base() };
        }
        logger.info('Waiting for the rollback to finish (wait-for-rollback: true)...');
      }
    }
    await clock.sleep(options.pollMs, options.signal);
  }
}

function rolledBackGuess(failure: (Decision & { state: 'failed' }) | undefined, options: WatchOptions): { rolledBackTo?: string; rollbackFinished?: boolean } {
  if (!failure?.rollingBack || !options.previousTaskDefinition) return {};
  return { rolledBackTo: options.previousTaskDefinition, rollbackFinished: false };
}

/** One poll: the service deployment (when known), the service, and our deployment's tasks. */
export async function pollRollout(ecs: ECSClient, cluster: string, service: string, identity: RolloutIdentity & { taskDefinitionArn: string }, at: number): Promise<RolloutSnapshot> {
  const [sdOut, svcOut] = await Promise.all([
    identity.serviceDeploymentArn ? ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [identity.serviceDeploymentArn] })) : undefined,
    ecs.send(new DescribeServicesCommand({ cluster, services: [service] })),
  ]);
  const svc = svcOut.services?.[0] as Service;
  const tasks = await deploymentTasks(ecs, cluster, service, identity);
  return { at, service: svc, serviceDeployment: sdOut?.serviceDeployments?.[0], tasks };
}

async function deploymentTasks(ecs: ECSClient, cluster: string, service: string, identity: RolloutIdentity & { taskDefinitionArn: string }): Promise<Task[]> {
  const arns: string[] = [];
  for (const desiredStatus of ['RUNNING', 'STOPPED'] as const) {
    const out = await ecs.send(new ListTasksCommand({ cluster, serviceName: service, desiredStatus, maxResults: 100 }));
    arns.push(...(out.taskArns ?? []));
  }
  if (arns.length === 0) return [];
  const out = await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns.slice(0, 100) }));
  // Service tasks carry the deployment id in startedBy; the task definition is the fallback.
  return (out.tasks ?? []).filter((t) => t.startedBy === identity.deploymentId || (!t.startedBy?.startsWith('ecs-svc/') && t.taskDefinitionArn === identity.taskDefinitionArn));
}

function explain(failure: { reason: string }, snapshot: RolloutSnapshot): string[] {
  const lines = [`Deployment failed: ${failure.reason}`];
  const stopped = stoppedTaskReasons(snapshot.tasks).slice(0, 5);
  if (stopped.length) lines.push('Stopped tasks:', ...stopped.map((s) => `  ${s}`));
  lines.push(...lastEvents(snapshot));
  return lines;
}

function explainState(snapshot: RolloutSnapshot): string[] {
  return [...stoppedTaskReasons(snapshot.tasks).slice(0, 5).map((s) => `  ${s}`), ...lastEvents(snapshot)];
}

function lastEvents(snapshot: RolloutSnapshot): string[] {
  const events = (snapshot.service.events ?? []).slice(0, 5);
  return events.length ? ['Last service events:', ...events.map((e) => `  ${e.createdAt?.toISOString() ?? ''} ${e.message}`)] : [];
}

/** One sentence on where a rollout stands, for timeouts and cancellations. */
export function describeState(snapshot: RolloutSnapshot | undefined, identity: RolloutIdentity): string {
  if (!snapshot) return 'no poll completed yet';
  const ours = ourDeployment(snapshot.service, identity);
  const sd = snapshot.serviceDeployment;
  const parts = [
    sd?.status ? `service deployment ${sd.status}` : undefined,
    ours ? `rollout ${ours.rolloutState ?? '?'}, ${ours.runningCount ?? 0}/${ours.desiredCount ?? 0} running, ${ours.pendingCount ?? 0} pending, ${ours.failedTasks ?? 0} failed` : 'our deployment is no longer listed',
    `${snapshot.service.deployments?.length ?? 0} deployment(s) on the service`,
  ];
  return parts.filter(Boolean).join('; ');
}

/** Prints only what changed since the previous poll. */
class RolloutStream {
  private readonly seenEvents: Set<string>;
  private readonly taskStates = new Map<string, string>();
  private lastCounts = '';
  private lastBreaker = '';
  private lastStatus = '';

  constructor(
    private readonly logger: Logger,
    private readonly identity: RolloutIdentity,
    known: Iterable<string> = [],
  ) {
    this.seenEvents = new Set(known);
  }

  print(s: RolloutSnapshot): void {
    const fresh = (s.service.events ?? []).filter((e) => e.id && !this.seenEvents.has(e.id)).reverse();
    for (const e of fresh) {
      this.seenEvents.add(e.id!);
      this.logger.info(`[event] ${e.message}`);
    }
    for (const t of s.tasks) {
      const state = [t.lastStatus, t.healthStatus && t.healthStatus !== 'UNKNOWN' ? t.healthStatus : undefined].filter(Boolean).join(' ');
      const prev = this.taskStates.get(t.taskArn!);
      if (prev !== state) {
        this.taskStates.set(t.taskArn!, state);
        const stopped = t.lastStatus === 'STOPPED' ? ` (${t.stoppedReason ?? 'no reason'})` : '';
        this.logger.info(`[task] ${shortTaskId(t.taskArn)} ${prev ? `${prev} → ` : ''}${state}${stopped}`);
      }
    }
    const status = s.serviceDeployment?.status ?? '';
    if (status && status !== this.lastStatus) {
      this.lastStatus = status;
      this.logger.info(`[deployment] ${status}${s.serviceDeployment?.statusReason ? `: ${s.serviceDeployment.statusReason}` : ''}`);
    }
    const ours = ourDeployment(s.service, this.identity);
    if (ours) {
      const counts = `running ${ours.runningCount ?? 0}/${ours.desiredCount ?? 0}, pending ${ours.pendingCount ?? 0}, failed ${ours.failedTasks ?? 0}`;
      if (counts !== this.lastCounts) {
        this.lastCounts = counts;
        this.logger.info(`[rollout] ${counts}`);
      }
    }
    const cb = s.serviceDeployment?.deploymentCircuitBreaker;
    if (cb?.threshold !== undefined) {
      const line = `${cb.failureCount ?? 0} of ${cb.threshold} failed tasks (${cb.status ?? 'MONITORING'})`;
      if (line !== this.lastBreaker) {
        this.lastBreaker = line;
        this.logger.info(`[circuit breaker] ${line}`);
      }
    }
  }
}
