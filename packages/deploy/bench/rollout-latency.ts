// Measures how long after ECS marks a deployment FAILED (or COMPLETED) the bundled deploy-service action
// exits, against the simulator. Goal: at most one poll interval. Run from the repo root:
//   node --import tsx packages/deploy/bench/rollout-latency.ts [poll-interval-ms]
// The simulator is watched in-process every 10 ms to timestamp the moment ECS changes the rollout state.
import { join } from 'node:path';
import { CreateClusterCommand, CreateServiceCommand, DescribeServicesCommand, ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { startSimulator } from '@gantry/aws-sim';
import { runAction } from '@gantry/local-runner';

const pollMs = Number(process.argv[2] ?? 1000);
const actionDir = join(import.meta.dirname, '..', '..', '..', 'actions', 'deploy-service');
const REGISTRY = '123456789012.dkr.ecr.us-east-1.amazonaws.com';

async function once(tag: 'v2' | 'crash'): Promise<number> {
  const sim = await startSimulator({ port: 0, speed: 60 });
  try {
    const ecs = new ECSClient({ region: 'us-east-1', endpoint: sim.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    for (const t of ['v1', 'v2', 'crash']) await sim.control.seedImage!({ repositoryName: 'app', tags: [t] });
    sim.control.setImageBehaviour('app:crash', { startSeconds: 5, exitAfterSeconds: 3, exitCode: 1 });
    await ecs.send(new CreateClusterCommand({ clusterName: 'prod' }));
    const register = async (t: string) =>
      (await ecs.send(new RegisterTaskDefinitionCommand({ family: 'app', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512', containerDefinitions: [{ name: 'web', image: `${REGISTRY}/app:${t}`, essential: true }] })))
        .taskDefinition!.taskDefinitionArn!;
    await ecs.send(new CreateServiceCommand({ cluster: 'prod', serviceName: 'web', taskDefinition: await register('v1'), desiredCount: 2, launchType: 'FARGATE', networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'] } } }));
    await sim.clock.advance(120_000);
    const target = await register(tag);
    let markedAt: number | undefined;
    let done = false;
    const watcher = (async () => {
      while (!done && markedAt === undefined) {
        const svc = (await ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['web'] }))).services?.[0];
        const ours = svc?.deployments?.find((d) => d.taskDefinition === target);
        if (ours?.rolloutState === 'FAILED' || (ours?.rolloutState === 'COMPLETED' && ours.status === 'PRIMARY')) markedAt = performance.now();
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    const started = performance.now();
    const run = await runAction(actionDir, { inputs: { cluster: 'prod', service: 'web', 'task-definition': target, 'poll-interval': `${pollMs}ms`, timeout: '5m' }, env: sim.env });
    const exitedAt = started + run.durationMs;
    done = true;
    await watcher;
    if (markedAt === undefined) throw new Error(`ECS never marked the ${tag} rollout; action said ${run.outputs.status}`);
    return exitedAt - markedAt;
  } finally {
    await sim.stop();
  }
}

const results: Record<string, number[]> = { success: [], failed: [] };
for (let i = 0; i < 3; i++) {
  results.success!.push(await once('v2'));
  results.failed!.push(await once('crash'));
}
for (const [outcome, ms] of Object.entries(results)) {
  const worst = Math.max(...ms);
  console.log(`${outcome}: ECS marked → action exited: ${ms.map((m) => `${Math.round(m)} ms`).join(', ')} (poll ${pollMs} ms; worst ${worst <= pollMs + 500 ? 'within' : 'OVER'} one poll + process exit)`);
}
