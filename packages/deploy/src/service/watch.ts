import {
  ContinueServiceDeploymentCommand,
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
import { EarlyStopMonitor, type EarlyStopOptions } from './early-stop.js';
import { alarmStates, ruleWeights, targetGroupName, unhealthyTargets, type InsightClients, type UnhealthyTarget } from './insight.js';
import { RevisionLookup } from './revisions.js';
import { rollBack } from './rollback.js';
import { runSmokeChecks, smokeFailureLines, type SmokeCheckOptions, type SmokeOutcome } from './smoke.js';
import { hookLabel, StageStream, trafficStage } from './stages.js';
import { listenerRules, serviceAlarms, SMOKE_CHECK_STAGE, targetGroups, type Strategy } from './strategy.js';

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
  pollMs: number;
  timeoutMs: number;
  /** After a failure, keep watching until the rollback finishes and report where the service is. */
  waitForRollback: boolean;
  signal?: AbortSignal;
  /** The service's deployment strategy (ROLLING when absent). */
  strategy?: Strategy;
  /** CloudWatch and ELB clients that name alarm, health-check and traffic details. */
  insight?: InsightClients;
  earlyStop?: EarlyStopOptions;
  smokeCheck?: SmokeCheckOptions;
}

export interface WatchResult {
  outcome: Outcome;
  /** Why it failed, or what replaced it, or what it was doing when the watch stopped. */
  reason: string;
  supersededBy?: string;
  /** The task definition ECS rolls (or rolled) the service back to, as ECS reports it. */
  rolledBackTo?: string;
  rollbackFinished?: boolean;
  /**
   * Who started the rollback (early stop, failed smoke check): ECS itself; Gantry through ECS
   * (StopServiceDeployment or ContinueServiceDeployment ROLLBACK); or Gantry deploying the previous
   * revision again because ECS had already ended the deployment.
   */
  rollbackBy?: 'ecs' | 'gantry' | 'gantry-redeploy';
  /** Lines explaining a failure: reason, causes, stopped tasks, this deployment's events. */
  explanation: string[];
  smoke?: SmokeOutcome;
  last?: RolloutSnapshot;
  /** Wall-clock ms when the watch saw the outcome (before any wait for a rollback). */
  decidedAt: number;
  polls: number;
  pollErrors: number;
}

type Failure = { reason: string; rollingBack: boolean; by: 'ecs' | 'gantry'; extra: string[] };

/**
 * Polls a rollout at a fixed interval (no growing backoff) until it succeeds, fails, is superseded, times
 * out or is cancelled. Follows every ECS strategy: rolling task counts and the circuit breaker, and for
 * blue/green, linear and canary the lifecycle stage, the listener rules' traffic split, the bake time
 * left and each hook's outcome. A failure is reported at the poll that shows it, with its cause named.
 * Throttles and dropped connections that outlive the SDK's retries skip one poll, nothing more.
 */
export async function watchRollout(options: WatchOptions): Promise<WatchResult> {
  return new Watch(options).run();
}

class Watch {
  private readonly stream: RolloutStream;
  private readonly stages: StageStream;
  private readonly revisions: RevisionLookup;
  private readonly earlyStop?: EarlyStopMonitor;
  private readonly insight: InsightClients;
  private last?: RolloutSnapshot;
  private previous?: RolloutSnapshot;
  private polls = 0;
  private pollErrors = 0;
  private failure?: Failure;
  private failedAt = 0;
  private confirmed = false;
  private answeredHooks = new Set<string>();
  private smoke?: SmokeOutcome;
  /** Unhealthy targets seen while the deployment ran, kept because ELB drains them once ECS stops the task. */
  private readonly unhealthy = new Map<string, UnhealthyTarget>();

  constructor(private readonly o: WatchOptions) {
    this.stream = new RolloutStream(o.logger, o.identity, o.knownEventIds);
    this.stages = new StageStream(o.logger);
    this.revisions = new RevisionLookup(o.ecs);
    this.insight = o.insight ?? {};
    if (o.earlyStop && (o.earlyStop.stoppedTasks !== undefined || o.earlyStop.alarms.length)) this.earlyStop = new EarlyStopMonitor(o.earlyStop);
  }

  private base() {
    return { last: this.last, polls: this.polls, pollErrors: this.pollErrors, ...(this.smoke ? { smoke: this.smoke } : {}) };
  }

  async run(): Promise<WatchResult> {
    const { clock, logger } = this.o;
    const started = clock.now();
    for (;;) {
      if (this.o.signal?.aborted) {
        if (this.failure) return this.failed(false);
        return { outcome: 'cancelled', reason: describeState(this.last, this.o.identity), explanation: [], decidedAt: clock.now(), ...this.base() };
      }
      if (clock.now() - started >= this.o.timeoutMs) {
        if (this.failure) return this.failed(false);
        return { outcome: 'timeout', reason: describeState(this.last, this.o.identity), explanation: this.last ? explainState(this.last, this.stream) : [], decidedAt: clock.now(), ...this.base() };
      }
      let result: WatchResult | undefined;
      try {
        await this.poll();
        result = await this.step();
      } catch (err) {
        if (!isTransient(err)) throw err;
        this.pollErrors++;
        logger.info(`Poll failed (${errorText(err)}); polling again in ${Math.round(this.o.pollMs / 1000)}s.`);
      }
      if (result) return result;
      await clock.sleep(this.o.pollMs, this.o.signal);
    }
  }

  private async poll(): Promise<void> {
    const { o } = this;
    const snapshot = await pollRollout(o.ecs, o.cluster, o.service, o.identity, o.clock.now());
    this.previous = this.last;
    this.last = snapshot;
    this.polls++;
    this.stream.print(snapshot);
    const sd = snapshot.serviceDeployment;
    const bake = sd?.deploymentConfiguration?.bakeTimeInMinutes ?? snapshot.service.deploymentConfiguration?.bakeTimeInMinutes;
    this.stages.print(sd, snapshot.at, bake);
    if (this.failure) return;
    // Both lookups at once: a poll should cost one round trip more than ECS's own calls, not two.
    const [, unhealthy] = await Promise.all([
      trafficStage(sd?.lifecycleStage) ? this.optional(() => this.printTraffic(snapshot.service), undefined) : undefined,
      (snapshot.service.loadBalancers ?? []).length && this.insight.elbv2 ? this.optional(() => unhealthyTargets(this.insight, targetGroups(snapshot.service)), []) : [],
    ]);
    for (const t of unhealthy) {
      const key = `${t.targetGroupArn} ${t.id}:${t.port ?? ''}`;
      if (!this.unhealthy.has(key)) o.logger.info(`[target] ${t.id}${t.port ? `:${t.port}` : ''} in ${targetGroupName(t.targetGroupArn)}: ${t.state} — ${t.reason}`);
      this.unhealthy.set(key, t);
    }
  }

  private readonly deniedInsight = new Set<string>();

  /**
   * A lookup that only adds detail (traffic split, target health): when the role may not make it, say
   * once which permission would show more, and watch on without it.
   */
  private async optional<T>(fn: () => Promise<T>, fallback: T): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const action = (err as { iamAction?: string }).iamAction;
      if (!action) throw err;
      if (!this.deniedInsight.has(action)) {
        this.deniedInsight.add(action);
        this.o.logger.warning(`${(err as Error).message.split(' Allow ')[0]} Watching on without it; allow '${action}' to see this detail.`);
      }
      return fallback;
    }
  }

  private async printTraffic(service: Service): Promise<void> {
    const rules = listenerRules(service);
    const weights = await ruleWeights(this.insight, [...rules.production, ...rules.test]);
    for (const arn of rules.production) if (weights.has(arn)) this.stages.printSplit('production', arn, weights.get(arn)!);
    for (const arn of rules.test) if (weights.has(arn)) this.stages.printSplit('test', arn, weights.get(arn)!);
  }

  /** What this poll means; a result ends the watch. */
  private async step(): Promise<WatchResult | undefined> {
    const { o } = this;
    const last = this.last!;
    if (this.failure) {
      const rb = rollbackState(last, o.identity);
      if (!rb.done) return undefined;
      const to = (await this.rollbackTarget(last)) ?? rb.taskDefinition;
      o.logger.info(rb.ok ? `Rollback finished: the service runs ${to} again.` : `Rollback FAILED; the service is on ${rb.taskDefinition}.`);
      return { ...(await this.failed(true)), rolledBackTo: rb.ok ? to : rb.taskDefinition, rollbackFinished: rb.ok };
    }
    const mismatch = await this.confirmOurs(last);
    if (mismatch) return { outcome: 'superseded', reason: mismatch, supersededBy: last.serviceDeployment?.serviceDeploymentArn, explanation: [], decidedAt: o.clock.now(), ...this.base() };
    const decision = decide(last, o.identity, this.previous, o.strategy ?? 'ROLLING');
    if (decision.state === 'failed') {
      const reason = await this.withCause(decision.reason, last);
      // ECS ended the release without rolling back (e.g. a deployment alarm with rollback off), but an
      // early-stop input asks for a rollback on exactly this: give it one.
      const early = decision.rollingBack ? undefined : await this.earlyStopReason(last);
      if (early) return this.gantryRollback(`${reason.replace(/\.+$/, '')}; ECS did not roll back, the early-stop inputs ask Gantry to`, []);
      return this.fail({ reason, rollingBack: decision.rollingBack, by: 'ecs', extra: [] });
    }
    if (decision.state === 'superseded') {
      return { outcome: 'superseded', reason: `another deployment replaced ours: ${decision.by}`, supersededBy: decision.by, explanation: [], decidedAt: o.clock.now(), ...this.base() };
    }
    if (decision.state === 'success') {
      if (o.smokeCheck && (o.strategy ?? 'ROLLING') === 'ROLLING') {
        o.logger.info('Rollout complete; running the smoke check against the new revision.');
        this.smoke = await runSmokeChecks(o.smokeCheck, { clock: o.clock, logger: o.logger, signal: o.signal });
        if (!this.smoke.ok) return this.gantryRollback(`smoke check failed after the rollout: ${firstFailure(this.smoke)}`, smokeFailureLines(this.smoke));
      }
      return { outcome: 'success', reason: 'the service deployment finished and every task of the new revision is running', explanation: [], decidedAt: o.clock.now(), ...this.base() };
    }
    const early = await this.earlyStopReason(last);
    if (early) return this.gantryRollback(`stopped early: ${early}`, []);
    return this.smokeGate(last);
  }

  /** The deployment we watch must deploy our task definition; anything else is somebody else's. */
  private async confirmOurs(s: RolloutSnapshot): Promise<string | undefined> {
    if (this.confirmed || !s.serviceDeployment?.targetServiceRevision?.arn) return undefined;
    const td = await this.revisions.taskDefinition(s.serviceDeployment.targetServiceRevision.arn);
    if (!td) return undefined;
    this.confirmed = true;
    if (td === this.o.identity.taskDefinitionArn) return undefined;
    return `the service deployment ECS reports (${s.serviceDeployment.serviceDeploymentArn?.split('/').pop()}) deploys ${td.split('/').pop()}, not ${this.o.identity.taskDefinitionArn.split('/').pop()}: another deployment started at the same time`;
  }

  private async earlyStopReason(s: RolloutSnapshot): Promise<string | undefined> {
    if (!this.earlyStop) return undefined;
    const alarms = this.earlyStop.alarmNames.length ? await alarmStates(this.insight, this.earlyStop.alarmNames) : [];
    return this.earlyStop.check(s.tasks, alarms);
  }

  /**
   * Blue/green, linear and canary: while the PAUSE hook at POST_TEST_TRAFFIC_SHIFT holds the deployment
   * with test traffic on the new revision, run the smoke check and answer the hook.
   * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContinueServiceDeployment.html
   */
  private async smokeGate(s: RolloutSnapshot): Promise<WatchResult | undefined> {
    const { o } = this;
    const sd = s.serviceDeployment;
    if (!o.smokeCheck || !sd?.serviceDeploymentArn) return undefined;
    const waiting = (sd.lifecycleHookDetails ?? []).find(
      (h) => h.targetType === 'PAUSE' && h.status === 'AWAITING_ACTION' && h.hookId && !this.answeredHooks.has(h.hookId) && (this.stages.stageOf(h) ?? sd.lifecycleStage) === SMOKE_CHECK_STAGE,
    );
    if (!waiting) return undefined;
    this.answeredHooks.add(waiting.hookId!);
    o.logger.info(`Test traffic is on the new revision and ${hookLabel(waiting)} holds the deployment; running the smoke check against the test listener.`);
    this.smoke = await runSmokeChecks(o.smokeCheck, { clock: o.clock, logger: o.logger, signal: o.signal });
    const action = this.smoke.ok ? 'CONTINUE' : 'ROLLBACK';
    await o.ecs.send(new ContinueServiceDeploymentCommand({ serviceDeploymentArn: sd.serviceDeploymentArn, hookId: waiting.hookId, action }));
    o.logger.info(`Called ContinueServiceDeployment with ${action}${this.smoke.ok ? ': production traffic moves next.' : ' before production traffic moves.'}`);
    if (this.smoke.ok) return undefined;
    return this.failAfterGantryRollback(`smoke check failed on the test listener: ${firstFailure(this.smoke)}`, smokeFailureLines(this.smoke));
  }

  /** Gantry decided the release is bad: roll back while ECS still can, else redeploy the previous revision. */
  private async gantryRollback(why: string, extra: string[]): Promise<WatchResult | undefined> {
    const { o } = this;
    const last = this.last!;
    const previousTaskDefinition = await this.revisions.taskDefinition(last.serviceDeployment?.sourceServiceRevisions?.[0]?.arn);
    const how = await rollBack(o.ecs, {
      cluster: o.cluster,
      service: o.service,
      serviceDeploymentArn: last.serviceDeployment?.serviceDeploymentArn ?? o.identity.serviceDeploymentArn,
      previousTaskDefinition,
      deploymentConfiguration: last.service.deploymentConfiguration,
      why,
      logger: o.logger,
    });
    if (how === 'redeployed') {
      return this.fail({ reason: why, rollingBack: false, by: 'gantry', extra: [...extra, `Gantry deployed ${previousTaskDefinition} again (the deployment had already finished).`] }, previousTaskDefinition);
    }
    if (how === 'impossible') return this.fail({ reason: `${why}; no earlier revision to roll back to`, rollingBack: false, by: 'gantry', extra });
    return this.failAfterGantryRollback(why, extra);
  }

  /** After StopServiceDeployment or ContinueServiceDeployment ROLLBACK: one more poll to read ECS's rollback target. */
  private async failAfterGantryRollback(why: string, extra: string[]): Promise<WatchResult | undefined> {
    try {
      await this.poll();
    } catch (err) {
      if (!isTransient(err)) throw err;
    }
    return this.fail({ reason: why, rollingBack: true, by: 'gantry', extra });
  }

  private async fail(failure: Failure, redeployed?: string): Promise<WatchResult | undefined> {
    this.failure = failure;
    this.failedAt = this.o.clock.now();
    for (const line of this.explain()) this.o.logger.warning(line);
    if (redeployed) return { ...(await this.failed(false)), rolledBackTo: redeployed, rollbackFinished: false, rollbackBy: 'gantry-redeploy' };
    if (!this.o.waitForRollback || !failure.rollingBack) return this.failed(false);
    this.o.logger.info('Waiting for the rollback to finish (wait-for-rollback: true)...');
    return undefined;
  }

  private async failed(final: boolean): Promise<WatchResult> {
    const f = this.failure!;
    const target = f.rollingBack && !final && this.last ? await this.rollbackTarget(this.last) : undefined;
    return {
      outcome: 'failed',
      reason: f.reason,
      explanation: this.explain(),
      decidedAt: this.failedAt,
      rollbackBy: f.rollingBack ? f.by : undefined,
      ...(target ? { rolledBackTo: target, rollbackFinished: false } : {}),
      ...this.base(),
    };
  }

  /**
   * The revision ECS rolls back to, as ECS reports it: the service deployment's rollback revision, else
   * the new primary deployment ECS started for the rollback. Never guessed from the revision before the
   * deploy, which is wrong when the deploy replaced an unfinished one.
   */
  private async rollbackTarget(s: RolloutSnapshot): Promise<string | undefined> {
    try {
      const td = await this.revisions.taskDefinition(s.serviceDeployment?.rollback?.serviceRevisionArn);
      if (td) return td;
    } catch (err) {
      if (!isTransient(err)) throw err;
    }
    const primary = s.service.deployments?.find((d) => d.status === 'PRIMARY');
    return primary && primary.id !== this.o.identity.deploymentId ? primary.taskDefinition : undefined;
  }

  /** The failure reason with its cause named: the alarm and its state reason, the hook, or the target health reason. */
  private async withCause(reason: string, s: RolloutSnapshot): Promise<string> {
    const causes = await this.causes(s);
    const fresh = causes.filter((c) => !reason.includes(c));
    return fresh.length ? `${reason.replace(/\.+$/, '')} — ${fresh.join('; ')}` : reason;
  }

  private async causes(s: RolloutSnapshot): Promise<string[]> {
    const sd = s.serviceDeployment;
    const causes: string[] = [];
    let alarmNames = sd?.alarms?.triggeredAlarmNames ?? [];
    if (!alarmNames.length && /alarm/i.test(`${sd?.rollback?.reason ?? ''} ${sd?.statusReason ?? ''} ${ourDeployment(s.service, this.o.identity)?.rolloutStateReason ?? ''}`)) {
      alarmNames = serviceAlarms(sd?.deploymentConfiguration ?? s.service.deploymentConfiguration);
    }
    try {
      for (const a of await alarmStates(this.insight, alarmNames)) if (a.state === 'ALARM') causes.push(`alarm '${a.name}' is ALARM: ${a.reason}`);
    } catch (err) {
      causes.push(`(could not read the alarms: ${errorText(err)})`);
    }
    if (!causes.length) for (const n of sd?.alarms?.triggeredAlarmNames ?? []) causes.push(`alarm '${n}' triggered`);
    for (const h of sd?.lifecycleHookDetails ?? []) {
      if (h.status === 'FAILED' || h.status === 'TIMED_OUT') causes.push(`lifecycle ${hookLabel(h)} at ${this.stages.stageOf(h) ?? sd?.lifecycleStage ?? '?'} ${h.status === 'FAILED' ? 'answered FAILED' : `timed out (timeout action ${h.timeoutAction ?? 'ROLLBACK'})`}`);
    }
    const targets = [...this.unhealthy.values()];
    if (targets.length) {
      const t = targets[targets.length - 1]!;
      causes.push(`load balancer health checks: ${t.reason} (${targets.length} target(s) unhealthy in ${[...new Set(targets.map((x) => targetGroupName(x.targetGroupArn)))].join(', ')})`);
    } else if (this.stream.unhealthyTargets.length) {
      // ELB drains a target once ECS stops its task, and a draining target only says
      // Target.DeregistrationInProgress; ECS's own event keeps the health check's description.
      const u = this.stream.unhealthyTargets;
      const last = u[u.length - 1]!;
      const code = reasonCodeFor(last.description);
      causes.push(`load balancer health checks: ${code ? `${code}: ` : ''}${last.description} (${u.length} target(s) unhealthy in ${[...new Set(u.map((x) => x.targetGroup))].join(', ')})`);
    }
    return causes;
  }

  private explain(): string[] {
    const f = this.failure!;
    const s = this.last!;
    const lines = [`Deployment failed: ${f.reason}`, ...f.extra];
    const stopped = stoppedTaskReasons(s.tasks).slice(0, 5);
    if (stopped.length) lines.push('Stopped tasks:', ...stopped.map((x) => `  ${x}`));
    lines.push(...this.stream.eventLines());
    return lines;
  }
}

/**
 * The ELB reason code behind a health-check description, as API_TargetHealth documents them.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetHealth.html
 */
function reasonCodeFor(description: string): string | undefined {
  if (/^Health checks failed with these codes/i.test(description)) return 'Target.ResponseCodeMismatch';
  if (/^Request timed out/i.test(description)) return 'Target.Timeout';
  if (/^Health checks failed$/i.test(description)) return 'Target.FailedHealthChecks';
  return undefined;
}

function firstFailure(outcome: SmokeOutcome): string {
  const r = outcome.results.find((x) => !x.ok);
  return r ? `${r.url}: ${r.detail}` : 'no check passed';
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
  const lists = await Promise.all((['RUNNING', 'STOPPED'] as const).map((desiredStatus) => ecs.send(new ListTasksCommand({ cluster, serviceName: service, desiredStatus, maxResults: 100 }))));
  const arns = lists.flatMap((out) => out.taskArns ?? []);
  if (arns.length === 0) return [];
  const out = await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns.slice(0, 100) }));
  // Service tasks carry the deployment id in startedBy; the task definition is the fallback.
  return (out.tasks ?? []).filter((t) => t.startedBy === identity.deploymentId || (!t.startedBy?.startsWith('ecs-svc/') && t.taskDefinitionArn === identity.taskDefinitionArn));
}

function explainState(snapshot: RolloutSnapshot, stream: RolloutStream): string[] {
  return [...stoppedTaskReasons(snapshot.tasks).slice(0, 5).map((s) => `  ${s}`), ...stream.eventLines()];
}

/** One sentence on where a rollout stands, for timeouts and cancellations. */
export function describeState(snapshot: RolloutSnapshot | undefined, identity: RolloutIdentity): string {
  if (!snapshot) return 'no poll completed yet';
  const ours = ourDeployment(snapshot.service, identity);
  const sd = snapshot.serviceDeployment;
  const parts = [
    sd?.status ? `service deployment ${sd.status}${sd.lifecycleStage ? ` at ${sd.lifecycleStage}` : ''}` : undefined,
    ours ? `rollout ${ours.rolloutState ?? '?'}, ${ours.runningCount ?? 0}/${ours.desiredCount ?? 0} running, ${ours.pendingCount ?? 0} pending, ${ours.failedTasks ?? 0} failed` : 'our deployment is no longer listed',
    `${snapshot.service.deployments?.length ?? 0} deployment(s) on the service`,
  ];
  return parts.filter(Boolean).join('; ');
}

/** ECS deployment ids an event names, e.g. "(deployment ecs-svc/123)". */
const DEPLOYMENT_ID = /ecs-svc\/\d+/g;
/**
 * "(service web) (task 1a2b) (port 80) is unhealthy in (target-group web-green) due to (reason Health
 * checks failed with these codes: [502])." — the service event ECS writes for a target failing its checks.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-event-messages-list.html
 */
const UNHEALTHY_EVENT = /\(task ([\w-]+)\).*is unhealthy in \(target-group ([^)]+)\) due to \(reason (.+)\)\.?$/;

/** Prints only what changed since the previous poll, and keeps this deployment's events for the explanation. */
class RolloutStream {
  private readonly seenEvents: Set<string>;
  private readonly ours: { at?: Date; message: string }[] = [];
  /** Targets of our tasks that ECS reported unhealthy, from its service events. */
  readonly unhealthyTargets: { task: string; targetGroup: string; description: string }[] = [];
  private ourTaskIds = new Set<string>();
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

  /** Events newer than the update that do not belong to another deployment, newest first. */
  eventLines(): string[] {
    const events = this.ours.slice(-5).reverse();
    return events.length ? ['Events of this deployment:', ...events.map((e) => `  ${e.at?.toISOString() ?? ''} ${e.message}`)] : [];
  }

  print(s: RolloutSnapshot): void {
    for (const t of s.tasks) this.ourTaskIds.add(shortTaskId(t.taskArn));
    const fresh = (s.service.events ?? []).filter((e) => e.id && !this.seenEvents.has(e.id)).reverse();
    for (const e of fresh) {
      this.seenEvents.add(e.id!);
      const named: string[] = e.message?.match(DEPLOYMENT_ID) ?? [];
      if (named.length && !named.includes(this.identity.deploymentId)) continue;
      this.ours.push({ at: e.createdAt, message: e.message ?? '' });
      const unhealthy = UNHEALTHY_EVENT.exec(e.message ?? '');
      if (unhealthy && this.ourTaskIds.has(unhealthy[1]!)) this.unhealthyTargets.push({ task: unhealthy[1]!, targetGroup: unhealthy[2]!, description: unhealthy[3]! });
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

export type { Decision };
