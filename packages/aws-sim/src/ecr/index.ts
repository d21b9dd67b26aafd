import type { SimClock } from '../clock.js';
import type { ImageLookup } from '../images.js';
import type { ControlHandler } from '../protocol/server.js';
import { AwsError } from '../protocol/errors.js';
import { RawBody, type JsonService, type RestRoute } from '../protocol/types.js';
import { RegistryMirror } from '../registry/mirror.js';
import { ecrErrors } from './errors.js';
import { LifecycleOps, type AppliedLifecycle } from './lifecycle.js';
import { createImageLookup } from './lookup.js';
import { paginate } from './paging.js';
import { EcrService, type ImageId } from './service.js';
import type { RepositoryState, StoredImage } from './store.js';

export { EcrService } from './service.js';
export { buildSeedManifest, sha256Digest, MEDIA } from './manifest.js';

export interface EcrOptions {
  clock: SimClock;
  accountId: string;
  region: string;
  /** Back the ECR API with a real OCI registry (e.g. http://127.0.0.1:5000). */
  registryUrl?: string;
  /** The image lookup of this account's ECR in another region (pulls naming that region's registry). */
  imagesIn?: (region: string) => ImageLookup;
}

export interface EcrPart {
  service: JsonService;
  /** Memory mode: the blob downloads GetDownloadUrlForLayer points at. */
  routes: RestRoute[];
  control: Record<string, ControlHandler> & {
    seedImage(body: Parameters<EcrService['seedImage']>[0] | Record<string, unknown>): Promise<{ imageDigest: string; imageUri: string }>;
    applyLifecyclePolicies(body?: string | { repositoryName?: string }): Promise<AppliedLifecycle>;
  };
  lifecycle: LifecycleOps;
  images: ImageLookup;
  /** The state behind the API, for in-process tests and benches. */
  ecr: EcrService;
  close(): Promise<void>;
}

/**
 * Amazon ECR over JSON 1.1 (`X-Amz-Target: AmazonEC2ContainerRegistry_V20150921.<Operation>`).
 * https://docs.aws.amazon.com/AmazonECR/latest/APIReference/Welcome.html
 */
export async function createEcr(options: EcrOptions): Promise<EcrPart> {
  const part = buildEcr(options);
  await part.ready;
  return part;
}

/**
 * The ECR part without waiting: `ready` settles once a backing registry answered and was read (at once in
 * memory mode). Lets the simulator build a region's parts synchronously.
 */
export function buildEcr(options: EcrOptions): EcrPart & { ready: Promise<void> } {
  const mirror = options.registryUrl ? new RegistryMirror(options.registryUrl, options.clock) : undefined;
  const ecr = new EcrService({ clock: options.clock, accountId: options.accountId, region: options.region, backing: mirror });
  const ready = mirror ? mirror.attach(ecr) : Promise.resolve();
  ready.catch(() => undefined);
  const lifecycle = new LifecycleOps(ecr);
  const registryId = ecr.registryId;

  const describeImages = async (input: any) => {
    await ecr.refresh(input.repositoryName);
    const repo = ecr.repo(input.repositoryName);
    const ids: ImageId[] | undefined = input.imageIds;
    if (ids) {
      // Asking by id returns those images whatever their status, or ImageNotFoundException.
      // https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_DescribeImages.html
      if (input.maxResults !== undefined || input.nextToken !== undefined) throw ecrErrors.invalidParameter('maxResults and nextToken cannot be used with imageIds.');
      const seen = new Set<string>();
      const details = [];
      for (const id of ids) {
        const { image, failure } = ecr.lookup(repo, id);
        if (!image) {
          if (failure?.code === 'ImageNotFound' || failure?.code === 'ImageTagDoesNotMatchDigest') throw ecrErrors.imageNotFound(id, repo.name, registryId);
          throw ecrErrors.invalidParameter(failure!.reason);
        }
        if (!seen.has(image.digest)) details.push(ecr.imageDetail(repo, image));
        seen.add(image.digest);
      }
      return { imageDetails: details };
    }
    const { page, nextToken } = paginate(filteredImages(repo, input.filter), (i) => i.seq, { maxResults: input.maxResults, nextToken: input.nextToken, defaultMax: 100, limit: 1000 });
    return { imageDetails: page.map((i) => ecr.imageDetail(repo, i)), nextToken };
  };

  const listImages = async (input: any) => {
    await ecr.refresh(input.repositoryName);
    const repo = ecr.repo(input.repositoryName);
    // One entry per tag, or one digest-only entry for an untagged image; position = seq * 1000 + tag index.
    function* entries() {
      for (const image of filteredImages(repo, input.filter)) {
        if (image.tags.length === 0) yield { pos: image.seq * 1000, id: { imageDigest: image.digest } as ImageId };
        else for (let t = 0; t < image.tags.length && t < 1000; t++) yield { pos: image.seq * 1000 + t, id: { imageDigest: image.digest, imageTag: image.tags[t] } };
      }
    }
    const { page, nextToken } = paginate(entries(), (e) => e.pos, { maxResults: input.maxResults, nextToken: input.nextToken, defaultMax: 100, limit: 1000 });
    return { imageIds: page.map((e) => e.id), nextToken };
  };

  /**
   * "When an image is pulled, the BatchGetImage API is called once to retrieve the image manifest", so a
   * successful BatchGetImage counts as a pull and updates lastRecordedPullTime (docs/ecr.md).
   * https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_BatchGetImage.html
   */
  const batchGetImage = async (input: any) => {
    await ecr.refresh(input.repositoryName);
    const repo = ecr.repo(input.repositoryName);
    const ids: ImageId[] = input.imageIds ?? [];
    if (ids.length < 1 || ids.length > 100) throw ecrErrors.constraint('imageIds', 'Member must have length between 1 and 100');
    const accepted: string[] | undefined = input.acceptedMediaTypes;
    if (accepted && (accepted.length < 1 || accepted.length > 100)) throw ecrErrors.constraint('acceptedMediaTypes', 'Member must have length between 1 and 100');
    const now = ecr.now();
    const images = [];
    const failures = [];
    for (const id of ids) {
      const { image, failure } = ecr.lookup(repo, id);
      if (!image) {
        failures.push({ imageId: id, failureCode: failure!.code, failureReason: failure!.reason });
      } else if (!EcrService.pullable(image)) {
        failures.push({ imageId: id, failureCode: 'ImageNotFound', failureReason: `Requested image is ${image.status.toLowerCase()} and cannot be pulled` });
      } else if (accepted && !accepted.includes(image.mediaType)) {
        failures.push({ imageId: id, failureCode: 'ImageNotFound', failureReason: `Requested image not found for the accepted media types; its manifest is ${image.mediaType}` });
      } else {
        image.lastPulledAt = now;
        images.push({
          registryId,
          repositoryName: repo.name,
          imageId: { imageDigest: image.digest, imageTag: id.imageTag },
          imageManifest: image.manifest,
          imageManifestMediaType: image.mediaType,
        });
      }
    }
    return { images, failures };
  };

  const operations: JsonService['operations'] = {
    /** https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepository.html */
    CreateRepository: async (input) => {
      await ecr.refresh(input.repositoryName);
      return { repository: ecr.repositoryView(ecr.createRepository(input)) };
    },
    /** https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_DescribeRepositories.html */
    DescribeRepositories: async (input) => {
      await ecr.refresh();
      const names: string[] | undefined = input.repositoryNames;
      if (names) {
        if (names.length < 1 || names.length > 100) throw ecrErrors.constraint('repositoryNames', 'Member must have length between 1 and 100');
        return { repositories: names.map((n) => ecr.repositoryView(ecr.repo(n))) };
      }
      const all = [...ecr.repositories.values()].sort((a, b) => a.name.localeCompare(b.name)).map((r, i) => ({ r, i }));
      const { page, nextToken } = paginate(all, (x) => x.i, { maxResults: input.maxResults, nextToken: input.nextToken, defaultMax: 100, limit: 1000 });
      return { repositories: page.map((x) => ecr.repositoryView(x.r)), nextToken };
    },
    DeleteRepository: async (input) => {
      await ecr.refresh(input.repositoryName);
      return { repository: ecr.repositoryView(await ecr.deleteRepository(input)) };
    },
    /** https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_PutImageTagMutability.html */
    PutImageTagMutability: (input) => {
      const repo = ecr.repo(input.repositoryName);
      repo.settings = ecr.settingsFrom({ ...input, imageScanningConfiguration: undefined }, { ...repo.settings, imageTagMutability: input.imageTagMutability });
      return { registryId, repositoryName: repo.name, imageTagMutability: repo.settings.imageTagMutability, imageTagMutabilityExclusionFilters: repo.settings.imageTagMutabilityExclusionFilters };
    },
    PutImageScanningConfiguration: (input) => {
      const repo = ecr.repo(input.repositoryName);
      repo.settings.scanOnPush = Boolean(input.imageScanningConfiguration?.scanOnPush);
      return { registryId, repositoryName: repo.name, imageScanningConfiguration: { scanOnPush: repo.settings.scanOnPush } };
    },
    DescribeImages: describeImages,
    ListImages: listImages,
    BatchGetImage: batchGetImage,
    PutImage: async (input) => {
      await ecr.refresh(input.repositoryName);
      const { repo, image, tag } = await ecr.putImage(input);
      return { image: { registryId, repositoryName: repo.name, imageId: { imageDigest: image.digest, imageTag: tag }, imageManifest: image.manifest, imageManifestMediaType: image.mediaType } };
    },
    BatchDeleteImage: async (input) => {
      await ecr.refresh(input.repositoryName);
      return ecr.batchDeleteImage(input);
    },
    /** https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_GetAuthorizationToken.html */
    GetAuthorizationToken: () => ({ authorizationData: [ecr.authorizationData()] }),
    PutLifecyclePolicy: async (input) => (await ecr.refresh(input.repositoryName), lifecycle.put(input)),
    GetLifecyclePolicy: async (input) => (await ecr.refresh(input.repositoryName), lifecycle.get(input)),
    DeleteLifecyclePolicy: async (input) => (await ecr.refresh(input.repositoryName), lifecycle.delete(input)),
    StartLifecyclePolicyPreview: async (input) => (await ecr.refresh(input.repositoryName), lifecycle.startPreview(input)),
    GetLifecyclePolicyPreview: async (input) => (await ecr.refresh(input.repositoryName), lifecycle.getPreview(input)),
    UpdateImageStorageClass: async (input) => (await ecr.refresh(input.repositoryName), lifecycle.updateStorageClass(input)),
    GetDownloadUrlForLayer: async (input, ctx) => (await ecr.refresh(input.repositoryName), ecr.downloadUrlForLayer(input, ctx.endpoint)),
  };

  // The GET behind a memory-mode downloadUrl. It stands in for ECR's pre-signed S3 URL, so it is counted
  // (and can be faulted) as s3:GetObject; the URL needs no credentials, as a pre-signed one does not.
  const routes: RestRoute[] = [
    {
      service: 's3',
      operation: 'GetObject',
      method: 'GET',
      path: '/_sim/blobs/{repository}/{digest}',
      handler: ({ params }) => {
        const bytes = ecr.blobBytes(params.repository!, params.digest!);
        if (!bytes) throw new AwsError('NoSuchKey', `No blob ${params.digest} in repository ${params.repository}.`, 404);
        return new RawBody(bytes);
      },
    },
  ];

  const control: EcrPart['control'] = {
    seedImage: (body: any) =>
      ecr.seedImage({
        ...body,
        pushedAt: toDate(body?.pushedAt),
        lastPulledAt: toDate(body?.lastPulledAt),
      }),
    applyLifecyclePolicies: (body: any) => lifecycle.apply(typeof body === 'string' ? body : body?.repositoryName),
    archiveImage: async (body: any) => (await ecr.refresh(body?.repositoryName), lifecycle.updateStorageClass({ ...body, imageId: imageIdOf(body), targetStorageClass: 'ARCHIVE' })),
    restoreImage: async (body: any) => (await ecr.refresh(body?.repositoryName), lifecycle.updateStorageClass({ ...body, imageId: imageIdOf(body), targetStorageClass: 'STANDARD' })),
  };

  return {
    service: { name: 'ecr', targetPrefix: 'AmazonEC2ContainerRegistry_V20150921', operations },
    routes,
    control,
    images: createImageLookup(ecr, options.imagesIn),
    ecr,
    lifecycle,
    ready,
    close: async () => mirror?.close(),
  };
}

/** DescribeImages / ListImages filter: tagStatus (default ANY) and imageStatus (default ACTIVE only). */
function* filteredImages(repo: RepositoryState, filter: { tagStatus?: string; imageStatus?: string } | undefined): Generator<StoredImage> {
  const tagStatus = filter?.tagStatus ?? 'ANY';
  // "If not specified, only images with ACTIVE status are returned."
  // https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_DescribeImagesFilter.html
  const imageStatus = filter?.imageStatus ?? 'ACTIVE';
  if (!['ANY', 'TAGGED', 'UNTAGGED'].includes(tagStatus)) throw ecrErrors.constraint('filter.tagStatus', 'Member must satisfy enum value set: [TAGGED, UNTAGGED, ANY]');
  if (!['ANY', 'ACTIVE', 'ARCHIVED', 'ACTIVATING'].includes(imageStatus)) throw ecrErrors.constraint('filter.imageStatus', 'Member must satisfy enum value set: [ACTIVE, ARCHIVED, ACTIVATING, ANY]');
  for (const image of repo.images.values()) {
    if (tagStatus === 'TAGGED' && image.tags.length === 0) continue;
    if (tagStatus === 'UNTAGGED' && image.tags.length > 0) continue;
    if (imageStatus !== 'ANY' && image.status !== imageStatus) continue;
    yield image;
  }
}

function toDate(value: unknown): Date | undefined {
  if (value === undefined || value === null) return undefined;
  if (value instanceof Date) return value;
  // The control API's JSON carries ISO strings or epoch seconds (as the AWS wire format does).
  if (typeof value === 'number') return new Date(value < 1e11 ? value * 1000 : value);
  const date = new Date(String(value));
  if (Number.isNaN(date.getTime())) throw new Error(`'${String(value)}' is not a date`);
  return date;
}

function imageIdOf(body: any): ImageId {
  return body?.imageId ?? { imageDigest: body?.imageDigest, imageTag: body?.imageTag };
}
