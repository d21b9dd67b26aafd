import { parseImageRef, type ImageLookup, type ResolvedImage } from '../images.js';
import { sha256Digest } from './manifest.js';
import type { EcrService } from './service.js';

/**
 * How ECS resolves the image a container names. A reference without a registry, or naming this
 * registry, resolves against ECR; failures carry the container runtime's wording, as ECS shows it in
 * stoppedReason ("CannotPullContainerError: ... not found").
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_cannot_pull_image.html
 */
export function createImageLookup(ecr: EcrService, imagesIn?: (region: string) => ImageLookup): ImageLookup {
  const ecrHost = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com$/;
  /** This account's registry in another region: pulls go there (ECS pulls from any region's ECR). */
  const otherRegion = (registry: string): ImageLookup | undefined => {
    const m = ecrHost.exec(registry);
    return m && imagesIn && m[1] === ecr.registryId && m[2] !== ecr.ctx.region ? imagesIn(m[2]!) : undefined;
  };
  return {
    resolve(imageRef) {
      const ref = parseImageRef(imageRef);
      const registry = ref.registry ?? ecr.registryHost;
      const elsewhere = registry !== ecr.registryHost ? otherRegion(registry) : undefined;
      if (elsewhere) return elsewhere.resolve(imageRef);
      const canonical = `${registry}/${ref.repository}${ref.digest ? `@${ref.digest}` : `:${ref.tag}`}`;
      const notFound = { error: `CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref ${canonical}: ${canonical}: not found` };
      if (registry !== ecr.registryHost) {
        // Another account's ECR: this simulator holds no images there.
        if (ecrHost.test(registry)) return notFound;
        // Public registries (Docker Hub, public.ecr.aws...) are outside the simulation: treat as pullable
        // with a stable made-up digest (docs/ecr.md).
        return { registry, repositoryName: ref.repository, imageDigest: ref.digest ?? sha256Digest(canonical), tag: ref.digest ? undefined : ref.tag };
      }
      const repo = ecr.repositories.get(ref.repository);
      if (!repo) return notFound;
      const image = ref.digest ? repo.images.get(ref.digest) : repo.findByTag(ref.tag!);
      if (!image || (ref.digest && ref.tag && !image.tags.includes(ref.tag))) return notFound;
      // "Archived images cannot be pulled. Requests to pull the archived image will fail with a 404 error."
      // https://docs.aws.amazon.com/AmazonECR/latest/userguide/archive-image.html
      if (image.status !== 'ACTIVE') return notFound;
      return { registry, repositoryName: repo.name, imageDigest: image.digest, tag: ref.digest ? undefined : ref.tag };
    },
    recordPull(image: ResolvedImage, at: Date) {
      if (image.registry !== ecr.registryHost) return void otherRegion(image.registry)?.recordPull(image, at);
      const stored = ecr.repositories.get(image.repositoryName)?.images.get(image.imageDigest);
      if (stored && (!stored.lastPulledAt || stored.lastPulledAt < at)) stored.lastPulledAt = at;
    },
  };
}
