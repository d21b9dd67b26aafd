import { describe, expect, it } from '@jest/globals';
import { BatchDeleteImageCommand, PutImageCommand, PutLifecyclePolicyCommand } from '@aws-sdk/client-ecr';
import { evaluatePolicy, parsePolicy } from '@gantry/lifecycle';
import { runGuard, summaryMarkdown, type GuardOptions, type Logger } from '../src/index.js';
import { lifecycleImages } from '../src/verify.js';
import { repositoryState } from '../src/repositories.js';
import { makeIndex, makeManifest, World } from './helpers/world.js';

const keepTwo = { rules: [{ rulePriority: 1, description: 'keep 2', selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 2 }, action: { type: 'expire' } }] };

function options(world: World, overrides: Partial<GuardOptions> = {}): GuardOptions {
  return {
    mode: 'protect',
    concurrency: 4,
    clusters: [],
    repositories: [],
    rollbackRevisions: 3,
    eventBuses: ['default'],
    schedules: true,
    taskDefinitions: [],
    images: [],
    now: () => world.now,
    ...overrides,
  };
}

function logger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (l) => lines.push(l), warning: (l) => lines.push(`warning: ${l}`) };
}

/** The incident: a websocket service runs an old image that "keep the last 2" would prune. */
function incident(policy: object = keepTwo, mutability: 'MUTABLE' | 'IMMUTABLE' = 'MUTABLE') {
  const world = new World().repository('api', { policy, mutability });
  const old = world.push('api', ['v1'], 30);
  world.push('api', ['v2'], 20);
  world.push('api', ['v3'], 10);
  const latest = world.push('api', ['v4', 'latest'], 1);
  const wsTd = world.taskDefinition('ws', [world.uri('api', 'v1')]);
  const webTd = world.taskDefinition('web', [world.uri('api', 'latest')]);
  world.service('prod', { name: 'ws', taskDefinition: wsTd, revisionImages: [[world.uri('api', 'v1'), old]] });
  world.service('prod', { name: 'web', taskDefinition: webTd, revisionImages: [[world.uri('api', 'latest'), latest]] });
  world.task('prod', [[world.uri('api', 'v1'), old]]);
  world.task('prod', [[world.uri('api', 'latest'), latest]]);
  return { world, old, latest };
}

function decisionsNow(world: World, repository: string) {
  const r = world.repositories.get(repository)!;
  const state = repositoryState(
    repository,
    r.images.map((i) => ({ imageDigest: i.digest, imageTags: i.tags, imagePushedAt: i.pushedAt, imageStatus: i.status ?? 'ACTIVE' })),
    r.policy,
  );
  return evaluatePolicy(parsePolicy(r.policy!), lifecycleImages(state, [], new Map()), { now: world.now });
}

describe('verify mode', () => {
  it('fails naming the service, the image and the rule when the policy would expire an in-use image', async () => {
    const { world, old } = incident();
    const report = await runGuard(world.clients, options(world, { mode: 'verify' }), logger());
    expect(report.ok).toBe(false);
    const line = report.failures.find((f) => f.includes(old.slice(7, 19)));
    expect(line).toMatch(/used by service prod\/ws and 1 running task,/);
    expect(line).toMatch(/would be expired by rule 1 \("keep 2"\)\.$/);
    expect(line).toContain('tags: v1');
    expect(world.ecrMock.commandCalls(PutImageCommand)).toHaveLength(0);
    expect(world.ecrMock.commandCalls(PutLifecyclePolicyCommand)).toHaveLength(0);
  });

  it('passes when no in-use image is at risk', async () => {
    const { world } = incident({ rules: [{ rulePriority: 1, selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 7 }, action: { type: 'expire' } }] });
    const report = await runGuard(world.clients, options(world, { mode: 'verify' }), logger());
    expect(report.failures).toEqual([]);
    expect(report.ok).toBe(true);
  });
});

describe('protect mode', () => {
  it('tags the in-use image, puts the shield rule first, renumbers only because the lowest priority was 1, and verifies', async () => {
    const { world, old, latest } = incident();
    const log = logger();
    const report = await runGuard(world.clients, options(world), log);
    expect(report.failures).toEqual([]);
    expect(world.image('api', old)!.tags).toEqual(['v1', `gantry-keep-${old.slice(7, 19)}`]);
    expect(world.image('api', latest)!.tags).toContain(`gantry-keep-${latest.slice(7, 19)}`);
    const policy = JSON.parse(world.repositories.get('api')!.policy!);
    expect(policy.rules[0].selection).toEqual({ tagStatus: 'tagged', tagPrefixList: ['gantry-keep-'], countType: 'imageCountMoreThan', countNumber: 1_000_000_000 });
    expect(policy.rules[1]).toEqual({ ...keepTwo.rules[0], rulePriority: 2 });
    expect(log.lines.join('\n')).toMatch(/move up by one \(order unchanged\): 1→2/);
    // The same policy now takes v2 (not in use) but never v1 or v4.
    const taken = decisionsNow(world, 'api').map((d) => d.imageDigest);
    expect(taken).not.toContain(old);
    expect(taken).not.toContain(latest);
    expect(taken).toHaveLength(1);
    const row = report.repositories.find((r) => r.repository === 'api')!;
    expect(row).toMatchObject({ images: 4, inUse: 2, protected: 2, wouldExpire: 1, fixedNow: 1, renumbered: true });
    expect(summaryMarkdown(report)).toContain('| `api` (priorities +1) | 4 | 2 | 2 | 1 | 1 |');
  });

  it('retags with the exact manifest bytes, media type and digest, and works on IMMUTABLE repositories', async () => {
    const { world, old } = incident(keepTwo, 'IMMUTABLE');
    const report = await runGuard(world.clients, options(world), logger());
    expect(report.ok).toBe(true);
    const put = world.ecrMock.commandCalls(PutImageCommand).map((c) => c.args[0].input).find((i) => i.imageDigest === old)!;
    expect(put.imageManifest).toBe(world.image('api', old)!.manifest);
    expect(put.imageManifestMediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(put.imageTag).toBe(`gantry-keep-${old.slice(7, 19)}`);
  });

  it('keeps priorities when a number below the user rules is free, and is idempotent', async () => {
    const policy = { rules: [{ ...keepTwo.rules[0], rulePriority: 10 }] };
    const { world } = incident(policy);
    await runGuard(world.clients, options(world), logger());
    const rules = JSON.parse(world.repositories.get('api')!.policy!).rules;
    expect(rules.map((r: { rulePriority: number }) => r.rulePriority)).toEqual([1, 10]);
    world.ecrMock.resetHistory();
    const again = await runGuard(world.clients, options(world), logger());
    expect(again.ok).toBe(true);
    expect(world.ecrMock.commandCalls(PutImageCommand)).toHaveLength(0);
    expect(world.ecrMock.commandCalls(PutLifecyclePolicyCommand)).toHaveLength(0);
  });

  it('releases protection tags of images no longer in use only by tag, and never removes an image’s last tag', async () => {
    const { world } = incident();
    const stillTagged = world.push('api', ['v0', 'gantry-keep-aaaaaaaaaaaa'], 40);
    const onlyProtection = world.push('api', ['gantry-keep-bbbbbbbbbbbb'], 50);
    const report = await runGuard(world.clients, options(world), logger());
    expect(report.ok).toBe(true);
    const deletes = world.ecrMock.commandCalls(BatchDeleteImageCommand).flatMap((c) => c.args[0].input.imageIds ?? []);
    expect(deletes).toEqual([{ imageTag: 'gantry-keep-aaaaaaaaaaaa' }]);
    expect(world.image('api', stillTagged)!.tags).toEqual(['v0']);
    expect(world.image('api', onlyProtection)!.tags).toEqual(['gantry-keep-bbbbbbbbbbbb']);
    expect(report.repositories[0]!.keptProtectionTags).toEqual(['gantry-keep-bbbbbbbbbbbb']);
  });

  it('re-reads images right before releasing tags and keeps a protection tag that has become the only tag', async () => {
    const { world } = incident();
    const racing = world.push('api', ['v0', 'gantry-keep-dddddddddddd'], 40);
    // Someone removes v0 after the guard listed the repository.
    world.beforeDescribeById = () => (world.image('api', racing)!.tags = ['gantry-keep-dddddddddddd']);
    const report = await runGuard(world.clients, options(world), logger());
    expect(report.ok).toBe(true);
    expect(world.ecrMock.commandCalls(BatchDeleteImageCommand)).toHaveLength(0);
    expect(world.image('api', racing)).toBeDefined();
    expect(report.repositories[0]!.keptProtectionTags).toEqual(['gantry-keep-dddddddddddd']);
  });

  it('notes references to images that are already gone instead of guessing', async () => {
    const { world } = incident();
    const td = world.taskDefinition('cron', [world.uri('api', 'deleted-tag')]);
    world.rules.push({ name: 'hourly', taskDefinitions: [td] });
    const report = await runGuard(world.clients, options(world, { mode: 'verify' }), logger());
    expect(report.notes).toContain(`scheduled task EventBridge rule hourly refers to ${world.uri('api', 'deleted-tag')}, which is not in repository api any more.`);
  });

  it('fails closed: a cluster it cannot read leaves stale protection tags alone and names what it could not see', async () => {
    const { world } = incident();
    world.cluster('secret').services.push({ name: 'hidden', taskDefinition: world.taskDefinition('hidden', [world.uri('api', 'v2')]) });
    const stale = world.push('api', ['v0', 'gantry-keep-cccccccccccc'], 40);
    world.denied.set('ecs:ListServices', 'secret');
    const report = await runGuard(world.clients, options(world), logger());
    expect(report.ok).toBe(false);
    expect(report.failures[0]).toMatch(/inventory is incomplete/);
    expect(report.failures[0]).toMatch(/services of cluster secret \(ecs:ListServices\).*AccessDenied/);
    expect(world.ecrMock.commandCalls(BatchDeleteImageCommand)).toHaveLength(0);
    expect(world.image('api', stale)!.tags).toContain('gantry-keep-cccccccccccc');
    // What it did see is still protected: adding protection never reduces it.
    expect(report.violations).toEqual([]);
  });

  it('refuses a policy that cannot take one more rule and changes nothing in that repository', async () => {
    const rules = Array.from({ length: 50 }, (_, i) => ({
      rulePriority: i + 1,
      selection: { tagStatus: 'tagged', tagPrefixList: [`p${i}`], countType: 'imageCountMoreThan', countNumber: 2 },
      action: { type: 'expire' },
    }));
    const { world } = incident({ rules });
    const report = await runGuard(world.clients, options(world), logger());
    expect(report.ok).toBe(false);
    expect(report.failures.join('\n')).toMatch(/repository api has 50 rules; the guard needs one more .* at most 50/);
    expect(world.ecrMock.commandCalls(PutImageCommand)).toHaveLength(0);
    expect(world.ecrMock.commandCalls(PutLifecyclePolicyCommand)).toHaveLength(0);
  });

  it('refuses a policy that would exceed 30,720 characters with the shield rule', async () => {
    const long = 'x'.repeat(30_720 - 400);
    const { world } = incident({ rules: [{ ...keepTwo.rules[0], description: long }] });
    const report = await runGuard(world.clients, options(world), logger());
    expect(report.failures.join('\n')).toMatch(/would be \d+ characters; ECR allows at most 30720/);
    expect(world.ecrMock.commandCalls(PutLifecyclePolicyCommand)).toHaveLength(0);
  });

  it('protects the rollback window, scheduled task definitions, extra inputs, base images and index children', async () => {
    const world = new World().repository('app', { policy: keepTwo }).repository('base', { policy: keepTwo }).repository('jobs', { policy: keepTwo });
    const baseDigest = world.push('base', ['b1'], 100);
    for (let i = 0; i < 4; i++) world.push('base', [`b${i + 2}`], 10 - i);
    const amd = world.push('app', [], 60);
    const arm = world.push('app', [], 60);
    const index = world.push('app', ['multi'], 60, makeIndex([amd, arm]));
    const withBase = world.push('app', ['rel-5'], 55, makeManifest('rel5', { 'org.opencontainers.image.base.digest': baseDigest, 'org.opencontainers.image.base.name': `${world.uri('base', 'b1')}` }));
    const rel = [1, 2, 3, 4].map((n) => world.push('app', [`rel-${n}`], 50 - n));
    for (let i = 0; i < 3; i++) world.push('app', [`new-${i}`], 5 - i);
    // Family web: revisions 1..5, the rollback window (3) is revisions 3..5; family web-worker shares the prefix.
    world.taskDefinition('web', [world.uri('app', 'rel-1')]);
    world.taskDefinition('web', [world.uri('app', 'rel-2')]);
    world.taskDefinition('web', [world.uri('app', 'rel-3')]);
    world.taskDefinition('web', [world.uri('app', 'rel-4')]);
    const web5 = world.taskDefinition('web', [world.uri('app', 'rel-5')]);
    for (let i = 0; i < 5; i++) world.taskDefinition('web-worker', [world.uri('app', 'new-0')]);
    world.service('prod', { name: 'web', taskDefinition: web5 });
    const jobImage = world.push('jobs', ['nightly'], 90);
    for (let i = 0; i < 3; i++) world.push('jobs', [`j${i}`], 3 - i);
    world.rules.push({ name: 'nightly-report', taskDefinitions: [world.taskDefinition('report', [world.uri('jobs', 'nightly')])] });
    world.schedules.push({ name: 'cleanup', target: 'arn:aws:ecs:us-east-1:123456789012:cluster/prod', taskDefinition: world.taskDefinition('cleanup', [world.uri('app', 'multi')]) });
    world.schedules.push({ name: 'lambda', target: 'arn:aws:lambda:us-east-1:123456789012:function:x' });
    const migrate = world.taskDefinition('migrate', [world.uri('app', 'rel-2')]);

    const report = await runGuard(world.clients, options(world, { taskDefinitions: ['migrate'] }), logger());
    expect(report.failures).toEqual([]);
    const inUse = new Map(report.inUse.map((i) => [i.digest, i.usedBy]));
    expect(inUse.get(withBase)).toEqual(['service prod/web']);
    expect(inUse.get(rel[3]!)).toEqual(['rollback window of web']);
    expect(inUse.get(rel[2]!)).toEqual(['rollback window of web']);
    expect(inUse.has(rel[0]!)).toBe(false);
    expect(inUse.get(rel[1]!)).toEqual([`listed in inputs task definition migrate`]);
    expect(inUse.get(baseDigest)).toEqual([`base image of app@${withBase.slice(7, 19)}`]);
    expect(inUse.get(index)).toEqual(['scheduled task schedule default/cleanup']);
    expect(inUse.get(amd)).toEqual([`child of index app@${index.slice(7, 19)}`]);
    expect(inUse.get(arm)).toBeDefined();
    expect(inUse.get(jobImage)).toEqual(['scheduled task EventBridge rule nightly-report']);
    for (const [repository, digests] of [['app', [withBase, rel[3]!, rel[2]!, rel[1]!, index, amd, arm]], ['base', [baseDigest]], ['jobs', [jobImage]]] as const) {
      const taken = decisionsNow(world, repository).map((d) => d.imageDigest);
      for (const d of digests) expect(taken).not.toContain(d);
    }
    expect(migrate).toContain('migrate:1');
  });

  it('skips INACTIVE revisions in the rollback window (current + 2 older ACTIVE), listing the family only then', async () => {
    const world = new World().repository('app', { policy: keepTwo });
    const d = [1, 2, 3, 4].map((n) => world.push('app', [`r${n}`], 50 - n));
    for (let i = 0; i < 3; i++) world.push('app', [`n${i}`], 3 - i);
    world.taskDefinition('web', [world.uri('app', 'r1')]);
    world.taskDefinition('web', [world.uri('app', 'r2')]);
    world.taskDefinition('web', [world.uri('app', 'r3')], 'INACTIVE');
    const top = world.taskDefinition('web', [world.uri('app', 'r4')]);
    for (let i = 0; i < 3; i++) world.taskDefinition('web-worker', [world.uri('app', 'n0')]);
    world.service('prod', { name: 'web', taskDefinition: top });
    const report = await runGuard(world.clients, options(world, { mode: 'verify' }), logger());
    const inUse = new Map(report.inUse.map((i) => [i.digest, i.usedBy]));
    expect([d[0], d[1], d[2], d[3]].map((x) => inUse.get(x!))).toEqual([['rollback window of web'], ['rollback window of web'], undefined, ['service prod/web']]);
    expect(world.calls()['ecs:ListTaskDefinitions']).toBe(1);
  });
});
