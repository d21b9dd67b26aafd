import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ActionRun } from '@gantry/local-runner';
import { runBundled } from './actions.js';
import { ecrUri, expectThat, repositoryOf, type AppService, type Demo, type ReleaseImage } from './context.js';
import { indent, keyLogLines, note, renderSummary, shortDigest } from './print.js';

/**
 * The images of a release. With a Docker engine: built and pushed by the bundled build-image action into
 * the registry the simulator's ECR is backed by. Without: seeded into the simulator's ECR.
 */
export async function releaseImage(demo: Demo, service: AppService, sha: string, options: { showSummary?: boolean } = {}): Promise<ReleaseImage | undefined> {
  const repository = repositoryOf(demo, service.name);
  if (!demo.docker.available) {
    const seeded = (await demo.sim.control.seedImage!({ repositoryName: repository, tags: [sha] })) as { imageDigest: string };
    note(demo.out, `${service.name}: seeded ${repository}:${sha.slice(0, 12)} → ${shortDigest(seeded.imageDigest)}`);
    return { tag: sha, digest: seeded.imageDigest, uri: ecrUri(demo, repository, seeded.imageDigest) };
  }
  const run = await buildWithAction(demo, service, sha);
  const lines = keyLogLines(run.log, (l) => /base image|Build the|[Pp]ushed|digest|Logged in|reus|rebuil/.test(l) && !/^#\d+ /.test(l));
  indent(demo.out, lines.slice(0, 12).join('\n'));
  if (options.showSummary) indent(demo.out, renderSummary(run.summary));
  const digest = run.outputs.digest;
  if (!expectThat(demo, run.exitCode === 0 && !!digest, `build-image built and pushed ${service.name} (${repository}@${shortDigest(digest)}, base ${run.outputs['base-rebuilt'] === 'true' ? 'built' : 'reused'})`, `build-image failed for ${service.name} (exit ${run.exitCode}): ${run.errors.join('; ') || run.log.slice(-800)}`)) return undefined;
  // build-image's `image` output: the image pinned by digest in the registry the simulator serves as ECR.
  return { tag: sha, digest: digest!, uri: run.outputs.image ?? ecrUri(demo, repository, digest!) };
}

async function buildWithAction(demo: Demo, service: AppService, sha: string): Promise<ActionRun> {
  const dockerConfig = await mkdtemp(join(tmpdir(), 'gantry-demo-docker-'));
  try {
    const env = { ...demo.sim.env, GITHUB_SHA: sha, DOCKER_HOST: process.env.DOCKER_HOST, DOCKER_CONFIG: dockerConfig, DOCKER_BUILDKIT: '1' };
    const run = await runBundled('build-image', {
      cwd: demo.workspace,
      timeoutMs: 180_000,
      env,
      inputs: {
        repository: repositoryOf(demo, service.name),
        'base-repository': `${demo.prefix}/base`,
        'base-dockerfile': 'docker/base.Dockerfile',
        'base-hash-files': 'composer.lock',
        dockerfile: service.dockerfile,
        'commit-sha': sha,
        'create-repository': true,
        docker: demo.docker.binary,
        network: 'host',
      },
    });
    // The runner's post step: log out of the registry again.
    if (run.exitCode === 0) await runBundled('build-image', { step: 'post', state: run.state, env });
    return run;
  } finally {
    await rm(dockerConfig, { recursive: true, force: true });
  }
}

/** The bad release changes the app's source, so its images differ from the good release. */
export async function changeSource(demo: Demo, text: string): Promise<void> {
  await writeFile(join(demo.workspace, 'src/release.txt'), `${text}\n`);
}
