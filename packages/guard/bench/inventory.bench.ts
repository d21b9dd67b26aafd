// Inventory cost at scale, measured against @gantry/aws-sim's own call counters.
//   node --import tsx packages/guard/bench/inventory.bench.ts [services=5000] [clusters=10] [repositories=20]
// Prints the calls per operation, the minimum any complete inventory needs with these APIs, the
// ratio, and the wall time.
import { CreateRepositoryCommand, ECRClient, PutLifecyclePolicyCommand } from '@aws-sdk/client-ecr';
import { CreateClusterCommand, CreateServiceCommand, ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { startSimulator } from '@gantry/aws-sim';
import pLimit from 'p-limit';
import { limiter } from '../src/batch.js';
import { silentLogger, takeInventory } from '../src/index.js';

const [services = 5000, clusters = 10, repositories = 20] = process.argv.slice(2).map(Number);
const ROLLBACK = 3;
const REGISTRY = '123456789012.dkr.ecr.us-east-1.amazonaws.com';

const sim = await startSimulator({ port: 0, speed: 0, start: new Date('2026-03-01T00:00:00Z') });
try {
  const config = { region: 'us-east-1', endpoint: sim.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
  const ecs = new ECSClient(config);
  const ecr = new ECRClient(config);
  const limit = pLimit(32);
  const policy = JSON.stringify({ rules: [{ rulePriority: 1, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 100 }, action: { type: 'expire' } }] });
  for (let r = 0; r < repositories; r++) {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: `app${r}` }));
    await ecr.send(new PutLifecyclePolicyCommand({ repositoryName: `app${r}`, lifecyclePolicyText: policy }));
  }
  for (let c = 0; c < clusters; c++) await ecs.send(new CreateClusterCommand({ clusterName: `c${c}` }));
  const setupStart = performance.now();
  await Promise.all(
    Array.from({ length: services }, (_, i) =>
      limit(async () => {
        const repositoryName = `app${i % repositories}`;
        let td = '';
        for (let rev = 0; rev < ROLLBACK; rev++) {
          await sim.control.seedImage!({ repositoryName, tags: [`s${i}-r${rev}`] });
          const out = await ecs.send(
            new RegisterTaskDefinitionCommand({
              family: `svc${i}`,
              networkMode: 'awsvpc',
              requiresCompatibilities: ['FARGATE'],
              cpu: '256',
              memory: '512',
              containerDefinitions: [{ name: 'app', image: `${REGISTRY}/${repositoryName}:s${i}-r${rev}`, essential: true }],
            }),
          );
          td = out.taskDefinition!.taskDefinitionArn!;
        }
        await ecs.send(
          new CreateServiceCommand({
            cluster: `c${i % clusters}`,
            serviceName: `svc${i}`,
            taskDefinition: td,
            desiredCount: 1,
            launchType: 'FARGATE',
            networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'] } },
          }),
        );
      }),
    ),
  );
  await sim.clock.advance(120_000);
  console.log(`setup: ${services} services in ${clusters} clusters, ${repositories} repositories (${((performance.now() - setupStart) / 1000).toFixed(1)} s)`);

  sim.control.resetCallCounts();
  const clients = { ecs: new ECSClient(config), ecr: new ECRClient(config), events: new EventBridgeClient(config), scheduler: new SchedulerClient(config) };
  const started = performance.now();
  const inventory = await takeInventory(
    clients,
    { clusters: [], repositories: [], rollbackRevisions: ROLLBACK, eventBuses: ['default'], schedules: true, taskDefinitions: [], images: [] },
    limiter(16),
    silentLogger,
  );
  const seconds = (performance.now() - started) / 1000;
  const counts = sim.control.callCounts();
  const total = Object.values(counts).reduce((a, b) => a + b, 0);

  // The least any complete inventory needs: every list at its largest page, every batch API at its
  // largest batch, one DescribeTaskDefinition per rollback revision not already reported by a
  // service revision, one policy read and one manifest batch per 100 in-use images per repository, and,
  // since these images carry no base image annotations, one GetDownloadUrlForLayer plus one blob download
  // (s3:GetObject in the simulator) per distinct config of an in-use app image, to read its labels.
  const perCluster = services / clusters;
  const tasks = services;
  const inUsePerRepo = (services / repositories) * ROLLBACK;
  const imagesPerRepo = inUsePerRepo;
  const minimum =
    Math.ceil(clusters / 100) +
    clusters * (Math.ceil(perCluster / 100) + Math.ceil(perCluster / 10) + Math.max(1, Math.ceil(tasks / clusters / 100)) + Math.ceil(tasks / clusters / 100)) +
    Math.ceil(services / 20) +
    services * (ROLLBACK - 1) +
    1 + // ListRules
    1 + // ListSchedules
    Math.ceil(repositories / 1000) +
    repositories * (Math.ceil(imagesPerRepo / 1000) + 1 + Math.ceil(inUsePerRepo / 100) + 2 * inUsePerRepo);
  console.log(JSON.stringify(counts, null, 2));
  console.log(
    `inventory: ${inventory.inUse.images.size} in-use images, ${inventory.blindspots.length} blind spots; ${total} calls vs minimum ${minimum} (${((total / minimum - 1) * 100).toFixed(1)}% over) in ${seconds.toFixed(1)} s`,
  );
} finally {
  await sim.stop();
}
