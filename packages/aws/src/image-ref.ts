/** A container image reference split into `host/repository[:tag][@digest]`. */
export interface ImageRef {
  /** Registry host (`name.with.dots`, `host:port` or `localhost`); empty for Docker Hub style names. */
  host: string;
  repository: string;
  /** Present whenever the reference has a `:tag` part, even an empty one (`app:`), so callers can reject it. */
  tag?: string;
  digest?: string;
}

export interface ParseImageRefOptions {
  /**
   * Take whatever follows `@` as the digest. By default only `sha256:` + 64 hex digits is a digest and
   * anything else makes the reference invalid.
   */
  anyDigest?: boolean;
  /** Tag to assume when the reference names neither a tag nor a digest, as a pull does (`latest`). */
  defaultTag?: string;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** Whether `value` is a sha256 content digest as ECR and Docker write it. */
export function isDigest(value: string): boolean {
  return DIGEST.test(value);
}

/**
 * Splits an image reference the way Docker does: `@` starts the digest; the first path component is a
 * registry host when it contains a `.` or `:` or is `localhost`; a `:` after the last `/` starts the tag.
 * Returns undefined when no repository is left or (unless `anyDigest`) the digest is malformed. The text
 * is taken as given: trimming is the caller's choice.
 */
export function parseImageRef(reference: string, options: ParseImageRefOptions = {}): ImageRef | undefined {
  let rest = reference;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!options.anyDigest && !isDigest(digest)) return undefined;
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
  if (tag === undefined && !digest && options.defaultTag !== undefined) tag = options.defaultTag;
  return { host, repository: rest, ...(tag !== undefined ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** The account and region a private ECR registry host names. */
export interface EcrHost {
  registryId: string;
  region: string;
}

/**
 * Parses `ACCOUNT.dkr.ecr[-fips].REGION.amazonaws.com[.cn]`, the host of an account's private registry;
 * anything else (public.ecr.aws, Docker Hub, a local registry) is not one.
 * https://docs.aws.amazon.com/AmazonECR/latest/userguide/Registries.html
 */
export function parseEcrHost(host: string): EcrHost | undefined {
  const m = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/.exec(host);
  return m ? { registryId: m[1]!, region: m[2]! } : undefined;
}
