import { evaluatePolicy, validatePolicy, type LifecycleDecision, type LifecycleImage, type LifecyclePolicy } from '@gantry/lifecycle';
import { ecrErrors } from './errors.js';
import { paginate } from './paging.js';
import type { EcrService, ImageId } from './service.js';
import type { PreviewResult, RepositoryState } from './store.js';

/** How long a preview stays IN_PROGRESS, in simulated time. AWS does not document it (docs/ecr.md). */
export const PREVIEW_DURATION_MS = 2_000;
/** How long a restore from archive stays ACTIVATING, in simulated time (not documented; docs/ecr.md). */
export const RESTORE_DURATION_MS = 60_000;

export interface AppliedLifecycle {
  expired: { repositoryName: string; imageDigest: string; imageTags: string[]; rulePriority: number }[];
  archived: { repositoryName: string; imageDigest: string; imageTags: string[]; rulePriority: number }[];
}

/**
 * Lifecycle policies, previews and the "apply now" control. Validation and evaluation come from
 * @gantry/lifecycle, which follows https://docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html
 */
export class LifecycleOps {
  constructor(private readonly ecr: EcrService) {}

  private parse(text: unknown): LifecyclePolicy {
    if (typeof text !== 'string') throw ecrErrors.constraint('lifecyclePolicyText', 'Member must not be null');
    const result = validatePolicy(text);
    if (!result.valid || !result.policy) throw ecrErrors.invalidParameter(`Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: '${result.errors.join(' ')}'`);
    return result.policy;
  }

  /** https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_PutLifecyclePolicy.html */
  put(input: any) {
    const repo = this.ecr.repo(input.repositoryName);
    this.parse(input.lifecyclePolicyText);
    repo.policy = { text: input.lifecyclePolicyText };
    return { registryId: this.ecr.registryId, repositoryName: repo.name, lifecyclePolicyText: repo.policy.text };
  }

  /** https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_GetLifecyclePolicy.html */
  get(input: any) {
    const repo = this.ecr.repo(input.repositoryName);
    if (!repo.policy) throw ecrErrors.policyNotFound(repo.name, this.ecr.registryId);
    return { registryId: this.ecr.registryId, repositoryName: repo.name, lifecyclePolicyText: repo.policy.text, lastEvaluatedAt: repo.policy.lastEvaluatedAt };
  }

  delete(input: any) {
    const out = this.get(input);
    this.ecr.repo(input.repositoryName).policy = undefined;
    return out;
  }

  /**
   * Starts a dry run; it is IN_PROGRESS for PREVIEW_DURATION_MS of simulated time and then COMPLETE with
   * the evaluator's decisions at that moment. One preview per repository at a time.
   * https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_StartLifecyclePolicyPreview.html
   */
  startPreview(input: any) {
    const repo = this.ecr.repo(input.repositoryName);
    let text: string | undefined = input.lifecyclePolicyText;
    if (text === undefined) {
      // "If you do not specify a policy, the current policy for the repository is used."
      if (!repo.policy) throw ecrErrors.policyNotFound(repo.name, this.ecr.registryId);
      text = repo.policy.text;
    }
    const policy = this.parse(text);
    if (repo.preview?.status === 'IN_PROGRESS') throw ecrErrors.previewInProgress(repo.name, this.ecr.registryId);
    const preview = { status: 'IN_PROGRESS' as 'IN_PROGRESS' | 'COMPLETE' | 'FAILED', policyText: text, results: [] as PreviewResult[] };
    repo.preview = preview;
    this.ecr.ctx.clock.after(PREVIEW_DURATION_MS, (at) => {
      if (repo.preview !== preview) return;
      preview.results = this.decide(repo, policy, new Date(at)).map((d) => {
        const image = repo.images.get(d.imageDigest)!;
        return {
          imageDigest: d.imageDigest,
          imageTags: d.imageTags,
          imagePushedAt: image.pushedAt,
          action: d.action === 'expire' ? { type: 'EXPIRE' as const } : { type: 'TRANSITION' as const, targetStorageClass: 'ARCHIVE' as const },
          appliedRulePriority: d.rulePriority,
          storageClass: d.storageClass === 'archive' ? ('ARCHIVE' as const) : ('STANDARD' as const),
        };
      });
      preview.status = 'COMPLETE';
    });
    return { registryId: this.ecr.registryId, repositoryName: repo.name, lifecyclePolicyText: text, status: 'IN_PROGRESS' };
  }

  /** https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_GetLifecyclePolicyPreview.html */
  getPreview(input: any) {
    const repo = this.ecr.repo(input.repositoryName);
    this.ecr.now(); // runs a preview whose time has come
    const preview = repo.preview;
    if (!preview) throw ecrErrors.previewNotFound(repo.name, this.ecr.registryId);
    const ids: ImageId[] | undefined = input.imageIds;
    if (ids && (input.maxResults !== undefined || input.nextToken !== undefined)) {
      throw ecrErrors.invalidParameter('maxResults and nextToken cannot be used with imageIds.');
    }
    const base = { registryId: this.ecr.registryId, repositoryName: repo.name, lifecyclePolicyText: preview.policyText, status: preview.status };
    if (preview.status !== 'COMPLETE') return base;
    const tagStatus = input.filter?.tagStatus ?? 'ANY';
    let results = preview.results.filter((r) => tagStatus === 'ANY' || (tagStatus === 'TAGGED') === r.imageTags.length > 0);
    if (ids) results = results.filter((r) => ids.some((id) => (!id.imageDigest || id.imageDigest === r.imageDigest) && (!id.imageTag || r.imageTags.includes(id.imageTag))));
    const indexed = results.map((r, i) => ({ r, i }));
    const { page, nextToken } = ids
      ? { page: indexed, nextToken: undefined }
      : paginate(indexed, (x) => x.i, { maxResults: input.maxResults, nextToken: input.nextToken, defaultMax: 100, limit: 100 });
    const transitioning = preview.results.filter((r) => r.action.type === 'TRANSITION').length;
    return {
      ...base,
      nextToken,
      previewResults: page.map((x) => ({ ...x.r, imageTags: x.r.imageTags.length ? x.r.imageTags : undefined })),
      summary: {
        expiringImageTotalCount: preview.results.filter((r) => r.action.type === 'EXPIRE').length,
        transitioningImageTotalCounts: transitioning ? [{ targetStorageClass: 'ARCHIVE', imageTotalCount: transitioning }] : [],
      },
    };
  }

  /** The images as DescribeImages (imageStatus ANY) shows them, plus which indexes reference each. */
  lifecycleImages(repo: RepositoryState): LifecycleImage[] {
    return [...repo.images.values()].map((image) => ({
      imageDigest: image.digest,
      imageTags: [...image.tags],
      imagePushedAt: image.pushedAt,
      lastRecordedPullTime: image.lastPulledAt,
      imageStatus: image.status,
      lastArchivedAt: image.lastArchivedAt,
      lastActivatedAt: image.lastActivatedAt,
      imageManifestMediaType: image.mediaType,
      subjectManifestDigest: image.subjectDigest,
      referencedBy: repo.parentsOf(image.digest),
    }));
  }

  decide(repo: RepositoryState, policy: LifecyclePolicy, now: Date): LifecycleDecision[] {
    return evaluatePolicy(policy, this.lifecycleImages(repo), { now });
  }

  /**
   * "Apply now": evaluates each repository's policy at the simulated now and does exactly what it says,
   * instead of waiting for ECR's daily run. Expired images are deleted (indexes before their children);
   * transitioned ones become ARCHIVED and can no longer be pulled.
   */
  async apply(repositoryName?: string): Promise<AppliedLifecycle> {
    await this.ecr.refresh(repositoryName);
    const repos = repositoryName ? [this.ecr.repo(repositoryName)] : [...this.ecr.repositories.values()];
    const out: AppliedLifecycle = { expired: [], archived: [] };
    for (const repo of repos) {
      if (!repo.policy) continue;
      const now = this.ecr.now();
      const decisions = this.decide(repo, this.parse(repo.policy.text), now);
      const expire = new Map(decisions.filter((d) => d.action === 'expire').map((d) => [d.imageDigest, d]));
      const order = this.ecr.deletionOrder(repo, [...expire.keys()]);
      for (const image of order) {
        const decision = expire.get(image.digest)!;
        if (this.ecr.ctx.backing) await this.ecr.ctx.backing.deleteImage(repo.name, image);
        repo.deleteImage(image.digest);
        out.expired.push({ repositoryName: repo.name, imageDigest: image.digest, imageTags: decision.imageTags, rulePriority: decision.rulePriority });
      }
      for (const d of decisions.filter((x) => x.action === 'transition')) {
        const image = repo.images.get(d.imageDigest);
        if (!image) continue;
        image.status = 'ARCHIVED';
        image.lastArchivedAt = now;
        out.archived.push({ repositoryName: repo.name, imageDigest: d.imageDigest, imageTags: d.imageTags, rulePriority: d.rulePriority });
      }
      repo.policy.lastEvaluatedAt = now;
    }
    return out;
  }

  /**
   * UpdateImageStorageClass: ARCHIVE archives at once; STANDARD restores through ACTIVATING.
   * https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_UpdateImageStorageClass.html
   */
  updateStorageClass(input: any) {
    const repo = this.ecr.repo(input.repositoryName);
    const { image, failure } = this.ecr.lookup(repo, input.imageId ?? {});
    if (!image) {
      if (failure?.code === 'ImageNotFound') throw ecrErrors.imageNotFound(input.imageId ?? {}, repo.name, this.ecr.registryId);
      throw ecrErrors.invalidParameter(failure?.reason ?? 'imageId is required.');
    }
    const target = input.targetStorageClass;
    if (target !== 'ARCHIVE' && target !== 'STANDARD') throw ecrErrors.constraint('targetStorageClass', 'Member must satisfy enum value set: [STANDARD, ARCHIVE]');
    const now = this.ecr.now();
    if (target === 'ARCHIVE' && image.status === 'ACTIVE') {
      image.status = 'ARCHIVED';
      image.lastArchivedAt = now;
    } else if (target === 'STANDARD' && image.status === 'ARCHIVED') {
      image.status = 'ACTIVATING';
      this.ecr.ctx.clock.after(RESTORE_DURATION_MS, (at) => {
        if (image.status !== 'ACTIVATING') return;
        image.status = 'ACTIVE';
        image.lastActivatedAt = new Date(at);
      });
    }
    return { registryId: this.ecr.registryId, repositoryName: repo.name, imageId: { imageDigest: image.digest, imageTag: input.imageId?.imageTag }, imageStatus: image.status };
  }
}
