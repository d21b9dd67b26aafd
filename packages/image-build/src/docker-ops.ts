import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '@gantry/github';
import {
  buildxArgs,
  digestFromMetadata,
  dockerBuildArgs,
  parsePushOutput,
  type BuildSpec,
  type BuilderKind,
} from './build-command.js';
import { lastLines, type DockerCli } from './docker-cli.js';
import type { RegistryCredentials } from './ecr.js';
import { inGroup, type Clock, type Logger, type MaskSecret } from './types.js';

/** Fails with a clear message when the client cannot reach an engine. */
export async function checkEngine(docker: DockerCli): Promise<void> {
  let result;
  try {
    result = await docker.run(['version', '--format', '{{.Server.Version}}']);
  } catch (err) {
    throw new UserError(`Cannot run the docker client: ${(err as Error).message}.`, "Install Docker or set the 'docker' input to its path.");
  }
  if (result.exitCode !== 0) {
    throw new UserError(`The docker client '${docker.binary}' cannot reach a Docker engine: ${lastLines(result.stderr, 3)}`, 'Check DOCKER_HOST and that the engine is running.');
  }
}

/** buildx where it exists (GitHub-hosted runners), else BuildKit through plain `docker build`. */
export async function detectBuilder(docker: DockerCli): Promise<BuilderKind> {
  const result = await docker.run(['buildx', 'version']).catch(() => undefined);
  return result?.exitCode === 0 ? 'buildx' : 'buildkit';
}

/**
 * `docker login` with the password on stdin, never on the command line (where `ps` and logs see it),
 * registered with the masker first.
 */
export async function dockerLogin(docker: DockerCli, credentials: RegistryCredentials, mask: MaskSecret): Promise<void> {
  mask(credentials.password);
  mask(Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64'));
  const result = await docker.run(['login', '--username', credentials.username, '--password-stdin', credentials.host], {
    stdin: credentials.password,
  });
  if (result.exitCode !== 0) {
    throw new UserError(
      `The registry ${credentials.host} refused docker login: ${lastLines(redact(result.stderr + result.stdout, credentials.password), 5)}`,
      'Check that the role may call ecr:GetAuthorizationToken and that the registry belongs to this account and region.',
    );
  }
}

export async function dockerLogout(docker: DockerCli, host: string): Promise<boolean> {
  const result = await docker.run(['logout', host]);
  return result.exitCode === 0;
}

function redact(text: string, secret: string): string {
  return secret ? text.split(secret).join('***') : text;
}

export interface BuildOutcome {
  /** Digest of what the registry stores under the tags: a manifest, or an index with provenance/multi-platform. */
  digest: string;
  durationMs: number;
  /** Layer counts from `docker push` (BuildKit path only; buildx does not report them). */
  pushedLayers?: number;
  existingLayers?: number;
}

export interface BuildContext {
  docker: DockerCli;
  builder: BuilderKind;
  logger: Logger;
  clock: Clock;
}

const TAIL = 30;

/**
 * Builds `spec` and pushes it under all its tags, returning the digest the registry reported. Nothing is
 * pushed when the build fails. On failure the last lines of the build log are in the error.
 */
export async function buildAndPush(spec: BuildSpec, ctx: BuildContext): Promise<BuildOutcome> {
  const started = ctx.clock.now().getTime();
  const dir = await mkdtemp(join(tmpdir(), 'gantry-build-'));
  try {
    const digest = ctx.builder === 'buildx' ? await viaBuildx(spec, ctx, dir) : await viaDockerBuild(spec, ctx, dir);
    return { ...digest, durationMs: ctx.clock.now().getTime() - started };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function runStreamed(ctx: BuildContext, title: string, args: string[], env?: Record<string, string>) {
  const tail: string[] = [];
  const result = await inGroup(ctx.logger, title, () =>
    ctx.docker.run(args, {
      ...(env ? { env } : {}),
      onLine: (line) => {
        ctx.logger.info(line);
        tail.push(line);
        if (tail.length > TAIL) tail.shift();
      },
    }),
  );
  return { ...result, tail: tail.filter((l) => l.trim() !== '').join('\n') };
}

function buildFailed(spec: BuildSpec, exitCode: number, tail: string): UserError {
  return new UserError(
    `The ${spec.name} image build failed (docker exited ${exitCode}); nothing was pushed. Last lines of the build log:\n${tail}`,
  );
}

async function viaBuildx(spec: BuildSpec, ctx: BuildContext, dir: string): Promise<Omit<BuildOutcome, 'durationMs'>> {
  const metadataFile = join(dir, 'metadata.json');
  const result = await runStreamed(ctx, `Build and push the ${spec.name} image (buildx)`, buildxArgs(spec, metadataFile));
  if (result.exitCode !== 0) throw buildFailed(spec, result.exitCode, result.tail);
  const digest = digestFromMetadata(await readFile(metadataFile, 'utf8'));
  if (!digest) throw new Error(`buildx wrote no containerimage.digest to its metadata file for the ${spec.name} image`);
  return { digest };
}

async function viaDockerBuild(spec: BuildSpec, ctx: BuildContext, dir: string): Promise<Omit<BuildOutcome, 'durationMs'>> {
  if (spec.platforms.length > 1) {
    throw new UserError(`Building ${spec.platforms.join(', ')} at once needs docker buildx, which this runner does not have.`, 'Add docker/setup-buildx-action before this step, or build one platform.');
  }
  const iidFile = join(dir, 'iid');
  const { args, dropped } = dockerBuildArgs(spec, iidFile);
  if (dropped.length > 0) ctx.logger.info(`docker build (no buildx) ignores: ${dropped.join('; ')}`);
  const built = await runStreamed(ctx, `Build the ${spec.name} image (docker build with BuildKit)`, args, { DOCKER_BUILDKIT: '1' });
  if (built.exitCode !== 0) throw buildFailed(spec, built.exitCode, built.tail);

  let digest: string | undefined;
  let pushedLayers = 0;
  let existingLayers = 0;
  for (const tag of spec.tags) {
    const pushed = await runStreamed(ctx, `Push ${tag}`, ['push', tag]);
    if (pushed.exitCode !== 0) {
      throw Object.assign(new UserError(`Pushing ${tag} failed (docker exited ${pushed.exitCode}). Last lines:\n${pushed.tail}`), { pushFailed: true });
    }
    const report = parsePushOutput(pushed.stdout + pushed.stderr);
    if (!report.digest) throw new Error(`docker push ${tag} reported no digest`);
    if (digest && digest !== report.digest) throw new Error(`docker push reported different digests for the tags of one image (${digest}, ${report.digest})`);
    if (!digest) {
      // Layer counts from the first tag only: later tags of the same image find every layer present.
      pushedLayers = report.pushedLayers;
      existingLayers = report.existingLayers;
    }
    digest = report.digest;
  }
  if (!digest) throw new Error(`the ${spec.name} image has no tag to push`);
  return { digest, pushedLayers, existingLayers };
}

/** True when an error came from pushing (after a successful build), as opposed to the build itself. */
export function isPushFailure(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { pushFailed?: boolean }).pushFailed === true;
}
