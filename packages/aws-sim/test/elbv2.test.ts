// Elastic Load Balancing v2 over the awsQuery protocol, driven by the unmodified
// @aws-sdk/client-elastic-load-balancing-v2 against the simulator.
// https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/Welcome.html
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DeleteListenerCommand,
  DeleteLoadBalancerCommand,
  DeleteRuleCommand,
  DeleteTargetGroupCommand,
  DeregisterTargetsCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ModifyListenerCommand,
  ModifyRuleCommand,
  ModifyTargetGroupAttributesCommand,
  ModifyTargetGroupCommand,
  RegisterTargetsCommand,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { createWebTargetGroup } from '../src/testing.js';
import { failure as error, startLbHarness, type LbHarness } from './lb-harness.js';

let h: LbHarness;
let sim: LbHarness['sim'];
let elbv2: ElasticLoadBalancingV2Client;
let advance: LbHarness['advance'];

beforeAll(async () => {
  h = await startLbHarness();
  ({ sim, elbv2, advance } = h);
});
afterAll(() => h.stop());

const health = async (targetGroupArn: string, targets?: { Id: string; Port?: number }[]) =>
  (await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn, Targets: targets }))).TargetHealthDescriptions!;

describe('load balancers', () => {
  // https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html
  it('creates, describes (by ARN and name) and deletes an Application Load Balancer', async () => {
    const out = await elbv2.send(new CreateLoadBalancerCommand({ Name: 'shop-alb', Subnets: ['subnet-a', 'subnet-b'], SecurityGroups: ['sg-1'] }));
    const lb = out.LoadBalancers![0]!;
    expect(lb.LoadBalancerArn).toMatch(/^arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer\/app\/shop-alb\/[0-9a-f]{16}$/);
    expect(lb).toMatchObject({ Type: 'application', Scheme: 'internet-facing', State: { Code: 'provisioning' }, IpAddressType: 'ipv4', SecurityGroups: ['sg-1'] });
    expect(lb.DNSName).toMatch(/^shop-alb-\d+\.us-east-1\.elb\.amazonaws\.com$/);
    expect(lb.AvailabilityZones!.map((z) => z.SubnetId)).toEqual(['subnet-a', 'subnet-b']);
    advance(30);
    const byName = await elbv2.send(new DescribeLoadBalancersCommand({ Names: ['shop-alb'] }));
    expect(byName.LoadBalancers![0]).toMatchObject({ LoadBalancerArn: lb.LoadBalancerArn, State: { Code: 'active' } });
    await elbv2.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: lb.LoadBalancerArn }));
    expect(await error(elbv2.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [lb.LoadBalancerArn!] })))).toMatchObject({ name: 'LoadBalancerNotFoundException', status: 400 });
    // Deleting it again succeeds, as documented.
    await elbv2.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: lb.LoadBalancerArn }));
  });

  it('rejects one subnet for an ALB, bad names and a name taken with other settings', async () => {
    expect(await error(elbv2.send(new CreateLoadBalancerCommand({ Name: 'one-subnet', Subnets: ['subnet-a'] })))).toMatchObject({ name: 'ValidationError', message: 'At least two subnets in two different Availability Zones must be specified' });
    expect(await error(elbv2.send(new CreateLoadBalancerCommand({ Name: 'bad_name', Subnets: ['subnet-a', 'subnet-b'] })))).toMatchObject({ name: 'ValidationError', message: expect.stringContaining("'bad_name'") });
    expect(await error(elbv2.send(new CreateLoadBalancerCommand({ Name: 'internal-x', Subnets: ['subnet-a', 'subnet-b'] })))).toMatchObject({ name: 'ValidationError' });
    expect(await error(elbv2.send(new CreateLoadBalancerCommand({ Name: 'x'.repeat(33), Subnets: ['subnet-a', 'subnet-b'] })))).toMatchObject({ name: 'ValidationError' });
    await elbv2.send(new CreateLoadBalancerCommand({ Name: 'twice', Subnets: ['subnet-a', 'subnet-b'] }));
    expect(await error(elbv2.send(new CreateLoadBalancerCommand({ Name: 'twice', Subnets: ['subnet-a', 'subnet-b'], Scheme: 'internal' })))).toMatchObject({ name: 'DuplicateLoadBalancerNameException' });
  });
});

describe('target groups', () => {
  // https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html
  it('fills in the documented health check defaults and deregistration delay 300', async () => {
    const out = await elbv2.send(new CreateTargetGroupCommand({ Name: 'defaults', Protocol: 'HTTP', Port: 80, VpcId: 'vpc-1', TargetType: 'ip' }));
    const tg = out.TargetGroups![0]!;
    expect(tg).toMatchObject({
      TargetGroupName: 'defaults',
      TargetType: 'ip',
      HealthCheckProtocol: 'HTTP',
      HealthCheckPort: 'traffic-port',
      HealthCheckPath: '/',
      HealthCheckEnabled: true,
      HealthCheckIntervalSeconds: 30,
      HealthCheckTimeoutSeconds: 5,
      HealthyThresholdCount: 5,
      UnhealthyThresholdCount: 2,
      Matcher: { HttpCode: '200' },
      LoadBalancerArns: [],
    });
    // https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetGroupAttribute.html
    const attrs = await elbv2.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: tg.TargetGroupArn }));
    expect(attrs.Attributes).toContainEqual({ Key: 'deregistration_delay.timeout_seconds', Value: '300' });
    await elbv2.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: tg.TargetGroupArn, Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }] }));
    const after = await elbv2.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: tg.TargetGroupArn }));
    expect(after.Attributes).toContainEqual({ Key: 'deregistration_delay.timeout_seconds', Value: '30' });
    expect(await error(elbv2.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: tg.TargetGroupArn, Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '3601' }] })))).toMatchObject({ name: 'ValidationError', message: expect.stringContaining('0 to 3600') });
    expect(await error(elbv2.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: tg.TargetGroupArn, Attributes: [{ Key: 'no.such.key', Value: '1' }] })))).toMatchObject({ name: 'ValidationError', message: "Target group attribute key 'no.such.key' is not recognized" });
  });

  it('checks health check settings against their documented ranges', async () => {
    const base = { Protocol: 'HTTP' as const, Port: 80, VpcId: 'vpc-1', TargetType: 'ip' as const };
    expect(await error(elbv2.send(new CreateTargetGroupCommand({ ...base, Name: 'to', HealthCheckIntervalSeconds: 10, HealthCheckTimeoutSeconds: 10 })))).toMatchObject({
      name: 'ValidationError',
      message: "Health check timeout '10' must be smaller than the interval '10'",
    });
    expect(await error(elbv2.send(new CreateTargetGroupCommand({ ...base, Name: 'thr', HealthyThresholdCount: 11 })))).toMatchObject({
      name: 'ValidationError',
      message: "1 validation error detected: Value '11' at 'healthyThresholdCount' failed to satisfy constraint: Member must have value less than or equal to 10",
    });
    expect(await error(elbv2.send(new CreateTargetGroupCommand({ ...base, Name: 'iv', HealthCheckIntervalSeconds: 4 })))).toMatchObject({ name: 'ValidationError', message: expect.stringContaining('greater than or equal to 5') });
    expect(await error(elbv2.send(new CreateTargetGroupCommand({ ...base, Name: 'path', HealthCheckPath: 'health' })))).toMatchObject({ name: 'ValidationError', message: expect.stringContaining("must begin with a '/'") });
    expect(await error(elbv2.send(new CreateTargetGroupCommand({ ...base, Name: 'match', Matcher: { HttpCode: '2xx' } })))).toMatchObject({ name: 'ValidationError', message: expect.stringContaining("'2xx'") });
    expect(await error(elbv2.send(new CreateTargetGroupCommand({ Name: 'noport', Protocol: 'HTTP', VpcId: 'vpc-1' })))).toMatchObject({ name: 'ValidationError', message: 'A port must be specified' });
    const ok = await elbv2.send(new CreateTargetGroupCommand({ ...base, Name: 'dup' }));
    // Same name and settings: the existing group; other settings: DuplicateTargetGroupName.
    const again = await elbv2.send(new CreateTargetGroupCommand({ ...base, Name: 'dup' }));
    expect(again.TargetGroups![0]!.TargetGroupArn).toBe(ok.TargetGroups![0]!.TargetGroupArn);
    expect(await error(elbv2.send(new CreateTargetGroupCommand({ ...base, Name: 'dup', Port: 81 })))).toMatchObject({ name: 'DuplicateTargetGroupNameException' });
    const modified = await elbv2.send(new ModifyTargetGroupCommand({ TargetGroupArn: ok.TargetGroups![0]!.TargetGroupArn, HealthCheckPath: '/up', Matcher: { HttpCode: '200-299' } }));
    expect(modified.TargetGroups![0]).toMatchObject({ HealthCheckPath: '/up', Matcher: { HttpCode: '200-299' }, HealthCheckIntervalSeconds: 30 });
    expect(await error(elbv2.send(new DescribeTargetGroupsCommand({ Names: ['dup', 'missing-one'] })))).toMatchObject({ name: 'TargetGroupNotFoundException', message: expect.stringContaining('missing-one') });
  });
});

describe('targets and health checks', () => {
  // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html
  // https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetHealth.html
  it('goes unused → initial → healthy; a target answering 502 turns unhealthy with ResponseCodeMismatch', async () => {
    const tg = (await elbv2.send(new CreateTargetGroupCommand({ Name: 'checks', Protocol: 'HTTP', Port: 8080, VpcId: 'vpc-1', TargetType: 'ip', HealthCheckIntervalSeconds: 10, HealthCheckTimeoutSeconds: 5, HealthyThresholdCount: 3, UnhealthyThresholdCount: 2 }))).TargetGroups![0]!;
    const arn = tg.TargetGroupArn!;
    await elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: '10.1.0.10' }, { Id: '10.1.0.11', Port: 9090 }] }));
    // No load balancer uses the group yet.
    expect((await health(arn)).map((d) => d.TargetHealth)).toEqual([
      { State: 'unused', Reason: 'Target.NotInUse', Description: 'Target group is not configured to receive traffic from the load balancer' },
      { State: 'unused', Reason: 'Target.NotInUse', Description: 'Target group is not configured to receive traffic from the load balancer' },
    ]);
    const lb = (await elbv2.send(new CreateLoadBalancerCommand({ Name: 'checks-alb', Subnets: ['subnet-a', 'subnet-b'] }))).LoadBalancers![0]!;
    await elbv2.send(new CreateListenerCommand({ LoadBalancerArn: lb.LoadBalancerArn, Protocol: 'HTTP', Port: 80, DefaultActions: [{ Type: 'forward', TargetGroupArn: arn }] }));
    const [first, second] = await health(arn);
    expect(first).toMatchObject({ Target: { Id: '10.1.0.10', Port: 8080 }, HealthCheckPort: '8080', TargetHealth: { State: 'initial', Reason: 'Elb.RegistrationInProgress', Description: 'Target registration is in progress' } });
    expect(second).toMatchObject({ Target: { Id: '10.1.0.11', Port: 9090 }, HealthCheckPort: '9090' });
    // The second target answers 502 (control API); the first keeps answering 200.
    await sim.control.setTargetHealth!({ targetGroupArn: arn, targetId: '10.1.0.11', status: 502 });
    advance(10);
    const afterOne = await health(arn);
    expect(afterOne[0]!.TargetHealth).toEqual({ State: 'healthy' });
    expect(afterOne[1]!.TargetHealth).toEqual({ State: 'initial', Reason: 'Elb.InitialHealthChecking', Description: 'Initial health checks in progress' });
    advance(10);
    expect((await health(arn, [{ Id: '10.1.0.11', Port: 9090 }]))[0]!.TargetHealth).toEqual({ State: 'unhealthy', Reason: 'Target.ResponseCodeMismatch', Description: 'Health checks failed with these codes: [502]' });
    // Recovers after HealthyThresholdCount (3) passing checks in a row.
    await sim.control.setTargetHealth!({ targetGroupArn: arn, targetId: '10.1.0.11', status: 200 });
    advance(20);
    expect((await health(arn, [{ Id: '10.1.0.11', Port: 9090 }]))[0]!.TargetHealth!.State).toBe('unhealthy');
    advance(10);
    expect((await health(arn, [{ Id: '10.1.0.11', Port: 9090 }]))[0]!.TargetHealth).toEqual({ State: 'healthy' });
    await sim.control.setTargetHealth!({ targetGroupArn: arn, targetId: '10.1.0.10', status: 'timeout' });
    advance(20);
    expect((await health(arn, [{ Id: '10.1.0.10' }]))[0]!.TargetHealth).toEqual({ State: 'unhealthy', Reason: 'Target.Timeout', Description: 'Request timed out' });
  });

  it('drains a deregistered target for the deregistration delay, then reports it not registered', async () => {
    const web = await createWebTargetGroup(elbv2, { name: 'drain', deregistrationDelaySeconds: 45 });
    await elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: web.targetGroupArn, Targets: [{ Id: '10.2.0.1' }] }));
    advance(10);
    await elbv2.send(new DeregisterTargetsCommand({ TargetGroupArn: web.targetGroupArn, Targets: [{ Id: '10.2.0.1' }] }));
    expect((await health(web.targetGroupArn))[0]!.TargetHealth).toEqual({ State: 'draining', Reason: 'Target.DeregistrationInProgress', Description: 'Target deregistration is in progress' });
    advance(44);
    expect((await health(web.targetGroupArn))[0]!.TargetHealth!.State).toBe('draining');
    advance(1);
    expect(await health(web.targetGroupArn)).toEqual([]);
    expect((await health(web.targetGroupArn, [{ Id: '10.2.0.1' }]))[0]!.TargetHealth).toEqual({ State: 'unused', Reason: 'Target.NotRegistered', Description: 'Target is not registered to the target group' });
    expect(await error(elbv2.send(new DeregisterTargetsCommand({ TargetGroupArn: web.targetGroupArn, Targets: [{ Id: '10.2.0.1' }] })))).toMatchObject({ name: 'InvalidTargetException' });
  });

  // https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetDescription.html
  it('rejects targets that do not fit the target type', async () => {
    const web = await createWebTargetGroup(elbv2, { name: 'types' });
    expect(await error(elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: web.targetGroupArn, Targets: [{ Id: 'i-0123456789abcdef0' }] })))).toMatchObject({ name: 'InvalidTargetException', message: "The IP address 'i-0123456789abcdef0' is not a valid IPv4 address" });
    expect(await error(elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: web.targetGroupArn, Targets: [{ Id: '10.0.0.1', Port: 70000 }] })))).toMatchObject({ name: 'ValidationError' });
    expect(await error(elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: `${web.targetGroupArn}0`, Targets: [{ Id: '10.0.0.1' }] })))).toMatchObject({ name: 'TargetGroupNotFoundException' });
  });
});

describe('listeners and rules with weighted forward actions', () => {
  // https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetGroupTuple.html (Weight 0-999)
  // https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateRule.html
  it('creates, modifies and deletes rules; weights outside 0-999 are a ValidationError', async () => {
    const blue = await createWebTargetGroup(elbv2, { name: 'blue' });
    const green = (await elbv2.send(new CreateTargetGroupCommand({ Name: 'green', Protocol: 'HTTP', Port: 8080, VpcId: 'vpc-sim', TargetType: 'ip' }))).TargetGroups![0]!.TargetGroupArn!;
    const weighted = (blueWeight: number, greenWeight: number) => [{ Type: 'forward' as const, ForwardConfig: { TargetGroups: [{ TargetGroupArn: blue.targetGroupArn, Weight: blueWeight }, { TargetGroupArn: green, Weight: greenWeight }] } }];
    const conditions = [{ Field: 'path-pattern', Values: ['/api/*'] }];

    expect(await error(elbv2.send(new CreateRuleCommand({ ListenerArn: blue.listenerArn, Priority: 10, Conditions: conditions, Actions: weighted(1000, 0) })))).toEqual({
      name: 'ValidationError',
      status: 400,
      message: "1 validation error detected: Value '1000' at 'actions.1.member.forwardConfig.targetGroups.1.member.weight' failed to satisfy constraint: Member must have value less than or equal to 999",
    });
    expect(await error(elbv2.send(new CreateRuleCommand({ ListenerArn: blue.listenerArn, Priority: 10, Conditions: conditions, Actions: weighted(1, -1) })))).toMatchObject({
      name: 'ValidationError',
      message: expect.stringContaining("Value '-1' at 'actions.1.member.forwardConfig.targetGroups.2.member.weight'"),
    });
    expect(await error(elbv2.send(new CreateRuleCommand({ ListenerArn: blue.listenerArn, Priority: 10, Conditions: [], Actions: weighted(1, 1) })))).toMatchObject({ name: 'ValidationError' });

    const rule = (await elbv2.send(new CreateRuleCommand({ ListenerArn: blue.listenerArn, Priority: 10, Conditions: conditions, Actions: weighted(999, 0) }))).Rules![0]!;
    expect(rule).toMatchObject({ Priority: '10', IsDefault: false, Conditions: [{ Field: 'path-pattern', Values: ['/api/*'] }] });
    expect(rule.Actions![0]!.ForwardConfig!.TargetGroups).toEqual([
      { TargetGroupArn: blue.targetGroupArn, Weight: 999 },
      { TargetGroupArn: green, Weight: 0 },
    ]);
    expect(await error(elbv2.send(new CreateRuleCommand({ ListenerArn: blue.listenerArn, Priority: 10, Conditions: conditions, Actions: weighted(1, 1) })))).toMatchObject({ name: 'PriorityInUseException', message: "Priority '10' is currently in use" });
    // The green group is now in use by the load balancer.
    const greenTg = (await elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [green] }))).TargetGroups![0]!;
    expect(greenTg.LoadBalancerArns).toEqual([blue.loadBalancerArn]);
    expect(await error(elbv2.send(new DeleteTargetGroupCommand({ TargetGroupArn: green })))).toMatchObject({ name: 'ResourceInUseException' });

    const shifted = (await elbv2.send(new ModifyRuleCommand({ RuleArn: rule.RuleArn, Actions: weighted(10, 90) }))).Rules![0]!;
    expect(shifted.Actions![0]!.ForwardConfig!.TargetGroups!.map((t) => t.Weight)).toEqual([10, 90]);
    const rules = (await elbv2.send(new DescribeRulesCommand({ ListenerArn: blue.listenerArn }))).Rules!;
    expect(rules.map((r) => [r.Priority, r.IsDefault])).toEqual([
      ['10', false],
      ['default', true],
    ]);
    expect(await error(elbv2.send(new DeleteRuleCommand({ RuleArn: rules[1]!.RuleArn })))).toMatchObject({ name: 'OperationNotPermittedException' });
    await elbv2.send(new DeleteRuleCommand({ RuleArn: rule.RuleArn }));
    expect(await error(elbv2.send(new DescribeRulesCommand({ RuleArns: [rule.RuleArn!] })))).toMatchObject({ name: 'RuleNotFoundException' });
    await elbv2.send(new DeleteTargetGroupCommand({ TargetGroupArn: green }));
  });

  // https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateListener.html
  it('creates, modifies and deletes listeners', async () => {
    const web = await createWebTargetGroup(elbv2, { name: 'lis' });
    expect(await error(elbv2.send(new CreateListenerCommand({ LoadBalancerArn: web.loadBalancerArn, Protocol: 'HTTP', Port: 80, DefaultActions: [{ Type: 'forward', TargetGroupArn: web.targetGroupArn }] })))).toMatchObject({ name: 'DuplicateListenerException' });
    expect(await error(elbv2.send(new CreateListenerCommand({ LoadBalancerArn: web.loadBalancerArn, Protocol: 'HTTPS', Port: 443, DefaultActions: [{ Type: 'forward', TargetGroupArn: web.targetGroupArn }] })))).toMatchObject({ name: 'ValidationError', message: 'A certificate must be specified for HTTPS listeners' });
    const modified = await elbv2.send(new ModifyListenerCommand({ ListenerArn: web.listenerArn, Port: 8081 }));
    expect(modified.Listeners![0]).toMatchObject({ Port: 8081, Protocol: 'HTTP', DefaultActions: [{ Type: 'forward', TargetGroupArn: web.targetGroupArn }] });
    const listed = await elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: web.loadBalancerArn }));
    expect(listed.Listeners!.map((l) => l.ListenerArn)).toEqual([web.listenerArn]);
    await elbv2.send(new DeleteListenerCommand({ ListenerArn: web.listenerArn }));
    expect(await error(elbv2.send(new DescribeListenersCommand({ ListenerArns: [web.listenerArn] })))).toMatchObject({ name: 'ListenerNotFoundException' });
    const tg = (await elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [web.targetGroupArn] }))).TargetGroups![0]!;
    expect(tg.LoadBalancerArns).toEqual([]);
  });
});
