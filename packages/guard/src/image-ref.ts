/** A parsed container image reference: `host/repository[:tag][@digest]`. */
export interface ParsedImage {
  /** Registry host, empty for Docker Hub style references without one. */
  host: string;
  repository: string;
  tag?: string;
  digest?: string;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;

export function isDigest(value: string): boolean {
  return DIGEST.test(value);
}

/**
 * Splits an image reference the way Docker does: the first path component is a host when it contains
 * a `.` or `:` or is `localhost`; a `:` after the last `/` starts the tag; `@` starts the digest.
 */
export function parseImage(reference: string): ParsedImage | undefined {
  let rest = reference.trim();
  if (!rest) return undefined;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!isDigest(digest)) return undefined;
  }
  let host = '';
  const slash = rest.indexOf('/');
  if (slash > 0) {
    const first = rest.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost') {
      host = first;
      rest = rest.slice(slash + 1);
    }
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  if (!rest) return undefined;
  return { host, repository: rest, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
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
