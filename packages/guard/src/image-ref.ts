import { parseImageRef, type ImageRef } from '@gantry/aws';

export { isDigest } from '@gantry/aws';

/** A parsed container image reference: `host/repository[:tag][@digest]` (host empty for Docker Hub names). */
export type ParsedImage = ImageRef;

/**
 * Parses a reference from a task definition or manifest annotation: surrounding blanks ignored, the
 * digest must be a sha256 digest, and an empty `:tag` counts as no tag.
 */
export function parseImage(reference: string): ParsedImage | undefined {
  const parsed = parseImageRef(reference.trim());
  if (parsed?.tag === '') delete parsed.tag;
  return parsed;
}

/**
 * Which repositories of this registry an image reference can point at: built from the `repositoryUri`
 * of every repository DescribeRepositories returns, so it works for `ACCOUNT.dkr.ecr.REGION.amazonaws.com`
 * and for any other host the registry answers on (e.g. a local registry behind the simulator).
 */
export class RegistryIndex {
  private readonly byUri = new Map<string, string>();
  readonly repositories = new Set<string>();

  constructor(repositories: readonly { repositoryName?: string; repositoryUri?: string }[]) {
    for (const r of repositories) {
      if (!r.repositoryName) continue;
      this.repositories.add(r.repositoryName);
      if (r.repositoryUri) this.byUri.set(r.repositoryUri.toLowerCase(), r.repositoryName);
    }
  }

  /** The repository name a reference lives in, or undefined when it is outside this registry. */
  repositoryOf(parsed: ParsedImage, { allowBareName = false } = {}): string | undefined {
    if (parsed.host) return this.byUri.get(`${parsed.host}/${parsed.repository}`.toLowerCase());
    // A bare `repo:tag` is a Docker Hub image in a task definition, but a repository name in our inputs.
    return allowBareName && this.repositories.has(parsed.repository) ? parsed.repository : undefined;
  }
}
