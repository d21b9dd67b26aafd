import { CreateRepositoryCommand, PutLifecyclePolicyCommand } from '@aws-sdk/client-ecr';
import { CreateClusterCommand } from '@aws-sdk/client-ecs';
import { CreateListenerCommand, CreateLoadBalancerCommand, CreateRuleCommand, CreateTargetGroupCommand, type ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { startSimulator, type Simulator } from '@gantry/aws-sim';
import { createFargateService, registerFargateTaskDefinition, sdkClients, sdkConfig, simImage } from '@gantry/aws-sim/testing';
import pLimit from 'p-limit';

/**
 * The shape of a fleet of `services` services, kept proportional so figures at 50, 500 and 5,000 services
 * compare: 50 services per cluster, 10 services per repository, 3 revisions per family (each with its own
 * image), 1 running task per service, and 10 images per service in ECR (3 in use, 7 older ones).
 */
export interface FleetShape {
  services: number;
  clusters: number;
  repositories: number;
  revisionsPerFamily: number;
  tasksPerService: number;
  imagesPerRepository: number;
  /**
   * Every `loadBalancedEvery`-th service (0, k, 2k, …) sits behind its own `ip` target group, forwarded to
   * by a path rule on its cluster's Application Load Balancer (one ALB and listener per cluster).
   */
  loadBalancedEvery?: number;
}

export function fleetShape(services: number): FleetShape {
  return {
    services,
    clusters: Math.max(1, Math.ceil(services / 50)),
    repositories: Math.max(1, Math.ceil(services / 10)),
    revisionsPerFamily: 3,
    tasksPerService: 1,
    imagesPerRepository: 10 * Math.min(10, services),
  };
}

/**
 * The same services packed densely: 500 services per cluster and 250 per repository (750 images in use
 * and 1,250 in all per repository), so every list pages and every batch API fills its batches
 * (ListServices and ListTasks past 100, BatchGetImage past 100 ids, DescribeImages past 1,000).
 */
export function denseFleetShape(services: number): FleetShape {
  const repositories = Math.max(1, Math.ceil(services / 250));
  const inUsePerRepository = Math.ceil(services / repositories) * 3;
  return {
    services,
    clusters: Math.max(1, Math.ceil(services / 500)),
    repositories,
    revisionsPerFamily: 3,
    tasksPerService: 1,
    imagesPerRepository: Math.ceil((inUsePerRepository * 5) / 3),
  };
}

export interface Fleet {
  sim: Simulator;
  shape: FleetShape;
  /** Real seconds the setup took (not part of any figure). */
  setupSeconds: number;
  config: ReturnType<typeof sdkConfig>;
}

/**
 * Starts a simulator (clock stopped) and fills it with the fleet: repositories with a lifecycle policy and
 * their images, task definition families, services, and their tasks running. Setup goes through the SDK
 * with no added latency; the caller sets latency for the measured part.
 */
export async function startFleet(shape: FleetShape, log: (line: string) => void): Promise<Fleet> {
  const started = performance.now();
  const sim = await startSimulator({ port: 0, speed: 0, start: new Date('2026-03-01T00:00:00Z') });
  try {
    const config = sdkConfig(sim);
    const clients = sdkClients(sim);
    const { ecs, ecr } = clients;
    const limit = pLimit(32);
    const policy = JSON.stringify({
      rules: [{ rulePriority: 1, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1000 }, action: { type: 'expire' } }],
    });
    await Promise.all(
      Array.from({ length: shape.repositories }, (_, r) =>
        limit(async () => {
          await ecr.send(new CreateRepositoryCommand({ repositoryName: `app${r}` }));
          await ecr.send(new PutLifecyclePolicyCommand({ repositoryName: `app${r}`, lifecyclePolicyText: policy }));
        }),
      ),
    );
    await Promise.all(Array.from({ length: shape.clusters }, (_, c) => limit(() => ecs.send(new CreateClusterCommand({ clusterName: `c${c}` })))));
    const listeners = shape.loadBalancedEvery ? await createClusterListeners(clients.elbv2, shape.clusters, limit) : [];
    // Older images first (pushed earlier), then each service's revisions.
    const inUsePerRepository = (shape.services / shape.repositories) * shape.revisionsPerFamily;
    const old = Math.max(0, shape.imagesPerRepository - Math.ceil(inUsePerRepository));
    for (let r = 0; r < shape.repositories; r++) {
      for (let k = 0; k < old; k++) await sim.control.seedImage!({ repositoryName: `app${r}`, tags: [`old-${k}`], pushedAt: new Date('2026-01-01T00:00:00Z') });
    }
    await Promise.all(
      Array.from({ length: shape.services }, (_, i) =>
        limit(async () => {
          const repositoryName = `app${i % shape.repositories}`;
          let taskDefinition = '';
          for (let rev = 0; rev < shape.revisionsPerFamily; rev++) {
            await sim.control.seedImage!({ repositoryName, tags: [`s${i}-r${rev}`] });
            taskDefinition = await registerFargateTaskDefinition(ecs, {
              family: `svc${i}`,
              containerDefinitions: [{ name: 'app', image: simImage(`${repositoryName}:s${i}-r${rev}`), essential: true, portMappings: [{ containerPort: 8080 }] }],
            });
          }
          const cluster = i % shape.clusters;
          const loadBalancers = shape.loadBalancedEvery && i % shape.loadBalancedEvery === 0 ? [{ targetGroupArn: await serviceTargetGroup(clients.elbv2, listeners[cluster]!, i), containerName: 'app', containerPort: 8080 }] : undefined;
          await createFargateService(ecs, { cluster: `c${cluster}`, serviceName: `svc${i}`, taskDefinition, desiredCount: shape.tasksPerService, loadBalancers });
        }),
      ),
    );
    // Provisioning, pull and start take seconds of simulated time; two minutes settles every rollout.
    await sim.clock.advance(120_000);
    for (const client of Object.values(clients)) client.destroy();
    const setupSeconds = (performance.now() - started) / 1000;
    log(`  fleet: ${shape.services} services, ${shape.clusters} clusters, ${shape.repositories} repositories, ${shape.repositories * shape.imagesPerRepository} images (setup ${setupSeconds.toFixed(1)} s)`);
    return { sim, shape, setupSeconds, config };
  } catch (err) {
    await sim.stop();
    throw err;
  }
}

/** One internet-facing ALB per cluster with an HTTP listener answering 404 unless a rule matches. */
async function createClusterListeners(elbv2: ElasticLoadBalancingV2Client, clusters: number, limit: <T>(fn: () => Promise<T>) => Promise<T>): Promise<string[]> {
  return Promise.all(
    Array.from({ length: clusters }, (_, c) =>
      limit(async () => {
        const lb = await elbv2.send(new CreateLoadBalancerCommand({ Name: `alb-c${c}`, Subnets: ['subnet-1', 'subnet-2'] }));
        const listener = await elbv2.send(
          new CreateListenerCommand({
            LoadBalancerArn: lb.LoadBalancers![0]!.LoadBalancerArn,
            Protocol: 'HTTP',
            Port: 80,
            DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain' } }],
          }),
        );
        return listener.Listeners![0]!.ListenerArn!;
      }),
    ),
  );
}

/** Service i's target group `tg-svc<i>` (ip, port 8080, health checks on /health) and the rule `/svc<i>/*` forwarding to it. */
async function serviceTargetGroup(elbv2: ElasticLoadBalancingV2Client, listenerArn: string, i: number): Promise<string> {
  const tg = await elbv2.send(new CreateTargetGroupCommand({ Name: `tg-svc${i}`, Protocol: 'HTTP', Port: 8080, VpcId: 'vpc-bench', TargetType: 'ip', HealthCheckPath: '/health' }));
  const arn = tg.TargetGroups![0]!.TargetGroupArn!;
  await elbv2.send(new CreateRuleCommand({ ListenerArn: listenerArn, Priority: i + 1, Conditions: [{ Field: 'path-pattern', Values: [`/svc${i}/*`] }], Actions: [{ Type: 'forward', TargetGroupArn: arn }] }));
  return arn;
}
