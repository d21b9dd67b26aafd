export { buildImages, validate, OCI, type BuildImagesOptions, type BuildImagesDeps, type BuildImagesResult, type ImageSource, type ImageSummary } from './build-images.js';
export { ensureBaseImage, type BaseImageResult, type BaseImageRequest } from './base-image.js';
export { computeBaseHash, baseTagFor, type BaseHash, type BaseHashInput } from './content-hash.js';
export { validatePlatforms, KNOWN_PLATFORMS, DEFAULT_PLATFORM } from './platforms.js';
export { spawnDockerCli, lastLines, type DockerCli, type DockerRunOptions, type DockerRunResult, type SpawnDockerOptions } from './docker-cli.js';
export { checkEngine, detectBuilder, dockerLogin, dockerLogout, buildAndPush, type BuildContext, type BuildOutcome } from './docker-ops.js';
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
  describeRepository,
  createRepository,
  type RegistryCredentials,
  type ImageRecord,
  type RepositorySettings,
  type RepositoryInfo,
} from './ecr.js';
export { renderSummary, formatBytes } from './summary.js';
export { systemClock, type Clock, type Logger, type MaskSecret } from './types.js';
