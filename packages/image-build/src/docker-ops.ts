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

/**
 * buildx where it exists (GitHub-hosted runners), else BuildKit through plain `docker build`. From Docker
 * 23 on, `docker build` is itself a front end to buildx and fails without the plugin ("BuildKit is enabled
 * but the buildx component is missing or broken"), so such a client without buildx is refused here,
 * before login, saying what to install.
 * https://docs.docker.com/engine/release-notes/23.0/#new
 */
export async function detectBuilder(docker: DockerCli): Promise<BuilderKind> {
  const result = await docker.run(['buildx', 'version']).catch(() => undefined);
  if (result?.exitCode === 0) return 'buildx';
  const version = await docker.run(['version', '--format', '{{.Client.Version}}']).catch(() => undefined);
  const client = version?.exitCode === 0 ? version.stdout.trim() : '';
  const major = Number(/^(\d+)\./.exec(client)?.[1] ?? 0);
  if (major >= 23) {
    throw new UserError(
      `The docker client ${docker.binary} is version ${client} but has no buildx plugin; since Docker 23, 'docker build' needs buildx for BuildKit, so nothing can be built.`,
      "Install buildx: add 'docker/setup-buildx-action@v3' before this step, or on a self-hosted runner install the docker-buildx-plugin package (Docker's apt/yum repository) or docker-buildx (Debian/Ubuntu).",
    );
  }
  return 'buildkit';
}

/** Why a registry operation failed, from docker's output: the host was unreachable, refused the token, or other. */
export function explainRegistryFailure(host: string, doing: string, output: string): { message: string; fix: string } {
  const tail = lastLines(output, 5);
  if (/connection refused|no such host|i\/o timeout|dial tcp|TLS handshake timeout|server misbehaving|network is unreachable|no route to host|context deadline exceeded/i.test(output)) {
    return {
      message: `Could not reach the registry ${host} while ${doing}: ${tail}`,
      fix: "Check the runner's network access to the registry (proxy, VPC endpoint for ecr.dkr, firewall) and that 'aws-region' / 'registry-id' name the registry you mean.",
    };
  }
  if (/\b401\b|unauthorized|authentication required|no basic auth credentials/i.test(output)) {
    return {
      message: `The registry ${host} refused the login token ECR issued (401 Unauthorized) while ${doing}: ${tail}`,
      fix: `ECR did issue the token (ecr:GetAuthorizationToken succeeded), so that permission is not the cause. The token only works for the registry it was issued for and for 12 hours: check that 'aws-region' and 'registry-id' name the account and region of ${host}, and that no proxy between the runner and the registry drops the Authorization header.`,
    };
  }
  if (/\b403\b|denied|not authorized/i.test(output)) {
    return {
      message: `The registry ${host} denied this run while ${doing}: ${tail}`,
      fix: "Allow the ecr: actions the message names in the role's policy (the action's README lists those docker push and pull need), scoped to the repository.",
    };
  }
  return { message: `The registry ${host} failed while ${doing}: ${tail}`, fix: 'Check the registry host and retry.' };
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
    const { message, fix } = explainRegistryFailure(credentials.host, 'logging in (docker login)', redact(result.stderr + result.stdout, credentials.password));
    throw new UserError(message, fix);
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
      const { message, fix } = explainRegistryFailure(tag.split('/')[0]!, `pushing ${tag} (docker exited ${pushed.exitCode})`, pushed.tail);
      throw Object.assign(new UserError(message, fix), { pushFailed: true });
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
