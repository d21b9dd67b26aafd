export { resolveRegion, clientConfig, type ClientOptions, type Env } from './config.js';
export { awsChangesSoFar, explainAwsError, iamActionFor, withExplainedErrors } from './errors.js';
export { GANTRY_VERSION } from './version.js';
export { isDigest, parseEcrHost, parseImageRef, type EcrHost, type ImageRef, type ParseImageRefOptions } from './image-ref.js';
