import { isIndexMediaType, readManifest } from './manifest.js';

export type ImageStatus = 'ACTIVE' | 'ARCHIVED' | 'ACTIVATING';
export type TagMutability = 'MUTABLE' | 'IMMUTABLE' | 'IMMUTABLE_WITH_EXCLUSION' | 'MUTABLE_WITH_EXCLUSION';

export interface StoredImage {
  digest: string;
  manifest: string;
  mediaType: string;
  artifactMediaType?: string;
  /** Tags in the order they were added. */
  tags: string[];
  pushedAt: Date;
  lastPulledAt?: Date;
  status: ImageStatus;
  lastArchivedAt?: Date;
  lastActivatedAt?: Date;
  sizeBytes: number;
  /** Digests this image (an index) references. */
  children: string[];
  subjectDigest?: string;
  /** Config and layer digests this image (a single-platform manifest) references. */
  blobs: string[];
  /** Insertion order, the order DescribeImages/ListImages page through. */
  seq: number;
}

export interface LifecyclePolicyRecord {
  text: string;
  lastEvaluatedAt?: Date;
}

export interface PreviewRecord {
  status: 'IN_PROGRESS' | 'COMPLETE' | 'FAILED';
  policyText: string;
  results: PreviewResult[];
}

export interface PreviewResult {
  imageDigest: string;
  imageTags: string[];
  imagePushedAt: Date;
  action: { type: 'EXPIRE' | 'TRANSITION'; targetStorageClass?: 'ARCHIVE' };
  appliedRulePriority: number;
  storageClass: 'STANDARD' | 'ARCHIVE';
}

export interface RepositorySettings {
  imageTagMutability: TagMutability;
  imageTagMutabilityExclusionFilters?: { filterType: 'WILDCARD'; filter: string }[];
  scanOnPush: boolean;
  encryptionType: string;
}

/**
 * One repository with the indexes that keep calls fast at 50,000 images: images by digest, digest by tag,
 * and the reverse edge child → indexes that reference it (for ImageReferencedByManifestList and lifecycle).
 */
export class RepositoryState {
  readonly images = new Map<string, StoredImage>();
  readonly tags = new Map<string, string>();
  readonly referencedBy = new Map<string, Set<string>>();
  /** Blob digest → images whose manifest references it (config or layer), for GetDownloadUrlForLayer. */
  readonly blobUsers = new Map<string, Set<string>>();
  /** Blob bytes in memory mode (seeded images); in registry mode the registry holds them. */
  readonly blobs = new Map<string, Buffer>();
  policy?: LifecyclePolicyRecord;
  preview?: PreviewRecord;
  private seq = 0;

  constructor(
    readonly name: string,
    readonly createdAt: Date,
    public settings: RepositorySettings,
  ) {}

  /** Adds a manifest (or returns the existing image with the same digest). */
  addImage(input: { digest: string; manifest: string; mediaType?: string; pushedAt: Date; sizeBytes?: number }): StoredImage {
    const existing = this.images.get(input.digest);
    if (existing) return existing;
    const info = readManifest(input.manifest, input.mediaType);
    const image: StoredImage = {
      digest: input.digest,
      manifest: input.manifest,
      mediaType: info.mediaType,
      artifactMediaType: info.artifactMediaType,
      tags: [],
      pushedAt: input.pushedAt,
      status: 'ACTIVE',
      sizeBytes: input.sizeBytes ?? info.sizeBytes,
      children: info.children,
      subjectDigest: info.subjectDigest,
      blobs: info.blobs,
      seq: this.seq++,
    };
    if (isIndexMediaType(image.mediaType)) {
      // "If the image is a manifest list, this will be the max size of all manifests in the list."
      // https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ImageDetail.html
      image.sizeBytes = Math.max(0, ...image.children.map((c) => this.images.get(c)?.sizeBytes ?? 0));
    }
    for (const child of image.children) {
      let parents = this.referencedBy.get(child);
      if (!parents) this.referencedBy.set(child, (parents = new Set()));
      parents.add(image.digest);
    }
    for (const blob of image.blobs) {
      let users = this.blobUsers.get(blob);
      if (!users) this.blobUsers.set(blob, (users = new Set()));
      users.add(image.digest);
    }
    this.images.set(image.digest, image);
    return image;
  }

  /** Points `tag` at `digest`, taking it off whichever image had it. */
  setTag(tag: string, digest: string): void {
    const previous = this.tags.get(tag);
    if (previous === digest) return;
    if (previous) {
      const old = this.images.get(previous);
      if (old) old.tags = old.tags.filter((t) => t !== tag);
    }
    this.tags.set(tag, digest);
    this.images.get(digest)!.tags.push(tag);
  }

  removeTag(tag: string): StoredImage | undefined {
    const digest = this.tags.get(tag);
    if (!digest) return undefined;
    this.tags.delete(tag);
    const image = this.images.get(digest)!;
    image.tags = image.tags.filter((t) => t !== tag);
    return image;
  }

  deleteImage(digest: string): StoredImage | undefined {
    const image = this.images.get(digest);
    if (!image) return undefined;
    for (const tag of image.tags) this.tags.delete(tag);
    for (const child of image.children) {
      const parents = this.referencedBy.get(child);
      parents?.delete(digest);
      if (parents && parents.size === 0) this.referencedBy.delete(child);
    }
    for (const blob of image.blobs) {
      const users = this.blobUsers.get(blob);
      users?.delete(digest);
      if (users && users.size === 0) this.blobUsers.delete(blob);
    }
    this.images.delete(digest);
    return image;
  }

  /** Indexes still in the repository that reference `digest`. */
  parentsOf(digest: string): string[] {
    return [...(this.referencedBy.get(digest) ?? [])].filter((d) => this.images.has(d));
  }

  /** Images still in the repository whose manifest references blob `digest`. */
  blobUsersOf(digest: string): StoredImage[] {
    return [...(this.blobUsers.get(digest) ?? [])].map((d) => this.images.get(d)).filter((i): i is StoredImage => Boolean(i));
  }

  findByTag(tag: string): StoredImage | undefined {
    const digest = this.tags.get(tag);
    return digest ? this.images.get(digest) : undefined;
  }
}

/** ECR repository names: lowercase path components. https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepository.html */
export const REPOSITORY_NAME_PATTERN = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
/** Docker tag grammar, which ECR enforces on imageTag (max 300 in the ECR model). */
export const TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,299}$/;

/** Whether `tag` is covered by a WILDCARD exclusion filter (`*` matches any run of characters). */
export function matchesExclusion(tag: string, filters: { filter: string }[] | undefined): boolean {
  return (filters ?? []).some((f) => new RegExp(`^${f.filter.split('*').map(escapeRegExp).join('.*')}$`).test(tag));
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Whether an existing tag may be moved to another image. IMMUTABLE_WITH_EXCLUSION: every tag immutable except
 * the filters; MUTABLE_WITH_EXCLUSION: every tag mutable except the filters.
 * https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_PutImageTagMutability.html
 * https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_ecr.TagMutability.html
 */
export function tagIsImmutable(tag: string, settings: RepositorySettings): boolean {
  switch (settings.imageTagMutability) {
    case 'IMMUTABLE':
      return true;
    case 'IMMUTABLE_WITH_EXCLUSION':
      return !matchesExclusion(tag, settings.imageTagMutabilityExclusionFilters);
    case 'MUTABLE_WITH_EXCLUSION':
      return matchesExclusion(tag, settings.imageTagMutabilityExclusionFilters);
    default:
      return false;
  }
}
