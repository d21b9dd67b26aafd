import type { SimClock } from '../clock.js';
import type { SeededManifest } from '../ecr/manifest.js';
import type { EcrService, ImageBacking } from '../ecr/service.js';
import type { RepositoryState, StoredImage } from '../ecr/store.js';
import { RegistryClient, RegistryError } from './client.js';

/** How often the mirror re-reads the registry in the background, so ECS pulls see `docker push`es. */
const BACKGROUND_REFRESH_MS = 1_000;

/**
 * Registry mode: the registry holds the images; this mirror keeps the ECR view (repositories, tags,
 * digests) equal to it and adds what a registry does not record (push time = first seen, pull time,
 * archive state), keyed by digest. Every API call refreshes the repositories it touches first; writes go
 * to the registry before the in-memory view changes. Registry calls are serialised so a refresh never
 * interleaves with a write.
 */
export class RegistryMirror implements ImageBacking {
  readonly client: RegistryClient;
  readonly host: string;
  readonly proxyEndpoint: string;
  private ecr?: EcrService;
  private chain: Promise<unknown> = Promise.resolve();
  /** Repositories deleted through the API: the registry keeps listing them until something is pushed again. */
  private readonly hidden = new Set<string>();
  private timer?: NodeJS.Timeout;

  constructor(
    url: string,
    private readonly clock: SimClock,
  ) {
    this.client = new RegistryClient(url);
    this.host = this.client.host;
    this.proxyEndpoint = this.client.base;
  }

  async attach(ecr: EcrService): Promise<void> {
    this.ecr = ecr;
    if (!(await this.client.ping())) throw new Error(`No OCI registry answers at ${this.client.base}/v2/ (start one, or run without --registry).`);
    await this.refresh();
    this.timer = setInterval(() => void this.refresh().catch(() => undefined), BACKGROUND_REFRESH_MS);
    this.timer.unref();
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.chain.catch(() => undefined);
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.chain.then(work, work);
    this.chain = next.catch(() => undefined);
    return next;
  }

  refresh(repositoryName?: string): Promise<void> {
    return this.serial(async () => {
      if (repositoryName) return this.refreshRepository(repositoryName);
      for (const name of await this.client.catalog()) await this.refreshRepository(name);
    });
  }

  private async refreshRepository(name: string): Promise<void> {
    const ecr = this.ecr!;
    const tags = await this.client.tags(name).catch((err) => {
      if (err instanceof RegistryError && err.status === 400) return [] as string[]; // invalid name
      throw err;
    });
    if (this.hidden.has(name)) {
      if (tags.length === 0) return;
      this.hidden.delete(name); // pushed again after DeleteRepository
    }
    let repo = ecr.repositories.get(name);
    if (!repo) {
      if (tags.length === 0) return;
      repo = ecr.ensureRepository(name);
    }
    const wanted = new Map<string, string>();
    for (const tag of tags) {
      const head = await this.client.headManifest(name, tag);
      if (!head?.digest) continue;
      if (await this.ensureImage(repo, head.digest)) wanted.set(tag, head.digest);
    }
    for (const tag of [...repo.tags.keys()]) if (!wanted.has(tag)) repo.removeTag(tag);
    for (const [tag, digest] of wanted) repo.setTag(tag, digest);
    // Untagged manifests cannot be listed through the distribution API: keep the ones still there.
    const reachable = new Set(wanted.values());
    for (const digest of wanted.values()) for (const child of repo.images.get(digest)?.children ?? []) reachable.add(child);
    for (const image of [...repo.images.values()]) {
      if (reachable.has(image.digest) || repo.parentsOf(image.digest).length > 0) continue;
      if (!(await this.client.headManifest(name, image.digest))) repo.deleteImage(image.digest);
    }
  }

  /** Loads a manifest (and an index's children) the mirror has not seen; false when the registry lacks it. */
  private async ensureImage(repo: RepositoryState, digest: string): Promise<boolean> {
    if (repo.images.has(digest)) return true;
    const fetched = await this.client.getManifest(repo.name, digest);
    if (!fetched) return false;
    let children: string[] = [];
    try {
      children = (JSON.parse(fetched.text).manifests ?? []).map((m: { digest: string }) => m.digest);
    } catch {
      return false;
    }
    for (const child of children) await this.ensureImage(repo, child);
    repo.addImage({ digest, manifest: fetched.text, mediaType: fetched.mediaType || undefined, pushedAt: this.clock.now() });
    return true;
  }

  pushManifest(repositoryName: string, reference: string, manifest: string, mediaType: string): Promise<void> {
    return this.serial(async () => {
      this.hidden.delete(repositoryName);
      await this.client.putManifest(repositoryName, reference, manifest, mediaType);
    });
  }

  pushSeed(repositoryName: string, seeded: SeededManifest, tags: string[]): Promise<void> {
    return this.serial(async () => {
      this.hidden.delete(repositoryName);
      await this.client.uploadBlob(repositoryName, seeded.config.digest, seeded.config.bytes);
      await this.client.uploadBlob(repositoryName, seeded.layer.digest, seeded.layer.bytes);
      await this.client.putManifest(repositoryName, seeded.digest, seeded.manifest, seeded.mediaType);
      for (const tag of tags) await this.client.putManifest(repositoryName, tag, seeded.manifest, seeded.mediaType);
    });
  }

  deleteImage(repositoryName: string, image: StoredImage): Promise<void> {
    return this.serial(async () => {
      await this.client.deleteManifest(repositoryName, image.digest);
    });
  }

  /**
   * Removes one tag but keeps the image. distribution 2.x cannot delete a tag, so when DELETE by tag is
   * refused the manifest is deleted by digest and put back under the tags it keeps (same bytes, same
   * digest; the blobs stay until the registry's garbage collection).
   */
  removeTag(repositoryName: string, tag: string, image: StoredImage): Promise<void> {
    return this.serial(async () => {
      try {
        if (await this.client.deleteManifest(repositoryName, tag)) return;
      } catch (err) {
        if (!(err instanceof RegistryError)) throw err;
      }
      await this.client.deleteManifest(repositoryName, image.digest);
      const keep = image.tags.filter((t) => t !== tag);
      await this.client.putManifest(repositoryName, image.digest, image.manifest, image.mediaType);
      for (const t of keep) await this.client.putManifest(repositoryName, t, image.manifest, image.mediaType);
    });
  }

  /** The registry's blob URL, which a client GETs directly (ECR hands out a pre-signed S3 URL instead). */
  async blobUrl(repositoryName: string, digest: string): Promise<string | undefined> {
    return (await this.client.hasBlob(repositoryName, digest)) ? this.client.blobUrl(repositoryName, digest) : undefined;
  }

  forgetRepository(repositoryName: string): void {
    this.hidden.add(repositoryName);
  }
}
