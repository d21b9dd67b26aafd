import type { RegistryIndex } from './image-ref.js';
import { parseImage } from './image-ref.js';
import type { RepositoryState } from './repositories.js';
import type { ImageReference, InUseImage, Usage } from './types.js';

export const imageKey = (repository: string, digest: string) => `${repository}@${digest}`;
export const shortDigest = (digest: string) => digest.replace(/^sha256:/, '').slice(0, 12);

/** The in-use images, by repository and digest, each with every reason it is in use. */
export class InUseSet {
  readonly images = new Map<string, InUseImage>();

  /** Adds a usage; returns true when the image was not in use before. */
  add(repository: string, digest: string, usage: Usage): boolean {
    const key = imageKey(repository, digest);
    const existing = this.images.get(key);
    if (existing) {
      if (!existing.usages.some((u) => u.kind === usage.kind && u.name === usage.name)) existing.usages.push(usage);
      return false;
    }
    this.images.set(key, { repository, digest, usages: [usage] });
    return true;
  }

  has(repository: string, digest: string): boolean {
    return this.images.has(imageKey(repository, digest));
  }

  inRepository(repository: string): InUseImage[] {
    return [...this.images.values()].filter((i) => i.repository === repository);
  }
}

/** A reference that points into this registry but at nothing: the image is already gone. */
export interface MissingImage {
  reference: string;
  repository: string;
  usage: Usage;
}

/** Which repository a reference lives in, or undefined when it is outside this registry (Docker Hub, other accounts). */
export function repositoryOfReference(ref: ImageReference, registry: RegistryIndex): string | undefined {
  const parsed = parseImage(ref.uri);
  if (!parsed) return undefined;
  return registry.repositoryOf(parsed, { allowBareName: ref.usage.kind === 'extra' });
}

/**
 * Resolves references to digests. A digest ECS reported (service revision, task) or written in the
 * reference wins; a tag is looked up in the repository listing the guard already holds, so resolving
 * costs no API calls.
 */
export function resolveReferences(
  refs: readonly ImageReference[],
  registry: RegistryIndex,
  repositories: ReadonlyMap<string, RepositoryState>,
  inUse: InUseSet,
): MissingImage[] {
  const missing: MissingImage[] = [];
  for (const ref of refs) {
    const repository = repositoryOfReference(ref, registry);
    const state = repository ? repositories.get(repository) : undefined;
    if (!repository || !state) continue;
    const parsed = parseImage(ref.uri)!;
    const digest = ref.digest ?? parsed.digest ?? state.byTag.get(parsed.tag ?? 'latest');
    if (digest && state.byDigest.has(digest)) inUse.add(repository, digest, ref.usage);
    else missing.push({ reference: ref.digest ? `${ref.uri}@${ref.digest}` : ref.uri, repository, usage: ref.usage });
  }
  return missing;
}
