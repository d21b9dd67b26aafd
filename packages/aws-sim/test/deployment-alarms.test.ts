// CloudWatch alarms (@aws-sdk/client-cloudwatch) and ECS deployment alarms on rolling deployments.
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/Welcome.html
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-alarm-failure.html
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DeleteAlarmsCommand, DescribeAlarmsCommand, PutMetricAlarmCommand, SetAlarmStateCommand, type CloudWatchClient, type PutMetricAlarmCommandInput } from '@aws-sdk/client-cloudwatch';
import { CreateClusterCommand, DescribeServiceDeploymentsCommand, DescribeServicesCommand, ListServiceDeploymentsCommand, UpdateServiceCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { createFargateService, registerFargateTaskDefinition, simImage } from '../src/testing.js';
import { failure as error, startLbHarness, type LbHarness } from './lb-harness.js';

let h: LbHarness;
let sim: LbHarness['sim'];
let cloudwatch: CloudWatchClient;
let ecs: ECSClient;
let advance: LbHarness['advance'];
const CLUSTER = 'alarms';

beforeAll(async () => {
  h = await startLbHarness();
  ({ sim, cloudwatch, ecs, advance } = h);
  await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
});
afterAll(() => h.stop());

const alarm = (name: string, extra: Partial<PutMetricAlarmCommandInput> = {}): PutMetricAlarmCommandInput => ({
  AlarmName: name,
  Namespace: 'AWS/ApplicationELB',
  MetricName: 'HTTPCode_Target_5XX_Count',
  Dimensions: [{ Name: 'LoadBalancer', Value: 'app/web/0123456789abcdef' }],
  Statistic: 'Sum',
  Period: 60,
  EvaluationPeriods: 2,
  Threshold: 5,
  ComparisonOperator: 'GreaterThanThreshold',
  ...extra,
});
const stateOf = async (name: string) => (await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [name] }))).MetricAlarms![0];

describe('CloudWatch alarms', () => {
  // https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
  it('creates an alarm in INSUFFICIENT_DATA; an update keeps its state', async () => {
    await cloudwatch.send(new PutMetricAlarmCommand(alarm('web-5xx')));
    const created = await stateOf('web-5xx');
    expect(created).toMatchObject({ AlarmName: 'web-5xx', AlarmArn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:web-5xx', StateValue: 'INSUFFICIENT_DATA', StateReason: 'Unchecked: Initial alarm creation', Threshold: 5, Period: 60 });
    await cloudwatch.send(new SetAlarmStateCommand({ AlarmName: 'web-5xx', StateValue: 'ALARM', StateReason: 'testing', StateReasonData: '{"version":"1.0"}' }));
    await cloudwatch.send(new PutMetricAlarmCommand(alarm('web-5xx', { Threshold: 10 })));
    expect(await stateOf('web-5xx')).toMatchObject({ StateValue: 'ALARM', StateReason: 'testing', Threshold: 10 });
  });

  it('rejects what PutMetricAlarm documents as invalid', async () => {
    expect(await error(cloudwatch.send(new PutMetricAlarmCommand(alarm('x', { ComparisonOperator: undefined }))))).toMatchObject({ name: 'MissingRequiredParameterException', message: expect.stringContaining('ComparisonOperator') });
    expect(await error(cloudwatch.send(new PutMetricAlarmCommand(alarm('x', { Period: 45 }))))).toMatchObject({ name: 'InvalidParameterValueException', message: 'The parameter Period must be 10, 20, 30 or a multiple of 60.' });
    expect(await error(cloudwatch.send(new PutMetricAlarmCommand(alarm('x', { EvaluationPeriods: 0 }))))).toMatchObject({ name: 'InvalidParameterValueException' });
    expect(await error(cloudwatch.send(new PutMetricAlarmCommand(alarm('x', { Statistic: 'Median' as never }))))).toMatchObject({ name: 'InvalidParameterValueException', message: expect.stringContaining('Statistic') });
    expect(await error(cloudwatch.send(new PutMetricAlarmCommand(alarm('x'.repeat(256)))))).toMatchObject({ name: 'InvalidParameterValueException' });
  });

  // https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarms.html
  // https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_SetAlarmState.html
  // https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DeleteAlarms.html
  it('filters by AlarmNames, AlarmNamePrefix and StateValue; SetAlarmState and DeleteAlarms check names', async () => {
    for (const name of ['api-latency', 'api-errors', 'worker-backlog']) await cloudwatch.send(new PutMetricAlarmCommand(alarm(name)));
    await cloudwatch.send(new SetAlarmStateCommand({ AlarmName: 'api-errors', StateValue: 'OK', StateReason: 'fine' }));
    const names = async (input: object) => (await cloudwatch.send(new DescribeAlarmsCommand(input))).MetricAlarms!.map((a) => a.AlarmName);
    expect(await names({ AlarmNamePrefix: 'api-' })).toEqual(['api-errors', 'api-latency']);
    expect(await names({ AlarmNamePrefix: 'api-', StateValue: 'OK' })).toEqual(['api-errors']);
    expect(await names({ AlarmNames: ['worker-backlog', 'nope'] })).toEqual(['worker-backlog']);
    expect(await error(cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: ['a'], AlarmNamePrefix: 'a' })))).toMatchObject({ name: 'InvalidParameterCombinationException' });
    expect(await error(cloudwatch.send(new SetAlarmStateCommand({ AlarmName: 'nope', StateValue: 'ALARM', StateReason: 'x' })))).toMatchObject({ name: 'ResourceNotFound', message: 'Alarm nope not found' });
    expect(await error(cloudwatch.send(new SetAlarmStateCommand({ AlarmName: 'api-errors', StateValue: 'ALARM', StateReason: 'x', StateReasonData: 'not json' })))).toMatchObject({ name: 'InvalidFormatFault' });
    expect(await error(cloudwatch.send(new DeleteAlarmsCommand({ AlarmNames: ['api-latency', 'nope'] })))).toMatchObject({ name: 'ResourceNotFound', message: expect.stringContaining('nope') });
    expect(await names({ AlarmNamePrefix: 'api-' })).toEqual(['api-errors']);
  });
});

describe('deployment alarms on a rolling deployment', () => {
  async function setUp(name: string, rollback: boolean) {
    await sim.control.seedImage!({ repositoryName: name, tags: ['v1'] });
    await sim.control.seedImage!({ repositoryName: name, tags: ['v2'] });
    // v2 takes 60 s to start, so its deployment is still running when the alarm fires.
    sim.control.setImageBehaviour(`${name}:v2`, { startSeconds: 60 });
    const td = (tag: string) => registerFargateTaskDefinition(ecs, { family: name, executionRoleArn: 'arn:aws:iam::123456789012:role/exec', containerDefinitions: [{ name: 'app', image: simImage(`${name}:${tag}`) }] });
    const [v1, v2] = [await td('v1'), await td('v2')];
    await cloudwatch.send(new PutMetricAlarmCommand(alarm(`${name}-5xx`)));
    await cloudwatch.send(new SetAlarmStateCommand({ AlarmName: `${name}-5xx`, StateValue: 'OK', StateReason: 'quiet' }));
    await createFargateService(ecs, {
      cluster: CLUSTER,
      serviceName: name,
      taskDefinition: v1,
      desiredCount: 2,
      deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200, alarms: { alarmNames: [`${name}-5xx`], enable: true, rollback } },
    });
    advance(30);
    await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: name, taskDefinition: v2 }));
    advance(20);
    return { v1, v2 };
  }
  const deployments = async (service: string) => {
    const arns = (await ecs.send(new ListServiceDeploymentsCommand({ cluster: CLUSTER, service }))).serviceDeployments!.map((d) => d.serviceDeploymentArn!);
    return (await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: arns }))).serviceDeployments!.sort((a, b) => a.createdAt!.getTime() - b.createdAt!.getTime());
  };
  const service = async (name: string) => (await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [name] }))).services![0]!;

  // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentAlarms.html
  // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceDeploymentAlarms.html
  it('fails the deployment when an alarm goes into ALARM and rolls back', async () => {
    const { v1 } = await setUp('shop', true);
    const [first, second] = await deployments('shop');
    expect(first!.alarms).toEqual({ status: 'MONITORING_COMPLETE', alarmNames: ['shop-5xx'], triggeredAlarmNames: [] });
    expect(second!).toMatchObject({ status: 'IN_PROGRESS', alarms: { status: 'MONITORING', alarmNames: ['shop-5xx'], triggeredAlarmNames: [] } });
    await cloudwatch.send(new SetAlarmStateCommand({ AlarmName: 'shop-5xx', StateValue: 'ALARM', StateReason: 'Threshold Crossed: 2 datapoints were greater than the threshold (5.0).' }));
    const failed = (await deployments('shop'))[1]!;
    expect(failed).toMatchObject({
      status: 'ROLLBACK_IN_PROGRESS',
      alarms: { status: 'TRIGGERED', alarmNames: ['shop-5xx'], triggeredAlarmNames: ['shop-5xx'] },
      rollback: { reason: 'ECS deployment failed: alarm(s) shop-5xx in ALARM state.', serviceRevisionArn: first!.targetServiceRevision!.arn },
    });
    const svc = await service('shop');
    expect(svc.taskDefinition).toBe(v1);
    expect(svc.events!.some((e) => /^\(service shop\) \(deployment ecs-svc\/\d+\) deployment failed: alarm\(s\) shop-5xx in ALARM state\.$/.test(e.message!))).toBe(true);
    advance(120);
    expect((await deployments('shop'))[1]!.status).toBe('ROLLBACK_SUCCESSFUL');
    expect((await service('shop')).deployments!.map((d) => [d.taskDefinition, d.rolloutState])).toEqual([[v1, 'COMPLETED']]);
  });

  it('without rollback the deployment is FAILED and STOPPED, and keeps the tasks it has', async () => {
    const { v2 } = await setUp('cart', false);
    await cloudwatch.send(new SetAlarmStateCommand({ AlarmName: 'cart-5xx', StateValue: 'ALARM', StateReason: 'errors' }));
    const failed = (await deployments('cart'))[1]!;
    expect(failed).toMatchObject({ status: 'STOPPED', statusReason: 'ECS deployment failed: alarm(s) cart-5xx in ALARM state.', alarms: { status: 'TRIGGERED', triggeredAlarmNames: ['cart-5xx'] } });
    const primary = (await service('cart')).deployments![0]!;
    expect(primary).toMatchObject({ taskDefinition: v2, rolloutState: 'FAILED', rolloutStateReason: 'ECS deployment failed: alarm(s) cart-5xx in ALARM state.' });
  });

  it('an alarm already in ALARM when the deployment starts does not fail it', async () => {
    await cloudwatch.send(new PutMetricAlarmCommand(alarm('early-5xx')));
    await cloudwatch.send(new SetAlarmStateCommand({ AlarmName: 'early-5xx', StateValue: 'ALARM', StateReason: 'noisy' }));
    await sim.control.seedImage!({ repositoryName: 'early', tags: ['v1'] });
    const td = await registerFargateTaskDefinition(ecs, { family: 'early', executionRoleArn: 'arn:aws:iam::123456789012:role/exec', containerDefinitions: [{ name: 'app', image: simImage('early:v1') }] });
    await createFargateService(ecs, { cluster: CLUSTER, serviceName: 'early', taskDefinition: td, desiredCount: 1, deploymentConfiguration: { alarms: { alarmNames: ['early-5xx'], enable: true, rollback: true } } });
    advance(30);
    expect((await service('early')).deployments![0]!.rolloutState).toBe('COMPLETED');
  });

  it('validates deploymentConfiguration.alarms', async () => {
    const td = await registerFargateTaskDefinition(ecs, { family: 'val', executionRoleArn: 'arn:aws:iam::123456789012:role/exec', containerDefinitions: [{ name: 'app', image: simImage('early:v1') }] });
    const create = (alarms: object) => createFargateService(ecs, { cluster: CLUSTER, serviceName: 'val', taskDefinition: td, desiredCount: 1, deploymentConfiguration: { alarms: alarms as never } });
    expect(await error(create({ alarmNames: ['a'], rollback: true }))).toMatchObject({ name: 'InvalidParameterException', message: expect.stringContaining('enable') });
    expect(await error(create({ enable: true, rollback: true }))).toMatchObject({ name: 'InvalidParameterException', message: expect.stringContaining('alarmNames') });
    expect(await error(create({ alarmNames: [], enable: true, rollback: false }))).toMatchObject({ name: 'InvalidParameterException' });
  });
});
