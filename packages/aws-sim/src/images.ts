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

/** Splits an image reference into registry, repository, tag and digest. */
export function parseImageRef(ref: string): { registry?: string; repository: string; tag?: string; digest?: string } {
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let registry: string | undefined;
  const slash = rest.indexOf('/');
  if (slash > 0) {
    const first = rest.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost') {
      registry = first;
      rest = rest.slice(slash + 1);
    }
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > 0) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  return { registry, repository: rest, tag: tag ?? (digest ? undefined : 'latest'), digest };
}
