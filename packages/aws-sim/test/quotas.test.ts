import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DescribeTaskDefinitionCommand, ECSClient, ListTaskDefinitionsCommand, ListClustersCommand } from '@aws-sdk/client-ecs';
import { BatchGetImageCommand, ECRClient } from '@aws-sdk/client-ecr';
import { startSimulator, type Simulator } from '../src/index.js';
import { Quotas } from '../src/protocol/quotas.js';
import { registerFargateTaskDefinition, sdkConfig } from '../src/testing.js';

describe('Quotas (AWS API rate quotas)', () => {
  const clock = { t: 0 };
  const quotas = () => {
    const q = new Quotas(() => clock.t);
    q.set('aws');
    return q;
  };
  const admitted = (q: Quotas, n: number, op = 'DescribeTaskDefinition', region = 'us-east-1', account = '123456789012') =>
    Array.from({ length: n }, () => q.admit('ecs', op, account, region)).filter(Boolean).length;

  it('ECS task definition reads: a burst of 50, then 20 tokens at each whole second', () => {
    clock.t = 0;
    const q = quotas();
    expect(admitted(q, 60)).toBe(50);
    clock.t = 999;
    expect(admitted(q, 5)).toBe(0);
    clock.t = 1000;
    expect(admitted(q, 30)).toBe(20);
    clock.t = 10_000; // refills only up to the capacity
    expect(admitted(q, 80)).toBe(50);
    expect(q.get().throttled['ecs:DescribeTaskDefinition']).toBe(10 + 5 + 10 + 30);
  });

  it('actions of one category share its bucket; other categories, regions and accounts have their own', () => {
    clock.t = 0;
    const q = quotas();
    expect(admitted(q, 30, 'DescribeTaskDefinition') + admitted(q, 30, 'ListTaskDefinitions')).toBe(50);
    expect(admitted(q, 100, 'DescribeServices')).toBe(100);
    expect(admitted(q, 50, 'DescribeTaskDefinition', 'eu-west-1')).toBe(50);
    expect(admitted(q, 50, 'DescribeTaskDefinition', 'us-east-1', '210987654321')).toBe(50);
  });

  it('ECR: per-action rates; actions AWS publishes no rate for are not limited; off never throttles', () => {
    clock.t = 0;
    const q = quotas();
    expect(Array.from({ length: 15 }, () => q.admit('ecr', 'PutImage', 'a', 'r')).filter(Boolean).length).toBe(10);
    expect(Array.from({ length: 5000 }, () => q.admit('ecr', 'DescribeImages', 'a', 'r')).every(Boolean)).toBe(true);
    q.set('off');
    expect(Array.from({ length: 15 }, () => q.admit('ecr', 'PutImage', 'a', 'r')).every(Boolean)).toBe(true);
  });

  it('rejects an unknown model or bucket, naming it', () => {
    const q = new Quotas();
    expect(() => q.set({ model: 'strict' as never })).toThrow("quotas: model must be one of off, aws, got 'strict'");
    expect(() => q.set({ model: 'aws', buckets: { 'ecs:nope': { capacity: 1 } } })).toThrow("unknown bucket 'ecs:nope'");
    expect(() => q.set({ model: 'aws', buckets: { 'ecs:service-read': { capacity: 0 } } })).toThrow("bucket 'ecs:service-read' field 'capacity'");
  });
});

describe('the simulator with --quotas aws, through the SDK', () => {
  let sim: Simulator;
  let ecs: ECSClient;
  let ecr: ECRClient;
  beforeAll(async () => {
    sim = await startSimulator({ port: 0, speed: 0, quotas: 'aws' });
    // One attempt: the test sees AWS's answer, not the SDK's retries.
    ecs = new ECSClient({ ...sdkConfig(sim), maxAttempts: 1 });
    ecr = new ECRClient({ ...sdkConfig(sim), maxAttempts: 1 });
  });
  afterAll(async () => {
    ecs?.destroy();
    ecr?.destroy();
    await sim?.stop();
  });

  it('answers ThrottlingException "Rate exceeded" (HTTP 400) once a bucket is empty, per region', async () => {
    sim.control.setQuotas({ model: 'off' });
    const arn = await registerFargateTaskDefinition(ecs, { family: 'q', containerDefinitions: [{ name: 'app', image: 'nginx', essential: true }] });
    // A bucket that barely refills, so the test does not depend on timing.
    sim.control.setQuotas({ model: 'aws', buckets: { 'ecs:task-definition-read': { capacity: 2, refillPerSecond: 0.001 } } });
    await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }));
    await ecs.send(new ListTaskDefinitionsCommand({}));
    const err = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn })).catch((e: unknown) => e)) as Error & { $metadata: { httpStatusCode: number } };
    expect(err.name).toBe('ThrottlingException');
    expect(err.message).toBe('Rate exceeded');
    expect(err.$metadata.httpStatusCode).toBe(400);
    // Another category is not affected, nor the same category in another region.
    await expect(ecs.send(new ListClustersCommand({}))).resolves.toBeDefined();
    const west = new ECSClient({ ...sdkConfig(sim), region: 'eu-west-1', maxAttempts: 1 });
    await expect(west.send(new ListTaskDefinitionsCommand({}))).resolves.toBeDefined();
    west.destroy();
    expect(sim.control.quotas()).toMatchObject({ model: 'aws', throttled: { 'ecs:DescribeTaskDefinition': 1 } });
  });

  it('throttles ECR by its per-action rate the same way', async () => {
    sim.control.setQuotas({ model: 'aws', buckets: { 'ecr:BatchGetImage': { capacity: 1, refillPerSecond: 0.001 } } });
    const call = (): Promise<Error> => ecr.send(new BatchGetImageCommand({ repositoryName: 'none', imageIds: [{ imageTag: 'x' }] })).then(() => new Error("served"), (e: Error) => e);
    expect((await call()).name).toBe('RepositoryNotFoundException');
    const err = await call();
    expect(err.name).toBe('ThrottlingException');
    expect(err.message).toBe('Rate exceeded');
    sim.control.setQuotas({ model: 'off' });
    expect((await call()).name).toBe('RepositoryNotFoundException');
  });
});
