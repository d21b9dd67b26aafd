/**
 * What users type, through the committed bundle: a bad input ends in one error line naming the input,
 * before RunTask (or any call that changes AWS); where the task runs comes from the input, else the
 * service, else the cluster's default capacity provider strategy, and RunTask carries it.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { CreateClusterCommand } from '@aws-sdk/client-ecs';
import { startSimulator, type Simulator } from '@gantry/aws-sim';
import { awslogs, createFargateService, registerFargateTaskDefinition, sdkClients, SIM_EXECUTION_ROLE_ARN, simImage } from '@gantry/aws-sim/testing';
import { runAction, type ActionRun } from '@gantry/local-runner';

const actionDir = join(import.meta.dirname, '..');
const CANARY = 'hunter2-Canary-7f3a';
let sim: Simulator;
let taskDefinition: string;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, speed: 60 });
  const { ecs } = sdkClients(sim);
  await sim.control.seedImage!({ repositoryName: 'app', tags: ['ok'] });
  sim.control.setImageBehaviour('app:ok', { startSeconds: 2, exitAfterSeconds: 2, exitCode: 0, logs: ['done'] });
  taskDefinition = await registerFargateTaskDefinition(ecs, {
    family: 'app',
    executionRoleArn: SIM_EXECUTION_ROLE_ARN,
    containerDefinitions: [{ name: 'web', image: simImage('app:ok'), essential: true, logConfiguration: awslogs('/ecs/app') }],
  });
  // A cluster with no default capacity provider strategy: where a task runs must come from an input or the service.
  await ecs.send(new CreateClusterCommand({ clusterName: 'prod' }));
  await createFargateService(ecs, { cluster: 'prod', serviceName: 'web', taskDefinition, desiredCount: 0, securityGroups: ['sg-0123456789abcdef0'] });
});
afterAll(async () => sim?.stop());
beforeEach(() => {
  sim.control.setFaults({});
  sim.control.resetCallCounts();
});

const run = (inputs: Record<string, string>, env: Record<string, string> = {}) =>
  runAction(actionDir, { inputs: { cluster: 'prod', 'task-definition': taskDefinition, 'poll-interval': '500ms', ...inputs }, env: { ...sim.env, ...env }, timeoutMs: 60_000 });

function expectRefused(result: ActionRun, message: RegExp) {
  expect(result.errors).toEqual([expect.stringMatching(message)]);
  expect(result.exitCode).toBe(1);
  expect(sim.control.callCounts()['ecs:RunTask'] ?? 0).toBe(0);
  expect(result.log).not.toContain(CANARY);
  expect(result.log).not.toMatch(/Unexpected error|\n\s+at /);
}

describe('run-task inputs', () => {
  it.each([
    ['a subnet id with a typo', { subnets: 'subnet-12345' }, /^Input 'subnets' has 'subnet-12345', which is not an id of the form subnet-<8 or 17 hex digits>/],
    ['a security group given as a name', { subnets: 'subnet-0123456789abcdef0', 'security-groups': 'default' }, /^Input 'security-groups' has 'default', which is not an id of the form sg-/],
    ['security groups without subnets', { 'security-groups': 'sg-0123456789abcdef0' }, /^Input 'security-groups' needs 'subnets' or 'network-from-service'/],
    ['assign-public-ip without subnets', { 'assign-public-ip': 'true' }, /^Input 'assign-public-ip' needs 'subnets' or 'network-from-service'/],
    ['a bad assign-public-ip', { 'network-from-service': 'web', 'assign-public-ip': 'yes' }, /^Input 'assign-public-ip' must be one of true, false, got 'yes'/],
    ['seventeen subnets', { subnets: Array.from({ length: 17 }, (_, i) => `subnet-${String(i).padStart(8, '0')}`).join(',') }, /^Input 'subnets' lists 17 ids; RunTask accepts at most 16/],
    ['six security groups', { subnets: 'subnet-01234567', 'security-groups': Array.from({ length: 6 }, (_, i) => `sg-${String(i).padStart(8, '0')}`).join('\n') }, /^Input 'security-groups' lists 6 ids; RunTask accepts at most 5/],
    ['an unclosed quote in subnets', { subnets: '"subnet-01234567' }, /^Input 'subnets' has an unclosed double quote in item 1/],
    ['a bad launch type', { 'network-from-service': 'web', 'launch-type': 'fargate' }, /^Input 'launch-type' must be one of FARGATE, EC2, EXTERNAL, got 'fargate'/],
    ['launch type and capacity providers', { 'network-from-service': 'web', 'launch-type': 'FARGATE', 'capacity-provider-strategy': 'FARGATE_SPOT:1' }, /^Input 'launch-type' cannot be combined with 'capacity-provider-strategy'/],
    ['a bad capacity provider item', { 'network-from-service': 'web', 'capacity-provider-strategy': 'FARGATE_SPOT=3' }, /^Input 'capacity-provider-strategy' has 'FARGATE_SPOT=3', which is not provider\[:weight\[:base\]\]/],
    ['a weight over 1000', { 'network-from-service': 'web', 'capacity-provider-strategy': 'FARGATE:1001' }, /^Input 'capacity-provider-strategy' has 'FARGATE:1001'/],
    ['an environment line without =', { 'network-from-service': 'web', environment: `A=1\n${CANARY}` }, /^Input 'environment' must be KEY=value lines, but line 2 has no '='/],
    ['an environment key with a hyphen', { 'network-from-service': 'web', environment: 'LOG-LEVEL=debug' }, /^Input 'environment' has an invalid key 'LOG-LEVEL' on line 1/],
    ['an unclosed quote in command', { 'network-from-service': 'web', command: 'php artisan "migrate' }, /^Input 'command' has an unclosed " quote/],
    ['a JSON command that is not an array of strings', { 'network-from-service': 'web', command: '["php", 1]' }, /^Input 'command' must be a JSON array of strings/],
    ['a poll-interval in words', { 'network-from-service': 'web', 'poll-interval': 'two seconds' }, /^Input 'poll-interval' must be a duration like 30s, 10m or 1h30m, got 'two seconds'/],
    ['a timeout over 12h', { 'network-from-service': 'web', timeout: '13h' }, /^Input 'timeout' must be at most 12h, got '13h'/],
    ['no cluster', { cluster: '' }, /^Input 'cluster' is required but was empty or not set/],
    ['an unknown network-from-service', { 'network-from-service': 'wbe' }, /^Service 'wbe' was not found in cluster 'prod' \(MISSING\)\. Check the 'network-from-service' and 'cluster' inputs and the region\./],
    ['an unknown task definition', { 'task-definition': 'nope:1', 'network-from-service': 'web' }, /^Task definition 'nope:1' does not exist: .* Check the 'task-definition' input\./],
    ['an unknown container', { 'network-from-service': 'web', container: 'wbe' }, /has no container named 'wbe'.*Its containers are: web/],
    ['overrides over 8 KiB', { 'network-from-service': 'web', environment: `BIG=${'x'.repeat(9000)}` }, /^The container overrides \(inputs 'command' and 'environment'\) are \d+ characters of JSON; RunTask accepts at most 8192/],
    ['subnets on a cluster without a default strategy', { subnets: 'subnet-0123456789abcdef0' }, /^Cluster 'prod' has no default capacity provider strategy.*Set 'launch-type' \(e\.g\. FARGATE\)/],
    ['a bad aws-region', { 'aws-region': 'eu-west' }, /^Input 'aws-region' is not an AWS region: 'eu-west'/],
  ])('refuses %s before RunTask', async (_label, inputs, message) => {
    expectRefused(await run(inputs), message);
  });

  it('blames AWS_REGION when the region from the environment is not one', async () => {
    expectRefused(await run({ 'network-from-service': 'web' }, { AWS_REGION: 'eu_west_1' }), /^The environment variable AWS_REGION is not an AWS region: 'eu_west_1'/);
  });

  it.each([
    ['launch-type FARGATE with subnets and no service', { subnets: 'subnet-0123456789abcdef0, subnet-0123456789abcdef1', 'launch-type': 'FARGATE' }, { launchType: 'FARGATE' }],
    ["the service's launch type", { 'network-from-service': 'web' }, { launchType: 'FARGATE' }],
    ['subnets on separate lines with CRLF over the service network', { 'network-from-service': 'web', subnets: 'subnet-0123456789abcdef0\r\nsubnet-0123456789abcdef1\r\n' }, { launchType: 'FARGATE' }],
  ])('runs with %s and sends it in RunTask', async (_label, inputs, expected) => {
    const result = await run(inputs);
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    const { ecs } = sdkClients(sim);
    const { DescribeTasksCommand } = await import('@aws-sdk/client-ecs');
    const task = (await ecs.send(new DescribeTasksCommand({ cluster: 'prod', tasks: [result.outputs['task-arn']!] }))).tasks![0]!;
    expect(task).toMatchObject(expected);
  });

  it('passes environment values with commas and = as written', async () => {
    const result = await run({ 'network-from-service': 'web', environment: 'HOSTS=a.com,b.com\nQ=a=b', command: 'echo ok' });
    expect(result.errors).toEqual([]);
    const { ecs } = sdkClients(sim);
    const { DescribeTasksCommand } = await import('@aws-sdk/client-ecs');
    const task = (await ecs.send(new DescribeTasksCommand({ cluster: 'prod', tasks: [result.outputs['task-arn']!] }))).tasks![0]!;
    expect(task.overrides?.containerOverrides?.[0]?.environment).toEqual([{ name: 'HOSTS', value: 'a.com,b.com' }, { name: 'Q', value: 'a=b' }]);
  });

  it('names the permission when RunTask is denied', async () => {
    sim.control.setFaults({ deny: ['ecs:RunTask'] });
    const result = await run({ 'network-from-service': 'web' });
    expect(result.errors).toEqual([expect.stringMatching(/^AWS denied ecs:RunTask \(HTTP 400, request id .*Whether ecs:RunTask itself took effect is unknown.*Allow 'ecs:RunTask'/)]);
  });

  it('names the operation, HTTP status and request id when DescribeTaskDefinition keeps failing with 5xx', async () => {
    sim.control.setFaults({ errorRate: 1, operations: ['ecs:DescribeTaskDefinition'] });
    const result = await run({ 'network-from-service': 'web' }, { AWS_MAX_ATTEMPTS: '2' });
    expect(result.errors).toEqual([expect.stringMatching(/^AWS ecs:DescribeTaskDefinition failed \(HTTP 5\d\d, request id [^,]+, 2 attempts\): .*Nothing in AWS was changed before this call\. This is a fault or throttle/)]);
    expect(sim.control.callCounts()['ecs:RunTask'] ?? 0).toBe(0);
  });

  it('succeeds with valid input under throttling, dropped connections and 5xx', async () => {
    sim.control.setFaults({ throttleRate: 0.2, dropRate: 0.1, errorRate: 0.1, seed: 7, operations: ['ecs'] });
    const result = await run({ 'network-from-service': 'web', environment: 'A=1,2' });
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
  });
});
