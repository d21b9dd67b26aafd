import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DescribeServicesCommand, DescribeTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { DescribeRepositoriesCommand } from '@aws-sdk/client-ecr';
import { startSimulator, type Simulator } from '../src/index.js';
import { awslogs, createFargateService, registerFargateTaskDefinition, sdkClients, sdkConfig, SIM_EXECUTION_ROLE_ARN, simImage, type SdkClients } from '../src/testing.js';

describe('@gantry/aws-sim/testing', () => {
  let sim: Simulator;
  let clients: SdkClients;
  beforeAll(async () => {
    sim = await startSimulator({ port: 0, speed: 0, start: new Date('2026-03-01T00:00:00Z') });
    clients = sdkClients(sim, { maxAttempts: 1 });
  });
  afterAll(async () => {
    for (const client of Object.values(clients)) client.destroy();
    await sim.stop();
  });

  it('points SDK clients at the simulator, with maxAttempts only when asked', async () => {
    expect(sdkConfig(sim)).toEqual({ region: 'us-east-1', endpoint: sim.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    expect(sdkConfig(sim, { maxAttempts: 1 }).maxAttempts).toBe(1);
    await sim.control.seedImage!({ repositoryName: 'app', tags: ['v1'] });
    const repositories = await clients.ecr.send(new DescribeRepositoriesCommand({}));
    expect(repositories.repositories?.map((r) => r.repositoryName)).toEqual(['app']);
  });

  it('registers a Fargate task definition and runs it as a service in a new cluster', async () => {
    const arn = await registerFargateTaskDefinition(clients.ecs, {
      family: 'app',
      executionRoleArn: SIM_EXECUTION_ROLE_ARN,
      containerDefinitions: [{ name: 'web', image: simImage('app:v1'), essential: true, logConfiguration: awslogs('/ecs/app') }],
    });
    expect(arn).toBe('arn:aws:ecs:us-east-1:123456789012:task-definition/app:1');
    const { taskDefinition } = await clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }));
    expect(taskDefinition).toMatchObject({ networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512', executionRoleArn: SIM_EXECUTION_ROLE_ARN });
    expect(taskDefinition?.containerDefinitions?.[0]).toMatchObject({
      image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v1',
      logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/app', 'awslogs-region': 'us-east-1' } },
    });

    await createFargateService(clients.ecs, { createCluster: true, cluster: 'prod', serviceName: 'web', taskDefinition: arn, desiredCount: 2, securityGroups: ['sg-1'] });
    await sim.clock.advance(120_000);
    const service = (await clients.ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['web'] }))).services?.[0];
    expect(service).toMatchObject({ launchType: 'FARGATE', runningCount: 2, taskDefinition: arn });
    expect(service?.networkConfiguration?.awsvpcConfiguration).toMatchObject({ subnets: ['subnet-1'], securityGroups: ['sg-1'] });
  });
});
