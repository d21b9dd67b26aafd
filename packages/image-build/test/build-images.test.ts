import { beforeEach, describe, expect, it } from '@jest/globals';
import { cp, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
} from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import { InputError, UserError } from '@gantry/github';
import { buildImages, OCI, type BuildImagesOptions } from '../src/index.js';
import { digestOf, fakeDocker, memoryLogger, pushOutput, startsWith } from './helpers/fake-docker.js';

const HOST = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
const PASSWORD = 'ecr-password-that-must-never-be-logged';
const SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const ecrMock = mockClient(ECRClient);
const clock = { now: () => new Date('2025-06-01T12:00:00Z') };

async function workspace(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'gantry-ib-'));
  await cp(join(import.meta.dirname, 'fixtures/app'), dir, { recursive: true });
  return dir;
}

function options(rootDir: string, over: Partial<BuildImagesOptions> = {}): BuildImagesOptions {
  return {
    rootDir,
    repository: 'shop/web',
    app: { context: '.', dockerfile: 'docker/app.Dockerfile', buildArgs: {}, cacheFrom: [], cacheTo: [] },
    base: { context: '.', dockerfile: 'docker/base.Dockerfile', buildArgs: {}, cacheFrom: [], cacheTo: [], hashFiles: ['composer.lock'] },
    platforms: ['linux/amd64'],
    commitSha: SHA,
    extraTags: ['latest'],
    sourceUrl: 'https://github.com/acme/shop',
    provenance: false,
    createRepositories: false,
    repositorySettings: { scanOnPush: true, tagImmutability: 'IMMUTABLE' },
    network: 'host',
    builder: 'buildkit',
    ...over,
  };
}

/** Docker that builds and pushes successfully, with the base and the app getting distinct digests. */
function workingDocker() {
  return fakeDocker([
    [startsWith('push'), (args) => (args[1]!.includes(':base-') ? { stdout: pushOutput(args[1]!, digestOf(1), 3, 0) } : { stdout: pushOutput(args[1]!, digestOf(2), 1, 3) })],
  ]);
}

function ecrWith({ baseExists }: { baseExists: boolean }) {
  ecrMock.on(DescribeRepositoriesCommand).resolves({ repositories: [{ repositoryName: 'shop/web', repositoryUri: `${HOST}/shop/web` }] });
  ecrMock.on(GetAuthorizationTokenCommand).resolves({
    authorizationData: [{ authorizationToken: Buffer.from(`AWS:${PASSWORD}`).toString('base64'), proxyEndpoint: `https://${HOST}` }],
  });
  let basePushed = baseExists;
  ecrMock.on(DescribeImagesCommand).callsFake((input: { imageIds: { imageTag?: string; imageDigest?: string }[] }) => {
    const id = input.imageIds[0]!;
    if (id.imageTag?.startsWith('base-')) {
      if (!basePushed) {
        basePushed = true; // the next lookup happens after the push
        throw Object.assign(new Error('not found'), { name: 'ImageNotFoundException' });
      }
      return { imageDetails: [{ imageDigest: digestOf(1), imageTags: [id.imageTag], imageSizeInBytes: 50_000_000 }] };
    }
    return { imageDetails: [{ imageDigest: id.imageDigest, imageTags: [SHA, 'latest'], imageSizeInBytes: 51_000_000 }] };
  });
}

const builds = <C extends { args: string[] }>(calls: C[]) => calls.filter((c) => c.args[0] === 'build');
const flagValues = (args: string[], flag: string) => args.flatMap((a, i) => (a === flag ? [args[i + 1]!] : []));

describe('buildImages', () => {
  beforeEach(() => {
    ecrMock.reset();
  });

  it('builds and pushes the base when its tag is missing, then the app pinned to the base digest', async () => {
    ecrWith({ baseExists: false });
    const docker = workingDocker();
    const logger = memoryLogger();
    const masked: string[] = [];
    const logins: string[] = [];
    const result = await buildImages(options(await workspace()), { ecr: new ECRClient({}), docker, clock, logger, mask: (s) => masked.push(s), onLogin: (h) => logins.push(h) });

    expect(result.base.rebuilt).toBe(true);
    expect(result.base.image).toBe(`${HOST}/shop/web@${digestOf(1)}`);
    expect(result.image).toBe(`${HOST}/shop/web@${digestOf(2)}`);
    expect(result.digest).toBe(digestOf(2));
    expect(result.imageUriTagged).toBe(`${HOST}/shop/web:${SHA}`);
    expect(result.tags).toEqual([`${HOST}/shop/web:${SHA}`, `${HOST}/shop/web:latest`]);
    expect(result.app).toMatchObject({ sizeBytes: 51_000_000, pushedLayers: 1, existingLayers: 3 });
    expect(logins).toEqual([HOST]);

    const [baseBuild, appBuild] = builds(docker.calls);
    expect(flagValues(baseBuild!.args, '--tag')).toEqual([`${HOST}/shop/web:${result.base.tag}`]);
    expect(baseBuild!.options.env).toEqual({ DOCKER_BUILDKIT: '1' });
    expect(flagValues(appBuild!.args, '--build-arg')).toEqual([`BASE_IMAGE=${HOST}/shop/web@${digestOf(1)}`]);
    expect(flagValues(appBuild!.args, '--label')).toEqual([
      `${OCI.source}=https://github.com/acme/shop`,
      `${OCI.revision}=${SHA}`,
      `${OCI.created}=2025-06-01T12:00:00.000Z`,
      `${OCI.baseName}=${HOST}/shop/web:${result.base.tag}`,
      `${OCI.baseDigest}=${digestOf(1)}`,
    ]);
    expect(flagValues(appBuild!.args, '--platform')).toEqual(['linux/amd64']);
  });

  it('logs in with the password on stdin only, masked before use, and never logs it', async () => {
    ecrWith({ baseExists: true });
    const docker = workingDocker();
    const logger = memoryLogger();
    const masked: string[] = [];
    await buildImages(options(await workspace()), { ecr: new ECRClient({}), docker, clock, logger, mask: (s) => masked.push(s) });
    const login = docker.calls.find((c) => c.args[0] === 'login')!;
    expect(login.args).toEqual(['login', '--username', 'AWS', '--password-stdin', HOST]);
    expect(login.options.stdin).toBe(PASSWORD);
    expect(masked).toContain(PASSWORD);
    for (const call of docker.calls) expect(call.args.join(' ')).not.toContain(PASSWORD);
    expect(logger.lines.join('\n')).not.toContain(PASSWORD);
  });

  it('does not build the base when its content tag already exists', async () => {
    ecrWith({ baseExists: true });
    const docker = workingDocker();
    const result = await buildImages(options(await workspace()), { ecr: new ECRClient({}), docker, clock, logger: memoryLogger(), mask: () => {} });
    expect(result.base.rebuilt).toBe(false);
    expect(result.base.sizeBytes).toBe(50_000_000);
    expect(builds(docker.calls)).toHaveLength(1);
    expect(flagValues(builds(docker.calls)[0]!.args, '--file')[0]).toMatch(/app\.Dockerfile$/);
    expect(docker.calls.filter((c) => c.args[0] === 'push').map((c) => c.args[1])).toEqual([`${HOST}/shop/web:${SHA}`, `${HOST}/shop/web:latest`]);
  });

  it('uses buildx with --push, reading the digest from its metadata file', async () => {
    ecrWith({ baseExists: true });
    const docker = fakeDocker([
      [
        startsWith('buildx', 'build'),
        async (args) => {
          await writeFile(flagValues(args, '--metadata-file')[0]!, JSON.stringify({ 'containerimage.digest': digestOf(7) }));
          return {};
        },
      ],
    ]);
    const result = await buildImages(options(await workspace(), { builder: undefined }), { ecr: new ECRClient({}), docker, clock, logger: memoryLogger(), mask: () => {} });
    expect(result.builder).toBe('buildx');
    expect(result.digest).toBe(digestOf(7));
    const build = docker.calls.find((c) => c.args[1] === 'build')!;
    expect(flagValues(build.args, '--annotation')).toEqual([`manifest:${OCI.baseName}=${HOST}/shop/web:${result.base.tag}`, `manifest:${OCI.baseDigest}=${digestOf(1)}`]);
    expect(docker.calls.some((c) => c.args[0] === 'push')).toBe(false);
  });

  it('checks files and inputs before any AWS or docker call', async () => {
    ecrWith({ baseExists: false });
    const dir = await workspace();
    const cases: [Partial<BuildImagesOptions>, RegExp][] = [
      [{ app: { context: '.', dockerfile: 'docker/missing.Dockerfile', buildArgs: {}, cacheFrom: [], cacheTo: [] } }, /Input 'dockerfile' names a Dockerfile 'docker\/missing.Dockerfile' that does not exist/],
      [{ app: { context: 'nope', dockerfile: 'docker/app.Dockerfile', buildArgs: {}, cacheFrom: [], cacheTo: [] } }, /Input 'context' names a build context 'nope'/],
      [{ platforms: ['linux/sparc'] }, /Input 'platforms' names an unknown platform 'linux\/sparc'/],
      [{ base: { context: '.', dockerfile: 'docker/base.Dockerfile', buildArgs: {}, cacheFrom: [], cacheTo: [], hashFiles: ['yarn.lock'] } }, /pattern 'yarn.lock' that matches no file/],
      [{ extraTags: ['bad tag'] }, /Input 'tags' has 'bad tag'/],
      [{ commitSha: 'main' }, /Input 'commit-sha'/],
    ];
    for (const [over, message] of cases) {
      const docker = workingDocker();
      ecrMock.resetHistory();
      const attempt = buildImages(options(dir, over), { ecr: new ECRClient({}), docker, clock, logger: memoryLogger(), mask: () => {} });
      await expect(attempt).rejects.toThrow(message);
      await expect(attempt).rejects.toBeInstanceOf(InputError);
      expect(docker.calls).toEqual([]);
      expect(ecrMock.calls()).toHaveLength(0);
    }
  });

  it('refuses an app Dockerfile that does not take the base image build arg', async () => {
    const dir = await workspace();
    await writeFile(join(dir, 'docker/app.Dockerfile'), 'FROM scratch\nCOPY src/ /app/src/\n');
    await expect(buildImages(options(dir), { ecr: new ECRClient({}), docker: workingDocker(), clock, logger: memoryLogger(), mask: () => {} })).rejects.toThrow(
      /does not declare ARG BASE_IMAGE/,
    );
  });

  it('stops before login when the repository is missing and creation is off; creates it when on', async () => {
    ecrWith({ baseExists: true });
    ecrMock.on(DescribeRepositoriesCommand).rejects(Object.assign(new Error('missing'), { name: 'RepositoryNotFoundException' }));
    ecrMock.on(CreateRepositoryCommand).resolves({ repository: { repositoryName: 'shop/web' } });
    const docker = workingDocker();
    const attempt = buildImages(options(await workspace()), { ecr: new ECRClient({}), docker, clock, logger: memoryLogger(), mask: () => {} });
    await expect(attempt).rejects.toThrow(/ECR repository 'shop\/web' does not exist.*create-repository: true/);
    expect(ecrMock.commandCalls(GetAuthorizationTokenCommand)).toHaveLength(0);
    expect(docker.calls).toEqual([]);

    const result = await buildImages(options(await workspace(), { createRepositories: true }), { ecr: new ECRClient({}), docker: workingDocker(), clock, logger: memoryLogger(), mask: () => {} });
    expect(result.repositoriesCreated).toEqual(['shop/web']);
    expect(ecrMock.commandCalls(CreateRepositoryCommand)[0]!.args[0].input).toEqual({
      repositoryName: 'shop/web',
      imageScanningConfiguration: { scanOnPush: true },
      imageTagMutability: 'IMMUTABLE',
    });
  });

  it('names the registry when docker login is refused', async () => {
    ecrWith({ baseExists: true });
    const docker = fakeDocker([[startsWith('login'), () => ({ exitCode: 1, stderr: 'Error response from daemon: Get "https://x/v2/": unauthorized' })]]);
    const attempt = buildImages(options(await workspace()), { ecr: new ECRClient({}), docker, clock, logger: memoryLogger(), mask: () => {} });
    await expect(attempt).rejects.toThrow(new RegExp(`The registry ${HOST} refused docker login: .*unauthorized`));
  });

  it('fails with the last build lines and pushes nothing when the app build fails', async () => {
    ecrWith({ baseExists: true });
    const docker = fakeDocker([[startsWith('build'), () => ({ exitCode: 1, stderr: '#7 [2/2] COPY src/ /app/src/\n#7 ERROR: failed to compute cache key: "/src" not found\n' })]]);
    const attempt = buildImages(options(await workspace()), { ecr: new ECRClient({}), docker, clock, logger: memoryLogger(), mask: () => {} });
    await expect(attempt).rejects.toBeInstanceOf(UserError);
    await expect(attempt).rejects.toThrow(/The app image build failed \(docker exited 1\); nothing was pushed\. Last lines of the build log:\n#7 \[2\/2\] COPY[\s\S]*"\/src" not found/);
    expect(docker.calls.filter((c) => c.args[0] === 'push')).toEqual([]);
  });

  it('refuses several platforms without buildx', async () => {
    ecrWith({ baseExists: true });
    const docker = fakeDocker([[startsWith('buildx', 'version'), () => ({ exitCode: 1, stderr: "docker: 'buildx' is not a docker command." })]]);
    const attempt = buildImages(options(await workspace(), { builder: undefined, platforms: ['linux/amd64', 'linux/arm64'] }), { ecr: new ECRClient({}), docker, clock, logger: memoryLogger(), mask: () => {} });
    await expect(attempt).rejects.toThrow(/Input 'platforms' lists 2 platforms, but this runner has no docker buildx/);
    expect(docker.calls.some((c) => c.args[0] === 'login')).toBe(false);
  });
});
