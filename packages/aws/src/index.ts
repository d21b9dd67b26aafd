export { resolveRegion, clientConfig, type ClientOptions, type Env } from './config.js';
export { awsChangesSoFar, explainAwsError, iamActionFor, withExplainedErrors } from './errors.js';
export { GANTRY_VERSION } from './version.js';
export { isDigest, parseEcrHost, parseImageRef, type EcrHost, type ImageRef, type ParseImageRefOptions } from './image-ref.js';
export { AWS_QUOTA_GROUPS, quotaGroupOf, type BucketSpec, type QuotaGroup } from './quotas.js';
export { TokenBucket, type TokenBucketOptions } from './token-bucket.js';
export { QuotaPacer, isThrottlingError, type QuotaPacerOptions, type QuotaUse, type QuotaGroupUse } from './quota-pacer.js';
