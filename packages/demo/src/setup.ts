import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CreateClusterCommand, CreateServiceCommand, RegisterTaskDefinitionCommand, type RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import { CLUSTER, SERVICES, ecrUri, expectThat, repositoryOf, type Demo } from './context.js';
import { note, shortDigest, table, indent } from './print.js';
import { describeService, serviceImageDigests } from './inspect.js';

const DAY_MS = 86_400_000;

export async function taskDefinitionFile(demo: Demo, file: string): Promise<RegisterTaskDefinitionCommandInput> {
  return JSON.parse(await readFile(join(demo.workspace, file), 'utf8')) as RegisterTaskDefinitionCommandInput;
}

/**
 * Production as it is before this push: earlier releases in ECR, and the three services running the
 * latest of them, created the way a console or Terraform would (circuit breaker off, as ECS defaults).
 */
export async function productionBeforeThisPush(demo: Demo): Promise<void> {
  const now = demo.sim.clock.now().getTime();
  await demo.ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  for (const service of SERVICES) {
    let current = '';
    for (const release of service.history) {
      const seeded = await demo.sim.control.seedImage!({ repositoryName: repositoryOf(demo, service.name), tags: [release.tag], pushedAt: new Date(now - release.daysAgo * DAY_MS) });
      current = (seeded as { imageDigest: string }).imageDigest;
    }
    const definition = await taskDefinitionFile(demo, service.taskDefinitionFile);
    definition.containerDefinitions![0]!.image = ecrUri(demo, repositoryOf(demo, service.name), current);
    const registered = await demo.ecs.send(new RegisterTaskDefinitionCommand(definition));
    await demo.ecs.send(
      new CreateServiceCommand({
        cluster: CLUSTER,
        serviceName: service.name,
        taskDefinition: registered.taskDefinition!.taskDefinitionArn!,
        desiredCount: service.desiredCount,
        launchType: 'FARGATE',
        networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0a1b2c3d'], securityGroups: ['sg-0a1b2c3d'], assignPublicIp: 'DISABLED' } },
        deploymentConfiguration: { maximumPercent: 200, minimumHealthyPercent: 100, deploymentCircuitBreaker: { enable: false, rollback: false } },
      }),
    );
  }
  // Let the services settle: two simulated minutes, run now.
  await demo.sim.clock.advance(120_000);

  const rows: string[][] = [];
  let steady = true;
  for (const service of SERVICES) {
    const s = await describeService(demo, service.name);
    const digests = await serviceImageDigests(demo, service.name);
    steady &&= s.runningCount === service.desiredCount;
    const history = service.history.map((h) => h.tag).join(', ');
    rows.push([service.name, s.taskDefinition!.split('/').pop()!, `${repositoryOf(demo, service.name)}@${shortDigest(digests[0])}`, `${s.runningCount}/${s.desiredCount}`, history]);
  }
  note(demo.out, `cluster ${CLUSTER}, ECR repositories ${SERVICES.map((s) => repositoryOf(demo, s.name)).join(', ')}`);
  indent(demo.out, table(['service', 'task definition', 'image', 'running', 'releases in ECR'], rows));
  expectThat(demo, steady, 'web, worker and websocket are running their previous releases', 'the services did not reach their desired counts before the demo started');
}
