// ECS services behind Elastic Load Balancing target groups (rolling deployments), through the SDK clients.
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-load-balancing.html
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListServiceDeploymentsCommand,
  ListTasksCommand,
  UpdateServiceCommand,
  type ECSClient,
  type Task,
} from '@aws-sdk/client-ecs';
import { CreateListenerCommand, CreateTargetGroupCommand, DescribeTargetHealthCommand, type ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { createFargateService, createWebTargetGroup, registerFargateTaskDefinition, simImage } from '../src/testing.js';
import { failure, startLbHarness, type LbHarness } from './lb-harness.js';

let h: LbHarness;
let sim: LbHarness['sim'];
let ecs: ECSClient;
let elbv2: ElasticLoadBalancingV2Client;
let advance: LbHarness['advance'];
const CLUSTER = 'lb';

beforeAll(async () => {
  h = await startLbHarness();
  ({ sim, ecs, elbv2, advance } = h);
  await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
});
afterAll(() => h.stop());

/** A web task definition serving on 8080 from `repo:tag` (seeded in the simulator's ECR). */
async function webTaskDefinition(family: string, repo: string, tag: string): Promise<string> {
  await sim.control.seedImage!({ repositoryName: repo, tags: [tag] });
  return registerFargateTaskDefinition(ecs, {
    family,
    executionRoleArn: 'arn:aws:iam::123456789012:role/exec',
    containerDefinitions: [{ name: 'app', image: simImage(`${repo}:${tag}`), essential: true, portMappings: [{ containerPort: 8080 }] }],
  });
}

const service = async (name: string) => (await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [name] }))).services![0]!;
const targets = async (targetGroupArn: string) => (await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }))).TargetHealthDescriptions!;
async function tasks(serviceName: string, desiredStatus: 'RUNNING' | 'STOPPED' = 'RUNNING'): Promise<Task[]> {
  const arns = (await ecs.send(new ListTasksCommand({ cluster: CLUSTER, serviceName, desiredStatus }))).taskArns!;
  return arns.length ? (await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: arns }))).tasks! : [];
}
const ipOf = (task: Task) => task.attachments?.[0]?.details?.find((d) => d.name === 'privateIPv4Address')?.value;

/** Steps the clock `step` seconds at a time (at most `max`) until `done` holds. */
async function until(done: () => Promise<boolean>, max = 900, step = 5): Promise<void> {
  for (let t = 0; t <= max; t += step) {
    if (await done()) return;
    advance(step);
  }
  throw new Error(`condition not met within ${max} simulated seconds`);
}

describe('a rolling service behind a target group', () => {
  // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-networking-awsvpc.html (ENI attachment)
  // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-ecs.html (healthy = passes ELB health checks)
  it("registers each task's ENI IP, and completes the deployment only once the targets are healthy", async () => {
    const web = await createWebTargetGroup(elbv2, { name: 'steady', intervalSeconds: 10, healthyThresholdCount: 2 });
    const td = await webTaskDefinition('steady', 'steady', 'v1');
    await createFargateService(ecs, { cluster: CLUSTER, serviceName: 'steady', taskDefinition: td, desiredCount: 2, loadBalancers: [{ targetGroupArn: web.targetGroupArn, containerName: 'app', containerPort: 8080 }] });
    // Tasks are RUNNING after provisioning, pull and start (8 s); the first health check is 10 s after registration.
    advance(12);
    const running = await tasks('steady');
    expect(running.map((t) => t.lastStatus)).toEqual(['RUNNING', 'RUNNING']);
    const eni = running[0]!.attachments![0]!;
    expect(eni).toMatchObject({ type: 'ElasticNetworkInterface', status: 'ATTACHED' });
    expect(eni.details!.map((d) => d.name)).toEqual(['subnetId', 'networkInterfaceId', 'macAddress', 'privateDnsName', 'privateIPv4Address']);
    expect(running[0]!.containers![0]!.networkInterfaces![0]!.privateIpv4Address).toBe(ipOf(running[0]!));
    const initial = await targets(web.targetGroupArn);
    expect(initial.map((d) => d.Target!.Id).sort()).toEqual(running.map(ipOf).sort());
    expect(initial.map((d) => [d.Target!.Port, d.TargetHealth!.State, d.TargetHealth!.Reason])).toEqual([
      [8080, 'initial', 'Elb.RegistrationInProgress'],
      [8080, 'initial', 'Elb.RegistrationInProgress'],
    ]);
    expect((await service('steady')).deployments![0]!.rolloutState).toBe('IN_PROGRESS');
    advance(10);
    expect((await targets(web.targetGroupArn)).map((d) => d.TargetHealth!.State)).toEqual(['healthy', 'healthy']);
    const steady = await service('steady');
    expect(steady.deployments!.map((d) => d.rolloutState)).toEqual(['COMPLETED']);
    expect(steady.runningCount).toBe(2);
    expect(steady.events!.map((e) => e.message)).toContain('(service steady) has reached a steady state.');
  });

  // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_LoadBalancer.html
  it('validates loadBalancers as ECS does before creating the service', async () => {
    const web = await createWebTargetGroup(elbv2, { name: 'validate' });
    const td = await webTaskDefinition('validate', 'validate', 'v1');
    const create = (loadBalancers: object[]) =>
      ecs.send(new CreateServiceCommand({ cluster: CLUSTER, serviceName: 'validate', taskDefinition: td, desiredCount: 1, launchType: 'FARGATE', networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'] } }, loadBalancers }));
    expect(await failure(create([{ targetGroupArn: web.targetGroupArn, containerName: 'web', containerPort: 8080 }]))).toMatchObject({ name: 'InvalidParameterException', message: 'The container web does not exist in the task definition.' });
    expect(await failure(create([{ targetGroupArn: web.targetGroupArn, containerName: 'app', containerPort: 80 }]))).toMatchObject({ name: 'InvalidParameterException', message: 'The container app did not have a container port 80 defined.' });
    const missing = web.targetGroupArn.replace('targetgroup/validate/', 'targetgroup/nope/');
    expect(await failure(create([{ targetGroupArn: missing, containerName: 'app', containerPort: 8080 }]))).toMatchObject({ name: 'InvalidParameterException', message: expect.stringContaining('does not exist') });
    const lonely = (await elbv2.send(new CreateTargetGroupCommand({ Name: 'lonely', Protocol: 'HTTP', Port: 8080, VpcId: 'vpc-sim', TargetType: 'ip' }))).TargetGroups![0]!.TargetGroupArn!;
    expect(await failure(create([{ targetGroupArn: lonely, containerName: 'app', containerPort: 8080 }]))).toMatchObject({ name: 'InvalidParameterException', message: `The target group with targetGroupArn ${lonely} does not have an associated load balancer.` });
    const instanceTg = (await elbv2.send(new CreateTargetGroupCommand({ Name: 'instance-type', Protocol: 'HTTP', Port: 8080, VpcId: 'vpc-sim', TargetType: 'instance' }))).TargetGroups![0]!.TargetGroupArn!;
    // An instance target group with a listener still cannot take awsvpc tasks.
    const lbArn = (await createWebTargetGroup(elbv2, { name: 'inst' })).loadBalancerArn;
    await elbv2.send(new CreateListenerCommand({ LoadBalancerArn: lbArn, Protocol: 'HTTP', Port: 8081, DefaultActions: [{ Type: 'forward', TargetGroupArn: instanceTg }] }));
    expect(await failure(create([{ targetGroupArn: instanceTg, containerName: 'app', containerPort: 8080 }]))).toMatchObject({
      name: 'InvalidParameterException',
      message: `The provided target group ${instanceTg} has target type instance, which is incompatible with the awsvpc network mode specified in the task definition.`,
    });
  });
});

describe('changing loadBalancers', () => {
  // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_LoadBalancer.html
  it('starts a new deployment whose tasks register in the new target group; the old targets drain', async () => {
    const first = await createWebTargetGroup(elbv2, { name: 'move-a', intervalSeconds: 10, deregistrationDelaySeconds: 5 });
    const second = await createWebTargetGroup(elbv2, { name: 'move-b', intervalSeconds: 10 });
    const td = await webTaskDefinition('move', 'move', 'v1');
    await createFargateService(ecs, { cluster: CLUSTER, serviceName: 'move', taskDefinition: td, desiredCount: 1, loadBalancers: [{ targetGroupArn: first.targetGroupArn, containerName: 'app', containerPort: 8080 }] });
    await until(async () => (await service('move')).deployments![0]!.rolloutState === 'COMPLETED');
    await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: 'move', loadBalancers: [{ targetGroupArn: second.targetGroupArn, containerName: 'app', containerPort: 8080 }] }));
    expect((await service('move')).deployments!.length).toBe(2);
    await until(async () => (await service('move')).deployments!.length === 1 && (await service('move')).deployments![0]!.rolloutState === 'COMPLETED');
    expect((await targets(second.targetGroupArn)).map((d) => d.TargetHealth!.State)).toEqual(['healthy']);
    expect(await targets(first.targetGroupArn)).toEqual([]);
  });
});

describe('an unhealthy release behind a target group', () => {
  // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-unhealthy-event-messages.html
  // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-circuit-breaker.html
  it('stops tasks failing ELB health checks with the documented reason, and the breaker rolls back', async () => {
    const web = await createWebTargetGroup(elbv2, { name: 'bad', intervalSeconds: 10, healthyThresholdCount: 2, unhealthyThresholdCount: 2, deregistrationDelaySeconds: 5 });
    const v1 = await webTaskDefinition('bad', 'bad', 'v1');
    const v2 = await webTaskDefinition('bad', 'bad', 'v2');
    // The v2 image serves, but answers the load balancer's health checks with 502.
    sim.control.setImageBehaviour('bad:v2', { loadBalancerResponse: 502 });
    await createFargateService(ecs, {
      cluster: CLUSTER,
      serviceName: 'bad',
      taskDefinition: v1,
      desiredCount: 2,
      loadBalancers: [{ targetGroupArn: web.targetGroupArn, containerName: 'app', containerPort: 8080 }],
      deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200, deploymentCircuitBreaker: { enable: true, rollback: true } },
    });
    await until(async () => (await service('bad')).deployments![0]!.rolloutState === 'COMPLETED');
    await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: 'bad', taskDefinition: v2 }));
    const arns = (await ecs.send(new ListServiceDeploymentsCommand({ cluster: CLUSTER, service: 'bad' }))).serviceDeployments!.map((d) => d.serviceDeploymentArn!);
    await until(async () => {
      const d = (await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: arns }))).serviceDeployments!;
      return d.some((x) => x.status === 'ROLLBACK_SUCCESSFUL');
    });
    const deployments = (await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: arns }))).serviceDeployments!;
    const failed = deployments.find((d) => d.status === 'ROLLBACK_SUCCESSFUL')!;
    expect(failed.deploymentCircuitBreaker).toMatchObject({ status: 'TRIGGERED', threshold: 3 });
    expect(failed.deploymentCircuitBreaker!.failureCount).toBeGreaterThanOrEqual(3);
    expect(failed.rollback).toMatchObject({ reason: 'ECS deployment circuit breaker: tasks failed to start.' });

    const stopped = (await tasks('bad', 'STOPPED')).filter((t) => t.taskDefinitionArn === v2);
    expect(stopped.length).toBeGreaterThanOrEqual(3);
    for (const t of stopped) {
      expect(t.stoppedReason).toBe(`Task failed ELB health checks in (target-group ${web.targetGroupArn})`);
      expect(t.stopCode).toBe('ServiceSchedulerInitiated');
    }
    const messages = (await service('bad')).events!.map((e) => e.message!);
    const id = stopped[0]!.taskArn!.split('/').pop();
    expect(messages).toContain(`(service bad) (task ${id}) (port 8080) is unhealthy in (target-group bad) due to (reason Health checks failed with these codes: [502]).`);
    expect(messages.some((m) => /^\(service bad\) rolling back to deployment ecs-svc\/\d+\.$/.test(m))).toBe(true);
    expect(messages.some((m) => /^\(service bad\) \(deployment ecs-svc\/\d+\) deployment failed: tasks failed to start\.$/.test(m))).toBe(true);
    // Back on v1, with healthy targets only.
    await until(async () => (await targets(web.targetGroupArn)).every((d) => d.TargetHealth!.State === 'healthy'));
    expect((await service('bad')).taskDefinition).toBe(v1);
  });

  // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html (healthCheckGracePeriodSeconds)
  it('ignores failing health checks during healthCheckGracePeriodSeconds', async () => {
    const web = await createWebTargetGroup(elbv2, { name: 'grace', intervalSeconds: 10, unhealthyThresholdCount: 2 });
    const td = await webTaskDefinition('grace', 'grace', 'v1');
    sim.control.setImageBehaviour('grace:v1', { loadBalancerResponse: 503 });
    await createFargateService(ecs, { cluster: CLUSTER, serviceName: 'grace', taskDefinition: td, desiredCount: 1, healthCheckGracePeriodSeconds: 120, loadBalancers: [{ targetGroupArn: web.targetGroupArn, containerName: 'app', containerPort: 8080 }] });
    // RUNNING at 8 s; checks fail at 18 s and 28 s: unhealthy, but within the grace period (until 128 s).
    advance(60);
    const [task] = await tasks('grace');
    expect(task!.lastStatus).toBe('RUNNING');
    expect((await targets(web.targetGroupArn))[0]!.TargetHealth).toEqual({ State: 'unhealthy', Reason: 'Target.ResponseCodeMismatch', Description: 'Health checks failed with these codes: [503]' });
    advance(60);
    expect((await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [task!.taskArn!] }))).tasks![0]!.desiredStatus).toBe('RUNNING');
    advance(10);
    const after = (await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [task!.taskArn!] }))).tasks![0]!;
    expect(after.desiredStatus).toBe('STOPPED');
    expect(after.stoppedReason).toBe(`Task failed ELB health checks in (target-group ${web.targetGroupArn})`);
  });
});

describe('healthCheckGracePeriodSeconds and container health checks', () => {
  // "the period of time ... that the Amazon ECS service scheduler ignores unhealthy Elastic Load Balancing,
  // VPC Lattice, and container health checks after a task has first started"
  // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html
  it('replaces a task failing its container health check only after the grace period', async () => {
    await sim.control.seedImage!({ repositoryName: 'chc', tags: ['v1'] });
    sim.control.setImageBehaviour('chc:v1', { healthCheck: 'fail' });
    const td = await registerFargateTaskDefinition(ecs, {
      family: 'chc',
      executionRoleArn: 'arn:aws:iam::123456789012:role/exec',
      containerDefinitions: [{ name: 'app', image: simImage('chc:v1'), healthCheck: { command: ['CMD-SHELL', 'curl -f localhost:8080/health'], interval: 10, retries: 2 } }],
    });
    await createFargateService(ecs, { cluster: CLUSTER, serviceName: 'chc', taskDefinition: td, desiredCount: 1, healthCheckGracePeriodSeconds: 90 });
    // RUNNING at 8 s, UNHEALTHY after 2 × 10 s (28 s); the grace period runs to 98 s.
    advance(40);
    const [task] = await tasks('chc');
    expect(task).toMatchObject({ lastStatus: 'RUNNING', healthStatus: 'UNHEALTHY' });
    advance(50);
    expect((await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [task!.taskArn!] }))).tasks![0]!.desiredStatus).toBe('RUNNING');
    advance(10);
    expect((await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [task!.taskArn!] }))).tasks![0]!).toMatchObject({ desiredStatus: 'STOPPED', stoppedReason: 'Task failed container health checks' });
  });
});

describe('deregistration delay', () => {
  // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-target-group-attributes.html#deregistration-delay
  // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-lifecycle-explanation.html (DEACTIVATING)
  it('keeps a stopping task DEACTIVATING while its target drains, then stops it', async () => {
    const web = await createWebTargetGroup(elbv2, { name: 'drainsvc', intervalSeconds: 10, deregistrationDelaySeconds: 60 });
    const td = await webTaskDefinition('drainsvc', 'drainsvc', 'v1');
    await createFargateService(ecs, { cluster: CLUSTER, serviceName: 'drainsvc', taskDefinition: td, desiredCount: 2, loadBalancers: [{ targetGroupArn: web.targetGroupArn, containerName: 'app', containerPort: 8080 }] });
    await until(async () => (await service('drainsvc')).deployments![0]!.rolloutState === 'COMPLETED');
    await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: 'drainsvc', desiredCount: 1 }));
    advance(1);
    const [leaving] = await tasks('drainsvc', 'STOPPED');
    expect(leaving!.lastStatus).toBe('DEACTIVATING');
    const draining = (await targets(web.targetGroupArn)).find((d) => d.Target!.Id === ipOf(leaving!))!;
    expect(draining.TargetHealth).toEqual({ State: 'draining', Reason: 'Target.DeregistrationInProgress', Description: 'Target deregistration is in progress' });
    advance(55);
    expect((await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [leaving!.taskArn!] }))).tasks![0]!.lastStatus).toBe('DEACTIVATING');
    advance(10);
    const gone = (await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [leaving!.taskArn!] }))).tasks![0]!;
    expect(gone.lastStatus).toBe('STOPPED');
    expect(gone.attachments![0]!.status).toBe('DELETED');
    expect((await targets(web.targetGroupArn)).map((d) => d.TargetHealth!.State)).toEqual(['healthy']);
  });
});
