export { buildImages, validate, OCI, BUILD_TARGETS, type BuildTarget, type BuildImagesOptions, type BuildImagesDeps, type BuildImagesResult, type ImageSource, type ImageSummary } from './build-images.js';
export { ensureBaseImage, DEFAULT_SETTLE_MS, type BaseImageResult, type BaseImageRequest } from './base-image.js';
export { computeBaseHash, baseTagFor, type BaseHash, type BaseHashInput } from './content-hash.js';
export { validatePlatforms, KNOWN_PLATFORMS, DEFAULT_PLATFORM } from './platforms.js';
export { spawnDockerCli, lastLines, type DockerCli, type DockerRunOptions, type DockerRunResult, type SpawnDockerOptions } from './docker-cli.js';
export { checkEngine, detectBuilder, explainRegistryFailure, dockerLogin, dockerLogout, buildAndPush, type BuildContext, type BuildOutcome } from './docker-ops.js';
export {
  buildxArgs,
  dockerBuildArgs,
  parsePushOutput,
  digestFromMetadata,
  registryCacheRef,
  producesIndex,
  type BuildSpec,
  type BuilderKind,
  type PushReport,
} from './build-command.js';
export {
  getRegistryCredentials,
  registryHost,
  findImage,
  getManifest,
  putTag,
  removeTag,
  type StoredManifest,
  type TagOutcome,
  describeRepository,
  createRepository,
  type RegistryCredentials,
  type ImageRecord,
  type RepositorySettings,
  type RepositoryInfo,
} from './ecr.js';
export { renderSummary, formatBytes } from './summary.js';
export { systemClock, type Clock, type Logger, type MaskSecret } from './types.js';
export { checkBuiltOnBase, outlineDockerfile, type DockerfileOutline, type Stage } from './dockerfile-check.js';
export { stageImage, tagStaged, releaseStaging, stagingTagName, type Destination, type StagedImage } from './publish.js';
export { reachable, isUnreachable, ecrEndpoint } from './reachability.js';
