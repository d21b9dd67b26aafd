import { AwsError } from '../protocol/errors.js';

/**
 * ECR's modelled exceptions with messages worded as ECR words them. Codes come from the ECR API reference
 * (each operation's "Errors" section), e.g. https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_DescribeImages.html
 */
export const ecrErrors = {
  repositoryNotFound: (name: string, registryId: string) =>
    new AwsError('RepositoryNotFoundException', `The repository with name '${name}' does not exist in the registry with id '${registryId}'`),
  repositoryExists: (name: string, registryId: string) =>
    new AwsError('RepositoryAlreadyExistsException', `The repository with name '${name}' already exists in the registry with id '${registryId}'`),
  repositoryNotEmpty: (name: string, registryId: string) =>
    new AwsError(
      'RepositoryNotEmptyException',
      `The repository with name '${name}' in registry with id '${registryId}' cannot be deleted because it still contains images`,
    ),
  invalidParameter: (message: string) => new AwsError('InvalidParameterException', message),
  constraint: (member: string, constraint: string) =>
    new AwsError('InvalidParameterException', `Invalid parameter at '${member}' failed to satisfy constraint: '${constraint}'`),
  imageNotFound: (id: { imageDigest?: string; imageTag?: string }, name: string, registryId: string) =>
    new AwsError(
      'ImageNotFoundException',
      `The image with imageId {imageDigest:'${id.imageDigest ?? 'null'}', imageTag:'${id.imageTag ?? 'null'}'} does not exist within the repository with name '${name}' in the registry with id '${registryId}'`,
    ),
  imageAlreadyExists: (digest: string, tag: string | undefined, name: string, registryId: string) =>
    new AwsError(
      'ImageAlreadyExistsException',
      `Image with digest '${digest}' and tag '${tag ?? 'null'}' already exists in the repository with name '${name}' in registry with id '${registryId}'`,
    ),
  imageTagAlreadyExists: (tag: string, name: string) =>
    new AwsError(
      'ImageTagAlreadyExistsException',
      `The image tag '${tag}' already exists in the '${name}' repository and cannot be overwritten because the tag is immutable.`,
    ),
  digestMismatch: (given: string, actual: string) =>
    new AwsError('ImageDigestDoesNotMatchException', `The specified digest ${given} does not match the digest of the manifest ${actual}.`),
  referencedImagesNotFound: (missing: string[]) =>
    new AwsError('ReferencedImagesNotFoundException', `The manifest list is referencing images that do not exist: ${missing.join(', ')}`),
  layersNotFound: (detail: string) => new AwsError('LayersNotFoundException', `The image layers referenced by the manifest are not in the repository: ${detail}`),
  layerNotFound: (digest: string, name: string, registryId: string) =>
    new AwsError('LayersNotFoundException', `The layer with digest '${digest}' does not exist within the repository with name '${name}' in the registry with id '${registryId}'`),
  layerInaccessible: (digest: string, name: string, registryId: string) =>
    new AwsError(
      'LayerInaccessibleException',
      `The layer with digest '${digest}' in the repository with name '${name}' in the registry with id '${registryId}' is not associated with a pullable image`,
    ),
  policyNotFound: (name: string, registryId: string) =>
    new AwsError('LifecyclePolicyNotFoundException', `Lifecycle policy does not exist for the repository with name '${name}' in the registry with id '${registryId}'`),
  previewNotFound: (name: string, registryId: string) =>
    new AwsError('LifecyclePolicyPreviewNotFoundException', `There is no dry run for the repository with name '${name}' in the registry with id '${registryId}'`),
  previewInProgress: (name: string, registryId: string) =>
    new AwsError(
      'LifecyclePolicyPreviewInProgressException',
      `The previous lifecycle policy preview request for the repository with name '${name}' in the registry with id '${registryId}' has not completed. Wait and try again.`,
    ),
  server: (message: string) => new AwsError('ServerException', message, 500),
};
