import { randomBytes } from 'node:crypto';
import type { SimClock } from '../clock.js';
import { ecrErrors } from './errors.js';
import { DIGEST_PATTERN, MEDIA, buildSeedManifest, type BaseRecord, isIndexMediaType, readManifest, sha256Digest, type SeededManifest } from './manifest.js';
import { REPOSITORY_NAME_PATTERN, RepositoryState, TAG_PATTERN, tagIsImmutable, type RepositorySettings, type StoredImage, type TagMutability } from './store.js';

/** Where images really live in registry mode; absent in memory mode. See src/registry/mirror.ts. */
export interface ImageBacking {
  /** host[:port] that image references and repositoryUri use. */
  readonly host: string;
  readonly proxyEndpoint: string;
  refresh(repositoryName?: string): Promise<void>;
  pushManifest(repositoryName: string, reference: string, manifest: string, mediaType: string): Promise<void>;
  pushSeed(repositoryName: string, seeded: SeededManifest, tags: string[]): Promise<void>;
  deleteImage(repositoryName: string, image: StoredImage): Promise<void>;
  /** Untags without deleting the image (the image keeps `remainingTags`). */
  removeTag(repositoryName: string, tag: string, image: StoredImage): Promise<void>;
  /** Called after a repository is deleted through the API. */
  forgetRepository(repositoryName: string): void;
  /** Where a client downloads blob `digest` of the repository, or undefined when the registry lacks it. */
  blobUrl(repositoryName: string, digest: string): Promise<string | undefined>;
}

export interface ImageId {
  imageDigest?: string;
  imageTag?: string;
}

export interface EcrContext {
  clock: SimClock;
  accountId: string;
  region: string;
  backing?: ImageBacking;
}

const MUTABILITY: TagMutability[] = ['MUTABLE', 'IMMUTABLE', 'IMMUTABLE_WITH_EXCLUSION', 'MUTABLE_WITH_EXCLUSION'];
const EXCLUSION_FILTER = /^[0-9a-zA-Z._*-]{1,128}$/;

/**
 * Repositories and images: the state ECR's API and the simulator's ECS pulls share. Every behaviour
 * follows the ECR API reference (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/); where the
 * reference is silent the choice is listed in docs/ecr.md.
 */
export class EcrService {
  readonly repositories = new Map<string, RepositoryState>();
  readonly registryHost: string;
  private seedCounter = 0;

  constructor(readonly ctx: EcrContext) {
    this.registryHost = ctx.backing?.host ?? `${ctx.accountId}.dkr.ecr.${ctx.region}.amazonaws.com`;
  }

  get registryId(): string {
    return this.ctx.accountId;
  }

  now(): Date {
    return this.ctx.clock.now();
  }

  async refresh(repositoryName?: string): Promise<void> {
    await this.ctx.backing?.refresh(repositoryName);
  }

  // ---- repositories ---------------------------------------------------------------------------

  validateRepositoryName(name: unknown): string {
    if (typeof name !== 'string' || name.length < 2 || name.length > 256 || !REPOSITORY_NAME_PATTERN.test(name)) {
      throw ecrErrors.constraint(
        'repositoryName',
        `must satisfy regular expression '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*' and have length between 2 and 256`,
      );
    }
    return name;
  }

  /** The repository, or RepositoryNotFoundException as every image call raises it. */
  repo(name: unknown): RepositoryState {
    if (typeof name !== 'string' || !name) throw ecrErrors.invalidParameter('repositoryName must be specified.');
    const repo = this.repositories.get(name);
    if (!repo) throw ecrErrors.repositoryNotFound(name, this.registryId);
    return repo;
  }

  settingsFrom(input: any, base?: RepositorySettings): RepositorySettings {
    const mutability = (input.imageTagMutability ?? base?.imageTagMutability ?? 'MUTABLE') as TagMutability;
    if (!MUTABILITY.includes(mutability)) throw ecrErrors.constraint('imageTagMutability', `Member must satisfy enum value set: [${MUTABILITY.join(', ')}]`);
    const filters = input.imageTagMutabilityExclusionFilters as { filterType?: string; filter?: string }[] | undefined;
    const withExclusion = mutability.endsWith('_WITH_EXCLUSION');
    // https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ImageTagMutabilityExclusionFilter.html
    if (withExclusion && (!filters || filters.length === 0)) {
      throw ecrErrors.invalidParameter(`imageTagMutabilityExclusionFilters must be specified when imageTagMutability is ${mutability}.`);
    }
    if (!withExclusion && filters?.length) {
      throw ecrErrors.invalidParameter(`imageTagMutabilityExclusionFilters can only be specified when imageTagMutability is IMMUTABLE_WITH_EXCLUSION or MUTABLE_WITH_EXCLUSION.`);
    }
    if (filters && filters.length > 5) throw ecrErrors.constraint('imageTagMutabilityExclusionFilters', 'Member must have length less than or equal to 5');
    for (const f of filters ?? []) {
      if (f.filterType !== 'WILDCARD') throw ecrErrors.constraint('imageTagMutabilityExclusionFilters.filterType', 'Member must satisfy enum value set: [WILDCARD]');
      if (typeof f.filter !== 'string' || !EXCLUSION_FILTER.test(f.filter)) {
        throw ecrErrors.constraint('imageTagMutabilityExclusionFilters.filter', 'Member must satisfy regular expression pattern: ^[0-9a-zA-Z._*-]{1,128}$');
      }
    }
    return {
      imageTagMutability: mutability,
      imageTagMutabilityExclusionFilters: withExclusion ? filters!.map((f) => ({ filterType: 'WILDCARD' as const, filter: f.filter! })) : undefined,
      scanOnPush: Boolean(input.imageScanningConfiguration?.scanOnPush ?? base?.scanOnPush ?? false),
      encryptionType: input.encryptionConfiguration?.encryptionType ?? base?.encryptionType ?? 'AES256',
    };
  }

  createRepository(input: any): RepositoryState {
    const name = this.validateRepositoryName(input.repositoryName);
    const settings = this.settingsFrom(input);
    if (this.repositories.has(name)) throw ecrErrors.repositoryExists(name, this.registryId);
    const repo = new RepositoryState(name, this.now(), settings);
    this.repositories.set(name, repo);
    return repo;
  }

  ensureRepository(name: string): RepositoryState {
    return this.repositories.get(name) ?? this.createRepository({ repositoryName: name });
  }

  repositoryView(repo: RepositoryState) {
    return {
      repositoryArn: `arn:aws:ecr:${this.ctx.region}:${this.ctx.accountId}:repository/${repo.name}`,
      registryId: this.registryId,
      repositoryName: repo.name,
      repositoryUri: `${this.registryHost}/${repo.name}`,
      createdAt: repo.createdAt,
      imageTagMutability: repo.settings.imageTagMutability,
      imageTagMutabilityExclusionFilters: repo.settings.imageTagMutabilityExclusionFilters,
      imageScanningConfiguration: { scanOnPush: repo.settings.scanOnPush },
      encryptionConfiguration: { encryptionType: repo.settings.encryptionType },
    };
  }

  async deleteRepository(input: any): Promise<RepositoryState> {
    const repo = this.repo(input.repositoryName);
    // "If the repository isn't empty, you must either delete the contents of the repository or use the
    // force option." https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_DeleteRepository.html
    if (repo.images.size > 0 && !input.force) throw ecrErrors.repositoryNotEmpty(repo.name, this.registryId);
    if (this.ctx.backing) {
      for (const image of this.deletionOrder(repo, [...repo.images.keys()])) await this.ctx.backing.deleteImage(repo.name, image);
      this.ctx.backing.forgetRepository(repo.name);
    }
    this.repositories.delete(repo.name);
    return repo;
  }

  /** Indexes before the manifests they reference, so a registry never refuses a delete. */
  deletionOrder(repo: RepositoryState, digests: string[]): StoredImage[] {
    const images = digests.map((d) => repo.images.get(d)).filter((i): i is StoredImage => Boolean(i));
    return images.sort((a, b) => Number(isIndexMediaType(b.mediaType)) - Number(isIndexMediaType(a.mediaType)));
  }

  // ---- images ---------------------------------------------------------------------------------

  /** Finds an image by digest and/or tag; undefined when absent, throws the failure code when inconsistent. */
  lookup(repo: RepositoryState, id: ImageId): { image?: StoredImage; failure?: { code: string; reason: string } } {
    if (!id?.imageDigest && !id?.imageTag) return { failure: { code: 'MissingDigestAndTag', reason: 'Invalid request parameters: both tag and digest cannot be null' } };
    if (id.imageDigest && !DIGEST_PATTERN.test(id.imageDigest)) return { failure: { code: 'InvalidImageDigest', reason: 'Invalid request parameters: image digest should satisfy the regex \'[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+\'' } };
    if (id.imageTag && !TAG_PATTERN.test(id.imageTag)) return { failure: { code: 'InvalidImageTag', reason: 'Invalid request parameters: image tag is not valid' } };
    const byTag = id.imageTag ? repo.findByTag(id.imageTag) : undefined;
    const byDigest = id.imageDigest ? repo.images.get(id.imageDigest) : undefined;
    if (id.imageTag && id.imageDigest) {
      if (byTag && byDigest && byTag !== byDigest) return { failure: { code: 'ImageTagDoesNotMatchDigest', reason: 'Invalid request parameters: given tag does not match given digest' } };
      if (!byTag || !byDigest) return { failure: { code: 'ImageNotFound', reason: 'Requested image not found' } };
      return { image: byDigest };
    }
    const image = byTag ?? byDigest;
    return image ? { image } : { failure: { code: 'ImageNotFound', reason: 'Requested image not found' } };
  }

  imageDetail(repo: RepositoryState, image: StoredImage) {
    return {
      registryId: this.registryId,
      repositoryName: repo.name,
      imageDigest: image.digest,
      imageTags: image.tags.length ? [...image.tags] : undefined,
      imageSizeInBytes: image.sizeBytes,
      imagePushedAt: image.pushedAt,
      imageManifestMediaType: image.mediaType,
      artifactMediaType: image.artifactMediaType,
      lastRecordedPullTime: image.lastPulledAt,
      imageStatus: image.status,
      lastArchivedAt: image.lastArchivedAt,
      lastActivatedAt: image.lastActivatedAt,
      subjectManifestDigest: image.subjectDigest,
    };
  }

  /**
   * PutImage: stores the exact manifest bytes (so a retag keeps the digest) and applies the tag rules.
   * https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_PutImage.html
   * https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-retag.html
   */
  async putImage(input: any): Promise<{ repo: RepositoryState; image: StoredImage; tag?: string }> {
    const repo = this.repo(input.repositoryName);
    const manifest = input.imageManifest;
    if (typeof manifest !== 'string' || manifest.length === 0) throw ecrErrors.constraint('imageManifest', 'Member must have length greater than or equal to 1');
    if (Buffer.byteLength(manifest) > 4 * 1024 * 1024) throw ecrErrors.constraint('imageManifest', 'Member must have length less than or equal to 4194304');
    let info;
    try {
      info = readManifest(manifest, input.imageManifestMediaType);
    } catch {
      throw ecrErrors.constraint('ImageManifest', 'Invalid JSON syntax');
    }
    const tag: string | undefined = input.imageTag;
    if (tag !== undefined && !TAG_PATTERN.test(tag)) throw ecrErrors.constraint('imageTag', 'Member must satisfy regular expression pattern: [A-Za-z0-9_][A-Za-z0-9_.-]{0,299}');
    const digest = sha256Digest(manifest);
    if (input.imageDigest && input.imageDigest !== digest) throw ecrErrors.digestMismatch(input.imageDigest, digest);
    const existing = repo.images.get(digest);
    if (existing && (tag === undefined || existing.tags.includes(tag)) && existing.status === 'ACTIVE') {
      throw ecrErrors.imageAlreadyExists(digest, tag, repo.name, this.registryId);
    }
    if (tag !== undefined) {
      const holder = repo.tags.get(tag);
      // "After tag immutability is turned on, the ImageTagAlreadyExistsException error is returned if you
      // push an image with a tag that is already in the repository."
      // https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html
      if (holder && holder !== digest && tagIsImmutable(tag, repo.settings)) throw ecrErrors.imageTagAlreadyExists(tag, repo.name);
    }
    if (!existing && isIndexMediaType(info.mediaType)) {
      const missing = info.children.filter((c) => !repo.images.has(c));
      if (missing.length) throw ecrErrors.referencedImagesNotFound(missing);
    }
    if (this.ctx.backing) {
      try {
        await this.ctx.backing.pushManifest(repo.name, tag ?? digest, manifest, info.mediaType);
      } catch (err) {
        throw ecrErrors.layersNotFound((err as Error).message);
      }
    }
    const image = repo.addImage({ digest, manifest, mediaType: info.mediaType, pushedAt: this.now() });
    if (image.status !== 'ACTIVE') {
      // "The image can be restored as an active image ... by re-pushing the image to the repository."
      // https://docs.aws.amazon.com/AmazonECR/latest/userguide/archive-image.html
      image.status = 'ACTIVE';
      image.lastActivatedAt = this.now();
    }
    if (tag !== undefined) repo.setTag(tag, digest);
    return { repo, image, tag };
  }

  /**
   * Seeds an image the way a push would: a real OCI manifest and config, tags applied in order (moving a
   * tag off an older image, as a push does in a mutable repository). Creates the repository if missing.
   */
  async seedImage(input: {
    repositoryName: string;
    tags?: string[];
    pushedAt?: Date;
    lastPulledAt?: Date;
    baseDigest?: string;
    baseName?: string;
    platform?: string;
    sizeBytes?: number;
    baseIn?: BaseRecord;
  }): Promise<{ imageDigest: string; imageUri: string; repositoryName: string; tags: string[] }> {
    await this.refresh(input.repositoryName);
    const repo = this.repositories.get(this.validateRepositoryName(input.repositoryName)) ?? this.createRepository({ repositoryName: input.repositoryName });
    const tags = input.tags ?? [];
    for (const tag of tags) if (!TAG_PATTERN.test(tag)) throw new Error(`seedImage: '${tag}' is not a valid image tag`);
    const pushedAt = input.pushedAt ?? this.now();
    const seeded = buildSeedManifest({
      repositoryName: repo.name,
      nonce: `${++this.seedCounter}-${randomBytes(6).toString('hex')}`,
      createdAt: pushedAt,
      platform: input.platform,
      sizeBytes: input.sizeBytes,
      baseDigest: input.baseDigest,
      baseName: input.baseName,
      baseIn: input.baseIn,
    });
    if (this.ctx.backing) await this.ctx.backing.pushSeed(repo.name, seeded, tags);
    else for (const blob of [seeded.config, seeded.layer]) repo.blobs.set(blob.digest, blob.bytes);
    const image = repo.addImage({ digest: seeded.digest, manifest: seeded.manifest, mediaType: seeded.mediaType, pushedAt, sizeBytes: seeded.sizeBytes });
    image.pushedAt = pushedAt;
    if (input.lastPulledAt) image.lastPulledAt = input.lastPulledAt;
    for (const tag of tags) repo.setTag(tag, image.digest);
    return { imageDigest: image.digest, imageUri: `${this.registryHost}/${repo.name}@${image.digest}`, repositoryName: repo.name, tags };
  }

  /**
   * BatchDeleteImage. By tag removes the tag, and "When you remove the last tag from an image, the image is
   * deleted from your repository." By digest removes the image and all of its tags.
   * https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_BatchDeleteImage.html
   */
  async batchDeleteImage(input: any) {
    const repo = this.repo(input.repositoryName);
    const ids: ImageId[] = input.imageIds ?? [];
    if (ids.length < 1 || ids.length > 100) throw ecrErrors.constraint('imageIds', 'Member must have length between 1 and 100');
    const imageIds: ImageId[] = [];
    const failures: { imageId: ImageId; failureCode: string; failureReason: string }[] = [];
    for (const id of ids) {
      const { image, failure } = this.lookup(repo, id);
      if (failure || !image) {
        failures.push({ imageId: id, failureCode: failure!.code, failureReason: failure!.reason });
        continue;
      }
      const byTagOnly = id.imageTag && !id.imageDigest;
      const parents = repo.parentsOf(image.digest);
      if (byTagOnly && (image.tags.length > 1 || parents.length > 0)) {
        // The image stays: other tags remain, or an index still needs it (see docs/ecr.md).
        if (this.ctx.backing) await this.ctx.backing.removeTag(repo.name, id.imageTag!, image);
        repo.removeTag(id.imageTag!);
        imageIds.push({ imageDigest: image.digest, imageTag: id.imageTag });
        continue;
      }
      if (parents.length > 0) {
        failures.push({ imageId: id, failureCode: 'ImageReferencedByManifestList', failureReason: `Requested image is referenced by a manifest list: [${parents.join(', ')}]` });
        continue;
      }
      const tags = [...image.tags];
      if (this.ctx.backing) await this.ctx.backing.deleteImage(repo.name, image);
      repo.deleteImage(image.digest);
      if (tags.length === 0) imageIds.push({ imageDigest: image.digest });
      for (const tag of tags) imageIds.push({ imageDigest: image.digest, imageTag: tag });
    }
    return { imageIds, failures };
  }

  /**
   * GetDownloadUrlForLayer: "You can only get URLs for image layers that are referenced in an image."
   * A blob no image references is LayerInaccessibleException, an unknown one LayersNotFoundException.
   * Memory mode serves the bytes itself under `<endpoint>/_sim/blobs/<repository>/<digest>` (AWS hands out
   * a pre-signed S3 URL); registry mode returns the registry's own blob URL.
   * https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_GetDownloadUrlForLayer.html
   */
  async downloadUrlForLayer(input: any, endpoint: string): Promise<{ downloadUrl: string; layerDigest: string }> {
    const repo = this.repo(input.repositoryName);
    const digest = input.layerDigest;
    if (typeof digest !== 'string' || !/^[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+$/.test(digest)) {
      throw ecrErrors.constraint('layerDigest', 'Member must satisfy regular expression pattern: [a-zA-Z0-9-_+.]+:[a-fA-F0-9]+');
    }
    const users = repo.blobUsersOf(digest);
    const url = this.ctx.backing
      ? await this.ctx.backing.blobUrl(repo.name, digest)
      : repo.blobs.has(digest)
        ? // Like a pre-signed URL, it carries its credential scope (region) in the query: the blob is served
          // by this region's ECR. https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html
          `${endpoint}/_sim/blobs/${encodeURIComponent(repo.name)}/${encodeURIComponent(digest)}?X-Amz-Credential=${encodeURIComponent(`sim/20000101/${this.ctx.region}/s3/aws4_request`)}`
        : undefined;
    if (users.length === 0 && !url) throw ecrErrors.layerNotFound(digest, repo.name, this.registryId);
    // Archived images cannot be pulled, so neither can a layer only they reference (docs/ecr.md).
    if (!users.some(EcrService.pullable)) throw ecrErrors.layerInaccessible(digest, repo.name, this.registryId);
    if (!url) throw ecrErrors.layerNotFound(digest, repo.name, this.registryId);
    return { downloadUrl: url, layerDigest: digest };
  }

  /** The bytes behind a memory-mode download URL, only while an ACTIVE image references them. */
  blobBytes(repositoryName: string, digest: string): Buffer | undefined {
    const repo = this.repositories.get(repositoryName);
    if (!repo || !repo.blobUsersOf(digest).some(EcrService.pullable)) return undefined;
    return repo.blobs.get(digest);
  }

  /** Pull semantics for BatchGetImage and ECS: archived images cannot be pulled (404 in ECR). */
  static pullable(image: StoredImage): boolean {
    return image.status === 'ACTIVE';
  }

  authorizationData() {
    // The token decodes to "AWS:<password>", valid for 12 hours.
    // https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_AuthorizationData.html
    const password = `sim-${randomBytes(24).toString('base64url')}`;
    return {
      authorizationToken: Buffer.from(`AWS:${password}`).toString('base64'),
      expiresAt: new Date(this.now().getTime() + 12 * 3600_000),
      proxyEndpoint: this.ctx.backing?.proxyEndpoint ?? `https://${this.registryHost}`,
    };
  }

  static readonly acceptedByDefault = [MEDIA.dockerManifest, MEDIA.ociManifest, MEDIA.dockerList, MEDIA.ociIndex];
}
