import { beforeEach, describe, expect, it } from '@jest/globals';
import { cp, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  CreateRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
  PutImageCommand,
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
  let last = '';
  return fakeDocker([
    [startsWith('build'), (args) => ((last = flagValues(args, '--file')[0]!), {})],
    [startsWith('push'), (args) => (last.endsWith('base.Dockerfile') ? { stdout: pushOutput(args[1]!, digestOf(1), 3, 0) } : { stdout: pushOutput(args[1]!, digestOf(2), 1, 3) })],
  ]);
}
const STAGING = /:gantry-staging-[0-9a-f]{16}$/;
const pushes = (docker: ReturnType<typeof fakeDocker>) => docker.calls.filter((c) => c.args[0] === 'push').map((c) => c.args[1]!);
const tagsPut = () => ecrMock.commandCalls(PutImageCommand).map((c) => `${c.args[0].input.repositoryName}:${c.args[0].input.imageTag}@${c.args[0].input.imageDigest}`);

function ecrWith({ baseExists, misses = 2 }: { baseExists: boolean; misses?: number }) {
  ecrMock.on(DescribeRepositoriesCommand).resolves({ repositories: [{ repositoryName: 'shop/web', repositoryUri: `${HOST}/shop/web`, imageTagMutability: 'IMMUTABLE' }] });
  ecrMock.on(BatchGetImageCommand).callsFake((input: { imageIds: { imageDigest: string }[] }) => ({
    images: [{ imageId: input.imageIds[0], imageManifest: `{"manifest":"${input.imageIds[0]!.imageDigest}"}`, imageManifestMediaType: 'application/vnd.oci.image.manifest.v1+json' }],
  }));
  ecrMock.on(PutImageCommand).resolves({});
  ecrMock.on(BatchDeleteImageCommand).resolves({ imageIds: [], failures: [] });
  ecrMock.on(GetAuthorizationTokenCommand).resolves({
    authorizationData: [{ authorizationToken: Buffer.from(`AWS:${PASSWORD}`).toString('base64'), proxyEndpoint: `https://${HOST}` }],
  });
  let baseLookups = 0;
  ecrMock.on(DescribeImagesCommand).callsFake((input: { imageIds: { imageTag?: string; imageDigest?: string }[] }) => {
    const id = input.imageIds[0]!;
    if (id.imageTag?.startsWith('base-')) {
      // Missing before the build and before tagging; then the tag names the pushed base.
      if (!baseExists && ++baseLookups <= misses) throw Object.assign(new Error('not found'), { name: 'ImageNotFoundException' });
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
    // Each build is pushed under a staging tag of its own; the final tags are put on exactly its digest.
    expect(flagValues(baseBuild!.args, '--tag')).toEqual([expect.stringMatching(STAGING)]);
    expect(flagValues(appBuild!.args, '--tag')).toEqual([expect.stringMatching(STAGING)]);
    expect(pushes(docker)).toEqual([...flagValues(baseBuild!.args, '--tag'), ...flagValues(appBuild!.args, '--tag')]);
    expect(tagsPut()).toEqual([`shop/web:${result.base.tag}@${digestOf(1)}`, `shop/web:${SHA}@${digestOf(2)}`, `shop/web:latest@${digestOf(2)}`]);
    expect(ecrMock.commandCalls(BatchDeleteImageCommand).map((c) => `:${c.args[0].input.imageIds![0]!.imageTag}`)).toEqual(pushes(docker).map((p) => p.slice(p.lastIndexOf(':'))));
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
    expect(pushes(docker)).toEqual([expect.stringMatching(STAGING)]);
    expect(tagsPut()).toEqual([`shop/web:${SHA}@${digestOf(2)}`, `shop/web:latest@${digestOf(2)}`]);
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

  it('refuses an app Dockerfile that is not built FROM the base image, before any call', async () => {
    const dir = await workspace();
    const cases: [string, RegExp][] = [
      ['FROM scratch\nCOPY src/ /app/src/\n', /does not declare ARG BASE_IMAGE before its first FROM/],
      // Declares the arg but never builds on it: the labels would name a base the image does not contain.
      ['ARG BASE_IMAGE\nFROM scratch\nCOPY src/ /app/src/\n', /its built stage \(line 2\) starts FROM scratch, not FROM \$\{BASE_IMAGE\}/],
    ];
    for (const [text, message] of cases) {
      await writeFile(join(dir, 'docker/app.Dockerfile'), text);
      const docker = workingDocker();
      ecrMock.resetHistory();
      await expect(buildImages(options(dir), { ecr: new ECRClient({}), docker, clock, logger: memoryLogger(), mask: () => {} })).rejects.toThrow(message);
      expect(docker.calls).toEqual([]);
      expect(ecrMock.calls()).toHaveLength(0);
    }
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

  it('names the registry when docker login is refused with 401, without blaming ecr:GetAuthorizationToken', async () => {
    ecrWith({ baseExists: true });
    const docker = fakeDocker([[startsWith('login'), () => ({ exitCode: 1, stderr: 'Error response from daemon: login attempt to https://x/v2/ failed with status: 401 Unauthorized' })]]);
    const attempt = buildImages(options(await workspace()), { ecr: new ECRClient({}), docker, clock, logger: memoryLogger(), mask: () => {} });
    await expect(attempt).rejects.toThrow(new RegExp(`The registry ${HOST} refused the login token ECR issued \\(401 Unauthorized\\) while logging in \\(docker login\\): .*401 Unauthorized`));
    const err = (await attempt.catch((e: UserError) => e)) as UserError;
    expect(err.fix).toMatch(/ecr:GetAuthorizationToken succeeded\), so that permission is not the cause.*'aws-region' and 'registry-id'/);
  });

  it('names the registry and what it was doing when the registry cannot be reached', async () => {
    ecrWith({ baseExists: true });
    const docker = fakeDocker([[startsWith('login'), () => ({ exitCode: 1, stderr: `Error response from daemon: Get "https://${HOST}/v2/": dial tcp 10.0.0.1:443: connect: connection refused` })]]);
    const attempt = buildImages(options(await workspace()), { ecr: new ECRClient({}), docker, clock, logger: memoryLogger(), mask: () => {} });
    await expect(attempt).rejects.toThrow(new RegExp(`Could not reach the registry ${HOST} while logging in \\(docker login\\): .*connection refused`));
  });

  it('refuses a Docker 23+ client without buildx before logging in, saying what to install', async () => {
    ecrWith({ baseExists: true });
    const docker = fakeDocker([
      [startsWith('buildx', 'version'), () => ({ exitCode: 1, stderr: "docker: 'buildx' is not a docker command." })],
      [(a) => a[0] === 'version' && a[2] === '{{.Client.Version}}', () => ({ stdout: '24.0.7\n' })],
    ]);
    const attempt = buildImages(options(await workspace(), { builder: undefined }), { ecr: new ECRClient({}), docker, clock, logger: memoryLogger(), mask: () => {} });
    await expect(attempt).rejects.toThrow(/The docker client fake-docker is version 24.0.7 but has no buildx plugin; since Docker 23, 'docker build' needs buildx/);
    const err = (await attempt.catch((e: UserError) => e)) as UserError;
    expect(err.fix).toMatch(/docker\/setup-buildx-action.*docker-buildx-plugin/);
    expect(docker.calls.some((c) => c.args[0] === 'login')).toBe(false);
    expect(ecrMock.commandCalls(GetAuthorizationTokenCommand)).toHaveLength(0);
  });

  it('uses plain docker build with BuildKit on a client older than 23 without buildx', async () => {
    ecrWith({ baseExists: true });
    const docker = workingDocker();
    docker.run = ((inner) => (args, o) => (args[0] === 'buildx' ? Promise.resolve({ exitCode: 1, stdout: '', stderr: 'not a docker command' }) : args[2] === '{{.Client.Version}}' ? Promise.resolve({ exitCode: 0, stdout: '20.10.24+dfsg1\n', stderr: '' }) : inner(args, o)))(docker.run.bind(docker));
    const result = await buildImages(options(await workspace(), { builder: undefined }), { ecr: new ECRClient({}), docker, clock, logger: memoryLogger(), mask: () => {} });
    expect(result.builder).toBe('buildkit');
  });

  describe('split form', () => {
    const BASE = `${HOST}/shop/base@${digestOf(1)}`;
    const appOnly = (dir: string, over: Partial<BuildImagesOptions> = {}) => options(dir, { build: 'app', base: undefined, baseImage: BASE, ...over });

    it('build: base builds and tags only the base, and touches no app repository', async () => {
      ecrWith({ baseExists: false, misses: 3 }); // looked up before the engine is checked, too
      const docker = workingDocker();
      const result = await buildImages(options(await workspace(), { build: 'base', baseRepository: 'shop/base' }), { ecr: new ECRClient({}), docker, clock, logger: memoryLogger(), mask: () => {} });
      expect(builds(docker.calls).map((c) => flagValues(c.args, '--file')[0]!.split('/').pop())).toEqual(['base.Dockerfile']);
      expect(result).toMatchObject({ build: 'base', tags: [], base: { rebuilt: true, digest: digestOf(1), image: `${HOST}/shop/base@${digestOf(1)}` } });
      expect(result.image).toBeUndefined();
      expect(ecrMock.commandCalls(DescribeRepositoriesCommand).map((c) => c.args[0].input.repositoryNames)).toEqual([['shop/base']]);
      expect(tagsPut()).toEqual([`shop/base:${result.base.tag}@${digestOf(1)}`]);
    });

    it('build: base with the base already in ECR touches no engine and logs in nowhere', async () => {
      ecrWith({ baseExists: true });
      const docker = workingDocker();
      const logins: string[] = [];
      const result = await buildImages(options(await workspace(), { build: 'base' }), { ecr: new ECRClient({}), docker, clock, logger: memoryLogger(), mask: () => {}, onLogin: (h) => logins.push(h) });
      expect(result).toMatchObject({ build: 'base', tags: [], base: { rebuilt: false, digest: digestOf(1), image: `${HOST}/shop/web@${digestOf(1)}` } });
      expect(result.builder).toBeUndefined();
      expect(docker.calls).toEqual([]);
      expect(logins).toEqual([]);
    });

    it('build: app checks the given base exists, then builds only the app on it', async () => {
      ecrWith({ baseExists: true });
      ecrMock.on(DescribeImagesCommand).callsFake((input: { repositoryName: string; imageIds: { imageDigest?: string }[] }) => ({
        imageDetails: [{ imageDigest: input.imageIds[0]!.imageDigest, imageTags: input.repositoryName === 'shop/base' ? ['base-abc', 'other'] : [SHA], imageSizeInBytes: 7 }],
      }));
      const docker = workingDocker();
      const result = await buildImages(appOnly(await workspace()), { ecr: new ECRClient({}), docker, clock, logger: memoryLogger(), mask: () => {} });
      const [appBuild, ...more] = builds(docker.calls);
      expect(more).toEqual([]);
      expect(flagValues(appBuild!.args, '--build-arg')).toEqual([`BASE_IMAGE=${BASE}`]);
      expect(flagValues(appBuild!.args, '--label')).toContain(`${OCI.baseName}=${HOST}/shop/base:base-abc`);
      expect(flagValues(appBuild!.args, '--label')).toContain(`${OCI.baseDigest}=${digestOf(1)}`);
      expect(result).toMatchObject({ build: 'app', digest: digestOf(2), base: { image: BASE, tag: 'base-abc', rebuilt: false } });
      const lookup = ecrMock.commandCalls(DescribeImagesCommand)[0]!.args[0].input;
      expect(lookup).toEqual({ repositoryName: 'shop/base', imageIds: [{ imageDigest: digestOf(1) }] });
    });

    it('build: app refuses a missing, unpinned or foreign base before login', async () => {
      const dir = await workspace();
      const cases: [Partial<BuildImagesOptions>, RegExp][] = [
        [{ baseImage: undefined }, /Input 'base-image' is required with build: app/],
        [{ baseImage: `${HOST}/shop/base:base-abc` }, /Input 'base-image' must be an image pinned by digest/],
        [{ baseImage: `other.example/shop/base@${digestOf(1)}` }, /Input 'base-image' names the registry other.example, but this job logs in to 123456789012/],
        [{ base: { context: '.', dockerfile: 'docker/base.Dockerfile', buildArgs: {}, cacheFrom: [], cacheTo: [], hashFiles: ['composer.lock'] } }, /Input 'build' is 'app'.*base-dockerfile and base-hash-files inputs belong to the job with build: base/],
        [{ build: 'base', base: options(dir).base }, /Input 'base-image' is only for build: app/],
      ];
      for (const [over, message] of cases) {
        ecrMock.reset();
        ecrWith({ baseExists: true });
        const docker = workingDocker();
        await expect(buildImages(appOnly(dir, over), { ecr: new ECRClient({}), docker, clock, logger: memoryLogger(), mask: () => {} })).rejects.toThrow(message);
        expect(docker.calls.filter((c) => c.args[0] === 'login' || c.args[0] === 'build')).toEqual([]);
      }
      ecrMock.reset();
      ecrWith({ baseExists: true });
      ecrMock.on(DescribeImagesCommand).rejects(Object.assign(new Error('missing'), { name: 'ImageNotFoundException' }));
      const docker = workingDocker();
      await expect(buildImages(appOnly(dir), { ecr: new ECRClient({}), docker, clock, logger: memoryLogger(), mask: () => {} })).rejects.toThrow(
        `The base image ${BASE} (input 'base-image') does not exist in ECR.`,
      );
      expect(docker.calls.some((c) => c.args[0] === 'login')).toBe(false);
    });

    it('puts no tag and keeps nothing staged when an IMMUTABLE app tag names another image', async () => {
      ecrWith({ baseExists: true });
      ecrMock.on(PutImageCommand).rejects(Object.assign(new Error('exists'), { name: 'ImageTagAlreadyExistsException' }));
      const attempt = buildImages(options(await workspace()), { ecr: new ECRClient({}), docker: workingDocker(), clock, logger: memoryLogger(), mask: () => {} });
      await expect(attempt).rejects.toThrow(new RegExp(`The tag ${HOST}/shop/web:${SHA} already names another image and the repository's tags are IMMUTABLE`));
      expect(ecrMock.commandCalls(BatchDeleteImageCommand)).toHaveLength(1);
    });
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
