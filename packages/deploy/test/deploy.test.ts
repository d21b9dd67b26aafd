import { describe, expect, it, beforeEach } from '@jest/globals';
import {
  ClusterNotFoundException,
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  UpdateServiceCommand,
  type Service,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { deployService, type DeployOptions } from '../src/service/deploy.js';
import { consoleUrl, deploymentSummary } from '../src/service/report.js';
import { deploymentConfigurationFor } from '../src/service/update.js';
import { DIGEST_A, REGISTRY, fakeClock, memoryLogger } from './helpers.js';

const ecsMock = mockClient(ECSClient);
const ecs = new ECSClient({ region: 'us-east-1' });
const OLD_TD = 'arn:aws:ecs:us-east-1:123456789012:task-definition/app:6';
const NEW_TD = 'arn:aws:ecs:us-east-1:123456789012:task-definition/app:7';
const SD_ARN = 'arn:aws:ecs:us-east-1:123456789012:service-deployment/prod/web/Xy12';

describe('deploymentConfigurationFor', () => {
  it('turns on the circuit breaker with rollback and keeps every other setting', () => {
    const existing = { maximumPercent: 150, minimumHealthyPercent: 50, bakeTimeInMinutes: 5, alarms: { alarmNames: ['5xx'], enable: true, rollback: true }, deploymentCircuitBreaker: { enable: false, rollback: false } };
    expect(deploymentConfigurationFor(existing, { circuitBreaker: {} })).toEqual({ ...existing, deploymentCircuitBreaker: { enable: true, rollback: true } });
  });
  it('sets the threshold and reset-on-healthy-task, and alarms when given', () => {
    const config = deploymentConfigurationFor(undefined, { circuitBreaker: { thresholdType: 'COUNT', thresholdValue: 2, resetOnHealthyTask: false }, alarms: { names: ['latency'], rollback: true } });
    expect(config).toEqual({
      deploymentCircuitBreaker: { enable: true, rollback: true, thresholdConfiguration: { type: 'COUNT', value: 2 }, resetOnHealthyTask: false },
      alarms: { alarmNames: ['latency'], enable: true, rollback: true },
    });
  });
});

const service = (over: Partial<Service> = {}): Service => ({
  serviceName: 'web',
  status: 'ACTIVE',
  taskDefinition: OLD_TD,
  currentServiceDeployment: 'arn:aws:ecs:us-east-1:123456789012:service-deployment/prod/web/Old1',
  deploymentConfiguration: { maximumPercent: 200, minimumHealthyPercent: 100 },
  deployments: [{ id: 'ecs-svc/111', status: 'PRIMARY', taskDefinition: OLD_TD, desiredCount: 1, runningCount: 1, rolloutState: 'COMPLETED' }],
  events: [{ id: 'old', message: 'has reached a steady state.' }],
  ...over,
});

const options = (over: Partial<DeployOptions> = {}): DeployOptions => ({
  ecs,
  clock: fakeClock(),
  logger: memoryLogger(),
  region: 'us-east-1',
  cluster: 'prod',
  service: 'web',
  taskDefinition: NEW_TD,
  forceNewDeployment: false,
  circuitBreaker: {},
  pollMs: 5000,
  timeoutMs: 600_000,
  waitForRollback: false,
  ifInProgress: 'wait',
  ...over,
});

function healthyRollout() {
  const after = service({
    taskDefinition: NEW_TD,
    currentServiceDeployment: SD_ARN,
    deployments: [{ id: 'ecs-svc/222', status: 'PRIMARY', taskDefinition: NEW_TD, desiredCount: 1, runningCount: 1, rolloutState: 'COMPLETED' }],
  });
  ecsMock.on(UpdateServiceCommand).resolves({ service: { ...after, deployments: [{ ...after.deployments![0]!, runningCount: 0, rolloutState: 'IN_PROGRESS' }] } });
  ecsMock.on(DescribeServiceDeploymentsCommand).resolves({ serviceDeployments: [{ serviceDeploymentArn: SD_ARN, status: 'SUCCESSFUL' }] });
  ecsMock.on(ListTasksCommand).resolves({ taskArns: ['arn:aws:ecs:us-east-1:123456789012:task/prod/t1'] });
  ecsMock.on(DescribeTasksCommand).resolves({ tasks: [{ taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/prod/t1', startedBy: 'ecs-svc/222', lastStatus: 'RUNNING', containers: [{ name: 'web', imageDigest: DIGEST_A }] }] });
  return after;
}

describe('deployService', () => {
  beforeEach(() => {
    ecsMock.reset();
    ecsMock.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: NEW_TD, status: 'ACTIVE', containerDefinitions: [{ name: 'web', image: `${REGISTRY}/app:v2` }] } });
  });

  it('updates with the circuit breaker on, keeping the deployment settings, and reports success with digests', async () => {
    const after = healthyRollout();
    ecsMock.on(DescribeServicesCommand).resolvesOnce({ services: [service()] }).resolves({ services: [after] });
    const result = await deployService(options({ desiredCount: 1 }));
    expect(result).toMatchObject({ outcome: 'success', deploymentId: 'Xy12', taskDefinitionArn: NEW_TD, previousTaskDefinition: OLD_TD });
    expect(result.images).toEqual([{ container: 'web', image: `${REGISTRY}/app:v2`, digest: DIGEST_A }]);
    expect(ecsMock.commandCalls(UpdateServiceCommand)[0]!.args[0].input).toEqual({
      cluster: 'prod',
      service: 'web',
      taskDefinition: NEW_TD,
      desiredCount: 1,
      forceNewDeployment: false,
      deploymentConfiguration: { maximumPercent: 200, minimumHealthyPercent: 100, deploymentCircuitBreaker: { enable: true, rollback: true } },
    });
    const summary = deploymentSummary(result);
    expect(summary).toContain('| web | app:6 → app:7 | web: `' + DIGEST_A + '` | ✅ success |');
    expect(summary).toContain('(https://console.aws.amazon.com/ecs/v2/clusters/prod/services/web/deployments/Xy12?region=us-east-1)');
  });

  it('waits for a deployment already in progress before updating', async () => {
    const busy = service({ deployments: [{ id: 'ecs-svc/100', status: 'PRIMARY', taskDefinition: OLD_TD, rolloutState: 'IN_PROGRESS' }, { id: 'ecs-svc/99', status: 'ACTIVE' }] });
    const after = healthyRollout();
    ecsMock.on(DescribeServicesCommand).resolvesOnce({ services: [busy] }).resolvesOnce({ services: [busy] }).resolvesOnce({ services: [service()] }).resolves({ services: [after] });
    const o = options();
    const result = await deployService(o);
    expect(result.outcome).toBe('success');
    expect((o.logger as ReturnType<typeof memoryLogger>).text()).toMatch(/already in progress on 'web': ecs-svc\/100.*Waiting for it to finish/);
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(1);
  });

  it('refuses to start when asked to fail on a deployment in progress, changing nothing', async () => {
    ecsMock.on(DescribeServicesCommand).resolves({ services: [service({ deployments: [{ id: 'ecs-svc/100', status: 'PRIMARY', rolloutState: 'IN_PROGRESS' }] })] });
    await expect(deployService(options({ ifInProgress: 'fail' }))).rejects.toThrow(/already in progress/);
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });

  it.each([
    ['an unknown service', () => ecsMock.on(DescribeServicesCommand).resolves({ services: [], failures: [{ arn: 'arn:...:service/prod/wbe', reason: 'MISSING' }] }), /Service 'web' was not found in cluster 'prod' \(MISSING\)/],
    ['an unknown cluster', () => ecsMock.on(DescribeServicesCommand).rejects(new ClusterNotFoundException({ message: 'Cluster not found.', $metadata: {} })), /Cluster 'prod' was not found/],
    [
      'an unknown task definition',
      () => {
        ecsMock.on(DescribeServicesCommand).resolves({ services: [service()] });
        ecsMock.on(DescribeTaskDefinitionCommand).rejects(Object.assign(new Error('Unable to describe task definition.'), { name: 'ClientException' }));
      },
      /Task definition 'arn:aws:ecs:us-east-1:123456789012:task-definition\/app:7' does not exist/,
    ],
    ['a CODE_DEPLOY service', () => ecsMock.on(DescribeServicesCommand).resolves({ services: [service({ deploymentController: { type: 'CODE_DEPLOY' } })] }), /CODE_DEPLOY deployment controller/],
  ])('fails clearly on %s without calling UpdateService', async (_name, arrange, message) => {
    arrange();
    await expect(deployService(options())).rejects.toThrow(message);
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });

  it('builds console links from names or ARNs', () => {
    expect(consoleUrl({ cluster: 'arn:aws:ecs:eu-west-1:1:cluster/prod', service: 'web', deploymentId: 'abc', region: 'eu-west-1' })).toBe(
      'https://console.aws.amazon.com/ecs/v2/clusters/prod/services/web/deployments/abc?region=eu-west-1',
    );
  });
});
