import { afterAll, beforeAll, describe as suite, expect, it } from '@jest/globals';
import {
  ClientException,
  ClusterNotFoundException,
  CreateClusterCommand,
  DeleteClusterCommand,
  DeleteServiceCommand,
  DeregisterTaskDefinitionCommand,
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  InvalidParameterException,
  ListClustersCommand,
  ListServicesCommand,
  ListServiceDeploymentsCommand,
  ListTaskDefinitionFamiliesCommand,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  ServiceNotActiveException,
  ServiceNotFoundException,
  StopTaskCommand,
  UpdateServiceCommand,
  StopServiceDeploymentCommand,
  DescribeServiceDeploymentsCommand,
  type RegisterTaskDefinitionCommandInput,
} from '@aws-sdk/client-ecs';
import { createService, describe, network, REGISTRY, registerWeb, seed, startEcsHarness, type EcsHarness } from './ecs-harness.js';

const fargate = (over: Partial<RegisterTaskDefinitionCommandInput> = {}): RegisterTaskDefinitionCommandInput => ({
  family: 'api',
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  cpu: '256',
  memory: '512',
  containerDefinitions: [{ name: 'app', image: `${REGISTRY}/api:v1` }],
  ...over,
});

async function error(p: Promise<unknown>): Promise<Error & { name: string }> {
  try {
    await p;
  } catch (e) {
    return e as Error & { name: string };
  }
  throw new Error('expected the call to fail');
}

suite('ECS contract: the unmodified SDK client against the simulator', () => {
  let h: EcsHarness;
  beforeAll(async () => {
    h = await startEcsHarness();
    await h.ecs.send(new CreateClusterCommand({ clusterName: 'c1' }));
    await seed(h.sim, 'api', ['v1', 'v2']);
  });
  afterAll(() => h.stop());

  suite('clusters', () => {
    it('creates idempotently, describes with MISSING failures, lists and deletes', async () => {
      const again = await h.ecs.send(new CreateClusterCommand({ clusterName: 'c1' }));
      expect(again.cluster).toMatchObject({ clusterName: 'c1', status: 'ACTIVE', clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/c1' });
      await h.ecs.send(new CreateClusterCommand({ clusterName: 'tmp' }));
      const d = await h.ecs.send(new DescribeClustersCommand({ clusters: ['c1', 'nope'] }));
      expect(d.clusters!.map((c) => c.clusterName)).toEqual(['c1']);
      expect(d.failures).toEqual([{ arn: 'arn:aws:ecs:us-east-1:123456789012:cluster/nope', reason: 'MISSING' }]);
      expect((await h.ecs.send(new ListClustersCommand({}))).clusterArns).toContain('arn:aws:ecs:us-east-1:123456789012:cluster/tmp');
      await h.ecs.send(new DeleteClusterCommand({ cluster: 'tmp' }));
      expect((await h.ecs.send(new ListClustersCommand({}))).clusterArns).not.toContain('arn:aws:ecs:us-east-1:123456789012:cluster/tmp');
    });

    it('answers ClusterNotFoundException for calls on a missing cluster', async () => {
      for (const call of [
        h.ecs.send(new DescribeServicesCommand({ cluster: 'ghost', services: ['x'] })),
        h.ecs.send(new ListServicesCommand({ cluster: 'ghost' })),
        h.ecs.send(new ListTasksCommand({ cluster: 'ghost' })),
        h.ecs.send(new RunTaskCommand({ cluster: 'ghost', taskDefinition: 'x' })),
        h.ecs.send(new UpdateServiceCommand({ cluster: 'ghost', service: 'x' })),
      ]) {
        const e = await error(call);
        expect(e).toBeInstanceOf(ClusterNotFoundException);
        expect(e.message).toBe('Cluster not found.');
      }
    });
  });

  suite('task definitions', () => {
    it('registers revisions with the read-only fields ECS fills in', async () => {
      const a = (await h.ecs.send(new RegisterTaskDefinitionCommand(fargate({ executionRoleArn: 'arn:aws:iam::123456789012:role/x' })))).taskDefinition!;
      expect(a).toMatchObject({ family: 'api', revision: 1, status: 'ACTIVE', taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/api:1', compatibilities: ['EC2', 'FARGATE'], requiresCompatibilities: ['FARGATE'] });
      expect(a.registeredAt).toBeInstanceOf(Date);
      expect(a.requiresAttributes!.map((r) => r.name)).toEqual(expect.arrayContaining(['com.amazonaws.ecs.capability.ecr-auth', 'ecs.capability.task-eni']));
      expect(a.containerDefinitions![0]!.essential).toBe(true);
      const b = (await h.ecs.send(new RegisterTaskDefinitionCommand(fargate({ containerDefinitions: [{ name: 'app', image: `${REGISTRY}/api:v2` }] })))).taskDefinition!;
      expect(b.revision).toBe(2);
    });

    it.each([
      ['a family with invalid characters', fargate({ family: 'bad name!' }), ClientException, /Family/],
      ['no container definitions', fargate({ containerDefinitions: [] }), ClientException, /Container list cannot be empty/],
      ['duplicate container names', fargate({ containerDefinitions: [{ name: 'a', image: 'x' }, { name: 'a', image: 'y' }] }), ClientException, /Duplicate container name 'a'/],
      ['a container without image', fargate({ containerDefinitions: [{ name: 'a' } as never] }), ClientException, /Container.image should not be null or empty/],
      ['Fargate without task cpu', fargate({ cpu: undefined }), ClientException, /Fargate requires that 'cpu' be defined at the task level/],
      ['Fargate without task memory', fargate({ memory: undefined }), ClientException, /Fargate requires that 'memory' be defined at the task level/],
      ['Fargate with bridge networking', fargate({ networkMode: 'bridge' }), ClientException, /Fargate only supports network mode 'awsvpc'/],
      ['a Fargate size that does not exist', fargate({ cpu: '256', memory: '4096' }), ClientException, /No Fargate configuration exists for given values: 256 CPU, 4096 memory/],
      ['EC2 containers without memory', { family: 'ec2', containerDefinitions: [{ name: 'a', image: 'x' }] }, ClientException, /At least one of 'memory' or 'memoryReservation' must be specified/],
    ])('rejects %s', async (_name, input, type, message) => {
      const e = await error(h.ecs.send(new RegisterTaskDefinitionCommand(input as RegisterTaskDefinitionCommandInput)));
      expect(e).toBeInstanceOf(type);
      expect(e.message).toMatch(message);
    });

    it('describes by family, family:revision and ARN, and fails for unknown ones', async () => {
      const byFamily = await h.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'api' }));
      expect(byFamily.taskDefinition!.revision).toBe(2);
      expect((await h.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'api:1' }))).taskDefinition!.revision).toBe(1);
      expect((await h.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: byFamily.taskDefinition!.taskDefinitionArn }))).taskDefinition!.revision).toBe(2);
      const e = await error(h.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'api:99' })));
      expect(e).toBeInstanceOf(ClientException);
      expect(e.message).toBe('Unable to describe task definition.');
    });

    it('lists with familyPrefix, status, sort and pagination; deregisters to INACTIVE', async () => {
      for (let i = 0; i < 3; i++) await h.ecs.send(new RegisterTaskDefinitionCommand(fargate({ family: 'worker' })));
      const asc = await h.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'worker' }));
      expect(asc.taskDefinitionArns!.map((a) => a.split('/')[1])).toEqual(['worker:1', 'worker:2', 'worker:3']);
      const desc = await h.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'worker', sort: 'DESC', maxResults: 2 }));
      expect(desc.taskDefinitionArns!.map((a) => a.split('/')[1])).toEqual(['worker:3', 'worker:2']);
      const next = await h.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'worker', sort: 'DESC', maxResults: 2, nextToken: desc.nextToken }));
      expect(next.taskDefinitionArns!.map((a) => a.split('/')[1])).toEqual(['worker:1']);
      expect(next.nextToken).toBeUndefined();
      const gone = await h.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'worker:1' }));
      expect(gone.taskDefinition!.status).toBe('INACTIVE');
      expect((await h.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'worker' }))).taskDefinitionArns).toHaveLength(2);
      expect((await h.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'worker', status: 'INACTIVE' }))).taskDefinitionArns!.map((a) => a.split('/')[1])).toEqual(['worker:1']);
      const families = await h.ecs.send(new ListTaskDefinitionFamiliesCommand({ familyPrefix: 'w' }));
      expect(families.families).toEqual(['worker']);
      const bad = await error(h.ecs.send(new ListTaskDefinitionsCommand({ maxResults: 101 })));
      expect(bad).toBeInstanceOf(InvalidParameterException);
    });
  });

  suite('services', () => {
    it('validates CreateService: missing task definition, awsvpc network, duplicates', async () => {
      expect(await error(h.ecs.send(new RegisterTaskDefinitionCommand(fargate())).then(() => h.ecs.send(new DescribeServicesCommand({ cluster: 'c1', services: [] }))))).toBeInstanceOf(InvalidParameterException);
      const missingTd = await error(createService(h.ecs, 'c1', 's', 'nope:1', 1));
      expect(missingTd).toBeInstanceOf(ClientException);
      const noNet = await error(h.ecs.send(new (await import('@aws-sdk/client-ecs')).CreateServiceCommand({ cluster: 'c1', serviceName: 's', taskDefinition: 'api', desiredCount: 1, launchType: 'FARGATE' })));
      expect(noNet).toBeInstanceOf(InvalidParameterException);
      expect(noNet.message).toBe("Network Configuration must be provided when networkMode 'awsvpc' is specified.");
      await createService(h.ecs, 'c1', 'dup', 'api', 0);
      const dup = await error(createService(h.ecs, 'c1', 'dup', 'api', 0));
      expect(dup).toBeInstanceOf(InvalidParameterException);
      expect(dup.message).toBe('Creation of service was not idempotent.');
    });

    it('describes at most 10 services per call and reports missing ones as MISSING failures', async () => {
      const e = await error(h.ecs.send(new DescribeServicesCommand({ cluster: 'c1', services: Array.from({ length: 11 }, (_, i) => `s${i}`) })));
      expect(e).toBeInstanceOf(InvalidParameterException);
      const out = await h.ecs.send(new DescribeServicesCommand({ cluster: 'c1', services: ['dup', 'ghost'] }));
      expect(out.services!.map((s) => s.serviceName)).toEqual(['dup']);
      expect(out.failures).toEqual([{ arn: 'arn:aws:ecs:us-east-1:123456789012:service/c1/ghost', reason: 'MISSING' }]);
    });

    it('lists services with maxResults and nextToken', async () => {
      for (let i = 0; i < 12; i++) await createService(h.ecs, 'c1', `page-${String(i).padStart(2, '0')}`, 'api', 0);
      const seen: string[] = [];
      let nextToken: string | undefined;
      let pages = 0;
      do {
        const out = await h.ecs.send(new ListServicesCommand({ cluster: 'c1', maxResults: 5, nextToken }));
        expect(out.serviceArns!.length).toBeLessThanOrEqual(5);
        seen.push(...out.serviceArns!);
        nextToken = out.nextToken;
        pages++;
      } while (nextToken);
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.filter((a) => a.includes('/page-'))).toHaveLength(12);
      expect(pages).toBeGreaterThanOrEqual(3);
      const defaultPage = await h.ecs.send(new ListServicesCommand({ cluster: 'c1' }));
      expect(defaultPage.serviceArns).toHaveLength(10);
    });

    it('UpdateService and DeleteService: ServiceNotFound, scaled-above-0 refusal, then ServiceNotActive', async () => {
      expect(await error(h.ecs.send(new UpdateServiceCommand({ cluster: 'c1', service: 'ghost', desiredCount: 1 })))).toBeInstanceOf(ServiceNotFoundException);
      expect(await error(h.ecs.send(new ListServiceDeploymentsCommand({ cluster: 'c1', service: 'ghost' })))).toBeInstanceOf(ServiceNotFoundException);
      await createService(h.ecs, 'c1', 'doomed', 'api', 1);
      const refused = await error(h.ecs.send(new DeleteServiceCommand({ cluster: 'c1', service: 'doomed' })));
      expect(refused).toBeInstanceOf(InvalidParameterException);
      expect(refused.message).toBe('The service cannot be stopped while it is scaled above 0.');
      const deleted = await h.ecs.send(new DeleteServiceCommand({ cluster: 'c1', service: 'doomed', force: true }));
      expect(deleted.service!.status).toBe('DRAINING');
      const inactive = await error(h.ecs.send(new UpdateServiceCommand({ cluster: 'c1', service: 'doomed', desiredCount: 2 })));
      expect(inactive).toBeInstanceOf(ServiceNotActiveException);
      expect(inactive.message).toBe('Service was not ACTIVE.');
      await h.advance(20);
      expect((await describe(h.ecs, 'c1', 'doomed')).status).toBe('INACTIVE');
    });

    it('scales with desiredCount alone without a new deployment', async () => {
      await createService(h.ecs, 'c1', 'scale', 'api', 1);
      await h.advance(20);
      await h.ecs.send(new UpdateServiceCommand({ cluster: 'c1', service: 'scale', desiredCount: 3 }));
      await h.advance(20);
      const s = await describe(h.ecs, 'c1', 'scale');
      expect(s.deployments).toHaveLength(1);
      expect(s.runningCount).toBe(3);
    });

    it('StopServiceDeployment rolls an in-progress deployment back to the last completed one', async () => {
      await createService(h.ecs, 'c1', 'stoppable', 'api:1', 1);
      await h.advance(20);
      const u = await h.ecs.send(new UpdateServiceCommand({ cluster: 'c1', service: 'stoppable', taskDefinition: 'api:2' }));
      await h.ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: u.service!.currentServiceDeployment!, stopType: 'ROLLBACK' }));
      await h.advance(30);
      const sd = (await h.ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [u.service!.currentServiceDeployment!] }))).serviceDeployments![0]!;
      expect(sd.status).toBe('ROLLBACK_SUCCESSFUL');
      expect((await describe(h.ecs, 'c1', 'stoppable')).taskDefinition).toMatch(/api:1$/);
    });
  });

  suite('tasks', () => {
    it('runs, describes (MISSING failures), lists by family and desiredStatus, and stops a task', async () => {
      const run = await h.ecs.send(new RunTaskCommand({ cluster: 'c1', taskDefinition: 'api:1', launchType: 'FARGATE', networkConfiguration: network, startedBy: 'test' }));
      const task = run.tasks![0]!;
      expect(task).toMatchObject({ lastStatus: 'PROVISIONING', desiredStatus: 'RUNNING', group: 'family:api', startedBy: 'test' });
      await h.advance(10);
      const d = await h.ecs.send(new DescribeTasksCommand({ cluster: 'c1', tasks: [task.taskArn!, 'ffffffffffffffffffffffffffffffff'] }));
      expect(d.tasks![0]).toMatchObject({ lastStatus: 'RUNNING', healthStatus: 'UNKNOWN' });
      expect(d.tasks![0]!.containers![0]!.imageDigest).toMatch(/^sha256:/);
      expect(d.failures).toEqual([{ arn: 'arn:aws:ecs:us-east-1:123456789012:task/c1/ffffffffffffffffffffffffffffffff', reason: 'MISSING' }]);
      expect((await h.ecs.send(new ListTasksCommand({ cluster: 'c1', family: 'api', startedBy: 'test' }))).taskArns).toEqual([task.taskArn]);
      const stopped = await h.ecs.send(new StopTaskCommand({ cluster: 'c1', task: task.taskArn!, reason: 'done here' }));
      expect(stopped.task!.desiredStatus).toBe('STOPPED');
      await h.advance(5);
      const after = (await h.ecs.send(new DescribeTasksCommand({ cluster: 'c1', tasks: [task.taskArn!] }))).tasks![0]!;
      expect(after).toMatchObject({ lastStatus: 'STOPPED', stoppedReason: 'done here', stopCode: 'UserInitiated' });
      expect((await h.ecs.send(new ListTasksCommand({ cluster: 'c1', family: 'api', desiredStatus: 'STOPPED' }))).taskArns).toContain(task.taskArn);
      const e = await error(h.ecs.send(new DescribeTasksCommand({ cluster: 'c1', tasks: Array.from({ length: 101 }, (_, i) => `t${i}`) })));
      expect(e).toBeInstanceOf(InvalidParameterException);
    });

    it('stops a task whose image cannot be pulled with CannotPullContainerError', async () => {
      await h.ecs.send(new RegisterTaskDefinitionCommand(fargate({ family: 'ghost', containerDefinitions: [{ name: 'app', image: `${REGISTRY}/api:missing` }] })));
      const run = await h.ecs.send(new RunTaskCommand({ cluster: 'c1', taskDefinition: 'ghost', launchType: 'FARGATE', networkConfiguration: network }));
      await h.advance(10);
      const t = (await h.ecs.send(new DescribeTasksCommand({ cluster: 'c1', tasks: [run.tasks![0]!.taskArn!] }))).tasks![0]!;
      expect(t.lastStatus).toBe('STOPPED');
      expect(t.stopCode).toBe('TaskFailedToStart');
      expect(t.stoppedReason).toMatch(/^CannotPullContainerError: .*api:missing.*not found/);
      expect(t.containers![0]!.reason).toBe(t.stoppedReason);
      expect(t.startedAt).toBeUndefined();
    });

    it('exits with the behaviour exit code, and replaces unhealthy service tasks', async () => {
      await seed(h.sim, 'api', ['oneoff', 'sick']);
      h.sim.control.setImageBehaviour(`${REGISTRY}/api:oneoff`, { exitAfterSeconds: 4, exitCode: 3 });
      await h.ecs.send(new RegisterTaskDefinitionCommand(fargate({ family: 'oneoff', containerDefinitions: [{ name: 'app', image: `${REGISTRY}/api:oneoff` }] })));
      const run = await h.ecs.send(new RunTaskCommand({ cluster: 'c1', taskDefinition: 'oneoff', launchType: 'FARGATE', networkConfiguration: network }));
      await h.advance(20);
      const t = (await h.ecs.send(new DescribeTasksCommand({ cluster: 'c1', tasks: [run.tasks![0]!.taskArn!] }))).tasks![0]!;
      expect(t).toMatchObject({ lastStatus: 'STOPPED', stoppedReason: 'Essential container in task exited', stopCode: 'EssentialContainerExited' });
      expect(t.containers![0]!.exitCode).toBe(3);

      h.sim.control.setImageBehaviour({ imageRef: 'api:sick', healthCheck: 'fail' });
      const td = await registerWeb(h.ecs, 'sick', `${REGISTRY}/api:sick`);
      await createService(h.ecs, 'c1', 'sick', td, 1);
      await h.advance(200);
      const s = await describe(h.ecs, 'c1', 'sick');
      expect(s.events!.map((e) => e.message)).toContainEqual(expect.stringMatching(/^\(service sick\) \(task [0-9a-f]{32}\) failed container health checks\.$/));
      const stopped = await h.ecs.send(new ListTasksCommand({ cluster: 'c1', serviceName: 'sick', desiredStatus: 'STOPPED' }));
      const first = (await h.ecs.send(new DescribeTasksCommand({ cluster: 'c1', tasks: stopped.taskArns!.slice(0, 1) }))).tasks![0]!;
      expect(first).toMatchObject({ healthStatus: 'UNHEALTHY', stoppedReason: 'Task failed container health checks' });
    });
  });
});
