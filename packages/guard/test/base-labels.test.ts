import { describe, expect, it } from '@jest/globals';
import { CreateClusterCommand, CreateServiceCommand, ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { ECRClient, GetDownloadUrlForLayerCommand, PutLifecyclePolicyCommand } from '@aws-sdk/client-ecr';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { startSimulator } from '@gantry/aws-sim';
import { evaluatePolicy, parsePolicy } from '@gantry/lifecycle';
import { runGuard, silentLogger, type GuardOptions } from '../src/index.js';
import { lifecycleImages } from '../src/verify.js';
import { repositoryState } from '../src/repositories.js';
import { makeManifest, World } from './helpers/world.js';

const keepTwo = { rules: [{ rulePriority: 1, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 2 }, action: { type: 'expire' } }] };
const BASE_DIGEST = 'org.opencontainers.image.base.digest';
const BASE_NAME = 'org.opencontainers.image.base.name';

function options(overrides: Partial<GuardOptions> = {}): GuardOptions {
  return { mode: 'protect', concurrency: 4, clusters: [], repositories: [], rollbackRevisions: 1, eventBuses: [], schedules: false, taskDefinitions: [], images: [], ...overrides };
}

/** A base repository of five images (b1 the oldest) and an app image built on b1 that service prod/web runs. */
function builtOnOldBase(record: 'annotations' | 'labels') {
  const world = new World().repository('app', { policy: keepTwo }).repository('base', { policy: keepTwo });
  const baseDigest = world.push('base', ['b1'], 100);
  for (let i = 0; i < 4; i++) world.push('base', [`b${i + 2}`], 10 - i);
  const keys = { [BASE_DIGEST]: baseDigest, [BASE_NAME]: world.uri('base', 'b1') };
  const unused = world.push('app', ['old'], 90, makeManifest('old', undefined, keys));
  const app = world.push('app', ['rel'], 50, record === 'annotations' ? makeManifest('rel', keys) : makeManifest('rel', undefined, keys));
  world.service('prod', { name: 'web', taskDefinition: world.taskDefinition('web', [world.uri('app', 'rel')]) });
  return { world, baseDigest, app, unused };
}

describe('base images recorded as config labels', () => {
  it.each(['annotations', 'labels'] as const)('protects a base image recorded only as %s', async (record) => {
    const { world, baseDigest, app } = builtOnOldBase(record);
    const report = await runGuard(world.clients, options({ now: () => world.now }), silentLogger);
    expect(report.failures).toEqual([]);
    expect(report.inUse.find((i) => i.digest === baseDigest)?.usedBy).toEqual([`base image of app@${app.slice(7, 19)}`]);
    // After protection, the policy as the guard left it no longer expires b1.
    const r = world.repositories.get('base')!;
    const state = repositoryState('base', r.images.map((i) => ({ imageDigest: i.digest, imageTags: i.tags, imagePushedAt: i.pushedAt, imageStatus: 'ACTIVE' })), r.policy);
    const expired = evaluatePolicy(parsePolicy(r.policy!), lifecycleImages(state, [], new Map()), { now: world.now }).map((d) => d.imageDigest);
    expect(expired).not.toContain(baseDigest);
    expect(expired.length).toBeGreaterThan(0);
    // Labels are read only when the manifest has no annotations, and only for the in-use app image.
    const reads = world.ecrMock.commandCalls(GetDownloadUrlForLayerCommand).map((c) => [c.args[0].input.repositoryName, c.args[0].input.layerDigest]);
    const config = JSON.parse(world.image('app', app)!.manifest).config.digest;
    expect(reads).toEqual(record === 'labels' ? [['app', config]] : []);
  });

  it('fails closed naming ecr:GetDownloadUrlForLayer when the config cannot be read', async () => {
    const { world, baseDigest } = builtOnOldBase('labels');
    world.denied.set('ecr:GetDownloadUrlForLayer', '*');
    const report = await runGuard(world.clients, options({ now: () => world.now }), silentLogger);
    expect(report.ok).toBe(false);
    expect(report.blindspots.map((b) => b.what)).toEqual([expect.stringMatching(/^config labels of app@[0-9a-f]{12}, which has no base image annotations \(ecr:GetDownloadUrlForLayer\)$/)]);
    expect(report.blindspots[0]!.reason).toMatch(/not authorized to perform: ecr:GetDownloadUrlForLayer/);
    expect(report.inUse.some((i) => i.digest === baseDigest)).toBe(false);
  });

  it('finds a label-only base image through the simulator (GetDownloadUrlForLayer + blob download)', async () => {
    const sim = await startSimulator({ port: 0, speed: 0, start: new Date('2026-03-01T00:00:00Z') });
    const config = { region: 'us-east-1', endpoint: sim.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 };
    const clients = { ecs: new ECSClient(config), ecr: new ECRClient(config), events: new EventBridgeClient(config), scheduler: new SchedulerClient(config) };
    try {
      const day = 86_400_000;
      const at = (days: number) => new Date(sim.clock.now().getTime() - days * day);
      const base = await sim.control.seedImage!({ repositoryName: 'base', tags: ['b1'], pushedAt: at(100) });
      for (let i = 0; i < 4; i++) await sim.control.seedImage!({ repositoryName: 'base', tags: [`b${i + 2}`], pushedAt: at(10 - i) });
      const app = await sim.control.seedImage!({ repositoryName: 'app', tags: ['rel'], baseDigest: base.imageDigest, baseName: base.imageUri, baseIn: 'labels' });
      await clients.ecr.send(new PutLifecyclePolicyCommand({ repositoryName: 'base', lifecyclePolicyText: JSON.stringify(keepTwo) }));
      await clients.ecs.send(new CreateClusterCommand({ clusterName: 'prod' }));
      const td = await clients.ecs.send(
        new RegisterTaskDefinitionCommand({ family: 'web', containerDefinitions: [{ name: 'web', image: app.imageUri, memory: 256, essential: true }] }),
      );
      await clients.ecs.send(new CreateServiceCommand({ cluster: 'prod', serviceName: 'web', taskDefinition: td.taskDefinition!.taskDefinitionArn!, desiredCount: 1, launchType: 'EC2' }));
      await sim.clock.advance(60_000);
      sim.control.resetCallCounts();

      const report = await runGuard(clients, options({ now: () => sim.clock.now() }), silentLogger);
      expect(report.failures).toEqual([]);
      expect(report.inUse.find((i) => i.digest === base.imageDigest)?.usedBy).toEqual([`base image of app@${app.imageDigest.slice(7, 19)}`]);
      expect(sim.control.callCounts()).toMatchObject({ 'ecr:GetDownloadUrlForLayer': 1, 's3:GetObject': 1 });
      // The shield now keeps b1 through a real lifecycle run.
      const applied = await sim.control.applyLifecyclePolicies!({ repositoryName: 'base' });
      expect(applied.expired.map((e: { imageDigest: string }) => e.imageDigest)).not.toContain(base.imageDigest);
      expect(applied.expired.length).toBeGreaterThan(0);
    } finally {
      for (const c of Object.values(clients)) c.destroy();
      await sim.stop();
    }
  });
});
