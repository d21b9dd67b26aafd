import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { ECRClient } from '@aws-sdk/client-ecr';
import { InputError, UserError } from '@gantry/github';
import { ensureBaseImage, type BaseImageResult } from './base-image.js';
import type { BuilderKind } from './build-command.js';
import { baseTagFor, computeBaseHash } from './content-hash.js';
import type { DockerCli } from './docker-cli.js';
import { buildAndPush, checkEngine, detectBuilder, dockerLogin, type BuildContext } from './docker-ops.js';
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

export interface BuildImagesOptions {
  /** The checked-out repository; every path is relative to it. */
  rootDir: string;
  repository: string;
  /** Defaults to `repository` (base and app then differ by tag). */
  baseRepository?: string;
  app: ImageSource;
  base: ImageSource & {
    /** Globs of the files that decide the base's content; its Dockerfile is always included. */
    hashFiles: string[];
    tagPrefix?: string;
  };
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
  registry: string;
  builder: BuilderKind;
  platforms: string[];
  /** `host/repo@sha256:...` */
  image: string;
  /** `host/repo:<commit sha>` */
  imageUriTagged: string;
  digest: string;
  /** Every full tag reference pushed for the app image. */
  tags: string[];
  app: ImageSummary;
  base: BaseImageResult & { hash: string; files: string[] };
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
 * Builds (or reuses) the base image and builds the app image on it, pinned by digest. Every input and
 * file is checked, and the repositories looked up, before the first change (repository creation, login,
 * push).
 */
export async function buildImages(options: BuildImagesOptions, deps: BuildImagesDeps): Promise<BuildImagesResult> {
  const { ecr, docker, clock, logger } = deps;
  const plan = await validate(options);
  const baseRepository = options.baseRepository ?? options.repository;

  const repositories = [...new Set([options.repository, baseRepository])];
  const missing: string[] = [];
  for (const name of repositories) if (!(await describeRepository(ecr, name, options.registryId))) missing.push(name);
  if (missing.length > 0 && !options.createRepositories) {
    throw new UserError(
      `ECR repository ${missing.map((m) => `'${m}'`).join(' and ')} does not exist.`,
      "Create it (e.g. with Terraform), fix the 'repository'/'base-repository' input, or set create-repository: true.",
    );
  }

  await checkEngine(docker);
  const builder = options.builder ?? (await detectBuilder(docker));
  if (builder === 'buildkit' && plan.platforms.length > 1) {
    throw new InputError('platforms', `lists ${plan.platforms.length} platforms, but this runner has no docker buildx to build them together`, 'linux/amd64');
  }
  logger.info(`Builder: ${builder === 'buildx' ? 'docker buildx' : 'docker build with BuildKit (no buildx)'}; platforms ${plan.platforms.join(', ')}.`);

  // Changes start here.
  const created: string[] = [];
  for (const name of missing) {
    const repo = await createRepository(ecr, name, options.repositorySettings, options.registryId);
    if (repo.created) {
      created.push(name);
      logger.info(`Created ECR repository ${name} (tags ${options.repositorySettings.tagImmutability.toLowerCase()}, scan on push ${options.repositorySettings.scanOnPush ? 'on' : 'off'}).`);
    }
  }
  const credentials = await getRegistryCredentials(ecr, options.registryId);
  await dockerLogin(docker, credentials, deps.mask);
  deps.onLogin?.(credentials.host);
  logger.info(`Logged in to ${credentials.host}.`);

  const host = credentials.host;
  const ctx: BuildContext = { docker, builder, logger, clock };
  const created_at = clock.now().toISOString();
  const provenanceLabels: Record<string, string> = {
    ...(options.sourceUrl ? { [OCI.source]: options.sourceUrl } : {}),
    [OCI.revision]: options.commitSha,
    [OCI.created]: created_at,
  };

  const base = await ensureBaseImage(
    ecr,
    {
      repositoryName: baseRepository,
      repositoryUri: `${host}/${baseRepository}`,
      tag: plan.baseTag,
      ...(options.registryId ? { registryId: options.registryId } : {}),
      spec: {
        name: 'base',
        context: plan.baseContext,
        dockerfile: plan.baseDockerfile,
        platforms: plan.platforms,
        ...(options.base.target ? { target: options.base.target } : {}),
        buildArgs: options.base.buildArgs,
        labels: { ...provenanceLabels, 'dev.gantry.base.hash': plan.hash.hash },
        annotations: {},
        cacheFrom: options.base.cacheFrom,
        cacheTo: options.base.cacheTo,
        provenance: options.provenance,
        ...(options.network ? { network: options.network } : {}),
      },
    },
    ctx,
  );

  const appRepositoryUri = `${host}/${options.repository}`;
  const tags = [options.commitSha, ...options.extraTags.filter((t) => t !== options.commitSha)].map((t) => `${appRepositoryUri}:${t}`);
  // The base as OCI annotations (buildx) and, always, as labels: plain `docker build` cannot write
  // annotations, and readers (the guard) accept either.
  const baseRecord = { [OCI.baseName]: `${host}/${baseRepository}:${base.tag}`, [OCI.baseDigest]: base.digest };
  const app = await buildAndPush(
    {
      name: 'app',
      context: plan.appContext,
      dockerfile: plan.appDockerfile,
      platforms: plan.platforms,
      ...(options.app.target ? { target: options.app.target } : {}),
      buildArgs: { ...options.app.buildArgs, [plan.baseImageArg]: base.image },
      labels: { ...provenanceLabels, ...baseRecord },
      annotations: baseRecord,
      tags,
      cacheFrom: options.app.cacheFrom,
      cacheTo: options.app.cacheTo,
      provenance: options.provenance,
      ...(options.network ? { network: options.network } : {}),
    },
    ctx,
  );
  const appRecord = await findImage(ecr, options.repository, { digest: app.digest }, options.registryId).catch((err: Error) => {
    logger.warning(`Could not read the app image's size from ECR: ${err.message}`);
    return undefined;
  });

  return {
    registry: host,
    builder,
    platforms: plan.platforms,
    image: `${appRepositoryUri}@${app.digest}`,
    imageUriTagged: tags[0]!,
    digest: app.digest,
    tags,
    app: {
      durationMs: app.durationMs,
      ...(appRecord?.sizeBytes !== undefined ? { sizeBytes: appRecord.sizeBytes } : {}),
      ...(app.pushedLayers !== undefined ? { pushedLayers: app.pushedLayers, existingLayers: app.existingLayers } : {}),
    },
    base: { ...base, hash: plan.hash.hash, files: plan.hash.files },
    repositoriesCreated: created,
  };
}

interface Plan {
  platforms: string[];
  appContext: string;
  appDockerfile: string;
  baseContext: string;
  baseDockerfile: string;
  baseImageArg: string;
  hash: { hash: string; files: string[] };
  baseTag: string;
}

/** Every check that needs no AWS call and changes nothing. */
export async function validate(options: BuildImagesOptions): Promise<Plan> {
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
  const prefix = options.base.tagPrefix ?? 'base-';
  if (!TAG.test(`${prefix}0`)) throw new InputError('base-tag-prefix', `'${prefix}' cannot start an image tag`, 'base-');

  const appContext = await requireDir(options.rootDir, options.app.context, 'context');
  const appDockerfile = await requireFile(options.rootDir, options.app.dockerfile, 'dockerfile');
  const baseContext = await requireDir(options.rootDir, options.base.context, 'base-context');
  const baseDockerfile = await requireFile(options.rootDir, options.base.dockerfile, 'base-dockerfile');

  const baseImageArg = options.baseImageArg ?? 'BASE_IMAGE';
  const appText = await readFile(appDockerfile, 'utf8');
  if (!new RegExp(`^\\s*ARG\\s+${baseImageArg}\\b`, 'm').test(appText)) {
    throw new UserError(
      `The app Dockerfile ${options.app.dockerfile} does not declare ARG ${baseImageArg}, so it would not be built on the base image.`,
      `Start it with 'ARG ${baseImageArg}' and 'FROM \${${baseImageArg}}'.`,
    );
  }

  const hash = await computeBaseHash({
    rootDir: options.rootDir,
    globs: options.base.hashFiles,
    dockerfile: options.base.dockerfile,
    buildArgs: options.base.buildArgs,
    platforms,
    ...(options.base.target ? { target: options.base.target } : {}),
  });
  return { platforms, appContext, appDockerfile, baseContext, baseDockerfile, baseImageArg, hash, baseTag: baseTagFor(hash.hash, prefix) };
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
