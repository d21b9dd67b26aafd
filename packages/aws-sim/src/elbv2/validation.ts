import { AwsError } from '../protocol/errors.js';

/**
 * Elastic Load Balancing v2 errors as the awsQuery protocol carries them (`<Code>` = the modelled
 * exception's awsQueryError code). https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/CommonErrors.html
 */
export const elbError = (code: string, message: string) => new AwsError(code, message);
export const validationError = (message: string) => new AwsError('ValidationError', message);

/**
 * A constraint failure worded as AWS's request validation words it, naming the member by its path, e.g.
 * "1 validation error detected: Value '1000' at 'actions.1.member.forwardConfig.targetGroups.1.member.weight'
 * failed to satisfy constraint: Member must have value less than or equal to 999".
 */
export const constraint = (value: unknown, path: string, rule: string) =>
  validationError(`1 validation error detected: Value '${String(value)}' at '${path}' failed to satisfy constraint: ${rule}`);

/** An integer member of an awsQuery request (sent as text), checked against its documented range. */
export function intParam(value: unknown, path: string, range: { min?: number; max?: number } = {}): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n)) throw constraint(value, path, 'Member must be an integer');
  if (range.min !== undefined && n < range.min) throw constraint(value, path, `Member must have value greater than or equal to ${range.min}`);
  if (range.max !== undefined && n > range.max) throw constraint(value, path, `Member must have value less than or equal to ${range.max}`);
  return n;
}

export function boolParam(value: unknown): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  return value === true || value === 'true';
}

export function enumParam<T extends string>(value: unknown, path: string, allowed: readonly T[]): T | undefined {
  if (value === undefined || value === '') return undefined;
  if (!allowed.includes(value as T)) throw constraint(value, path, `Member must satisfy enum value set: [${allowed.join(', ')}]`);
  return value as T;
}

export const list = <T = any>(value: unknown): T[] => (Array.isArray(value) ? value : value === undefined || value === '' ? [] : [value as T]);

/**
 * Load balancer and target group names: at most 32 characters, alphanumerics and hyphens, not beginning
 * or ending with a hyphen (a load balancer's also not beginning with "internal-").
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html
 */
export function checkName(kind: 'load balancer' | 'target group', name: unknown): string {
  if (typeof name !== 'string' || name === '') throw validationError(`A ${kind} name must be specified`);
  if (name.length > 32) throw validationError(`The ${kind} name '${name}' cannot be longer than '32' characters`);
  if (!/^[A-Za-z0-9-]+$/.test(name)) throw validationError(`The ${kind} name '${name}' can only contain characters that are alphanumeric characters and hyphens(-)`);
  if (name.startsWith('-') || name.endsWith('-')) throw validationError(`The ${kind} name '${name}' cannot begin or end with a hyphen(-)`);
  if (kind === 'load balancer' && name.startsWith('internal-')) throw validationError(`The load balancer name '${name}' cannot begin with 'internal-'`);
  return name;
}
