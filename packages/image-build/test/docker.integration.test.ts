import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Simulator } from '@gantry/aws-sim';
import type { ECRClient } from '@aws-sdk/client-ecr';
import { buildImages, OCI, spawnDockerCli, type BuildImagesOptions, type DockerCli } from '../src/index.js';
import { dockerTestEnv } from '@gantry/local-runner';
import { startEngine, type Engine } from './helpers/engines.js';
import { registryBlobJson, registryManifest } from './helpers/registry-ecr.js';
import { simulatedEcr } from './helpers/simulator-ecr.js';
import { fixtureWorkspace, uniqueRepository } from './helpers/workspace.js';

// Real engines, real registry, ECR's API from @gantry/aws-sim in registry mode: the BuildKit
// `docker build` path this machine has, end to end. Extra engines (fresh image store and build cache,
// as on another runner) are started by the test and stopped by PID.
const env = dockerTestEnv('buildImages against real Docker engines and a registry');
const SHA = (n: number) => `${n.toString(16).padStart(2, '0')}b2c3d4e5f60718293a4b5c6d7e8f9012345678`;

type Labels = Record<string, string>;
async function labelsOf(registry: string, repository: string, reference: string): Promise<{ digest: string; labels: Labels }> {
  const pushed = await registryManifest(registry, repository, reference);
  if (!pushed) throw new Error(`${repository}:${reference} is not in the registry`);
  const config = await registryBlobJson<{ config: { Labels: Labels } }>(registry, repository, pushed.manifest.config!.digest);
  return { digest: pushed.digest, labels: config.config.Labels };
}

(env.run ? describe : describe.skip)('buildImages against real Docker engines and a registry', () => {
  let sim: Simulator;
  let ecr: ECRClient;
  let createRepository: (name: string, mutability?: 'MUTABLE' | 'IMMUTABLE') => Promise<void>;
  const cleanup: (() => Promise<unknown>)[] = [];
  const log: string[] = [];
  const masked: string[] = [];

  /** A docker client with its own config dir (login state), on `host` (default: the sandbox engine). */
  async function client(host?: string, built?: string[]): Promise<DockerCli> {
    const config = await mkdtemp(join(tmpdir(), 'gantry-docker-config-'));
    cleanup.push(() => rm(config, { recursive: true, force: true }));
    const inner = spawnDockerCli({ binary: env.binary, env: { ...process.env, ...(host ? { DOCKER_HOST: host } : {}), DOCKER_CONFIG: config } });
    return {
      binary: inner.binary,
      run(args, options) {
        if (built && (args[0] === 'build' || args[1] === 'build')) built.push(args[args.indexOf('--file') + 1]!.split('/').pop()!);
        return inner.run(args, { ...options, onLine: (line) => (log.push(line), options?.onLine?.(line)) });
      },
    };
  }
  async function engine(): Promise<Engine> {
    const started = await startEngine(env.binary);
    cleanup.push(() => started.stop());
    return started;
  }
  async function workspace(): Promise<string> {
    const root = await fixtureWorkspace();
    cleanup.push(() => rm(root, { recursive: true, force: true }));
    return root;
  }

  const options = (root: string, repository: string, baseRepository: string, over: Partial<BuildImagesOptions> = {}): BuildImagesOptions => ({
    rootDir: root,
    repository,
    baseRepository,
    app: { context: '.', dockerfile: 'docker/app.Dockerfile', buildArgs: {}, cacheFrom: [], cacheTo: [] },
    base: { context: '.', dockerfile: 'docker/base.Dockerfile', buildArgs: {}, cacheFrom: [], cacheTo: [], hashFiles: ['composer.lock'] },
    platforms: ['linux/amd64'],
    commitSha: SHA(0xa1),
    extraTags: [],
    sourceUrl: 'https://github.com/acme/shop',
    provenance: false,
    createRepositories: false,
    repositorySettings: { scanOnPush: false, tagImmutability: 'MUTABLE' },
    network: 'host',
    ...over,
  });
  const deps = (docker: DockerCli) => ({
    ecr,
    docker,
    clock: { now: () => new Date() },
    logger: { info: (l: string) => void log.push(l), warning: (l: string) => void log.push(l) },
    mask: (s: string) => void masked.push(s),
  });
  /** A lockfile no earlier run has seen: the registry outlives test runs, and a known base would be reused. */
  const freshLockfile = (root: string) => writeFile(join(root, 'composer.lock'), `{ "packages": [], "nonce": "${Date.now()}-${Math.random()}" }\n`);

  beforeAll(async () => {
    if (!env.available) throw new Error(`GANTRY_REQUIRE_DOCKER=1 but ${env.reason}`);
    ({ sim, ecr, createRepository } = await simulatedEcr(env.registry));
  }, 60_000);
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
    await sim?.stop();
  }, 120_000);

  it('combined form: builds base and app, reuses the base when only app source changes, rebuilds it when the lockfile changes', async () => {
    const [repository, baseRepository] = [uniqueRepository('web'), uniqueRepository('base')];
    await createRepository(repository);
    await createRepository(baseRepository);
    const root = await workspace();
    const built: string[] = [];
    const docker = await client(undefined, built);

    const first = await buildImages(options(root, repository, baseRepository), deps(docker));
    expect(first.builder).toBe('buildkit');
    expect(first.base.rebuilt).toBe(true);
    expect(built).toEqual(['base.Dockerfile', 'app.Dockerfile']);
    expect(first.image).toBe(`${env.registry}/${repository}@${first.digest}`);

    // The pushed app image: its base recorded by digest, OCI labels set, the tag on exactly this image.
    const app = await labelsOf(env.registry, repository, SHA(0xa1));
    expect(app.digest).toBe(first.digest);
    expect(app.labels[OCI.baseDigest]).toBe(first.base.digest);
    expect(app.labels[OCI.baseName]).toBe(`${env.registry}/${baseRepository}:${first.base.tag}`);
    expect(app.labels[OCI.revision]).toBe(SHA(0xa1));
    expect((await registryManifest(env.registry, baseRepository, first.base.tag!))?.digest).toBe(first.base.digest);

    // Only app source changed → no base build, one new layer pushed.
    built.length = 0;
    await writeFile(join(root, 'src/index.php'), `<?php echo "second deploy ${Date.now()} ${Math.random()}";`);
    const second = await buildImages(options(root, repository, baseRepository, { commitSha: SHA(0xb1) }), deps(docker));
    expect(built).toEqual(['app.Dockerfile']);
    expect(second.base).toMatchObject({ rebuilt: false, digest: first.base.digest });
    expect(second.digest).not.toBe(first.digest);
    expect(second.app?.pushedLayers).toBe(1);
    expect(second.app?.existingLayers).toBeGreaterThanOrEqual(3);

    // The lockfile changed → a new base tag, built and pushed.
    built.length = 0;
    await freshLockfile(root);
    const third = await buildImages(options(root, repository, baseRepository, { commitSha: SHA(0xc1) }), deps(docker));
    expect(built).toEqual(['base.Dockerfile', 'app.Dockerfile']);
    expect(third.base.rebuilt).toBe(true);
    expect(third.base.tag).not.toBe(first.base.tag);
    expect(third.base.digest).not.toBe(first.base.digest);

    // No registry password was printed by us or by docker.
    expect(masked.length).toBeGreaterThan(0);
    for (const secret of masked) expect(log.join('\n')).not.toContain(secret);
  }, 240_000);

  it('fails a broken app build with its last log lines and puts no final tag', async () => {
    const [repository, baseRepository] = [uniqueRepository('web'), uniqueRepository('base')];
    await createRepository(repository);
    await createRepository(baseRepository);
    const root = await workspace();
    await writeFile(join(root, 'docker/app.Dockerfile'), 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nRUN echo about-to-fail && exit 3\n');
    const attempt = buildImages(options(root, repository, baseRepository, { commitSha: SHA(0xd9) }), deps(await client()));
    await expect(attempt).rejects.toThrow(/The app image build failed \(docker exited 1\); nothing was pushed\. Last lines of the build log:[\s\S]*exit 3/);
    expect(await registryManifest(env.registry, repository, SHA(0xd9))).toBeUndefined();
  }, 180_000);

  it('split form: base in one job, three app images in three further jobs on fresh engines, all pinned to the one base digest', async () => {
    const [baseRepository, ...appRepositories] = [uniqueRepository('base'), uniqueRepository('web'), uniqueRepository('worker'), uniqueRepository('websocket')];
    for (const name of [baseRepository, ...appRepositories]) await createRepository(name);
    const root = await workspace();
    await freshLockfile(root);
    const services = ['web', 'worker', 'websocket'];
    for (const service of services) {
      await writeFile(join(root, `docker/${service}.Dockerfile`), `ARG BASE_IMAGE\nFROM \${BASE_IMAGE}\nCOPY src/ /app/src/\nCMD ["/bin/sh", "-c", "echo ${service}"]\n`);
    }

    // Job 1: the base only. No app repository is touched, no app image built.
    const baseBuilt: string[] = [];
    const baseJob = await buildImages(options(root, 'unused-app-repo', baseRepository, { build: 'base' }), deps(await client(undefined, baseBuilt)));
    expect(baseBuilt).toEqual(['base.Dockerfile']);
    expect(baseJob).toMatchObject({ build: 'base', tags: [], base: { rebuilt: true } });
    expect(baseJob.image).toBeUndefined();

    // Jobs 2-4, in parallel, each on its own fresh engine that knows nothing but the base's digest.
    const jobs = await Promise.all(
      services.map(async (service, i) => {
        const fresh = await engine();
        const built: string[] = [];
        const result = await buildImages(
          { ...options(root, appRepositories[i]!, 'ignored', { build: 'app', baseImage: baseJob.base.image, commitSha: SHA(0xd1) }), base: undefined, baseRepository: undefined, app: { context: '.', dockerfile: `docker/${service}.Dockerfile`, buildArgs: {}, cacheFrom: [], cacheTo: [] } },
          deps(await client(fresh.host, built)),
        );
        return { service, result, built };
      }),
    );
    for (const [i, { service, result, built }] of jobs.entries()) {
      expect(built).toEqual([`${service}.Dockerfile`]);
      expect(result.base).toMatchObject({ image: baseJob.base.image, digest: baseJob.base.digest, tag: baseJob.base.tag, rebuilt: false });
      const app = await labelsOf(env.registry, appRepositories[i]!, SHA(0xd1));
      expect(app.digest).toBe(result.digest);
      expect(app.labels[OCI.baseDigest]).toBe(baseJob.base.digest);
      expect(app.labels[OCI.baseName]).toBe(`${env.registry}/${baseRepository}:${baseJob.base.tag}`);
      // The app image really contains the base: its first layers are the base's.
      const base = await registryManifest(env.registry, baseRepository, baseJob.base.digest);
      const appManifest = await registryManifest(env.registry, appRepositories[i]!, result.digest!);
      expect(appManifest!.manifest.layers!.slice(0, base!.manifest.layers!.length).map((l) => l.digest)).toEqual(base!.manifest.layers!.map((l) => l.digest));
    }
  }, 300_000);

  it('split form: an app job whose base digest is not in ECR fails before login and before building', async () => {
    const repository = uniqueRepository('web');
    await createRepository(repository);
    const baseRepository = uniqueRepository('base');
    await createRepository(baseRepository);
    const calls: string[] = [];
    const docker = await client();
    const watching: DockerCli = { binary: docker.binary, run: (args, o) => (calls.push(args[0]!), docker.run(args, o)) };
    const missing = `${env.registry}/${baseRepository}@sha256:${'0'.repeat(64)}`;
    const attempt = buildImages({ ...options(await workspace(), repository, baseRepository, { build: 'app', baseImage: missing }), base: undefined }, deps(watching));
    await expect(attempt).rejects.toThrow(`The base image ${missing} (input 'base-image') does not exist in ECR.`);
    expect(calls).not.toContain('login');
    expect(calls).not.toContain('build');
  }, 60_000);

  it('two concurrent runs on one engine each publish exactly their own image under their own tags', async () => {
    const repository = uniqueRepository('web');
    const baseRepository = uniqueRepository('base');
    await createRepository(repository);
    await createRepository(baseRepository, 'IMMUTABLE');
    const roots = [await workspace(), await workspace()];
    const lock = `{ "packages": [], "nonce": "${Date.now()}-${Math.random()}" }\n`;
    for (const [i, root] of roots.entries()) {
      await writeFile(join(root, 'composer.lock'), lock);
      await writeFile(join(root, 'src/index.php'), `<?php echo "run ${i} ${Math.random()}";`);
    }
    // Same engine, same repositories, same base inputs (so both build the base at once) and a shared
    // 'latest' tag: the situation that made one run push the other's image.
    const runs = await Promise.all(
      roots.map(async (root, i) => buildImages(options(root, repository, baseRepository, { commitSha: SHA(0xe0 + i), extraTags: ['latest', `run-${i}`] }), deps(await client()))),
    );
    for (const [i, run] of runs.entries()) {
      for (const tag of [SHA(0xe0 + i), `run-${i}`]) {
        const pushed = await labelsOf(env.registry, repository, tag);
        expect(pushed.digest).toBe(run.digest);
        expect(pushed.labels[OCI.revision]).toBe(SHA(0xe0 + i));
      }
    }
    expect(runs[0]!.digest).not.toBe(runs[1]!.digest);
    expect([runs[0]!.digest, runs[1]!.digest]).toContain((await registryManifest(env.registry, repository, 'latest'))!.digest);
    // Both apps on the one base the registry's tag names.
    const baseTag = (await registryManifest(env.registry, baseRepository, runs[0]!.base.tag!))!.digest;
    expect(runs.map((r) => r.base.digest)).toEqual([baseTag, baseTag]);
  }, 300_000);

  for (const mutability of ['IMMUTABLE', 'MUTABLE'] as const) {
    it(`two runs racing on two engines to build the same base (${mutability} tags) end with their apps on one base`, async () => {
      const repository = uniqueRepository('web');
      const baseRepository = uniqueRepository('base');
      await createRepository(repository);
      await createRepository(baseRepository, mutability);
      const root = await workspace();
      await freshLockfile(root);
      const second = await engine();
      const runs = await Promise.all(
        [undefined, second.host].map(async (host, i) => buildImages(options(root, repository, baseRepository, { commitSha: SHA(0xf0 + i) }), deps(await client(host)))),
      );
      const tagged = (await registryManifest(env.registry, baseRepository, runs[0]!.base.tag!))!.digest;
      for (const [i, run] of runs.entries()) {
        expect(run.base.digest).toBe(tagged);
        expect((await labelsOf(env.registry, repository, SHA(0xf0 + i))).labels[OCI.baseDigest]).toBe(tagged);
      }
      // Both built; the one whose image lost says so.
      expect(runs.filter((r) => r.base.raceLost)).toHaveLength(runs.filter((r) => r.base.rebuilt).length - 1);
    }, 300_000);
  }
});
