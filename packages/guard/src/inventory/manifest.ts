import { isDigest, parseImage, type ParsedImage } from '../image-ref.js';

export interface BaseImage {
  digest: string;
  name?: ParsedImage;
}

/** What the guard reads from a manifest: the children of an index, its config blob, and the base image annotations. */
export interface ManifestFacts {
  children: string[];
  /** Digest of the config blob of a single-platform image manifest. */
  config?: string;
  base?: BaseImage;
}

const BASE_DIGEST = 'org.opencontainers.image.base.digest';
const BASE_NAME = 'org.opencontainers.image.base.name';

/**
 * Image indexes and Docker manifest lists list their children under `manifests[]`; OCI image specs put
 * the base image in the pre-defined annotations `org.opencontainers.image.base.{digest,name}`
 * (https://github.com/opencontainers/image-spec/blob/main/annotations.md). Malformed JSON yields nothing.
 */
export function manifestFacts(manifestText: string): ManifestFacts {
  let doc: { manifests?: { digest?: unknown }[]; config?: { digest?: unknown }; annotations?: Record<string, unknown> };
  try {
    doc = JSON.parse(manifestText);
  } catch {
    return { children: [] };
  }
  const children = (Array.isArray(doc.manifests) ? doc.manifests : [])
    .map((m) => m?.digest)
    .filter((d): d is string => typeof d === 'string' && isDigest(d));
  const config = typeof doc.config?.digest === 'string' && isDigest(doc.config.digest) ? doc.config.digest : undefined;
  const base = baseFrom(doc.annotations);
  return { children, ...(config ? { config } : {}), ...(base ? { base } : {}) };
}

/**
 * The base image recorded under the OCI keys, in manifest annotations or in image config labels
 * (`config.Labels`): `docker build` without buildx can only write labels, under the same keys.
 */
export function baseFrom(keys: Record<string, unknown> | undefined | null): BaseImage | undefined {
  const digest = keys?.[BASE_DIGEST];
  const name = keys?.[BASE_NAME];
  if (typeof digest !== 'string' || !isDigest(digest)) return undefined;
  const parsed = typeof name === 'string' ? parseImage(name) : undefined;
  return { digest, ...(parsed ? { name: parsed } : {}) };
}
