import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildImages, OCI, spawnDockerCli, type BuildImagesOptions, type DockerCli } from '../src/index.js';
import { dockerTestEnv } from '@gantry/local-runner';
import { registryBackedEcr, registryBlobJson, registryManifest } from './helpers/registry-ecr.js';
import { fixtureWorkspace, uniqueRepository } from './helpers/workspace.js';

// Real engine, real registry: the BuildKit `docker build` path this machine has, end to end.
const env = dockerTestEnv('buildImages against a real Docker engine');
const PASSWORD = 'registry-password-4c1d-never-in-logs';

(env.run ? describe : describe.skip)('buildImages against a real Docker engine and registry', () => {
  let dockerConfig: string;
  let docker: DockerCli;
  let root: string;
  const log: string[] = [];
  const masked: string[] = [];
  const repository = uniqueRepository('web');
  const baseRepository = uniqueRepository('base');
  const ecr = registryBackedEcr(env.registry, PASSWORD);

  /** Records which Dockerfiles were built, on top of the real client. */
  const built: string[] = [];
  const recording = (inner: DockerCli): DockerCli => ({
    binary: inner.binary,
    run(args, options) {
      if (args[0] === 'build' || args[1] === 'build') built.push(args[args.indexOf('--file') + 1]!.split('/').pop()!);
      return inner.run(args, {
        ...options,
        onLine: (line) => {
          log.push(line);
          options?.onLine?.(line);
        },
      });
    },
  });

  const options = (): BuildImagesOptions => ({
    rootDir: root,
    repository,
    baseRepository,
    app: { context: '.', dockerfile: 'docker/app.Dockerfile', buildArgs: {}, cacheFrom: [], cacheTo: [] },
    base: { context: '.', dockerfile: 'docker/base.Dockerfile', buildArgs: {}, cacheFrom: [], cacheTo: [], hashFiles: ['composer.lock'] },
    platforms: ['linux/amd64'],
    commitSha: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
    extraTags: [],
    sourceUrl: 'https://github.com/acme/shop',
    provenance: false,
    createRepositories: false,
    repositorySettings: { scanOnPush: false, tagImmutability: 'MUTABLE' },
    network: 'host',
  });
  const deps = () => ({
    ecr,
    docker,
    clock: { now: () => new Date() },
    logger: { info: (l: string) => void log.push(l), warning: (l: string) => void log.push(l) },
    mask: (s: string) => void masked.push(s),
  });

  beforeAll(async () => {
    // A private client config, so the test's login never touches the user's ~/.docker.
    dockerConfig = await mkdtemp(join(tmpdir(), 'gantry-docker-config-'));
    docker = recording(spawnDockerCli({ binary: env.binary, env: { ...process.env, DOCKER_CONFIG: dockerConfig } }));
    root = await fixtureWorkspace();
  });
  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
    if (dockerConfig) await rm(dockerConfig, { recursive: true, force: true });
  });

  it('builds base and app, then reuses the base when only app source changes, and rebuilds it when the lockfile changes', async () => {
    // Run 1: cold.
    const first = await buildImages(options(), deps());
    expect(first.builder).toBe('buildkit');
    expect(first.base.rebuilt).toBe(true);
    expect(built).toEqual(['base.Dockerfile', 'app.Dockerfile']);
    expect(first.image).toBe(`${env.registry}/${repository}@${first.digest}`);

    // The pushed app image: linux/amd64, its base recorded by digest, OCI labels set.
    const pushed = await registryManifest(env.registry, repository, first.digest);
    expect(pushed?.digest).toBe(first.digest);
    const config = await registryBlobJson<{ os: string; architecture: string; config: { Labels: Record<string, string> } }>(env.registry, repository, pushed!.manifest.config!.digest);
    expect([config.os, config.architecture]).toEqual(['linux', 'amd64']);
    expect(config.config.Labels[OCI.baseDigest]).toBe(first.base.digest);
    expect(config.config.Labels[OCI.baseName]).toBe(`${env.registry}/${baseRepository}:${first.base.tag}`);
    expect(config.config.Labels[OCI.revision]).toBe('a1b2c3d4e5f60718293a4b5c6d7e8f9012345678');
    expect((await registryManifest(env.registry, baseRepository, first.base.tag))?.digest).toBe(first.base.digest);

    // Run 2: only app source changed → no base build, one new layer pushed.
    built.length = 0;
    // Unique content: the registry outlives test runs, and an identical layer would already be there.
    await writeFile(join(root, 'src/index.php'), `<?php echo "second deploy ${Date.now()} ${Math.random()}";`);
    const second = await buildImages({ ...options(), commitSha: 'b1b2c3d4e5f60718293a4b5c6d7e8f9012345678' }, deps());
    expect(built).toEqual(['app.Dockerfile']);
    expect(second.base.rebuilt).toBe(false);
    expect(second.base.digest).toBe(first.base.digest);
    expect(second.digest).not.toBe(first.digest);
    expect(second.app.pushedLayers).toBe(1);
    expect(second.app.existingLayers).toBeGreaterThanOrEqual(3);

    // Run 3: the lockfile changed → a new base tag, built and pushed.
    built.length = 0;
    await writeFile(join(root, 'composer.lock'), '{ "packages": [ { "name": "laravel/framework", "version": "v11.1.0" } ] }\n');
    const third = await buildImages({ ...options(), commitSha: 'c1b2c3d4e5f60718293a4b5c6d7e8f9012345678' }, deps());
    expect(built).toEqual(['base.Dockerfile', 'app.Dockerfile']);
    expect(third.base.rebuilt).toBe(true);
    expect(third.base.tag).not.toBe(first.base.tag);
    expect(third.base.digest).not.toBe(first.base.digest);

    // The registry password was masked and never printed by us or by docker.
    expect(masked).toContain(PASSWORD);
    expect(log.join('\n')).not.toContain(PASSWORD);
  }, 180_000);

  it('fails a broken app build with its last log lines and pushes no final tag', async () => {
    await writeFile(join(root, 'docker/app.Dockerfile'), 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nRUN echo about-to-fail && exit 3\n');
    const attempt = buildImages({ ...options(), commitSha: 'd1b2c3d4e5f60718293a4b5c6d7e8f9012345678' }, deps());
    await expect(attempt).rejects.toThrow(/The app image build failed \(docker exited 1\); nothing was pushed\. Last lines of the build log:[\s\S]*exit 3/);
    expect(await registryManifest(env.registry, repository, 'd1b2c3d4e5f60718293a4b5c6d7e8f9012345678')).toBeUndefined();
  }, 120_000);
});
