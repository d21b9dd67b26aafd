import type { SimClock } from './clock.js';
import { createCloudWatch } from './cloudwatch/index.js';
import type { AlarmStateValue } from './cloudwatch/store.js';
import { createElbv2 } from './elbv2/index.js';
import { HookOutcomes, type HookOutcome } from './ecs/strategies/hooks.js';
import type { CallContext, JsonService } from './protocol/types.js';
import { REGION_NAME, type Regions } from './regions.js';

/**
 * The AWS resources a scenario sets up (README, "Scenario resources"; our choice: AWS has no scenario
 * file): load balancers with target groups and listener rules, CloudWatch alarms, and what the Lambda
 * functions of deployment lifecycle hooks answer. They are created through the same ELBv2 and CloudWatch
 * operations the AWS API serves, and `setHookOutcome`, in the scenario's `region`.
 */
export interface ScenarioResources {
  /** Where the resources are created (default: the simulator's default region). */
  region?: string;
  loadBalancers?: ScenarioLoadBalancer[];
  alarms?: ScenarioAlarm[];
  /** Lambda function ARN (a hook's `hookTargetArn`) → its answer, or just the outcome. */
  hookOutcomes?: Record<string, HookOutcome | { outcome: HookOutcome; callbackDelaySeconds?: number }>;
}

export interface ScenarioLoadBalancer {
  name: string;
  type?: 'application' | 'network';
  scheme?: 'internet-facing' | 'internal';
  /** Default: two simulated subnets (an Application Load Balancer needs two). */
  subnets?: string[];
  securityGroups?: string[];
  targetGroups: ScenarioTargetGroup[];
  listeners?: ScenarioListener[];
}

export interface ScenarioTargetGroup {
  name: string;
  /** Default HTTP. */
  protocol?: string;
  /** Default 80. */
  port?: number;
  /** Default ip (what awsvpc tasks need). */
  targetType?: 'ip' | 'instance';
  vpcId?: string;
  /** deregistration_delay.timeout_seconds (AWS default 300). */
  deregistrationDelaySeconds?: number;
  healthCheck?: ScenarioHealthCheck;
}

export interface ScenarioHealthCheck {
  enabled?: boolean;
  protocol?: string;
  port?: string | number;
  path?: string;
  intervalSeconds?: number;
  timeoutSeconds?: number;
  healthyThresholdCount?: number;
  unhealthyThresholdCount?: number;
  /** Success codes: "200", "200,202" or "200-299". */
  matcher?: string;
}

/** A target group of the same load balancer, or target groups with weights (0–999). */
export type ScenarioForward = string | { targetGroup: string; weight?: number }[];

export interface ScenarioListener {
  port: number;
  protocol?: 'HTTP' | 'HTTPS' | 'TCP';
  /** The default action: forward to these target groups. */
  forward: ScenarioForward;
  rules?: ScenarioRule[];
}

export interface ScenarioRule {
  /** The key of the rule's ARN in what loadScenario returns (default `<load balancer>:<port>/<priority>`). */
  name?: string;
  priority: number;
  /** Conditions (default: path-pattern /*). */
  pathPatterns?: string[];
  hostHeaders?: string[];
  forward: ScenarioForward;
}

export interface ScenarioAlarm {
  name: string;
  /** The state it starts in (default INSUFFICIENT_DATA, as PutMetricAlarm creates it). */
  state?: AlarmStateValue;
  description?: string;
}

/** What a scenario created, by name, so the ARNs can go into an ECS service. */
export interface CreatedResources {
  region: string;
  loadBalancers: Record<string, string>;
  targetGroups: Record<string, string>;
  /** `<load balancer>:<port>` → listener ARN. */
  listeners: Record<string, string>;
  /** Rule name (or `<load balancer>:<port>/<priority>`) → rule ARN. */
  rules: Record<string, string>;
  alarms: Record<string, string>;
  /** Hook target ARNs whose answer was set. */
  hookOutcomes: string[];
}

export const RESOURCE_SECTIONS = ['region', 'loadBalancers', 'alarms', 'hookOutcomes'] as const;

// ---- structural validation: types and unknown fields, errors name the path ----

class ScenarioError extends Error {}
type Obj = Record<string, unknown>;

function object(v: unknown, path: string, known: readonly string[], required: readonly string[] = []): Obj {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new ScenarioError(`${path} must be an object with ${known.join(', ')}`);
  for (const key of Object.keys(v)) if (!known.includes(key)) throw new ScenarioError(`${path}: unknown field '${key}' (known: ${known.join(', ')})`);
  for (const key of required) if ((v as Obj)[key] === undefined || (v as Obj)[key] === null) throw new ScenarioError(`${path}.${key} is required`);
  return v as Obj;
}
function array(v: unknown, path: string): unknown[] {
  if (!Array.isArray(v)) throw new ScenarioError(`${path} must be a list`);
  return v;
}
function text(v: unknown, path: string): string {
  if (typeof v !== 'string' || !v) throw new ScenarioError(`${path} must be a non-empty string, got ${JSON.stringify(v)}`);
  return v;
}
function wholeNumber(v: unknown, path: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new ScenarioError(`${path} must be a whole number, got ${JSON.stringify(v)}`);
  return v;
}
function oneOf<T extends string>(v: unknown, path: string, values: readonly T[]): T {
  if (!values.includes(v as T)) throw new ScenarioError(`${path} must be one of ${values.join(', ')}, got ${JSON.stringify(v)}`);
  return v as T;
}
const optional = <T>(v: unknown, check: (v: unknown) => T): T | undefined => (v === undefined ? undefined : check(v));
const texts = (v: unknown, path: string) => array(v, path).map((x, i) => text(x, `${path}[${i}]`));

/** Checks the resource sections of a scenario (`where`: "scenario" or "scenario <file>"); nothing is created. */
export function validateResources(data: Obj, where: string): ScenarioResources {
  try {
    return checkResources(data);
  } catch (err) {
    if (err instanceof ScenarioError) throw new Error(`${where}: ${err.message}`);
    throw err;
  }
}

function checkResources(data: Obj): ScenarioResources {
  const region = optional(data.region, (v) => text(v, 'region'));
  if (region !== undefined && !REGION_NAME.test(region)) throw new ScenarioError(`region must be a region name such as us-east-1 or eu-west-1, got ${JSON.stringify(region)}`);
  const names = { lb: new Set<string>(), tg: new Set<string>(), rule: new Set<string>() };
  const unique = (set: Set<string>, name: string, path: string, kind: string) => {
    if (set.has(name)) throw new ScenarioError(`${path}: ${kind} '${name}' is defined twice`);
    set.add(name);
  };
  const loadBalancers = optional(data.loadBalancers, (v) =>
    array(v, 'loadBalancers').map((raw, i) => {
      const at = `loadBalancers[${i}]`;
      const lb = object(raw, at, ['name', 'type', 'scheme', 'subnets', 'securityGroups', 'targetGroups', 'listeners'], ['name', 'targetGroups']);
      const name = text(lb.name, `${at}.name`);
      unique(names.lb, name, `${at}.name`, 'load balancer');
      const targetGroups = array(lb.targetGroups, `${at}.targetGroups`).map((g, j) => checkTargetGroup(g, `${at}.targetGroups[${j}]`));
      for (const [j, g] of targetGroups.entries()) unique(names.tg, g.name, `${at}.targetGroups[${j}].name`, 'target group');
      const own = new Set(targetGroups.map((g) => g.name));
      const listeners = optional(lb.listeners, (v) => array(v, `${at}.listeners`).map((l, j) => checkListener(l, `${at}.listeners[${j}]`, own)));
      for (const [j, l] of (listeners ?? []).entries()) {
        for (const [k, r] of (l.rules ?? []).entries()) unique(names.rule, r.name ?? `${name}:${l.port}/${r.priority}`, `${at}.listeners[${j}].rules[${k}].name`, 'rule');
      }
      return {
        name,
        type: optional(lb.type, (v) => oneOf(v, `${at}.type`, ['application', 'network'] as const)),
        scheme: optional(lb.scheme, (v) => oneOf(v, `${at}.scheme`, ['internet-facing', 'internal'] as const)),
        subnets: optional(lb.subnets, (v) => texts(v, `${at}.subnets`)),
        securityGroups: optional(lb.securityGroups, (v) => texts(v, `${at}.securityGroups`)),
        targetGroups,
        listeners,
      } satisfies ScenarioLoadBalancer;
    }),
  );
  const alarms = optional(data.alarms, (v) =>
    array(v, 'alarms').map((raw, i) => {
      const at = `alarms[${i}]`;
      const a = object(raw, at, ['name', 'state', 'description'], ['name']);
      return {
        name: text(a.name, `${at}.name`),
        state: optional(a.state, (s) => oneOf(s, `${at}.state`, ['OK', 'ALARM', 'INSUFFICIENT_DATA'] as const)),
        description: optional(a.description, (d) => text(d, `${at}.description`)),
      } satisfies ScenarioAlarm;
    }),
  );
  const hookOutcomes = optional(data.hookOutcomes, (v) => {
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new ScenarioError(`hookOutcomes must be a map from a Lambda function ARN to its outcome (SUCCEEDED, FAILED, IN_PROGRESS) or { outcome, callbackDelaySeconds }`);
    const map = v as Obj;
    const out: NonNullable<ScenarioResources['hookOutcomes']> = {};
    for (const [arn, answer] of Object.entries(map)) {
      const at = `hookOutcomes['${arn}']`;
      const body = typeof answer === 'string' ? { outcome: answer } : object(answer, at, ['outcome', 'callbackDelaySeconds'], ['outcome']);
      try {
        new HookOutcomes().set({ hookTargetArn: arn, ...body });
      } catch (err) {
        throw new ScenarioError(`${at}: ${(err as Error).message.replace(/^setHookOutcome:? ?/, '')}`);
      }
      out[arn] = body as { outcome: HookOutcome; callbackDelaySeconds?: number };
    }
    return out;
  });
  return { region, loadBalancers, alarms, hookOutcomes };
}

function checkTargetGroup(raw: unknown, at: string): ScenarioTargetGroup {
  const g = object(raw, at, ['name', 'protocol', 'port', 'targetType', 'vpcId', 'deregistrationDelaySeconds', 'healthCheck'], ['name']);
  const hcAt = `${at}.healthCheck`;
  const healthCheck = optional(g.healthCheck, (v) => {
    const hc = object(v, hcAt, ['enabled', 'protocol', 'port', 'path', 'intervalSeconds', 'timeoutSeconds', 'healthyThresholdCount', 'unhealthyThresholdCount', 'matcher']);
    if (hc.enabled !== undefined && typeof hc.enabled !== 'boolean') throw new ScenarioError(`${hcAt}.enabled must be true or false, got ${JSON.stringify(hc.enabled)}`);
    for (const key of ['intervalSeconds', 'timeoutSeconds', 'healthyThresholdCount', 'unhealthyThresholdCount'] as const) optional(hc[key], (n) => wholeNumber(n, `${hcAt}.${key}`));
    for (const key of ['protocol', 'path'] as const) optional(hc[key], (s) => text(s, `${hcAt}.${key}`));
    if (hc.port !== undefined && hc.port !== 'traffic-port') wholeNumber(hc.port, `${hcAt}.port`);
    if (hc.matcher !== undefined && typeof hc.matcher !== 'number') text(hc.matcher, `${hcAt}.matcher`);
    return { ...hc, matcher: hc.matcher === undefined ? undefined : String(hc.matcher) } as ScenarioHealthCheck;
  });
  return {
    name: text(g.name, `${at}.name`),
    protocol: optional(g.protocol, (v) => text(v, `${at}.protocol`)),
    port: optional(g.port, (v) => wholeNumber(v, `${at}.port`)),
    targetType: optional(g.targetType, (v) => oneOf(v, `${at}.targetType`, ['ip', 'instance'] as const)),
    vpcId: optional(g.vpcId, (v) => text(v, `${at}.vpcId`)),
    deregistrationDelaySeconds: optional(g.deregistrationDelaySeconds, (v) => wholeNumber(v, `${at}.deregistrationDelaySeconds`)),
    healthCheck,
  };
}

function checkForward(v: unknown, at: string, own: Set<string>): ScenarioForward {
  const named = (name: unknown, path: string) => {
    const n = text(name, path);
    if (!own.has(n)) throw new ScenarioError(`${path}: no target group '${n}' in this load balancer's targetGroups (${[...own].join(', ')})`);
    return n;
  };
  if (typeof v === 'string') return named(v, at);
  return array(v, at).map((raw, i) => {
    const w = object(raw, `${at}[${i}]`, ['targetGroup', 'weight'], ['targetGroup']);
    return { targetGroup: named(w.targetGroup, `${at}[${i}].targetGroup`), weight: optional(w.weight, (n) => wholeNumber(n, `${at}[${i}].weight`)) };
  });
}

function checkListener(raw: unknown, at: string, own: Set<string>): ScenarioListener {
  const l = object(raw, at, ['port', 'protocol', 'forward', 'rules'], ['port', 'forward']);
  const rules = optional(l.rules, (v) =>
    array(v, `${at}.rules`).map((r, i) => {
      const rat = `${at}.rules[${i}]`;
      const rule = object(r, rat, ['name', 'priority', 'pathPatterns', 'hostHeaders', 'forward'], ['priority', 'forward']);
      return {
        name: optional(rule.name, (n) => text(n, `${rat}.name`)),
        priority: wholeNumber(rule.priority, `${rat}.priority`),
        pathPatterns: optional(rule.pathPatterns, (p) => texts(p, `${rat}.pathPatterns`)),
        hostHeaders: optional(rule.hostHeaders, (p) => texts(p, `${rat}.hostHeaders`)),
        forward: checkForward(rule.forward, `${rat}.forward`, own),
      } satisfies ScenarioRule;
    }),
  );
  return {
    port: wholeNumber(l.port, `${at}.port`),
    protocol: optional(l.protocol, (v) => oneOf(v, `${at}.protocol`, ['HTTP', 'HTTPS', 'TCP'] as const)),
    forward: checkForward(l.forward, `${at}.forward`, own),
    rules,
  };
}

// ---- creation, through the ELBv2 and CloudWatch operations the AWS API serves ----

interface Targets {
  elbv2: JsonService['operations'];
  cloudwatch: JsonService['operations'];
  hooks: { set(body: unknown): void };
}

/** Placeholders where a scenario leaves out what the API requires. Our choice. */
const DEFAULT_SUBNETS = ['subnet-sim-a', 'subnet-sim-b'];
const DEFAULT_VPC = 'vpc-sim';

/**
 * Creates the resources in the order the API needs them; an error names the scenario path and carries
 * the API's own message (e.g. "Health check timeout '10' must be smaller than the interval '10'").
 */
function create(resources: ScenarioResources, region: string, to: Targets, ctx: CallContext): CreatedResources {
  const created: CreatedResources = { region, loadBalancers: {}, targetGroups: {}, listeners: {}, rules: {}, alarms: {}, hookOutcomes: [] };
  const call = (ops: JsonService['operations'], op: string, input: Obj, path: string): any => {
    try {
      return ops[op]!(input, ctx);
    } catch (err) {
      throw new ScenarioError(`${path}: ${op}: ${(err as Error).message}`);
    }
  };
  for (const [i, lb] of (resources.loadBalancers ?? []).entries()) {
    const at = `loadBalancers[${i}]`;
    const out = call(to.elbv2, 'CreateLoadBalancer', { Name: lb.name, Type: lb.type, Scheme: lb.scheme, Subnets: lb.subnets ?? DEFAULT_SUBNETS, SecurityGroups: lb.securityGroups }, at);
    const lbArn = (created.loadBalancers[lb.name] = out.LoadBalancers[0].LoadBalancerArn as string);
    for (const [j, g] of lb.targetGroups.entries()) {
      const gat = `${at}.targetGroups[${j}]`;
      const hc = g.healthCheck ?? {};
      const tg = call(
        to.elbv2,
        'CreateTargetGroup',
        {
          Name: g.name,
          Protocol: g.protocol ?? 'HTTP',
          Port: g.port ?? 80,
          VpcId: g.vpcId ?? DEFAULT_VPC,
          TargetType: g.targetType ?? 'ip',
          HealthCheckEnabled: hc.enabled,
          HealthCheckProtocol: hc.protocol,
          HealthCheckPort: hc.port === undefined ? undefined : String(hc.port),
          HealthCheckPath: hc.path,
          HealthCheckIntervalSeconds: hc.intervalSeconds,
          HealthCheckTimeoutSeconds: hc.timeoutSeconds,
          HealthyThresholdCount: hc.healthyThresholdCount,
          UnhealthyThresholdCount: hc.unhealthyThresholdCount,
          Matcher: hc.matcher === undefined ? undefined : { HttpCode: hc.matcher },
        },
        gat,
      ).TargetGroups[0].TargetGroupArn as string;
      created.targetGroups[g.name] = tg;
      if (g.deregistrationDelaySeconds !== undefined) {
        call(to.elbv2, 'ModifyTargetGroupAttributes', { TargetGroupArn: tg, Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: String(g.deregistrationDelaySeconds) }] }, `${gat}.deregistrationDelaySeconds`);
      }
    }
    const forward = (f: ScenarioForward) => [
      { Type: 'forward', ForwardConfig: { TargetGroups: (typeof f === 'string' ? [{ targetGroup: f }] : f).map((w) => ({ TargetGroupArn: created.targetGroups[w.targetGroup], Weight: w.weight })) } },
    ];
    for (const [j, l] of (lb.listeners ?? []).entries()) {
      const lat = `${at}.listeners[${j}]`;
      const listener = call(to.elbv2, 'CreateListener', { LoadBalancerArn: lbArn, Port: l.port, Protocol: l.protocol, DefaultActions: forward(l.forward) }, lat).Listeners[0].ListenerArn as string;
      created.listeners[`${lb.name}:${l.port}`] = listener;
      for (const [k, r] of (l.rules ?? []).entries()) {
        const conditions = [
          ...(r.pathPatterns || !r.hostHeaders ? [{ Field: 'path-pattern', PathPatternConfig: { Values: r.pathPatterns ?? ['/*'] } }] : []),
          ...(r.hostHeaders ? [{ Field: 'host-header', HostHeaderConfig: { Values: r.hostHeaders } }] : []),
        ];
        const rule = call(to.elbv2, 'CreateRule', { ListenerArn: listener, Priority: r.priority, Conditions: conditions, Actions: forward(r.forward) }, `${lat}.rules[${k}]`);
        created.rules[r.name ?? `${lb.name}:${l.port}/${r.priority}`] = rule.Rules[0].RuleArn as string;
      }
    }
  }
  for (const [i, a] of (resources.alarms ?? []).entries()) {
    const at = `alarms[${i}]`;
    // The simulator evaluates no metrics (README); the alarm needs one all the same, so it names a
    // placeholder. Its state changes by SetAlarmState.
    call(to.cloudwatch, 'PutMetricAlarm', { AlarmName: a.name, AlarmDescription: a.description, Namespace: 'Gantry/Simulator', MetricName: a.name, Statistic: 'Sum', Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' }, at);
    if (a.state && a.state !== 'INSUFFICIENT_DATA') call(to.cloudwatch, 'SetAlarmState', { AlarmName: a.name, StateValue: a.state, StateReason: 'Initial state set by the simulator scenario' }, `${at}.state`);
    const described = call(to.cloudwatch, 'DescribeAlarms', { AlarmNames: [a.name] }, at);
    created.alarms[a.name] = described.MetricAlarms[0].AlarmArn as string;
  }
  for (const [arn, answer] of Object.entries(resources.hookOutcomes ?? {})) {
    to.hooks.set({ hookTargetArn: arn, ...(typeof answer === 'string' ? { outcome: answer } : answer) });
    created.hookOutcomes.push(arn);
  }
  return created;
}

/**
 * Creates a scenario's resources in its region: first in a scratch copy of that region's ELBv2 and
 * CloudWatch (so a bad value fails before anything is created), then for real. A load balancer or target
 * group name already taken in the region is an error (a scenario creates, it does not update); an alarm
 * that exists is redefined and put in the scenario's state.
 */
export function applyResources(resources: ScenarioResources, options: { regions: Regions; clock: SimClock; accountId: string; where: string }): CreatedResources {
  const region = resources.region ?? options.regions.defaultRegion;
  const ctx: CallContext = { region, accountId: options.accountId, clock: options.clock, endpoint: '' };
  const scratch = { clock: options.clock, accountId: options.accountId, region };
  try {
    const parts = options.regions.get(region);
    const elbv2 = parts.elbv2!.service!.operations;
    for (const [i, lb] of (resources.loadBalancers ?? []).entries()) {
      if (exists(elbv2, 'DescribeLoadBalancers', { Names: [lb.name] }, ctx)) throw new ScenarioError(`loadBalancers[${i}].name: a load balancer '${lb.name}' already exists in ${region}; delete it or rename it in the scenario`);
      for (const [j, g] of lb.targetGroups.entries()) {
        if (exists(elbv2, 'DescribeTargetGroups', { Names: [g.name] }, ctx)) throw new ScenarioError(`loadBalancers[${i}].targetGroups[${j}].name: a target group '${g.name}' already exists in ${region}; delete it or rename it in the scenario`);
      }
    }
    create(resources, region, { elbv2: createElbv2(scratch).service.operations, cloudwatch: createCloudWatch(scratch).service.operations, hooks: new HookOutcomes() }, ctx);
    return create(resources, region, { elbv2, cloudwatch: parts.cloudwatch!.service!.operations, hooks: { set: (body) => parts.ecs!.control!.setHookOutcome!(body) } }, ctx);
  } catch (err) {
    if (err instanceof ScenarioError) throw new Error(`${options.where}: ${err.message}`);
    throw err;
  }
}

function exists(ops: JsonService['operations'], op: string, input: Obj, ctx: CallContext): boolean {
  try {
    ops[op]!(input, ctx);
    return true;
  } catch {
    return false;
  }
}

export const hasResources = (scenario: Obj): boolean => RESOURCE_SECTIONS.some((k) => scenario[k] !== undefined);
