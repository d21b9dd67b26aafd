// Types for ECR lifecycle policies and the images they act on.
// Policy syntax: https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_parameters.html
// Image fields: ECR DescribeImages ImageDetail
// (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ImageDetail.html).

export type TagStatus = 'tagged' | 'untagged' | 'any';
export type StorageClass = 'standard' | 'archive';
export type CountType = 'imageCountMoreThan' | 'sinceImagePushed' | 'sinceImagePulled' | 'sinceImageTransitioned';
export type ActionType = 'expire' | 'transition';

export interface LifecycleRuleSelection {
  tagStatus: TagStatus;
  tagPrefixList?: string[];
  tagPatternList?: string[];
  /** Omitted means `standard`, as ECR does. */
  storageClass?: StorageClass;
  countType: CountType;
  /** Only with the `since*` count types; `days` is the only unit. */
  countUnit?: 'days';
  countNumber: number;
}

export interface LifecycleRuleAction {
  type: ActionType;
  /** Required (and only allowed) with `transition`; `archive` is the only value. */
  targetStorageClass?: 'archive';
}

export interface LifecycleRule {
  rulePriority: number;
  description?: string;
  selection: LifecycleRuleSelection;
  action: LifecycleRuleAction;
}

export interface LifecyclePolicy {
  /** Sorted by rulePriority (lowest number = highest priority) by parsePolicy. */
  rules: LifecycleRule[];
}

/** A point in time as DescribeImages hands it out: a Date (SDK), an ISO string or epoch seconds (CLI JSON). */
export type TimeValue = Date | string | number;

export type ImageStatus = 'ACTIVE' | 'ARCHIVED' | 'ACTIVATING';

/** The ImageDetail fields the evaluator reads, plus `referencedBy`. Extra fields are ignored. */
export interface LifecycleImage {
  imageDigest: string;
  imageTags?: string[];
  imagePushedAt: TimeValue;
  lastRecordedPullTime?: TimeValue;
  imageStatus?: ImageStatus | string;
  lastArchivedAt?: TimeValue;
  lastActivatedAt?: TimeValue;
  imageManifestMediaType?: string;
  subjectManifestDigest?: string;
  /** Digests of image indexes / manifest lists in the repository that reference this image. */
  referencedBy?: string[];
}

export interface LifecycleDecision {
  imageDigest: string;
  imageTags: string[];
  action: ActionType;
  targetStorageClass?: 'archive';
  /** The rule that takes the image. */
  rulePriority: number;
  /** The image's storage class before the action (`archive` for ARCHIVED/ACTIVATING images). */
  storageClass: StorageClass;
}

export interface EvaluateOptions {
  now: Date;
}

export interface ValidationResult {
  valid: boolean;
  errors: string[];
  policy?: LifecyclePolicy;
}

/** Thrown by parsePolicy / evaluatePolicy for a policy ECR would reject; `errors` lists every reason. */
export class LifecyclePolicyError extends Error {
  override name = 'LifecyclePolicyError';
  constructor(readonly errors: string[]) {
    super(`The lifecycle policy is not valid: ${errors.join(' ')}`);
  }
}

/** Thrown when an image record cannot be evaluated (bad date, duplicate digest). */
export class LifecycleImageError extends Error {
  override name = 'LifecycleImageError';
}
