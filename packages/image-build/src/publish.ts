import { randomBytes } from 'node:crypto';
import type { ECRClient } from '@aws-sdk/client-ecr';
import { UserError } from '@gantry/github';
import type { BuildSpec } from './build-command.js';
import { buildAndPush, type BuildContext, type BuildOutcome } from './docker-ops.js';
import { getManifest, putTag, removeTag, type StoredManifest, type TagOutcome } from './ecr.js';

/** Where an image goes: the repository by name (for ECR calls) and by URI (for docker). */
export interface Destination {
  repositoryName: string;
  /** `host/repo` */
  repositoryUri: string;
  registryId?: string;
}

/** An image this run built and pushed under a tag no other run uses. */
export interface StagedImage extends BuildOutcome {
  stagingTag: string;
  stored: StoredManifest;
}

/** `gantry-staging-` plus 64 random bits: unique per build, so no other run can move it. */
export function stagingTagName(): string {
  return `gantry-staging-${randomBytes(8).toString('hex')}`;
}

/**
 * Builds `spec` and pushes it under a staging tag unique to this run. Two runs sharing one engine, or one
 * repository, can then never push or tag each other's image: the final tags are put on the staged digest
 * in the registry (`tagStaged`), not pushed by a local name another build may have re-pointed.
 */
export async function stageImage(spec: Omit<BuildSpec, 'tags'>, to: Destination, ecr: ECRClient, ctx: BuildContext): Promise<StagedImage> {
  const stagingTag = stagingTagName();
  const outcome = await buildAndPush({ ...spec, tags: [`${to.repositoryUri}:${stagingTag}`] }, ctx);
  const stored = await getManifest(ecr, to.repositoryName, outcome.digest, to.registryId);
  return { ...outcome, stagingTag, stored };
}

/** Puts every tag on the staged image; an immutable tag that names another image is an error naming it. */
export async function tagStaged(staged: StagedImage, tags: readonly string[], to: Destination, ecr: ECRClient): Promise<Record<string, TagOutcome>> {
  const outcomes: Record<string, TagOutcome> = {};
  for (const tag of tags) {
    const outcome = await putTag(ecr, to.repositoryName, staged.stored, tag, to.registryId);
    if (outcome === 'refused') {
      throw new UserError(
        `The tag ${to.repositoryUri}:${tag} already names another image and the repository's tags are IMMUTABLE, so this run's image (${staged.digest}) cannot take it.`,
        `Build a new commit, drop '${tag}' from the 'tags' input, or make the repository's tags MUTABLE.`,
      );
    }
    outcomes[tag] = outcome;
  }
  return outcomes;
}

/**
 * Removes the staging tag (the image stays under its final tags; an image that lost a race and has no
 * other tag is deleted with it) and, on an engine that holds the image (plain `docker build`), names it
 * locally by `localTags` and drops the staging name (both at once). The base keeps its content tag
 * locally, so the app build finds it on the engine; an app needs no local name (its layers stay in
 * BuildKit's cache).
 * Best effort: a failure here leaves a stray staging tag, reported as a warning, never a wrong image.
 */
export async function releaseStaging(staged: StagedImage, localTags: readonly string[], to: Destination, ecr: ECRClient, ctx: BuildContext): Promise<void> {
  const registry = removeTag(ecr, to.repositoryName, staged.stagingTag, to.registryId).catch((err: Error) => {
    ctx.logger.warning(`Could not remove the staging tag ${to.repositoryUri}:${staged.stagingTag} (${err.message}); delete it by hand or let a lifecycle rule expire it.`);
  });
  const engine = async () => {
    if (ctx.builder !== 'buildkit') return;
    const stagingRef = `${to.repositoryUri}:${staged.stagingTag}`;
    for (const tag of localTags) await ctx.docker.run(['tag', stagingRef, `${to.repositoryUri}:${tag}`]).catch(() => undefined);
    await ctx.docker.run(['rmi', stagingRef]).catch(() => undefined);
  };
  await Promise.all([registry, engine()]);
}
