import type { SimClock } from '../../clock.js';
import type { Alarms } from '../../cloudwatch/store.js';
import type { LoadBalancing } from '../../elbv2/store.js';
import { AwsError, invalidParameter } from '../../protocol/errors.js';
import type { Deployment, Service, ServiceDeploymentRecord } from '../model.js';
import type { ServiceScheduler } from '../scheduler.js';
import { validateDeploymentStrategy, type HookAction, type LifecycleStage, type LoadBalancerInput, type StrategyConfig } from './config.js';
import { DEFAULT_CALLBACK_DELAY_SECONDS, hookId, HookOutcomes, type HookExecution } from './hooks.js';
import { alarmFailedReason } from '../deployment-alarms.js';
import { markStrategyDeployment, setTargetGroups, targetGroupOf } from './target-groups.js';

/**
 * Every lifecycle stage lasts at least this long (our choice: AWS publishes no stage duration for load
 * balancers), so each stage can be observed with DescribeServiceDeployments on a stepped clock.
 */
export const STAGE_MS = 1000;

/** One production (and optional test) listener rule whose weights move from blue to green. */
interface TrafficShift {
  productionRule: string;
  testRule?: string;
  blueTargetGroup: string;
  greenTargetGroup: string;
}

interface Step {
  stage: LifecycleStage;
  /** Done when the stage is entered (launch green, shift weights, scale blue in). */
  action?: (at: number) => void;
  /** How long the stage waits after its action (step and deployment bake times). */
  waitMs?: number;
  /** A condition the stage waits for (green scaled up). */
  until?: () => boolean;
}

interface Run {
  service: Service;
  green: Deployment;
  blue: Deployment;
  record: ServiceDeploymentRecord;
  config: StrategyConfig;
  steps: Step[];
  index: number;
  state: 'RUNNING' | 'ROLLING_BACK' | 'ENDED';
  /** Green may launch tasks (from SCALE_UP on). */
  launch: boolean;
  /** Blue may scale in (CLEAN_UP). */
  cleanUp: boolean;
  waited: boolean;
  token: number;
  hooks: HookExecution[];
  pending: HookExecution[];
  shifts: TrafficShift[];
  productionPercent: number;
  testPercent: number;
  /** deploymentConfiguration.alarms when enabled; the record's `alarms` shows their state. */
  alarms?: { names: string[]; rollback: boolean };
}

export interface StrategyDeps {
  clock: SimClock;
  scheduler: ServiceScheduler;
  records: Map<string, ServiceDeploymentRecord>;
  loadBalancing?: LoadBalancing;
  alarms?: Alarms;
}

const serviceDeploymentNotFound = () => new AwsError('ServiceDeploymentNotFoundException', 'The service deployment does not exist.');

/**
 * Runs BLUE_GREEN, LINEAR and CANARY service deployments through their lifecycle stages.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-blue-green.html
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/blue-green-deployment-how-it-works.html
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/linear-deployment.html
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/canary-deployment.html
 * Stages (API_ServiceDeployment.lifecycleStage): RECONCILE_SERVICE (only with more than one ACTIVE
 * revision), PRE_SCALE_UP, SCALE_UP (green scales up to 100 %, serves no traffic), POST_SCALE_UP,
 * TEST_TRAFFIC_SHIFT (test listener rule 0 → 100 % green), POST_TEST_TRAFFIC_SHIFT,
 * PRE_PRODUCTION_TRAFFIC_SHIFT + PRODUCTION_TRAFFIC_SHIFT (once for BLUE_GREEN; "for linear and canary
 * deployments, this stage is invoked at every traffic shift step"), POST_PRODUCTION_TRAFFIC_SHIFT,
 * BAKE_TIME (both revisions run; bakeTimeInMinutes), CLEAN_UP (blue scales to 0), then SUCCESSFUL.
 * The first deployment of a service has no blue revision and rolls out as the rolling scheduler does.
 */
export class StrategyController {
  readonly outcomes = new HookOutcomes();
  private readonly runs = new Map<Deployment, Run>();
  private readonly byRecord = new Map<ServiceDeploymentRecord, Run>();

  constructor(private readonly deps: StrategyDeps) {
    // Deployment alarms are watched in every stage, BAKE_TIME included: "Monitor application health,
    // performance metrics, and alarm states during the bake time period. A rollback operation is
    // initiated when issues are detected." (blue-green-deployment-how-it-works.html)
    // As for rolling deployments (deployment-alarms.ts), an alarm going into ALARM is a failure.
    deps.alarms?.onStateChange((name, state, at, previous) => {
      if (state.value !== 'ALARM' || previous === 'ALARM') return;
      for (const run of this.runs.values()) if (run.state === 'RUNNING' && run.alarms?.names.includes(name)) this.alarmed(run, [name], at);
    });
  }

  /** Called by the scheduler for every new deployment; takes it over when a strategy applies. */
  started(service: Service, green: Deployment, at: number): void {
    const config = validateDeploymentStrategy(service.deploymentConfiguration);
    if (config.strategy === 'ROLLING' || green.isRollback) return;
    const blue = service.lastCompleted && service.lastCompleted !== green && service.deployments.includes(service.lastCompleted) ? service.lastCompleted : service.deployments.find((d) => d !== green);
    if (!blue) return;
    markStrategyDeployment(green);
    const mapping = new Map<string, string>();
    const shifts: TrafficShift[] = [];
    for (const lb of (service.input.loadBalancers as LoadBalancerInput[] | undefined) ?? []) {
      const adv = lb.advancedConfiguration;
      if (!lb.targetGroupArn || !adv?.alternateTargetGroupArn || !adv.productionListenerRule) continue;
      const blueTargetGroup = targetGroupOf(blue, lb.targetGroupArn);
      const greenTargetGroup = blueTargetGroup === lb.targetGroupArn ? adv.alternateTargetGroupArn : lb.targetGroupArn;
      mapping.set(lb.targetGroupArn, greenTargetGroup);
      shifts.push({ productionRule: adv.productionListenerRule, testRule: adv.testListenerRule, blueTargetGroup, greenTargetGroup });
    }
    setTargetGroups(green, mapping);
    const dcAlarms = service.deploymentConfiguration.alarms as { alarmNames?: string[]; enable?: boolean; rollback?: boolean } | undefined;
    const run: Run = {
      service,
      green,
      blue,
      record: green.record,
      config,
      steps: [],
      index: -1,
      state: 'RUNNING',
      launch: false,
      cleanUp: false,
      waited: false,
      token: 0,
      hooks: [],
      pending: [],
      shifts,
      productionPercent: 0,
      testPercent: 0,
      alarms: dcAlarms?.enable ? { names: dcAlarms.alarmNames ?? [], rollback: !!dcAlarms.rollback } : undefined,
    };
    const activeRevisions = service.deployments.filter((d) => d !== green && this.deps.scheduler.active(d).length > 0).length;
    run.steps = this.plan(run, activeRevisions > 1);
    this.runs.set(green, run);
    this.byRecord.set(run.record, run);
    this.deps.clock.at(at, (t) => this.enter(run, 0, t));
  }

  private plan(run: Run, reconcile: boolean): Step[] {
    const { config, service, green } = run;
    const steps: Step[] = [];
    if (reconcile) steps.push({ stage: 'RECONCILE_SERVICE' });
    steps.push({ stage: 'PRE_SCALE_UP' });
    steps.push({
      stage: 'SCALE_UP',
      action: (at) => {
        run.launch = true;
        this.deps.scheduler.schedule(service, at);
      },
      until: () => this.deps.scheduler.active(green).filter((t) => t.healthy).length >= service.desiredCount,
    });
    steps.push({ stage: 'POST_SCALE_UP' });
    steps.push({ stage: 'TEST_TRAFFIC_SHIFT', action: (at) => this.shift(run, run.productionPercent, 100, at) });
    steps.push({ stage: 'POST_TEST_TRAFFIC_SHIFT' });
    for (const { percent, bakeMinutes } of trafficSteps(config)) {
      steps.push({ stage: 'PRE_PRODUCTION_TRAFFIC_SHIFT' });
      steps.push({ stage: 'PRODUCTION_TRAFFIC_SHIFT', action: (at) => this.shift(run, percent, run.testPercent, at), waitMs: bakeMinutes * 60_000 });
    }
    steps.push({ stage: 'POST_PRODUCTION_TRAFFIC_SHIFT' });
    steps.push({ stage: 'BAKE_TIME', waitMs: config.bakeTimeInMinutes * 60_000 });
    steps.push({
      stage: 'CLEAN_UP',
      action: (at) => {
        run.cleanUp = true;
        // Alarms are monitored up to the end of BAKE_TIME (blue-green-deployment-how-it-works.html).
        if (run.record.alarms?.status === 'MONITORING') run.record.alarms.status = 'MONITORING_COMPLETE';
        this.deps.scheduler.schedule(service, at);
      },
      // Done when the scheduler has drained blue and marked the deployment SUCCESSFUL.
      until: () => false,
    });
    return steps;
  }

  // ---- scheduler gates ----

  /** 'hold': the deployment launches nothing yet (before SCALE_UP); 'all': all desired tasks at once. */
  launchGate(d: Deployment): 'hold' | 'all' | undefined {
    const run = this.runs.get(d);
    if (!run || run.state !== 'RUNNING') return undefined;
    return run.launch ? 'all' : 'hold';
  }

  /** Blue keeps all its tasks until CLEAN_UP. */
  holdsOld(primary: Deployment): boolean {
    const run = this.runs.get(primary);
    return !!run && run.state === 'RUNNING' && !run.cleanUp;
  }

  /** After each reconcile: stage conditions, completion, and the end of a rollback. */
  reconciled(service: Service, at: number): void {
    for (const run of this.runs.values()) {
      if (run.service !== service) continue;
      if (run.state === 'RUNNING') {
        if (run.green.rolloutState === 'COMPLETED') this.end(run);
        else this.proceed(run, at);
      } else if (run.state === 'ROLLING_BACK' && !service.deployments.includes(run.green)) {
        // Green has drained: traffic and tasks are back on blue.
        run.record.status = 'ROLLBACK_SUCCESSFUL';
        run.record.finishedAt = run.record.updatedAt = new Date(at);
        this.end(run);
      }
    }
  }

  private end(run: Run): void {
    run.state = 'ENDED';
    run.token++;
    if (run.record.alarms?.status === 'MONITORING') run.record.alarms.status = 'MONITORING_COMPLETE';
    this.runs.delete(run.green);
  }

  // ---- stages ----

  private enter(run: Run, index: number, at: number): void {
    if (run.state !== 'RUNNING') return;
    if (this.stopped(run)) return;
    const step = run.steps[index]!;
    run.index = index;
    run.waited = false;
    run.pending = [];
    const token = ++run.token;
    run.record.updatedAt = new Date(at);
    step.action?.(at);
    if (run.state !== 'RUNNING') return;
    for (const hook of run.config.hooks) {
      if (!hook.lifecycleStages.includes(step.stage)) continue;
      const exec: HookExecution = { hookId: hookId(hook), hook, stage: step.stage, status: hook.targetType === 'PAUSE' ? 'AWAITING_ACTION' : 'IN_PROGRESS', expiresAt: at + hook.timeoutConfiguration.timeoutInMinutes * 60_000 };
      run.hooks.push(exec);
      run.pending.push(exec);
      // A hook not resolved by expiresAt takes its timeoutAction (API_DeploymentLifecycleHookDetail).
      this.deps.clock.at(exec.expiresAt, (t) => {
        if (run.state !== 'RUNNING' || (exec.status !== 'IN_PROGRESS' && exec.status !== 'AWAITING_ACTION')) return;
        exec.status = 'TIMED_OUT';
        this.resolved(run, exec, hook.timeoutConfiguration.action, `Lifecycle hook ${describeHook(exec)} timed out at ${exec.stage}.`, t);
      });
      if (exec.status === 'IN_PROGRESS') this.invoke(run, exec, at);
    }
    this.deps.clock.at(at + Math.max(STAGE_MS, step.waitMs ?? 0), (t) => {
      if (run.token !== token) return;
      run.waited = true;
      this.proceed(run, t);
    });
  }

  private proceed(run: Run, at: number): void {
    if (run.state !== 'RUNNING' || this.stopped(run)) return;
    const step = run.steps[run.index];
    if (!step || !run.waited) return;
    if (step.until && !step.until()) return;
    if (run.pending.some((h) => h.resolution !== 'CONTINUE')) return;
    if (run.index + 1 < run.steps.length) this.enter(run, run.index + 1, at);
  }

  /** The deployment was stopped (ABORT, superseded, breaker without rollback, service deleted): the run ends where it is. */
  private stopped(run: Run): boolean {
    // A service being deleted (DeleteService) ends its deployment's run: its tasks are stopping anyway.
    if (run.service.status !== 'ACTIVE') return this.end(run), true;
    if (run.record.status === 'IN_PROGRESS') return false;
    if (run.record.status !== 'ROLLBACK_IN_PROGRESS') this.end(run);
    return true;
  }

  // ---- traffic ----

  /**
   * Sets the production (and test) listener rules' forward weights between blue and green.
   * ALB weights are whole numbers (0-999); a fractional percentage is rounded, and a non-zero share is at
   * least 1 (our choice). https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-listeners.html#forward-actions
   */
  private shift(run: Run, production: number, test: number, at: number): void {
    run.productionPercent = production;
    run.testPercent = test;
    const lb = this.deps.loadBalancing;
    if (!lb) return;
    for (const s of run.shifts) {
      lb.setForwardWeights(s.productionRule, weights(s, production), at);
      if (s.testRule) lb.setForwardWeights(s.testRule, weights(s, test), at);
    }
  }

  // ---- hooks ----

  private invoke(run: Run, exec: HookExecution, at: number, first = true): void {
    if (run.state !== 'RUNNING' || exec.status !== 'IN_PROGRESS') return;
    const arn = exec.hook.hookTargetArn!;
    const answer = this.outcomes.answer(arn);
    if (first || answer) {
      this.outcomes.invocations.push({
        hookTargetArn: arn,
        hookId: exec.hookId,
        lifecycleStage: exec.stage,
        invokedAt: new Date(at).toISOString(),
        payload: {
          serviceArn: run.service.serviceArn,
          targetServiceRevisionArn: run.green.revision.serviceRevisionArn,
          testTrafficWeights: { [run.blue.revision.serviceRevisionArn]: 100 - run.testPercent, [run.green.revision.serviceRevisionArn]: run.testPercent },
          productionTrafficWeights: { [run.blue.revision.serviceRevisionArn]: 100 - run.productionPercent, [run.green.revision.serviceRevisionArn]: run.productionPercent },
          hookDetails: exec.hook.hookDetails,
        },
        answer: answer?.outcome,
      });
    }
    if (answer?.outcome === 'SUCCEEDED') {
      exec.status = 'SUCCEEDED';
      return this.resolved(run, exec, 'CONTINUE', '', at);
    }
    if (answer?.outcome === 'FAILED') {
      exec.status = 'FAILED';
      return this.resolved(run, exec, 'ROLLBACK', `Lifecycle hook ${describeHook(exec)} returned FAILED at ${exec.stage}.`, at);
    }
    // IN_PROGRESS, or no answer yet: ask again after the callback delay (default 30 s).
    const next = at + (answer?.callbackDelaySeconds ?? DEFAULT_CALLBACK_DELAY_SECONDS) * 1000;
    if (next < exec.expiresAt) this.deps.clock.at(next, (t) => this.invoke(run, exec, t, false));
  }

  private resolved(run: Run, exec: HookExecution, action: HookAction, reason: string, at: number): void {
    exec.resolution = action;
    run.record.updatedAt = new Date(at);
    if (action === 'ROLLBACK') this.rollback(run, reason, at);
    else this.proceed(run, at);
  }

  /**
   * ContinueServiceDeployment: CONTINUE (default) or ROLLBACK a PAUSE hook in AWAITING_ACTION of an
   * IN_PROGRESS service deployment.
   * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContinueServiceDeployment.html
   * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/continue-service-deployment.html
   */
  continueDeployment(input: { serviceDeploymentArn?: unknown; hookId?: unknown; action?: unknown }, at: number): { serviceDeploymentArn: string } {
    if (typeof input.serviceDeploymentArn !== 'string' || !input.serviceDeploymentArn) throw invalidParameter('serviceDeploymentArn is required.');
    if (typeof input.hookId !== 'string' || !input.hookId) throw invalidParameter('hookId is required: find it in lifecycleHookDetails of DescribeServiceDeployments.');
    const action = input.action ?? 'CONTINUE';
    if (action !== 'CONTINUE' && action !== 'ROLLBACK') throw invalidParameter(`Invalid action ${JSON.stringify(input.action)}. Valid values are CONTINUE, ROLLBACK.`);
    const record = this.deps.records.get(input.serviceDeploymentArn);
    if (!record) throw serviceDeploymentNotFound();
    const run = this.byRecord.get(record);
    const exec = run?.hooks.find((h) => h.hookId === input.hookId);
    if (!run || !exec) throw invalidParameter(`The service deployment has no lifecycle hook ${input.hookId}.`);
    if (record.status !== 'IN_PROGRESS') throw invalidParameter(`The service deployment is ${record.status}; only an IN_PROGRESS service deployment can be continued.`);
    if (exec.status !== 'AWAITING_ACTION') throw invalidParameter(`The lifecycle hook ${exec.hookId} is ${exec.status}; only a hook in AWAITING_ACTION can be continued or rolled back.`);
    // Our choice: CONTINUE shows the hook SUCCEEDED, ROLLBACK shows it FAILED.
    exec.status = action === 'CONTINUE' ? 'SUCCEEDED' : 'FAILED';
    this.resolved(run, exec, action, `Service deployment rolled back by ContinueServiceDeployment on the pause hook at ${exec.stage}.`, at);
    return { serviceDeploymentArn: record.serviceDeploymentArn };
  }

  // ---- failures ----

  private alarmed(run: Run, names: string[], at: number): void {
    if (!run.alarms || run.state !== 'RUNNING' || run.cleanUp) return;
    const triggered = run.alarms.names.filter((n) => names.includes(n) || this.deps.alarms?.state(n)?.value === 'ALARM');
    if (run.record.alarms) {
      run.record.alarms.status = 'TRIGGERED';
      run.record.alarms.triggeredAlarmNames = triggered;
    }
    const reason = alarmFailedReason(triggered);
    this.deps.scheduler.event(run.service, `(service ${run.service.serviceName}) (deployment ${run.green.id}) deployment failed: alarm(s) ${triggered.join(', ')} in ALARM state.`, at);
    if (run.alarms.rollback) return void this.rollback(run, reason, at);
    // Without rollback the deployment stops where it is (ServiceDeployment.stoppedAt).
    run.green.rolloutState = 'FAILED';
    run.green.rolloutStateReason = reason;
    run.record.status = 'STOPPED';
    run.record.statusReason = reason;
    run.record.stoppedAt = run.record.finishedAt = run.record.updatedAt = new Date(at);
    this.end(run);
    this.deps.scheduler.schedule(run.service, at);
  }

  /** The scheduler asks before its rolling rollback (breaker, StopServiceDeployment); true = handled here. */
  rollbackDeployment(d: Deployment, reason: string, at: number): boolean {
    const run = this.runs.get(d);
    if (!run || run.state !== 'RUNNING') return false;
    this.rollback(run, reason, at);
    return true;
  }

  /**
   * Rollback: production (and test) traffic goes back to blue, blue is PRIMARY again, green's tasks stop;
   * the service deployment is ROLLBACK_IN_PROGRESS, then ROLLBACK_SUCCESSFUL once green has drained.
   * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-blue-green.html ("quickly revert to the blue deployment")
   * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Rollback.html
   */
  private rollback(run: Run, reason: string, at: number): void {
    if (run.state !== 'RUNNING') return;
    const { service, green, blue, record } = run;
    run.state = 'ROLLING_BACK';
    run.token++;
    this.shift(run, 0, 0, at);
    record.status = 'ROLLBACK_IN_PROGRESS';
    record.rollback = { reason, startedAt: new Date(at), serviceRevisionArn: blue.revision.serviceRevisionArn };
    record.updatedAt = new Date(at);
    green.rolloutState = 'FAILED';
    green.rolloutStateReason = reason;
    green.status = 'ACTIVE';
    blue.status = 'PRIMARY';
    blue.updatedAt = new Date(at);
    service.deployments = [blue, ...service.deployments.filter((d) => d !== blue)];
    service.taskDefinition = blue.taskDefinition;
    service.steady = false;
    this.deps.scheduler.event(service, `(service ${service.serviceName}) rolling back to deployment ${blue.id}.`, at);
    this.deps.scheduler.schedule(service, at);
  }

  // ---- DescribeServiceDeployments ----

  /** lifecycleStage and lifecycleHookDetails of a strategy service deployment (alarms: record.alarms). */
  describe(record: ServiceDeploymentRecord): Record<string, unknown> {
    const run = this.byRecord.get(record);
    if (!run) return {};
    return {
      lifecycleStage: run.steps[run.index]?.stage,
      // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentLifecycleHookDetail.html
      lifecycleHookDetails: run.hooks.map((h) => ({
        hookId: h.hookId,
        targetType: h.hook.targetType,
        targetArn: h.hook.hookTargetArn,
        status: h.status,
        expiresAt: new Date(h.expiresAt),
        timeoutAction: h.hook.timeoutConfiguration.action,
      })),
    };
  }

  /**
   * requestedProductionTrafficWeight / requestedTestTrafficWeight of a revision of a strategy service
   * deployment (ServiceRevisionSummary): green's share for the target, the rest for blue, 0 for others.
   * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceRevisionSummary.html
   */
  trafficOf(record: ServiceDeploymentRecord, revisionArn: string): { requestedProductionTrafficWeight?: number; requestedTestTrafficWeight?: number } {
    const run = this.byRecord.get(record);
    if (!run) return {};
    if (revisionArn === run.green.revision.serviceRevisionArn) return { requestedProductionTrafficWeight: run.productionPercent, requestedTestTrafficWeight: run.testPercent };
    if (revisionArn === run.blue.revision.serviceRevisionArn) return { requestedProductionTrafficWeight: 100 - run.productionPercent, requestedTestTrafficWeight: 100 - run.testPercent };
    return { requestedProductionTrafficWeight: 0, requestedTestTrafficWeight: 0 };
  }
}

/** The production traffic percentage after each step, and the bake time that follows it. */
export function trafficSteps(config: StrategyConfig): { percent: number; bakeMinutes: number }[] {
  if (config.strategy === 'LINEAR' && config.linear) {
    const out: { percent: number; bakeMinutes: number }[] = [];
    const { stepPercent, stepBakeTimeInMinutes } = config.linear;
    // "This bake time is not applied after reaching 100 percent traffic." (API_LinearConfiguration)
    for (let k = 1; ; k++) {
      const percent = Math.min(100, Math.round(k * stepPercent * 10) / 10);
      out.push({ percent, bakeMinutes: percent < 100 ? stepBakeTimeInMinutes : 0 });
      if (percent >= 100) return out;
    }
  }
  if (config.strategy === 'CANARY' && config.canary && config.canary.canaryPercent < 100) {
    // "traffic is shifted in two phases: first to the canary percentage, then to complete the deployment."
    return [
      { percent: config.canary.canaryPercent, bakeMinutes: config.canary.canaryBakeTimeInMinutes },
      { percent: 100, bakeMinutes: 0 },
    ];
  }
  return [{ percent: 100, bakeMinutes: 0 }];
}

function weights(s: TrafficShift, greenPercent: number) {
  return [
    { targetGroupArn: s.blueTargetGroup, weight: albWeight(100 - greenPercent) },
    { targetGroupArn: s.greenTargetGroup, weight: albWeight(greenPercent) },
  ];
}

function albWeight(percent: number): number {
  if (percent <= 0) return 0;
  if (percent >= 100) return 100;
  return Math.min(99, Math.max(1, Math.round(percent)));
}

function describeHook(exec: HookExecution): string {
  return exec.hook.targetType === 'PAUSE' ? `${exec.hookId} (PAUSE)` : `${exec.hook.hookTargetArn}`;
}
