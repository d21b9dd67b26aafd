import { isDigest, parseImage, type ParsedImage } from '../image-ref.js';

/** What the guard reads from a manifest: the children of an index and the base image annotations. */
export interface ManifestFacts {
  children: string[];
  base?: { digest: string; name?: ParsedImage };
}

const BASE_DIGEST = 'org.opencontainers.image.base.digest';
const BASE_NAME = 'org.opencontainers.image.base.name';

/**
 * Image indexes and Docker manifest lists list their children under `manifests[]`; OCI image specs put
 * the base image in the pre-defined annotations `org.opencontainers.image.base.{digest,name}`
 * (https://github.com/opencontainers/image-spec/blob/main/annotations.md). Malformed JSON yields nothing.
 */
export function manifestFacts(manifestText: string): ManifestFacts {
  let doc: { manifests?: { digest?: unknown }[]; annotations?: Record<string, unknown> };
  try {
    doc = JSON.parse(manifestText);
  } catch {
    return { children: [] };
  }
  const children = (Array.isArray(doc.manifests) ? doc.manifests : [])
    .map((m) => m?.digest)
    .filter((d): d is string => typeof d === 'string' && isDigest(d));
  const digest = doc.annotations?.[BASE_DIGEST];
  const name = doc.annotations?.[BASE_NAME];
  if (typeof digest !== 'string' || !isDigest(digest)) return { children };
  const parsed = typeof name === 'string' ? parseImage(name) : undefined;
  return { children, base: { digest, ...(parsed ? { name: parsed } : {}) } };
}
