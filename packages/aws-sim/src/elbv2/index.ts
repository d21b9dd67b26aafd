import { randomBytes } from 'node:crypto';
import type { SimClock } from '../clock.js';
import type { ControlHandler } from '../protocol/server.js';
import { QUERY_PREFIX } from '../protocol/query.js';
import type { JsonService } from '../protocol/types.js';
import { HEALTH, HealthChecker, type RegisteredTarget } from './health.js';
import type { HealthCheckSettings, HealthProbe, ListenerRule, LoadBalancing, TargetGroup, TargetHealth, TargetHealthListener, TargetRef, TargetType, WeightedTargetGroup } from './store.js';
import { boolParam, checkName, constraint, elbError, enumParam, intParam, list, validationError } from './validation.js';

export interface Elbv2Options {
  clock: SimClock;
  accountId: string;
  region: string;
}

interface LoadBalancer {
  arn: string;
  name: string;
  type: 'application' | 'network' | 'gateway';
  scheme: string;
  dnsName: string;
  createdAt: number;
  subnets: string[];
  securityGroups: string[];
  ipAddressType: string;
  listeners: Set<Listener>;
}

interface Listener {
  arn: string;
  loadBalancer: LoadBalancer;
  protocol?: string;
  port?: number;
  certificates: unknown[];
  sslPolicy?: string;
  defaultRule: ListenerRule;
  rules: Map<string, ListenerRule>;
}

interface Group extends TargetGroup {
  targets: Map<string, RegisteredTarget>;
  checker: HealthChecker;
}

const PROTOCOLS = ['HTTP', 'HTTPS', 'TCP', 'TLS', 'UDP', 'TCP_UDP', 'GENEVE'] as const;
const TARGET_TYPES = ['instance', 'ip', 'lambda', 'alb'] as const;
/** Provisioning takes our choice of 10 simulated seconds (README). */
const PROVISIONING_MS = 10_000;
const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const targetKey = (id: string, port?: number) => `${id}:${port ?? ''}`;

/**
 * Target group attributes and their defaults.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetGroupAttribute.html
 */
const TARGET_GROUP_ATTRIBUTES: Record<string, string> = {
  'deregistration_delay.timeout_seconds': '300',
  'stickiness.enabled': 'false',
  'stickiness.type': 'lb_cookie',
  'stickiness.lb_cookie.duration_seconds': '86400',
  'load_balancing.algorithm.type': 'round_robin',
  'load_balancing.cross_zone.enabled': 'use_load_balancer_configuration',
  'slow_start.duration_seconds': '0',
};

/**
 * Elastic Load Balancing v2 (awsQuery, Version 2015-12-01) for one region: load balancers, target groups
 * with health checks on the simulated clock, listeners and rules with weighted forward actions.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/Welcome.html
 */
export function createElbv2(options: Elbv2Options) {
  const { clock, region, accountId } = options;
  const arnOf = (resource: string) => `arn:aws:elasticloadbalancing:${region}:${accountId}:${resource}`;
  const loadBalancers = new Map<string, LoadBalancer>();
  const groups = new Map<string, Group>();
  const listeners = new Map<string, Listener>();
  const rules = new Map<string, { rule: ListenerRule; listener: Listener }>();
  const healthListeners: TargetHealthListener[] = [];
  const unhealthyListeners: ((tg: string, id: string, reason: string, at: number, port?: number) => void)[] = [];
  const now = () => clock.nowMs();

  // ---- target groups and health ----

  const inUse = (g: Group) => g.loadBalancerArns.length > 0;
  const view = (g: Group, t: RegisteredTarget | undefined): TargetHealth => {
    if (!t) return HEALTH.notRegistered;
    if (t.drainingUntil !== undefined) return HEALTH.draining;
    if (!g.healthCheck.enabled) return HEALTH.disabled;
    if (!inUse(g)) return HEALTH.notInUse;
    return t.health;
  };
  const emit = (g: Group, t: RegisteredTarget, at: number) => {
    const health = view(g, t);
    for (const l of healthListeners) l(g.targetGroupArn, t.ref, health, at);
    if (health.state === 'unhealthy') for (const l of unhealthyListeners) l(g.targetGroupArn, t.ref.id, health.reason!, at, t.ref.port);
  };

  const findTarget = (g: Group, id: string, port?: number): RegisteredTarget | undefined => {
    if (port !== undefined) return g.targets.get(targetKey(id, port));
    for (const t of g.targets.values()) if (t.ref.id === id) return t;
    return undefined;
  };

  /** Which load balancers forward to each target group; health checks start once a group is in use. */
  const reassociate = (at: number) => {
    const byGroup = new Map<string, Set<string>>();
    for (const l of listeners.values()) {
      for (const rule of [l.defaultRule, ...l.rules.values()]) {
        for (const w of forwardOf(rule)) {
          let set = byGroup.get(w.targetGroupArn);
          if (!set) byGroup.set(w.targetGroupArn, (set = new Set()));
          set.add(l.loadBalancer.arn);
        }
      }
    }
    for (const g of groups.values()) {
      const before = g.loadBalancerArns.length;
      g.loadBalancerArns = [...(byGroup.get(g.targetGroupArn) ?? [])];
      if (before === 0 && g.loadBalancerArns.length > 0) for (const t of g.targets.values()) g.checker.recheck(t, at);
    }
  };

  const register = (g: Group, ref: TargetRef, at: number, probe?: HealthProbe) => {
    const key = targetKey(ref.id, ref.port);
    const existing = g.targets.get(key);
    if (existing && existing.drainingUntil === undefined) {
      if (probe) existing.probe = probe;
      return;
    }
    const t: RegisteredTarget = { ref, probe, registeredAt: at, health: HEALTH.registering, passes: 0, failures: 0, checking: false, generation: (existing?.generation ?? 0) + 1 };
    g.targets.set(key, t);
    g.checker.recheck(t, at);
  };

  /**
   * Deregistration: the target drains for the group's deregistration delay, then leaves the group.
   * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-target-group-attributes.html#deregistration-delay
   */
  const deregister = (g: Group, t: RegisteredTarget, at: number): number => {
    if (t.drainingUntil !== undefined) return Math.max(0, t.drainingUntil - at);
    const ms = g.deregistrationDelaySeconds * 1000;
    t.drainingUntil = at + ms;
    t.generation++;
    t.checking = false;
    emit(g, t, at);
    const generation = t.generation;
    clock.at(at + ms, () => {
      if (t.generation !== generation) return;
      if (g.targets.get(targetKey(t.ref.id, t.ref.port)) === t) g.targets.delete(targetKey(t.ref.id, t.ref.port));
    });
    return ms;
  };

  const group = (arn: unknown): Group => {
    const g = typeof arn === 'string' ? groups.get(arn) : undefined;
    if (!g) throw elbError('TargetGroupNotFound', `Target groups '${String(arn)}' not found`);
    return g;
  };

  // ---- actions and rules ----

  /** The weighted target groups of a rule's forward action. */
  const forwardOf = (rule: ListenerRule): WeightedTargetGroup[] => {
    const forward = (rule.actions as any[]).find((a) => a.Type === 'forward');
    if (!forward) return [];
    return (forward.ForwardConfig?.TargetGroups ?? []).map((tg: any) => ({ targetGroupArn: tg.TargetGroupArn, weight: tg.Weight }));
  };

  /**
   * Normalises and checks actions. A forward action names one TargetGroupArn or a ForwardConfig of 1–5
   * target groups weighted 0–999; the output carries both forms, as DescribeRules shows them.
   * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_Action.html
   * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetGroupTuple.html
   */
  const checkActions = (input: unknown, path: string, lb: LoadBalancer): unknown[] => {
    const actions = list(input);
    if (actions.length === 0) throw validationError(`At least one action must be specified`);
    return actions.map((a: any, i) => {
      const at = `${path}.${i + 1}.member`;
      const type = enumParam(a?.Type, `${at}.type`, ['forward', 'redirect', 'fixed-response', 'authenticate-oidc', 'authenticate-cognito', 'jwt-validation'] as const);
      if (!type) throw validationError(`An action type must be specified`);
      const order = intParam(a.Order, `${at}.order`, { min: 1, max: 50000 });
      if (type !== 'forward') return { ...a, Type: type, Order: order };
      const tuples = list(a.ForwardConfig?.TargetGroups);
      if (tuples.length > 5) throw constraint(`[${tuples.length} items]`, `${at}.forwardConfig.targetGroups`, 'Member must have length less than or equal to 5');
      const weighted = tuples.map((tg: any, j) => {
        const weight = intParam(tg?.Weight, `${at}.forwardConfig.targetGroups.${j + 1}.member.weight`, { min: 0, max: 999 }) ?? 1;
        if (!tg?.TargetGroupArn) throw validationError(`A target group ARN must be specified in forward action target groups`);
        return { TargetGroupArn: tg.TargetGroupArn as string, Weight: weight };
      });
      if (a.TargetGroupArn) {
        if (weighted.length > 0 && !(weighted.length === 1 && weighted[0]!.TargetGroupArn === a.TargetGroupArn)) {
          throw validationError('You cannot specify both a target group ARN and a forward config with different target groups');
        }
        if (weighted.length === 0) weighted.push({ TargetGroupArn: a.TargetGroupArn, Weight: 1 });
      }
      if (weighted.length === 0) throw validationError('A target group ARN or a forward config must be specified for forward actions');
      const seen = new Set<string>();
      for (const w of weighted) {
        if (seen.has(w.TargetGroupArn)) throw validationError(`Target group '${w.TargetGroupArn}' cannot be specified more than once in the forward config`);
        seen.add(w.TargetGroupArn);
        const g = group(w.TargetGroupArn);
        // An Application Load Balancer target group forwards for one load balancer only.
        // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-target-groups.html
        const other = g.loadBalancerArns.find((arn) => arn !== lb.arn);
        if (other) throw elbError('TargetGroupAssociationLimit', `The following target groups cannot be associated with more than one load balancer: ${g.targetGroupArn}`);
        if (g.targetType === 'lambda' || !g.protocol) continue;
        if (lb.type === 'application' && !['HTTP', 'HTTPS'].includes(g.protocol)) throw elbError('IncompatibleProtocols', `The target group '${g.targetGroupArn}' uses protocol ${g.protocol}, which is not supported by an Application Load Balancer`);
      }
      const stickiness = { Enabled: boolParam(a.ForwardConfig?.TargetGroupStickinessConfig?.Enabled) ?? false, DurationSeconds: intParam(a.ForwardConfig?.TargetGroupStickinessConfig?.DurationSeconds, `${at}.forwardConfig.targetGroupStickinessConfig.durationSeconds`, { min: 1, max: 604800 }) };
      return {
        Type: 'forward',
        TargetGroupArn: weighted.length === 1 ? weighted[0]!.TargetGroupArn : undefined,
        Order: order,
        ForwardConfig: { TargetGroups: weighted, TargetGroupStickinessConfig: stickiness },
      };
    });
  };

  /** Rule conditions: a Field with Values or the field's *Config. https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_RuleCondition.html */
  const checkConditions = (input: unknown): unknown[] => {
    const conditions = list(input);
    if (conditions.length === 0) throw validationError('A rule must have at least one condition');
    const fields = ['http-header', 'http-request-method', 'host-header', 'path-pattern', 'query-string', 'source-ip'] as const;
    return conditions.map((c: any, i) => {
      const field = enumParam(c?.Field, `conditions.${i + 1}.member.field`, fields);
      if (!field) throw validationError('A condition field must be specified');
      const configs = ['HostHeaderConfig', 'PathPatternConfig', 'HttpHeaderConfig', 'QueryStringConfig', 'HttpRequestMethodConfig', 'SourceIpConfig'];
      if (list(c.Values).length === 0 && !configs.some((k) => c[k])) throw validationError(`A condition value must be specified for field '${field}'`);
      return { ...c, Field: field, Values: c.Values ? list(c.Values) : undefined };
    });
  };

  const findListener = (arn: unknown): Listener => {
    const l = typeof arn === 'string' ? listeners.get(arn) : undefined;
    if (!l) throw elbError('ListenerNotFound', 'One or more listeners not found');
    return l;
  };
  const findLoadBalancer = (arn: unknown): LoadBalancer => {
    const lb = typeof arn === 'string' ? loadBalancers.get(arn) : undefined;
    if (!lb) throw elbError('LoadBalancerNotFound', 'One or more load balancers not found');
    return lb;
  };
  const findRule = (arn: string): { rule: ListenerRule; listener: Listener } | undefined => {
    const hit = rules.get(arn);
    if (hit) return hit;
    const l = listeners.get(arn);
    return l ? { rule: l.defaultRule, listener: l } : undefined;
  };

  // ---- descriptions ----

  const describeLb = (lb: LoadBalancer) => ({
    LoadBalancerArn: lb.arn,
    DNSName: lb.dnsName,
    CanonicalHostedZoneId: 'Z35SXDOTRQ7X7K',
    CreatedTime: new Date(lb.createdAt),
    LoadBalancerName: lb.name,
    Scheme: lb.scheme,
    VpcId: 'vpc-sim',
    State: { Code: now() - lb.createdAt < PROVISIONING_MS ? 'provisioning' : 'active' },
    Type: lb.type,
    AvailabilityZones: lb.subnets.map((s, i) => ({ ZoneName: `${region}${'abcdef'[i % 6]}`, SubnetId: s })),
    SecurityGroups: lb.type === 'application' ? lb.securityGroups : undefined,
    IpAddressType: lb.ipAddressType,
  });

  const describeGroup = (g: Group) => ({
    TargetGroupArn: g.targetGroupArn,
    TargetGroupName: g.targetGroupName,
    Protocol: g.protocol,
    ProtocolVersion: g.protocolVersion,
    Port: g.port,
    VpcId: g.vpcId,
    HealthCheckProtocol: g.healthCheck.protocol,
    HealthCheckPort: g.healthCheck.port,
    HealthCheckEnabled: g.healthCheck.enabled,
    HealthCheckIntervalSeconds: g.healthCheck.intervalSeconds,
    HealthCheckTimeoutSeconds: g.healthCheck.timeoutSeconds,
    HealthyThresholdCount: g.healthCheck.healthyThresholdCount,
    UnhealthyThresholdCount: g.healthCheck.unhealthyThresholdCount,
    HealthCheckPath: g.healthCheck.path,
    Matcher: g.healthCheck.matcher,
    LoadBalancerArns: g.loadBalancerArns,
    TargetType: g.targetType,
    IpAddressType: g.targetType === 'ip' || g.targetType === 'instance' ? 'ipv4' : undefined,
  });

  const describeListener = (l: Listener) => ({
    ListenerArn: l.arn,
    LoadBalancerArn: l.loadBalancer.arn,
    Port: l.port,
    Protocol: l.protocol,
    Certificates: l.certificates.length ? l.certificates : undefined,
    SslPolicy: l.sslPolicy,
    DefaultActions: l.defaultRule.actions,
  });

  const describeRule = (r: ListenerRule) => ({ RuleArn: r.ruleArn, Priority: r.priority, Conditions: r.conditions, Actions: r.actions, IsDefault: r.isDefault });

  /** Marker paging over a list (PageSize 1–400). */
  const page = <T>(items: T[], input: any) => {
    const size = intParam(input.PageSize, 'pageSize', { min: 1, max: 400 }) ?? 400;
    const offset = input.Marker ? Number(Buffer.from(String(input.Marker), 'base64url').toString()) : 0;
    if (!Number.isInteger(offset) || offset < 0) throw validationError('The marker is not valid');
    const next = offset + size < items.length ? Buffer.from(String(offset + size)).toString('base64url') : undefined;
    return { items: items.slice(offset, offset + size), next };
  };

  // ---- health check settings ----

  /**
   * Health check settings with the documented defaults and ranges.
   * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html
   */
  const healthSettings = (input: any, protocol: string | undefined, targetType: TargetType, base?: HealthCheckSettings): HealthCheckSettings => {
    const hcProtocol = enumParam(input.HealthCheckProtocol, 'healthCheckProtocol', ['HTTP', 'HTTPS', 'TCP'] as const) ?? base?.protocol ?? (protocol === 'HTTPS' ? 'HTTPS' : protocol === 'HTTP' ? 'HTTP' : 'TCP');
    const http = hcProtocol === 'HTTP' || hcProtocol === 'HTTPS';
    const port = input.HealthCheckPort ?? base?.port ?? 'traffic-port';
    if (port !== 'traffic-port') intParam(port, 'healthCheckPort', { min: 1, max: 65535 });
    const interval = intParam(input.HealthCheckIntervalSeconds, 'healthCheckIntervalSeconds', { min: 5, max: 300 }) ?? base?.intervalSeconds ?? 30;
    const timeout = intParam(input.HealthCheckTimeoutSeconds, 'healthCheckTimeoutSeconds', { min: 2, max: 120 }) ?? base?.timeoutSeconds ?? (targetType === 'lambda' ? 30 : http ? (protocol === 'HTTP' || protocol === 'HTTPS' ? 5 : 6) : 10);
    if (timeout >= interval) throw validationError(`Health check timeout '${timeout}' must be smaller than the interval '${interval}'`);
    const healthy = intParam(input.HealthyThresholdCount, 'healthyThresholdCount', { min: 2, max: 10 }) ?? base?.healthyThresholdCount ?? 5;
    const unhealthy = intParam(input.UnhealthyThresholdCount, 'unhealthyThresholdCount', { min: 2, max: 10 }) ?? base?.unhealthyThresholdCount ?? 2;
    const path = http ? (input.HealthCheckPath ?? base?.path ?? '/') : undefined;
    if (path !== undefined && (!String(path).startsWith('/') || String(path).length > 1024)) throw validationError(`Health check path '${path}' must begin with a '/' character and be at most 1024 characters`);
    const code = input.Matcher?.HttpCode ?? base?.matcher?.HttpCode ?? (protocol === 'HTTP' || protocol === 'HTTPS' ? '200' : '200-399');
    if (http && !/^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$/.test(String(code))) throw validationError(`Health check matcher HTTP code '${code}' must be a code, a comma-separated list of codes or a range such as '200-299'`);
    return {
      enabled: boolParam(input.HealthCheckEnabled) ?? base?.enabled ?? true,
      protocol: hcProtocol,
      port: String(port),
      path,
      intervalSeconds: interval,
      timeoutSeconds: timeout,
      healthyThresholdCount: healthy,
      unhealthyThresholdCount: unhealthy,
      matcher: http ? { HttpCode: String(code) } : undefined,
    };
  };

  // ---- operations ----

  const operations: JsonService['operations'] = {
    CreateLoadBalancer: (input) => {
      const name = checkName('load balancer', input.Name);
      const type = enumParam(input.Type, 'type', ['application', 'network', 'gateway'] as const) ?? 'application';
      const scheme = enumParam(input.Scheme, 'scheme', ['internet-facing', 'internal'] as const) ?? 'internet-facing';
      const subnets = [...list<string>(input.Subnets), ...list<any>(input.SubnetMappings).map((m) => m.SubnetId)];
      // "[Application Load Balancers] You must specify subnets from at least two Availability Zones."
      if (type === 'application' && new Set(subnets).size < 2) throw validationError('At least two subnets in two different Availability Zones must be specified');
      if (subnets.length === 0) throw validationError('At least one subnet must be specified');
      const existing = [...loadBalancers.values()].find((lb) => lb.name === name);
      if (existing) {
        // Repeating the call with the same settings returns the load balancer; other settings are an error.
        if (existing.type !== type || existing.scheme !== scheme) throw elbError('DuplicateLoadBalancerName', `A load balancer with the same name '${name}' exists, but with different settings`);
        return { LoadBalancers: [describeLb(existing)] };
      }
      const id = hex(8);
      const kind = type === 'application' ? 'app' : type === 'network' ? 'net' : 'gwy';
      const lb: LoadBalancer = {
        arn: arnOf(`loadbalancer/${kind}/${name}/${id}`),
        name,
        type,
        scheme,
        dnsName: `${scheme === 'internal' ? 'internal-' : ''}${name}-${parseInt(id.slice(0, 8), 16)}.${region}.elb.amazonaws.com`,
        createdAt: now(),
        subnets,
        securityGroups: list(input.SecurityGroups),
        ipAddressType: input.IpAddressType ?? 'ipv4',
        listeners: new Set(),
      };
      loadBalancers.set(lb.arn, lb);
      return { LoadBalancers: [describeLb(lb)] };
    },
    DescribeLoadBalancers: (input) => {
      const arns = list<string>(input.LoadBalancerArns);
      const names = list<string>(input.Names);
      const found = select([...loadBalancers.values()], (lb) => [lb.arn, lb.name], arns, names, (missing) => elbError('LoadBalancerNotFound', `Load balancers '[${missing.join(', ')}]' not found`));
      const p = page(found, input);
      return { LoadBalancers: p.items.map(describeLb), NextMarker: p.next };
    },
    DeleteLoadBalancer: (input) => {
      // Deleting a load balancer that does not exist succeeds.
      // https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DeleteLoadBalancer.html
      const lb = loadBalancers.get(input.LoadBalancerArn);
      if (!lb) return {};
      for (const l of lb.listeners) {
        for (const r of l.rules.keys()) rules.delete(r);
        rules.delete(l.defaultRule.ruleArn);
        listeners.delete(l.arn);
      }
      loadBalancers.delete(lb.arn);
      reassociate(now());
      return {};
    },

    CreateTargetGroup: (input) => {
      const name = checkName('target group', input.Name);
      const targetType = enumParam(input.TargetType, 'targetType', TARGET_TYPES) ?? 'instance';
      const protocol = enumParam(input.Protocol, 'protocol', PROTOCOLS);
      const port = intParam(input.Port, 'port', { min: 1, max: 65535 });
      if (targetType !== 'lambda') {
        if (!protocol) throw validationError('A protocol must be specified');
        if (port === undefined) throw validationError('A port must be specified');
        if (!input.VpcId) throw validationError('A VPC ID must be specified');
      }
      const healthCheck = healthSettings(input, protocol, targetType);
      const existing = [...groups.values()].find((g) => g.targetGroupName === name);
      if (existing) {
        if (existing.protocol !== protocol || existing.port !== port || existing.targetType !== targetType || existing.vpcId !== input.VpcId) {
          throw elbError('DuplicateTargetGroupName', `A target group with the same name '${name}' exists, but with different settings`);
        }
        return { TargetGroups: [describeGroup(existing)] };
      }
      const g = {
        targetGroupArn: arnOf(`targetgroup/${name}/${hex(8)}`),
        targetGroupName: name,
        protocol,
        protocolVersion: protocol === 'HTTP' || protocol === 'HTTPS' ? (input.ProtocolVersion ?? 'HTTP1') : undefined,
        port,
        vpcId: input.VpcId,
        targetType,
        healthCheck,
        deregistrationDelaySeconds: 300,
        loadBalancerArns: [],
        attributes: new Map(Object.entries(TARGET_GROUP_ATTRIBUTES)),
        createdAt: now(),
        targets: new Map(),
      } as unknown as Group;
      g.checker = new HealthChecker(
        clock,
        () => g.healthCheck,
        () => inUse(g),
        (t, _previous, at) => emit(g, t, at),
      );
      groups.set(g.targetGroupArn, g);
      return { TargetGroups: [describeGroup(g)] };
    },
    DescribeTargetGroups: (input) => {
      const arns = list<string>(input.TargetGroupArns);
      const names = list<string>(input.Names);
      let all = [...groups.values()];
      if (input.LoadBalancerArn) {
        findLoadBalancer(input.LoadBalancerArn);
        all = all.filter((g) => g.loadBalancerArns.includes(input.LoadBalancerArn));
      }
      const found = select(all, (g) => [g.targetGroupArn, g.targetGroupName], arns, names, (missing) => elbError('TargetGroupNotFound', `Target groups '[${missing.join(', ')}]' not found`));
      const p = page(found, input);
      return { TargetGroups: p.items.map(describeGroup), NextMarker: p.next };
    },
    ModifyTargetGroup: (input) => {
      const g = group(input.TargetGroupArn);
      g.healthCheck = healthSettings(input, g.protocol, g.targetType, g.healthCheck);
      const at = now();
      for (const t of g.targets.values()) g.checker.recheck(t, at);
      return { TargetGroups: [describeGroup(g)] };
    },
    DeleteTargetGroup: (input) => {
      const g = groups.get(input.TargetGroupArn);
      if (!g) return {};
      if (g.loadBalancerArns.length) throw elbError('ResourceInUse', `Target group '${g.targetGroupArn}' is currently in use by a listener or a rule`);
      for (const t of g.targets.values()) t.generation++;
      groups.delete(g.targetGroupArn);
      return {};
    },
    DescribeTargetGroupAttributes: (input) => {
      const g = group(input.TargetGroupArn);
      return { Attributes: [...g.attributes].map(([Key, Value]) => ({ Key, Value })) };
    },
    ModifyTargetGroupAttributes: (input) => {
      const g = group(input.TargetGroupArn);
      const attrs = list<any>(input.Attributes);
      if (attrs.length === 0) throw validationError('At least one attribute must be specified');
      for (const { Key, Value } of attrs) {
        if (!(Key in TARGET_GROUP_ATTRIBUTES)) throw validationError(`Target group attribute key '${Key}' is not recognized`);
        if (Key === 'deregistration_delay.timeout_seconds') {
          // "The range is 0-3600 seconds. The default value is 300 seconds."
          const n = Number(Value);
          if (!Number.isInteger(n) || n < 0 || n > 3600) throw validationError(`'${Value}' is not a valid value for '${Key}'; it must be an integer from 0 to 3600`);
          g.deregistrationDelaySeconds = n;
        }
        if (Key === 'stickiness.enabled' && Value !== 'true' && Value !== 'false') throw validationError(`'${Value}' is not a valid value for '${Key}'; it must be 'true' or 'false'`);
        g.attributes.set(Key, String(Value));
      }
      return { Attributes: [...g.attributes].map(([Key, Value]) => ({ Key, Value })) };
    },

    RegisterTargets: (input) => {
      const g = group(input.TargetGroupArn);
      const targets = list<any>(input.Targets);
      if (targets.length === 0) throw validationError('At least one target must be specified');
      const at = now();
      const refs = targets.map((t, i) => checkTarget(g, t, i));
      for (const ref of refs) register(g, ref, at);
      return {};
    },
    DeregisterTargets: (input) => {
      const g = group(input.TargetGroupArn);
      const targets = list<any>(input.Targets);
      if (targets.length === 0) throw validationError('At least one target must be specified');
      const at = now();
      const found = targets.map((t, i) => {
        const ref = checkTarget(g, t, i);
        const hit = g.targets.get(targetKey(ref.id, ref.port));
        if (!hit) throw elbError('InvalidTarget', `The following targets are not registered in target group '${g.targetGroupArn}': '${ref.id}'`);
        return hit;
      });
      for (const t of found) deregister(g, t, at);
      return {};
    },
    DescribeTargetHealth: (input) => {
      const g = group(input.TargetGroupArn);
      const asked = list<any>(input.Targets);
      const port = (t: RegisteredTarget | undefined, ref: TargetRef) => (g.healthCheck.port === 'traffic-port' ? String(t?.ref.port ?? ref.port ?? g.port) : g.healthCheck.port);
      const describe = (ref: TargetRef, t: RegisteredTarget | undefined) => ({ Target: { Id: ref.id, Port: ref.port, AvailabilityZone: ref.availabilityZone }, HealthCheckPort: port(t, ref), TargetHealth: toWireHealth(view(g, t)) });
      if (asked.length) {
        return {
          TargetHealthDescriptions: asked.map((a, i) => {
            const ref = checkTarget(g, a, i);
            const t = findTarget(g, ref.id, a.Port === undefined ? undefined : ref.port);
            return describe(t?.ref ?? ref, t);
          }),
        };
      }
      return { TargetHealthDescriptions: [...g.targets.values()].map((t) => describe(t.ref, t)) };
    },

    CreateListener: (input) => {
      const lb = findLoadBalancer(input.LoadBalancerArn);
      const port = intParam(input.Port, 'port', { min: 1, max: 65535 });
      const protocol = enumParam(input.Protocol, 'protocol', PROTOCOLS);
      if (lb.type === 'application') {
        if (protocol && protocol !== 'HTTP' && protocol !== 'HTTPS') throw elbError('UnsupportedProtocol', `Protocol '${protocol}' is not supported by Application Load Balancers; use HTTP or HTTPS`);
        if (port === undefined) throw validationError('A listener port must be specified');
      }
      if (protocol === 'HTTPS' && list(input.Certificates).length === 0) throw validationError('A certificate must be specified for HTTPS listeners');
      if ([...lb.listeners].some((l) => l.port === port)) throw elbError('DuplicateListener', 'A listener already exists on this port for this load balancer');
      const actions = checkActions(input.DefaultActions, 'defaultActions', lb);
      const id = hex(8);
      const arn = arnOf(`listener/${lb.arn.split(':loadbalancer/')[1]}/${id}`);
      const l: Listener = {
        arn,
        loadBalancer: lb,
        protocol: protocol ?? (lb.type === 'application' ? 'HTTP' : undefined),
        port,
        certificates: list(input.Certificates),
        sslPolicy: protocol === 'HTTPS' || protocol === 'TLS' ? (input.SslPolicy ?? 'ELBSecurityPolicy-2016-08') : undefined,
        defaultRule: { ruleArn: arn.replace(':listener/', ':listener-rule/') + `/${hex(8)}`, listenerArn: arn, priority: 'default', isDefault: true, conditions: [], actions },
        rules: new Map(),
      };
      lb.listeners.add(l);
      listeners.set(arn, l);
      rules.set(l.defaultRule.ruleArn, { rule: l.defaultRule, listener: l });
      reassociate(now());
      return { Listeners: [describeListener(l)] };
    },
    DescribeListeners: (input) => {
      const arns = list<string>(input.ListenerArns);
      let found: Listener[];
      if (arns.length) found = arns.map(findListener);
      else if (input.LoadBalancerArn) found = [...findLoadBalancer(input.LoadBalancerArn).listeners];
      else throw validationError('A load balancer ARN or listener ARNs must be specified');
      const p = page(found, input);
      return { Listeners: p.items.map(describeListener), NextMarker: p.next };
    },
    ModifyListener: (input) => {
      const l = findListener(input.ListenerArn);
      const port = intParam(input.Port, 'port', { min: 1, max: 65535 });
      if (port !== undefined && port !== l.port && [...l.loadBalancer.listeners].some((o) => o.port === port)) throw elbError('DuplicateListener', 'A listener already exists on this port for this load balancer');
      const protocol = enumParam(input.Protocol, 'protocol', PROTOCOLS);
      const actions = input.DefaultActions !== undefined ? checkActions(input.DefaultActions, 'defaultActions', l.loadBalancer) : undefined;
      if (port !== undefined) l.port = port;
      if (protocol) l.protocol = protocol;
      if (input.Certificates) l.certificates = list(input.Certificates);
      if (actions) l.defaultRule.actions = actions;
      reassociate(now());
      return { Listeners: [describeListener(l)] };
    },
    DeleteListener: (input) => {
      const l = findListener(input.ListenerArn);
      for (const r of l.rules.keys()) rules.delete(r);
      rules.delete(l.defaultRule.ruleArn);
      l.loadBalancer.listeners.delete(l);
      listeners.delete(l.arn);
      reassociate(now());
      return {};
    },

    CreateRule: (input) => {
      const l = findListener(input.ListenerArn);
      const priority = intParam(input.Priority, 'priority', { min: 1, max: 50000 });
      if (priority === undefined) throw validationError('A rule priority must be specified');
      if ([...l.rules.values()].some((r) => r.priority === String(priority))) throw elbError('PriorityInUse', `Priority '${priority}' is currently in use`);
      const conditions = checkConditions(input.Conditions);
      const actions = checkActions(input.Actions, 'actions', l.loadBalancer);
      const rule: ListenerRule = { ruleArn: l.arn.replace(':listener/', ':listener-rule/') + `/${hex(8)}`, listenerArn: l.arn, priority: String(priority), isDefault: false, conditions, actions };
      l.rules.set(rule.ruleArn, rule);
      rules.set(rule.ruleArn, { rule, listener: l });
      reassociate(now());
      return { Rules: [describeRule(rule)] };
    },
    DescribeRules: (input) => {
      const arns = list<string>(input.RuleArns);
      let found: ListenerRule[];
      if (arns.length) {
        found = arns.map((a) => rules.get(a)?.rule!);
        if (found.some((r) => !r)) throw elbError('RuleNotFound', 'One or more rules not found');
      } else if (input.ListenerArn) {
        const l = findListener(input.ListenerArn);
        found = [...[...l.rules.values()].sort((a, b) => Number(a.priority) - Number(b.priority)), l.defaultRule];
      } else throw validationError('A listener ARN or rule ARNs must be specified');
      const p = page(found, input);
      return { Rules: p.items.map(describeRule), NextMarker: p.next };
    },
    ModifyRule: (input) => {
      const hit = rules.get(input.RuleArn);
      if (!hit) throw elbError('RuleNotFound', 'One or more rules not found');
      const conditions = input.Conditions !== undefined ? checkConditions(input.Conditions) : undefined;
      if (conditions && hit.rule.isDefault) throw elbError('OperationNotPermitted', 'Conditions cannot be set on a default rule');
      const actions = input.Actions !== undefined ? checkActions(input.Actions, 'actions', hit.listener.loadBalancer) : undefined;
      if (conditions) hit.rule.conditions = conditions;
      if (actions) hit.rule.actions = actions;
      reassociate(now());
      return { Rules: [describeRule(hit.rule)] };
    },
    DeleteRule: (input) => {
      const hit = rules.get(input.RuleArn);
      if (!hit) throw elbError('RuleNotFound', 'One or more rules not found');
      if (hit.rule.isDefault) throw elbError('OperationNotPermitted', 'Default rules cannot be deleted');
      hit.listener.rules.delete(hit.rule.ruleArn);
      rules.delete(hit.rule.ruleArn);
      reassociate(now());
      return {};
    },
  };

  /**
   * A target as RegisterTargets names it: an IPv4 address for `ip` groups, an instance ID for `instance`;
   * the port defaults to the group's. https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetDescription.html
   */
  function checkTarget(g: Group, t: any, i: number): TargetRef {
    const id = t?.Id;
    if (typeof id !== 'string' || !id) throw validationError(`A target ID must be specified (targets.${i + 1})`);
    if (g.targetType === 'ip' && !/^(\d{1,3})(\.\d{1,3}){3}$/.test(id)) throw elbError('InvalidTarget', `The IP address '${id}' is not a valid IPv4 address`);
    if (g.targetType === 'instance' && !/^i-[0-9a-f]{8,17}$/.test(id)) throw elbError('InvalidTarget', `The instance ID '${id}' is not valid`);
    const port = intParam(t.Port, `targets.${i + 1}.member.port`, { min: 1, max: 65535 }) ?? g.port;
    return { id, port, availabilityZone: t.AvailabilityZone };
  }

  const store: LoadBalancing = {
    targetGroup: (arn) => groups.get(arn),
    registerTarget: (arn, target, at, probe) => {
      const g = groups.get(arn);
      if (g) register(g, { ...target, port: target.port ?? g.port }, at, probe);
    },
    deregisterTarget: (arn, id, at, port) => {
      const g = groups.get(arn);
      const t = g && findTarget(g, id, port);
      return g && t ? deregister(g, t, at) : 0;
    },
    targetHealth: (arn, id, port) => {
      const g = groups.get(arn);
      return g ? view(g, findTarget(g, id, port)) : undefined;
    },
    probeChanged: (arn, id, at, port) => {
      const g = groups.get(arn);
      const t = g && findTarget(g, id, port);
      if (g && t) g.checker.recheck(t, at);
    },
    rule: (arn) => findRule(arn)?.rule,
    forwardWeights: (arn) => {
      const hit = findRule(arn);
      return hit ? forwardOf(hit.rule) : [];
    },
    setForwardWeights: (arn, weights, at) => {
      const hit = findRule(arn);
      if (!hit) throw new Error(`no listener rule ${arn}`);
      const forward = { Type: 'forward', TargetGroupArn: weights.length === 1 ? weights[0]!.targetGroupArn : undefined, ForwardConfig: { TargetGroups: weights.map((w) => ({ TargetGroupArn: w.targetGroupArn, Weight: w.weight })), TargetGroupStickinessConfig: { Enabled: false } } };
      const others = (hit.rule.actions as any[]).filter((a) => a.Type !== 'forward');
      hit.rule.actions = [...others, forward];
      reassociate(at);
    },
    onTargetHealthChange: (l) => void healthListeners.push(l),
    onTargetUnhealthy: (l) => void unhealthyListeners.push(l),
  };

  /**
   * Control: `setTargetHealth` makes a target registered by hand (RegisterTargets) answer health checks
   * with `status` (an HTTP code, "timeout" or "refused"); tasks answer as their image behaviour says.
   */
  const control: Record<string, ControlHandler> = {
    setTargetHealth: (body: { targetGroupArn?: string; targetId?: string; port?: number; status?: number | 'timeout' | 'refused' }) => {
      const g = groups.get(String(body?.targetGroupArn));
      if (!g) throw new Error(`setTargetHealth: no target group '${body?.targetGroupArn}' in ${region}; create it with CreateTargetGroup first`);
      const t = findTarget(g, String(body.targetId), body.port);
      if (!t) throw new Error(`setTargetHealth: target '${body.targetId}' is not registered in ${g.targetGroupName}; register it with RegisterTargets first`);
      const status = body.status;
      if (!(status === 'timeout' || status === 'refused' || (Number.isInteger(status) && (status as number) >= 100 && (status as number) <= 599))) {
        throw new Error(`setTargetHealth: status must be an HTTP status code (100-599), "timeout" or "refused", got ${JSON.stringify(status)}`);
      }
      t.probe = () => status!;
      g.checker.recheck(t, now());
      return {};
    },
  };

  return {
    service: { name: 'elasticloadbalancing', targetPrefix: `${QUERY_PREFIX}2015-12-01`, operations } satisfies JsonService,
    control,
    store,
  };
}

/**
 * What a Describe call selects: the resources its ARNs name, else the ones its names name, else all; any
 * ARN or name that matches nothing is an error naming them.
 */
function select<T>(all: T[], keys: (x: T) => [arn: string, name: string], arns: string[], names: string[], notFound: (missing: string[]) => Error): T[] {
  const wanted = arns.length ? arns : names;
  if (!wanted.length) return all;
  const at = arns.length ? 0 : 1;
  const byKey = new Map(all.map((x) => [keys(x)[at], x]));
  const missing = wanted.filter((k) => !byKey.has(k));
  if (missing.length) throw notFound(missing);
  return wanted.map((k) => byKey.get(k)!);
}

const toWireHealth = (h: TargetHealth) => ({ State: h.state, Reason: h.reason, Description: h.description });
