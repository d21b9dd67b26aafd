import { parseImageRef as splitImageRef } from '@gantry/aws';

/**
 * What ECS needs from ECR, and nothing more: resolving the image a container names to the digest a
 * pull would get, and recording the pull (DescribeImages' lastRecordedPullTime).
 */
export interface ResolvedImage {
  repositoryName: string;
  imageDigest: string;
  /** The registry host the reference named, e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com. */
  registry: string;
  tag?: string;
}

export interface ImageLookup {
  /**
   * Resolves `registry/repo:tag`, `registry/repo@sha256:...` (or without registry) the way a pull
   * would. Returns `{ error }` with the reason a pull fails (missing repository, tag, digest, or an
   * archived image), worded like the container runtime's message.
   */
  resolve(imageRef: string): ResolvedImage | { error: string };
  recordPull(image: ResolvedImage, at: Date): void;
}

/**
 * Splits an image reference into registry, repository, tag and digest the way a pull reads it: no tag and
 * no digest means `latest`. ECS accepts any image text and fails only at pull time, so nothing is rejected
 * here: a malformed digest is kept (the pull then finds nothing) and text the parser cannot split is taken
 * as a repository name, which no registry holds.
 */
export function parseImageRef(ref: string): { registry?: string; repository: string; tag?: string; digest?: string } {
  const parsed = splitImageRef(ref, { anyDigest: true, defaultTag: 'latest' });
  if (!parsed) return { repository: ref, tag: 'latest' };
  const { host, ...rest } = parsed;
  return { registry: host || undefined, ...rest };
}
