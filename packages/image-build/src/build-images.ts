import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { ECRClient } from '@aws-sdk/client-ecr';
import { InputError, UserError } from '@gantry/github';
import { parseImageRef } from '@gantry/aws';
import { ensureBaseImage, type BaseImageResult } from './base-image.js';
import { checkBuiltOnBase } from './dockerfile-check.js';
import { reachable } from './reachability.js';
import { releaseStaging, stageImage, tagStaged, type Destination } from './publish.js';
import type { BuilderKind } from './build-command.js';
import { baseTagFor, computeBaseHash } from './content-hash.js';
import type { DockerCli } from './docker-cli.js';
import { checkEngine, detectBuilder, dockerLogin, type BuildContext } from './docker-ops.js';
import { createRepository, describeRepository, findImage, getRegistryCredentials, type RepositorySettings } from './ecr.js';
import { validatePlatforms } from './platforms.js';
import type { Clock, Logger, MaskSecret } from './types.js';

export interface ImageSource {
  /** Build context directory, relative to rootDir. */
  context: string;
  /** Dockerfile path, relative to rootDir. */
  dockerfile: string;
  target?: string;
  buildArgs: Record<string, string>;
  cacheFrom: string[];
  cacheTo: string[];
}

/** Which images one call builds: both (small repositories), or the base and the app in separate jobs. */
export type BuildTarget = 'base-and-app' | 'base' | 'app';
export const BUILD_TARGETS: readonly BuildTarget[] = ['base-and-app', 'base', 'app'];

export interface BuildImagesOptions {
  /** The checked-out repository; every path is relative to it. */
  rootDir: string;
  /** Default 'base-and-app'. */
  build?: BuildTarget;
  repository: string;
  /** Defaults to `repository` (base and app then differ by tag). */
  baseRepository?: string;
  app: ImageSource;
  /** Required unless `build` is 'app'. */
  base?: ImageSource & {
    /** Globs of the files that decide the base's content; its Dockerfile is always included. */
    hashFiles: string[];
    tagPrefix?: string;
  };
  /** `build: app` only: the base built by an earlier job, `host/repo@sha256:...` (its `base-image` output). */
  baseImage?: string;
  /** Build arg through which the app Dockerfile receives the pinned base (`FROM ${BASE_IMAGE}`). */
  baseImageArg?: string;
  platforms: string[];
  commitSha: string;
  extraTags: string[];
  /** Repository URL for org.opencontainers.image.source. */
  sourceUrl?: string;
  provenance: boolean;
  createRepositories: boolean;
  repositorySettings: RepositorySettings;
  registryId?: string;
  /** `--network` for RUN steps. */
  network?: string;
  /** Force a builder instead of detecting one. */
  builder?: BuilderKind;
}

export interface BuildImagesDeps {
  ecr: ECRClient;
  docker: DockerCli;
  clock: Clock;
  logger: Logger;
  mask: MaskSecret;
  /** Called right after a successful `docker login`, so the caller can arrange a logout. */
  onLogin?: (host: string) => void;
}

export interface ImageSummary {
  durationMs?: number;
  sizeBytes?: number;
  pushedLayers?: number;
  existingLayers?: number;
}

export interface BuildImagesResult {
  build: BuildTarget;
  registry: string;
  /** Undefined when nothing was built (`build: base` and the base exists). */
  builder?: BuilderKind;
  platforms: string[];
  /** `host/repo@sha256:...` of the app image; undefined with `build: base`. */
  image?: string;
  /** `host/repo:<commit sha>` */
  imageUriTagged?: string;
  digest?: string;
  /** Every full tag reference put on the app image (empty with `build: base`). */
  tags: string[];
  app?: ImageSummary;
  /** `hash` and `files` are absent with `build: app` (the base was given by digest). */
  base: BaseImageResult & { hash?: string; files?: string[] };
  repositoriesCreated: string[];
}

const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const REPOSITORY = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

export const OCI = {
  source: 'org.opencontainers.image.source',
  revision: 'org.opencontainers.image.revision',
  created: 'org.opencontainers.image.created',
  baseName: 'org.opencontainers.image.base.name',
  baseDigest: 'org.opencontainers.image.base.digest',
} as const;

/**
 * Builds (or reuses) the base image and/or builds the app image on it, pinned by digest. Every input and
 * file is checked, and the repositories (and a given base image) looked up, before the first change
 * (repository creation, login, push).
 */
export async function buildImages(options: BuildImagesOptions, deps: BuildImagesDeps): Promise<BuildImagesResult> {
  const { ecr, docker, clock, logger } = deps;
  const plan = await validate(options);
  const baseRepository = plan.givenBase?.repository ?? options.baseRepository ?? options.repository;
  const registryId = options.registryId;
  const ecrCall = <T>(doing: string, fn: () => Promise<T>) => reachable(ecr, doing, fn);

  const repositories = [...new Set([...(plan.buildsApp ? [options.repository] : []), ...(plan.buildsBase ? [baseRepository] : [])])];
  const missing: string[] = [];
  const immutable = new Set<string>();
  for (const name of repositories) {
    const info = await ecrCall(`looking up the ECR repository ${name}`, () => describeRepository(ecr, name, registryId));
    if (!info) missing.push(name);
    else if (info.tagImmutability === 'IMMUTABLE') immutable.add(name);
  }
  if (options.repositorySettings.tagImmutability === 'IMMUTABLE') for (const name of missing) immutable.add(name);
  if (missing.length > 0 && !options.createRepositories) {
    throw new UserError(
      `ECR repository ${missing.map((m) => `'${m}'`).join(' and ')} does not exist.`,
      "Create it (e.g. with Terraform), fix the 'repository'/'base-repository' input, or set create-repository: true.",
    );
  }

  // A base-only job whose base exists has nothing to build: no engine, no login, no push.
  if (plan.build === 'base' && missing.length === 0) {
    const credentials = await ecrCall('asking ECR for the registry host (ecr:GetAuthorizationToken)', () => getRegistryCredentials(ecr, registryId));
    const found = await ecrCall(`looking up the base image ${baseRepository}:${plan.baseTag}`, () => findImage(ecr, baseRepository, { tag: plan.baseTag! }, registryId));
    if (found) {
      const image = `${credentials.host}/${baseRepository}@${found.digest}`;
      logger.info(`Base image ${credentials.host}/${baseRepository}:${plan.baseTag} exists (${found.digest}); nothing to build.`);
      return {
        build: plan.build,
        registry: credentials.host,
        platforms: plan.platforms,
        tags: [],
        base: { image, digest: found.digest, tag: plan.baseTag!, rebuilt: false, raceLost: false, ...(found.sizeBytes !== undefined ? { sizeBytes: found.sizeBytes } : {}), hash: plan.hash!.hash, files: plan.hash!.files },
        repositoriesCreated: [],
      };
    }
  }

  await checkEngine(docker);
  const builder = options.builder ?? (await detectBuilder(docker));
  if (builder === 'buildkit' && plan.platforms.length > 1) {
    throw new InputError('platforms', `lists ${plan.platforms.length} platforms, but this runner has no docker buildx to build them together`, 'linux/amd64');
  }
  logger.info(`Builder: ${builder === 'buildx' ? 'docker buildx' : 'docker build with BuildKit (no buildx)'}; platforms ${plan.platforms.join(', ')}.`);

  const credentials = await ecrCall('asking ECR for a registry login token (ecr:GetAuthorizationToken)', () => getRegistryCredentials(ecr, registryId));
  const host = credentials.host;
  const givenBase = plan.givenBase ? await checkGivenBase(plan.givenBase, host, options, ecr) : undefined;

  // Changes start here.
  const created: string[] = [];
  for (const name of missing) {
    const repo = await ecrCall(`creating the ECR repository ${name}`, () => createRepository(ecr, name, options.repositorySettings, registryId));
    if (repo.created) {
      created.push(name);
      logger.info(`Created ECR repository ${name} (tags ${options.repositorySettings.tagImmutability.toLowerCase()}, scan on push ${options.repositorySettings.scanOnPush ? 'on' : 'off'}).`);
    }
  }
  await dockerLogin(docker, credentials, deps.mask);
  deps.onLogin?.(host);
  logger.info(`Logged in to ${host}.`);

  const ctx: BuildContext = { docker, builder, logger, clock };
  const provenanceLabels: Record<string, string> = {
    ...(options.sourceUrl ? { [OCI.source]: options.sourceUrl } : {}),
    [OCI.revision]: options.commitSha,
    [OCI.created]: clock.now().toISOString(),
  };
  const where = (repositoryName: string): Destination => ({ repositoryName, repositoryUri: `${host}/${repositoryName}`, ...(registryId ? { registryId } : {}) });

  let base: BuildImagesResult['base'];
  if (givenBase) {
    base = givenBase;
    logger.info(`Base image ${givenBase.image} exists${givenBase.tag ? ` (tag ${givenBase.tag})` : ''}; building the app on it.`);
  } else {
    const b = options.base!;
    const ensured = await ecrCall(`building and publishing the base image to ${host}/${baseRepository}`, () =>
      ensureBaseImage(
        ecr,
        {
          ...where(baseRepository),
          tag: plan.baseTag!,
          tagsImmutable: immutable.has(baseRepository),
          spec: {
            name: 'base',
            context: plan.baseContext!,
            dockerfile: plan.baseDockerfile!,
            platforms: plan.platforms,
            ...(b.target ? { target: b.target } : {}),
            buildArgs: b.buildArgs,
            labels: { ...provenanceLabels, 'dev.gantry.base.hash': plan.hash!.hash },
            annotations: {},
            cacheFrom: b.cacheFrom,
            cacheTo: b.cacheTo,
            provenance: options.provenance,
            ...(options.network ? { network: options.network } : {}),
          },
        },
        ctx,
      ),
    );
    base = { ...ensured, hash: plan.hash!.hash, files: plan.hash!.files };
  }
  const common = { build: plan.build, registry: host, builder, platforms: plan.platforms, base, repositoriesCreated: created };
  if (!plan.buildsApp) return { ...common, tags: [] };

  const to = where(options.repository);
  const tagNames = [options.commitSha, ...options.extraTags.filter((t) => t !== options.commitSha)];
  const tags = tagNames.map((t) => `${to.repositoryUri}:${t}`);
  // The base as OCI annotations (buildx) and, always, as labels: plain `docker build` cannot write
  // annotations, and readers (the guard) accept either.
  const baseRecord = { [OCI.baseName]: base.tag ? `${host}/${baseRepository}:${base.tag}` : base.image, [OCI.baseDigest]: base.digest };
  const app = await ecrCall(`building and publishing the app image to ${to.repositoryUri}`, async () => {
    const staged = await stageImage(
      {
        name: 'app',
        context: plan.appContext!,
        dockerfile: plan.appDockerfile!,
        platforms: plan.platforms,
        ...(options.app.target ? { target: options.app.target } : {}),
        buildArgs: { ...options.app.buildArgs, [plan.baseImageArg]: base.image },
        labels: { ...provenanceLabels, ...baseRecord },
        annotations: baseRecord,
        cacheFrom: options.app.cacheFrom,
        cacheTo: options.app.cacheTo,
        provenance: options.provenance,
        ...(options.network ? { network: options.network } : {}),
      },
      to,
      ecr,
      ctx,
    );
    try {
      await tagStaged(staged, tagNames, to, ecr);
    } finally {
      await releaseStaging(staged, [], to, ecr, ctx);
    }
    return staged;
  });
  logger.info(`Tagged ${app.digest} as ${tagNames.join(', ')} in ${to.repositoryUri}.`);
  const appRecord = await findImage(ecr, options.repository, { digest: app.digest }, registryId).catch((err: Error) => {
    logger.warning(`Could not read the app image's size from ECR: ${err.message}`);
    return undefined;
  });

  return {
    ...common,
    image: `${to.repositoryUri}@${app.digest}`,
    imageUriTagged: tags[0]!,
    digest: app.digest,
    tags,
    app: {
      durationMs: app.durationMs,
      ...(appRecord?.sizeBytes !== undefined ? { sizeBytes: appRecord.sizeBytes } : {}),
      ...(app.pushedLayers !== undefined ? { pushedLayers: app.pushedLayers, existingLayers: app.existingLayers } : {}),
    },
  };
}

/** `build: app`: the given base must be in this registry, and ECR must hold it. */
async function checkGivenBase(given: { repository: string; digest: string; host: string; reference: string }, host: string, options: BuildImagesOptions, ecr: ECRClient): Promise<BaseImageResult> {
  if (given.host !== host) {
    throw new InputError('base-image', `names the registry ${given.host || '(none)'}, but this job logs in to ${host}; the base must be in the same registry as the app`, `${host}/${given.repository}@${given.digest}`);
  }
  const record = await reachable(ecr, `looking up the base image ${given.reference}`, () => findImage(ecr, given.repository, { digest: given.digest }, options.registryId));
  if (!record) {
    throw new UserError(
      `The base image ${given.reference} (input 'base-image') does not exist in ECR.`,
      "Pass the 'base-image' output of the job that built the base (build: base), and make sure that job ran in the same account and region.",
    );
  }
  const prefix = options.base?.tagPrefix ?? 'base-';
  const tag = record.tags.find((t) => t.startsWith(prefix)) ?? record.tags[0];
  return {
    image: `${host}/${given.repository}@${given.digest}`,
    digest: given.digest,
    ...(tag ? { tag } : {}),
    rebuilt: false,
    raceLost: false,
    ...(record.sizeBytes !== undefined ? { sizeBytes: record.sizeBytes } : {}),
  };
}

interface Plan {
  build: BuildTarget;
  buildsBase: boolean;
  buildsApp: boolean;
  platforms: string[];
  appContext?: string;
  appDockerfile?: string;
  baseContext?: string;
  baseDockerfile?: string;
  baseImageArg: string;
  hash?: { hash: string; files: string[] };
  baseTag?: string;
  /** `build: app`: the parsed 'base-image' input. */
  givenBase?: { host: string; repository: string; digest: string; reference: string };
}

/** Every check that needs no AWS call and changes nothing. */
export async function validate(options: BuildImagesOptions): Promise<Plan> {
  const build = options.build ?? 'base-and-app';
  if (!BUILD_TARGETS.includes(build)) throw new InputError('build', `must be one of ${BUILD_TARGETS.join(', ')}, got '${build}'`, 'base-and-app');
  const buildsBase = build !== 'app';
  const buildsApp = build !== 'base';
  const platforms = validatePlatforms(options.platforms);
  for (const [input, name] of [['repository', options.repository], ['base-repository', options.baseRepository]] as const) {
    if (name !== undefined && !REPOSITORY.test(name)) {
      throw new InputError(input, `must be an ECR repository name (lower case, digits, . _ - and /), got '${name}'`, 'my-app');
    }
  }
  if (!/^[0-9a-f]{7,64}$/i.test(options.commitSha)) {
    throw new InputError('commit-sha', `must be a git commit SHA, got '${options.commitSha}'`, '${{ github.sha }}');
  }
  for (const tag of options.extraTags) {
    if (!TAG.test(tag)) throw new InputError('tags', `has '${tag}', which is not a valid image tag (letters, digits, _ . -; at most 128)`, 'latest');
  }
  const baseImageArg = options.baseImageArg ?? 'BASE_IMAGE';
  const plan: Plan = { build, buildsBase, buildsApp, platforms, baseImageArg };

  if (build === 'app') {
    const example = '${{ needs.base.outputs.base-image }}';
    if (!options.baseImage) throw new InputError('base-image', 'is required with build: app (the base built by an earlier job, pinned by digest)', example);
    if (options.base) throw new InputError('build', "is 'app', which builds on the given 'base-image'; the base-dockerfile and base-hash-files inputs belong to the job with build: base", 'base');
    const ref = parseImageRef(options.baseImage.trim());
    if (!ref?.digest || !ref.host || ref.tag !== undefined) {
      throw new InputError('base-image', `must be an image pinned by digest, registry/repository@sha256:<64 hex>, got '${options.baseImage}'`, example);
    }
    plan.givenBase = { host: ref.host, repository: ref.repository, digest: ref.digest, reference: options.baseImage.trim() };
  } else {
    if (options.baseImage) throw new InputError('base-image', `is only for build: app, but build is '${build}' (this job builds the base itself)`, 'build: app');
    if (!options.base) throw new InputError('base-dockerfile', `is required with build: ${build}`, 'docker/base.Dockerfile');
    const prefix = options.base.tagPrefix ?? 'base-';
    if (!TAG.test(`${prefix}0`)) throw new InputError('base-tag-prefix', `'${prefix}' cannot start an image tag`, 'base-');
    if (options.base.hashFiles.length === 0) throw new InputError('base-hash-files', `is required with build: ${build}`, 'composer.lock');
  }

  if (buildsApp) {
    plan.appContext = await requireDir(options.rootDir, options.app.context, 'context');
    plan.appDockerfile = await requireFile(options.rootDir, options.app.dockerfile, 'dockerfile');
    checkBuiltOnBase(await readFile(plan.appDockerfile, 'utf8'), { file: options.app.dockerfile, arg: baseImageArg, ...(options.app.target ? { target: options.app.target } : {}) });
  }
  if (buildsBase) {
    const base = options.base!;
    plan.baseContext = await requireDir(options.rootDir, base.context, 'base-context');
    plan.baseDockerfile = await requireFile(options.rootDir, base.dockerfile, 'base-dockerfile');
    plan.hash = await computeBaseHash({
      rootDir: options.rootDir,
      globs: base.hashFiles,
      dockerfile: base.dockerfile,
      buildArgs: base.buildArgs,
      platforms,
      ...(base.target ? { target: base.target } : {}),
    });
    plan.baseTag = baseTagFor(plan.hash.hash, base.tagPrefix ?? 'base-');
  }
  return plan;
}

async function requireDir(root: string, path: string, input: string): Promise<string> {
  const full = resolve(root, path);
  const info = await stat(full).catch(() => undefined);
  if (!info?.isDirectory()) throw new InputError(input, `names a build context '${path}' that is not a directory under ${root}`, '.');
  return full;
}

async function requireFile(root: string, path: string, input: string): Promise<string> {
  const full = resolve(root, path);
  const info = await stat(full).catch(() => undefined);
  if (!info?.isFile()) throw new InputError(input, `names a Dockerfile '${path}' that does not exist under ${root}`, 'docker/app.Dockerfile');
  return full;
}
