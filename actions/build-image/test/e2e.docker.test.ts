import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { copyFile, cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type Simulator } from '@gantry/aws-sim';
import { dockerTestEnv, runAction, type ActionRun } from '@gantry/local-runner';
import { registryImageConfig } from './helpers/docker-env.js';

// The bundled action, run as the runner runs it, against @gantry/aws-sim in registry mode: ECR's API
// (GetAuthorizationToken, DescribeImages, CreateRepository) and `docker push` meet the same images in
// the real registry. This is the "Done when".
const env = dockerTestEnv('the build-image end-to-end test');
const actionDir = join(import.meta.dirname, '..');
const fixture = join(import.meta.dirname, '../../../packages/image-build/test/fixtures/app');
const BASE_DIGEST_LABEL = 'org.opencontainers.image.base.digest';

(env.run ? describe : describe.skip)('build-image end to end (simulator registry mode, real Docker)', () => {
  let sim: Simulator;
  let workspace: string;
  let dockerConfig: string;
  const suffix = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const repository = `gantry-e2e/web-${suffix}`;
  const baseRepository = `gantry-e2e/base-${suffix}`;
  const runs: ActionRun[] = [];

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, speed: 60, registryUrl: `http://${env.registry}` });
    workspace = await mkdtemp(join(tmpdir(), 'gantry-e2e-'));
    await cp(fixture, workspace, { recursive: true });
    await copyFile('/bin/busybox', join(workspace, 'busybox'));
    dockerConfig = await mkdtemp(join(tmpdir(), 'gantry-e2e-docker-'));
  }, 60_000);

  afterAll(async () => {
    await sim?.stop();
    if (workspace) await rm(workspace, { recursive: true, force: true });
    if (dockerConfig) await rm(dockerConfig, { recursive: true, force: true });
  });

  const run = async (sha: string) => {
    const result = await runAction(actionDir, {
      cwd: workspace,
      timeoutMs: 170_000,
      inputs: {
        repository,
        'base-repository': baseRepository,
        'base-dockerfile': 'docker/base.Dockerfile',
        'base-hash-files': 'composer.lock',
        dockerfile: 'docker/app.Dockerfile',
        'commit-sha': sha,
        tags: 'latest',
        'create-repository': true,
        docker: env.binary,
        network: 'host',
      },
      env: { ...sim.env, DOCKER_HOST: process.env.DOCKER_HOST, DOCKER_CONFIG: dockerConfig },
    });
    runs.push(result);
    if (result.exitCode !== 0) throw new Error(`action failed (${result.exitCode}): ${result.errors.join('\n')}\n${result.log.slice(-3000)}`);
    return result;
  };

  it('builds base and app, reuses the base for a source-only change, rebuilds it for a lockfile change', async () => {
    const first = await run('a1b2c3d4e5f60718293a4b5c6d7e8f9012345678');
    expect(first.outputs['base-rebuilt']).toBe('true');
    expect(first.log).toContain('Build the base image');
    expect(first.outputs.image).toBe(`${env.registry}/${repository}@${first.outputs.digest}`);
    expect(first.outputs['image-uri-tagged']).toBe(`${env.registry}/${repository}:a1b2c3d4e5f60718293a4b5c6d7e8f9012345678`);
    expect(first.outputs.tags!.split('\n')).toEqual([first.outputs['image-uri-tagged'], `${env.registry}/${repository}:latest`]);
    expect(first.outputs['base-image']).toMatch(new RegExp(`^${env.registry}/${baseRepository}@sha256:[0-9a-f]{64}$`));
    expect(first.summary).toContain('rebuilt (inputs changed)');

    // The pushed app config: linux/amd64, and its base recorded by digest.
    const config = await registryImageConfig(env.registry, repository, first.outputs.digest!);
    expect([config.os, config.architecture]).toEqual(['linux', 'amd64']);
    expect(config.config.Labels?.[BASE_DIGEST_LABEL]).toBe(first.outputs['base-image']!.split('@')[1]);

    // Only app source changed: no base build started, one layer pushed.
    // Unique content: the registry outlives test runs, and an identical layer would already be there.
    await writeFile(join(workspace, 'src/index.php'), `<?php echo "second ${Date.now()} ${Math.random()}";`);
    const second = await run('b1b2c3d4e5f60718293a4b5c6d7e8f9012345678');
    expect(second.outputs['base-rebuilt']).toBe('false');
    expect(second.outputs['base-image']).toBe(first.outputs['base-image']);
    expect(second.log).not.toContain('Build the base image');
    expect(second.summary).toContain('reused (inputs unchanged)');
    expect(second.summary).toMatch(/\| 1 pushed, \d+ already in the registry \|/);
    expect(second.outputs.digest).not.toBe(first.outputs.digest);

    // The lockfile changed: a new base.
    await writeFile(join(workspace, 'composer.lock'), '{ "packages": [ { "name": "laravel/framework", "version": "v11.2.0" } ] }\n');
    const third = await run('c1b2c3d4e5f60718293a4b5c6d7e8f9012345678');
    expect(third.outputs['base-rebuilt']).toBe('true');
    expect(third.outputs['base-tag']).not.toBe(first.outputs['base-tag']);
    expect(third.outputs['base-image']).not.toBe(first.outputs['base-image']);
  }, 300_000);

  it('masks the registry password and never prints it', () => {
    expect(runs.length).toBe(3);
    for (const r of runs) {
      const lines = r.log.split('\n');
      const masked = lines.filter((l) => l.startsWith('::add-mask::')).map((l) => l.slice('::add-mask::'.length));
      expect(masked.length).toBeGreaterThan(0);
      // The runner consumes ::add-mask:: lines; every other line must be free of the secret.
      const visible = lines.filter((l) => !l.startsWith('::add-mask::')).join('\n');
      for (const secret of masked) expect(visible).not.toContain(secret);
    }
  });

  it('logs out in the post step', async () => {
    const last = runs.at(-1)!;
    expect(last.state.registry).toBe(env.registry);
    const post = await runAction(actionDir, { step: 'post', state: last.state, env: { DOCKER_HOST: process.env.DOCKER_HOST, DOCKER_CONFIG: dockerConfig } });
    expect(post.exitCode).toBe(0);
    expect(post.log).toContain(`Logged out of ${env.registry}.`);
  });

  it('split form: a build: base step, then a build: app step given only its base-image output', async () => {
    const step = async (inputs: Record<string, string | boolean>) => {
      const result = await runAction(actionDir, {
        cwd: workspace,
        timeoutMs: 170_000,
        inputs: { docker: env.binary, network: 'host', 'create-repository': true, 'commit-sha': 'e1b2c3d4e5f60718293a4b5c6d7e8f9012345678', ...inputs },
        env: { ...sim.env, DOCKER_HOST: process.env.DOCKER_HOST, DOCKER_CONFIG: dockerConfig },
      });
      if (result.exitCode !== 0) throw new Error(`action failed (${result.exitCode}): ${result.errors.join('\n')}\n${result.log.slice(-3000)}`);
      return result;
    };
    await writeFile(join(workspace, 'composer.lock'), `{ "packages": [], "nonce": "${Date.now()}-${Math.random()}" }\n`);
    const base = await step({ build: 'base', 'base-repository': baseRepository, 'base-dockerfile': 'docker/base.Dockerfile', 'base-hash-files': 'composer.lock' });
    expect(base.outputs['base-rebuilt']).toBe('true');
    expect(base.outputs.image).toBe('');
    expect(base.outputs['base-image']).toBe(`${env.registry}/${baseRepository}@${base.outputs['base-digest']}`);
    expect(base.log).not.toContain('Build the app image');

    const app = await step({ build: 'app', repository: `${repository}-worker`, 'base-image': base.outputs['base-image']!, dockerfile: 'docker/app.Dockerfile' });
    expect(app.log).not.toContain('Build the base image');
    expect(app.outputs['base-image']).toBe(base.outputs['base-image']);
    const config = await registryImageConfig(env.registry, `${repository}-worker`, app.outputs.digest!);
    expect(config.config.Labels?.[BASE_DIGEST_LABEL]).toBe(base.outputs['base-digest']);

    // An app step given a base-dockerfile as well is told which job it belongs to, with one ::error::.
    const wrong = await runAction(actionDir, {
      cwd: workspace,
      inputs: { build: 'app', repository, 'commit-sha': 'e1b2c3d4e5f60718293a4b5c6d7e8f9012345678', 'base-image': base.outputs['base-image']!, 'base-dockerfile': 'docker/base.Dockerfile', 'base-hash-files': 'composer.lock', docker: env.binary },
      env: { ...sim.env, DOCKER_HOST: process.env.DOCKER_HOST, DOCKER_CONFIG: dockerConfig },
    });
    expect(wrong.exitCode).not.toBe(0);
    expect(wrong.errors).toEqual([expect.stringMatching(/Input 'build' is 'app'.*belong to the job with build: base/)]);
  }, 300_000);
});
