/**
 * Syntax of the references a task definition holds instead of secret values and files. Problems are
 * written without the value: a value that is not a reference is most likely the secret itself.
 */

/**
 * Secrets Manager secret ARN, optionally followed by `:json-key:version-stage:version-id` (each may be
 * empty). https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html
 * Secret names: letters, digits and /_+=.@- (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html).
 */
const SECRETS_MANAGER_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z]{2}(-[a-z]+)+-\d+:\d{12}:secret:[\w/+=.@-]{1,512}(:[^:\s]*:[^:\s]*:[^:\s]*)?$/;
/**
 * SSM parameter ARN. Parameter names: letters, digits and _.-/ , at most 1011 characters for the name.
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-parameter-name-constraints.html
 */
const SSM_PARAMETER_ARN = /^arn:aws[a-z-]*:ssm:[a-z]{2}(-[a-z]+)+-\d+:\d{12}:parameter\/[\w.\/-]{1,1011}$/;
/** A hierarchical SSM parameter name, `/path/name` (same region as the task, as ECS allows). */
const SSM_PARAMETER_PATH = /^(\/[\w.-]+){1,15}$/;

/**
 * Why `valueFrom` is not a reference ECS can resolve, or undefined when it is one. Our choice: a bare
 * parameter name without `/` is refused although ECS accepts it, because it cannot be told apart from a
 * secret value pasted by mistake (which would then be printed and registered); its ARN always works.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-ssm-paramstore.html
 */
export function secretReferenceProblem(valueFrom: string): string | undefined {
  if (SECRETS_MANAGER_ARN.test(valueFrom) || SSM_PARAMETER_ARN.test(valueFrom)) return undefined;
  if (SSM_PARAMETER_PATH.test(valueFrom) && valueFrom.length <= 1011 && !/^\/(aws|ssm)(\/|$)/i.test(valueFrom)) return undefined;
  if (valueFrom.startsWith('arn:')) return 'is an ARN but not of a Secrets Manager secret or an SSM parameter (the value is not shown)';
  if (/^[\w.-]+$/.test(valueFrom)) return 'is not a reference: a bare name may be a pasted secret value, so write the SSM parameter as its ARN or as /path/name (the value is not shown)';
  return 'is not a Secrets Manager secret ARN, an SSM parameter ARN or an SSM parameter /path (the value is not shown)';
}

/** The fix shown with every secret reference problem. */
export const SECRET_REFERENCE_FIX =
  'Use arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME[:json-key::], arn:aws:ssm:REGION:ACCOUNT:parameter/NAME or /parameter/path; never the secret value itself.';

/**
 * An environment file: `{ "value": "arn:aws:s3:::bucket/key.env", "type": "s3" }`; the object must have the
 * .env extension, at most ten per container ("You can specify up to ten environment files. The file must have a
 * .env file extension"). https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_EnvironmentFile.html
 */
export function environmentFileProblem(file: unknown): string | undefined {
  if (typeof file !== 'object' || file === null) return 'must be an object { "value": "arn:aws:s3:::bucket/key.env", "type": "s3" }';
  const { value, type } = file as { value?: unknown; type?: unknown };
  if (type !== 's3') return `has type ${JSON.stringify(type ?? null)}; the only type is "s3"`;
  if (typeof value !== 'string' || !/^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/\S+$/.test(value)) {
    return 'is not an S3 object ARN (arn:aws:s3:::bucket/key.env)';
  }
  if (!value.endsWith('.env')) return 'names an S3 object without the .env extension ECS requires';
  return undefined;
}
