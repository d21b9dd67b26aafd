// Scenario sections that create AWS resources (README, "Scenario resources"; our choice: AWS has no
// scenario file): load balancers with target groups and weighted listener rules, CloudWatch alarms and
// lifecycle hook answers. Everything is checked through the unmodified SDK clients.
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/alb-resources-for-blue-green.html
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { CreateClusterCommand, ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { startSimulator, type Simulator } from '../src/index.js';
import { sdkConfig } from '../src/testing.js';
import { createWebService, LAMBDA_ROLE, latestDeployment, ruleWeight, sequence, watch, webRevision, type Alb, type StrategyHarness } from './strategy-harness.js';

const EXAMPLE = join(dirname(fileURLToPath(import.meta.url)), '..', 'examples', 'blue-green-web.yaml');
const SMOKE_TEST = 'arn:aws:lambda:us-east-1:123456789012:function:web-smoke-test';

async function harness(scenario?: string): Promise<StrategyHarness & { sim: Simulator }> {
  const sim = await startSimulator({ port: 0, speed: 0, start: new Date('2026-03-01T00:00:00Z'), scenario });
  const config = sdkConfig(sim, { maxAttempts: 1 });
  const ecs = new ECSClient(config);
  const elb = new ElasticLoadBalancingV2Client(config);
  const cloudwatch = new CloudWatchClient(config);
  return {
    sim,
    ecs,
    elb,
    cloudwatch,
    advance: (seconds: number) => sim.clock.advance(seconds * 1000),
    stop: async () => {
      for (const c of [ecs, elb, cloudwatch]) c.destroy();
      await sim.stop();
    },
  } as unknown as StrategyHarness & { sim: Simulator };
}

describe('scenario resources from the example file (startSimulator({ scenario }))', () => {
  let h: StrategyHarness & { sim: Simulator };
  beforeAll(async () => {
    h = await harness(EXAMPLE);
  });
  afterAll(() => h.stop());

  it('returns the ARNs it created, by name', () => {
    const created = h.sim.scenario!.created!;
    expect(h.sim.scenario!.loaded).toBe(1);
    expect(created.region).toBe('us-east-1');
    expect(created.loadBalancers).toEqual({ 'web-alb': expect.stringMatching(/^arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer\/app\/web-alb\//) });
    expect(Object.keys(created.targetGroups)).toEqual(['web-blue', 'web-green']);
    expect(Object.keys(created.listeners)).toEqual(['web-alb:80', 'web-alb:8080']);
    expect(Object.keys(created.rules)).toEqual(['production', 'test']);
    expect(created.alarms).toEqual({ 'web-5xx': 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:web-5xx' });
    expect(created.hookOutcomes).toEqual([SMOKE_TEST]);
  });

  it('creates target groups with their health checks and deregistration delay, listeners and weighted rules, and alarms in their state', async () => {
    const { targetGroups, rules, listeners, loadBalancers } = h.sim.scenario!.created!;
    const groups = (await h.elb.send(new DescribeTargetGroupsCommand({ Names: ['web-blue', 'web-green'] }))).TargetGroups!;
    for (const g of groups) {
      expect(g).toMatchObject({ Protocol: 'HTTP', Port: 80, TargetType: 'ip', HealthCheckPath: '/up', HealthCheckIntervalSeconds: 10, HealthCheckTimeoutSeconds: 5, HealthyThresholdCount: 2, UnhealthyThresholdCount: 2, Matcher: { HttpCode: '200-299' } });
      expect(g.LoadBalancerArns).toEqual([loadBalancers['web-alb']]);
      const attrs = (await h.elb.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: g.TargetGroupArn }))).Attributes!;
      expect(attrs.find((a) => a.Key === 'deregistration_delay.timeout_seconds')?.Value).toBe('5');
    }
    const ls = (await h.elb.send(new DescribeListenersCommand({ LoadBalancerArn: loadBalancers['web-alb'] }))).Listeners!;
    expect(ls.map((l) => [l.Port, l.ListenerArn]).sort()).toEqual([
      [80, listeners['web-alb:80']],
      [8080, listeners['web-alb:8080']],
    ]);
    const production = (await h.elb.send(new DescribeRulesCommand({ RuleArns: [rules.production!] }))).Rules![0]!;
    expect(production).toMatchObject({ Priority: '1', Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/*'] } }] });
    expect(await ruleWeight(h.elb, rules.production!, targetGroups['web-blue']!)).toBe(100);
    expect(await ruleWeight(h.elb, rules.test!, targetGroups['web-green']!)).toBe(0);
    const alarm = (await h.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: ['web-5xx'] }))).MetricAlarms![0]!;
    expect(alarm).toMatchObject({ StateValue: 'OK', AlarmDescription: 'Target 5XX responses of web-alb' });
  });

  it('a BLUE_GREEN service created over it through the ECS API reaches SUCCESSFUL, the scenario answering its Lambda hook', async () => {
    const { targetGroups, rules } = h.sim.scenario!.created!;
    const alb: Alb = { blueTargetGroup: targetGroups['web-blue']!, greenTargetGroup: targetGroups['web-green']!, productionRule: rules.production!, testRule: rules.test! };
    await h.ecs.send(new CreateClusterCommand({ clusterName: 'prod' }));
    const v1 = await webRevision(h, 'web', 'v1');
    await createWebService(
      h,
      'prod',
      'web',
      v1,
      {
        strategy: 'BLUE_GREEN',
        bakeTimeInMinutes: 1,
        alarms: { alarmNames: ['web-5xx'], enable: true, rollback: true },
        lifecycleHooks: [{ hookTargetArn: SMOKE_TEST, roleArn: LAMBDA_ROLE, lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'] }],
      },
      alb,
    );
    await h.advance(60);
    const v2 = await webRevision(h, 'web', 'v2');
    await h.ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: 'web', taskDefinition: v2 }));
    const started = await latestDeployment(h.ecs, 'prod', 'web');
    const seen = await watch(h, started.serviceDeploymentArn!, alb, 400);
    expect(seen.at(-1)!.status).toBe('SUCCESSFUL');
    expect(sequence(seen.map((o) => o.production))).toEqual([0, 100]);
    expect(sequence(seen.map((o) => o.stage))).toContain('POST_TEST_TRAFFIC_SHIFT');
    const { invocations } = await h.sim.control.hookInvocations!({ hookTargetArn: SMOKE_TEST });
    expect(invocations.map((i: { lifecycleStage: string; answer: string }) => [i.lifecycleStage, i.answer])).toEqual([['POST_TEST_TRAFFIC_SHIFT', 'SUCCEEDED']]);
  }, 120_000);

  it('loading the same file again is refused before anything changes: the load balancer exists', async () => {
    const res = await fetch(`${h.sim.endpoint}/_sim/loadScenario`, { method: 'POST', body: JSON.stringify({ path: EXAMPLE }) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe(`scenario ${EXAMPLE}: loadBalancers[0].name: a load balancer 'web-alb' already exists in us-east-1; delete it or rename it in the scenario`);
    expect((await h.elb.send(new DescribeTargetGroupsCommand({}))).TargetGroups).toHaveLength(2);
  });
});

describe('scenario resources over the control API', () => {
  let h: StrategyHarness & { sim: Simulator };
  const dir = mkdtempSync(join(tmpdir(), 'gantry-scenario-res-'));
  const post = (op: string, body: unknown) => fetch(`${h.sim.endpoint}/_sim/${op}`, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) });
  beforeAll(async () => {
    h = await harness();
  });
  afterAll(async () => {
    await h.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const lb = (listeners: unknown[], targetGroups: unknown[] = [{ name: 'api-a' }, { name: 'api-b' }]) => ({ loadBalancers: [{ name: 'api-alb', targetGroups, listeners }] });

  it('creates them in the scenario region, with defaults, and returns their ARNs', async () => {
    const res = await post('loadScenario', {
      scenario: {
        region: 'eu-west-1',
        ...lb([{ port: 80, forward: [{ targetGroup: 'api-a', weight: 90 }, { targetGroup: 'api-b', weight: 10 }], rules: [{ priority: 5, hostHeaders: ['api.example.com'], forward: 'api-b' }] }]),
        alarms: [{ name: 'api-latency' }, { name: 'api 5xx ✓', state: 'ALARM', description: 'Ünïcode, "quotes", a=b; 1,2' }],
        hookOutcomes: { 'arn:aws:lambda:eu-west-1:123456789012:function:check': { outcome: 'IN_PROGRESS', callbackDelaySeconds: 45 } },
      },
    });
    expect(res.status).toBe(200);
    const { loaded, created } = (await res.json()) as { loaded: number; created: Record<string, any> };
    expect(loaded).toBe(0);
    expect(created.region).toBe('eu-west-1');
    expect(created.targetGroups['api-a']).toMatch(/^arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup\/api-a\//);
    expect(Object.keys(created.rules)).toEqual(['api-alb:80/5']);

    const eu = sdkConfig(h.sim, { region: 'eu-west-1', maxAttempts: 1 });
    const elb = new ElasticLoadBalancingV2Client(eu);
    const cw = new CloudWatchClient(eu);
    try {
      // Defaults: HTTP:80 ip target groups, health checks as CreateTargetGroup sets them, 300 s delay.
      const g = (await elb.send(new DescribeTargetGroupsCommand({ Names: ['api-a'] }))).TargetGroups![0]!;
      expect(g).toMatchObject({ Protocol: 'HTTP', Port: 80, TargetType: 'ip', HealthCheckPath: '/', HealthCheckIntervalSeconds: 30 });
      const attrs = (await elb.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: g.TargetGroupArn }))).Attributes!;
      expect(attrs.find((a) => a.Key === 'deregistration_delay.timeout_seconds')?.Value).toBe('300');
      const [rule, byDefault] = (await elb.send(new DescribeRulesCommand({ ListenerArn: created.listeners['api-alb:80'] }))).Rules!;
      expect(rule).toMatchObject({ RuleArn: created.rules['api-alb:80/5'], Priority: '5', Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: ['api.example.com'] } }] });
      expect(rule!.Actions![0]!.ForwardConfig!.TargetGroups).toEqual([{ TargetGroupArn: created.targetGroups['api-b'], Weight: 1 }]);
      expect(byDefault).toMatchObject({ IsDefault: true });
      expect(byDefault!.Actions![0]!.ForwardConfig!.TargetGroups).toEqual([
        { TargetGroupArn: created.targetGroups['api-a'], Weight: 90 },
        { TargetGroupArn: created.targetGroups['api-b'], Weight: 10 },
      ]);
      expect((await cw.send(new DescribeAlarmsCommand({ AlarmNames: ['api-latency'] }))).MetricAlarms![0]!.StateValue).toBe('INSUFFICIENT_DATA');
      expect((await cw.send(new DescribeAlarmsCommand({ AlarmNames: ['api 5xx ✓'] }))).MetricAlarms![0]).toMatchObject({ StateValue: 'ALARM', AlarmDescription: 'Ünïcode, "quotes", a=b; 1,2' });
      // Not in the default region.
      expect((await h.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: ['api-latency'] }))).MetricAlarms).toEqual([]);
      await expect(h.elb.send(new DescribeLoadBalancersCommand({ Names: ['api-alb'] }))).rejects.toMatchObject({ name: 'LoadBalancerNotFoundException' });
    } finally {
      elb.destroy();
      cw.destroy();
    }
  });

  const tgs = [{ name: 'bad-a' }, { name: 'bad-b' }];
  it.each([
    ['a listener port that is not a number', lb([{ port: 80, forward: 'api-a' }, { port: '80a', forward: 'api-a' }]), 'scenario: loadBalancers[0].listeners[1].port must be a whole number, got "80a"'],
    ['an unknown health check field', lb([], [{ name: 'bad-a', healthCheck: { intervalSecs: 10 } }]), "scenario: loadBalancers[0].targetGroups[0].healthCheck: unknown field 'intervalSecs' (known: enabled, protocol, port, path, intervalSeconds, timeoutSeconds, healthyThresholdCount, unhealthyThresholdCount, matcher)"],
    ['a forward to a target group the load balancer does not have', lb([{ port: 80, forward: [{ targetGroup: 'bad-c', weight: 1 }] }], tgs), "scenario: loadBalancers[0].listeners[0].forward[0].targetGroup: no target group 'bad-c' in this load balancer's targetGroups (bad-a, bad-b)"],
    ['a missing listener forward', lb([{ port: 80 }], tgs), 'scenario: loadBalancers[0].listeners[0].forward is required'],
    ['a target group defined twice', lb([], [{ name: 'bad-a' }, { name: 'bad-a' }]), "scenario: loadBalancers[0].targetGroups[1].name: target group 'bad-a' is defined twice"],
    ['an unknown alarm state', { alarms: [{ name: 'x', state: 'RED' }] }, 'scenario: alarms[0].state must be one of OK, ALARM, INSUFFICIENT_DATA, got "RED"'],
    ['an unknown hook outcome', { hookOutcomes: { 'arn:aws:lambda:us-east-1:123456789012:function:f': 'PASSED' } }, `scenario: hookOutcomes['arn:aws:lambda:us-east-1:123456789012:function:f']: outcome must be SUCCEEDED, FAILED or IN_PROGRESS (got "PASSED")`],
    ['a region that is not one', { region: 'Mars', alarms: [] }, 'scenario: region must be a region name such as us-east-1 or eu-west-1, got "Mars"'],
    ['a callback delay that is not whole seconds', { hookOutcomes: { 'arn:aws:lambda:us-east-1:123456789012:function:f': { outcome: 'IN_PROGRESS', callbackDelaySeconds: 0.5 } } }, `scenario: hookOutcomes['arn:aws:lambda:us-east-1:123456789012:function:f']: callbackDelaySeconds must be a positive whole number of seconds (got 0.5)`],
    ['hookOutcomes that is a list', { hookOutcomes: ['SUCCEEDED'] }, 'scenario: hookOutcomes must be a map from a Lambda function ARN to its outcome (SUCCEEDED, FAILED, IN_PROGRESS) or { outcome, callbackDelaySeconds }'],
    ['loadBalancers that is not a list', { loadBalancers: { name: 'x' } }, 'scenario: loadBalancers must be a list'],
  ])('%s → 400 naming the path, nothing created', async (_name, scenario, message) => {
    const res = await post('loadScenario', { scenario: { ...scenario, alarms: (scenario as { alarms?: unknown }).alarms ?? [{ name: 'never-created' }] } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe(message);
    expect((await h.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: ['never-created'] }))).MetricAlarms).toEqual([]);
  });

  it('a value ELBv2 rejects fails with the path and the API message before anything is created', async () => {
    const bad = { loadBalancers: [{ name: 'half-alb', targetGroups: [{ name: 'half-a' }, { name: 'half-b', healthCheck: { intervalSeconds: 10, timeoutSeconds: 10 } }], listeners: [{ port: 80, forward: 'half-a' }] }] };
    const res = await post('loadScenario', { scenario: bad });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe("scenario: loadBalancers[0].targetGroups[1]: CreateTargetGroup: Health check timeout '10' must be smaller than the interval '10'");
    await expect(h.elb.send(new DescribeLoadBalancersCommand({ Names: ['half-alb'] }))).rejects.toMatchObject({ name: 'LoadBalancerNotFoundException' });
    await expect(h.elb.send(new DescribeTargetGroupsCommand({ Names: ['half-a'] }))).rejects.toMatchObject({ name: 'TargetGroupNotFoundException' });
  });

  it('loads the example written with CRLF line endings from a path, as an editor on Windows saves it', async () => {
    const file = join(dir, 'crlf.yaml');
    writeFileSync(file, readFileSync(EXAMPLE, 'utf8').replace(/\n/g, '\r\n'));
    const res = await post('loadScenario', { path: file });
    expect(res.status).toBe(200);
    const { loaded, created } = (await res.json()) as { loaded: number; created: Record<string, Record<string, string>> };
    expect(loaded).toBe(1);
    expect(Object.keys(created.rules!)).toEqual(['production', 'test']);
    const g = (await h.elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [created.targetGroups!['web-green']!] }))).TargetGroups![0]!;
    expect(g).toMatchObject({ TargetGroupName: 'web-green', HealthCheckPath: '/up', Matcher: { HttpCode: '200-299' } });
  });

  it('a YAML file with a mistake fails startSimulator naming the file and the path', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'loadBalancers:\n  - name: web-alb\n    targetGroups:\n      - name: web-blue\n        deregistrationDelaySeconds: "5s"\n');
    await expect(startSimulator({ port: 0, speed: 0, scenario: file })).rejects.toThrow(`scenario ${file}: loadBalancers[0].targetGroups[0].deregistrationDelaySeconds must be a whole number, got "5s"`);
  });
});
