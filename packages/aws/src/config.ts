import { UserError } from '@gantry/github';
import { GANTRY_VERSION } from './version.js';

export type Env = Record<string, string | undefined>;

/**
 * The region: the action input wins, then the SDK's standard variables. There is no Gantry-specific
 * endpoint switch: the SDK itself honours AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>, so the same
 * bundle talks to AWS, the simulator or any compatible peer.
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
 */
export function resolveRegion(input: string | undefined, env: Env = process.env, inputName = 'aws-region'): string {
  const fromInput = input?.trim();
  const source = fromInput ? `Input '${inputName}'` : env.AWS_REGION ? 'The environment variable AWS_REGION' : env.AWS_DEFAULT_REGION ? 'The environment variable AWS_DEFAULT_REGION' : undefined;
  const region = fromInput || env.AWS_REGION || env.AWS_DEFAULT_REGION;
  if (!region || !source) {
    throw new UserError(
      `No AWS region: input '${inputName}' is empty and neither AWS_REGION nor AWS_DEFAULT_REGION is set.`,
      `Set ${inputName} (e.g. ${inputName}: eu-west-1) or run aws-actions/configure-aws-credentials first.`,
    );
  }
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) {
    const fix = fromInput ? `Example: ${inputName}: eu-west-1` : `Fix the aws-region given to aws-actions/configure-aws-credentials (it sets ${source.split(' ').pop()}), or set input '${inputName}', e.g. eu-west-1.`;
    throw new UserError(`${source} is not an AWS region: '${region}'.`, fix);
  }
  return region;
}

export interface ClientOptions {
  region: string;
  /** Attempts per call including the first; adaptive retry mode adds client-side rate limiting on throttles. */
  maxAttempts?: number;
}

/**
 * Configuration shared by every SDK client Gantry creates. Attempts: the option, else the SDK's standard
 * AWS_MAX_ATTEMPTS, else 8 (generous, because a deploy watch must ride out throttling).
 */
export function clientConfig(options: ClientOptions, env: Env = process.env) {
  const fromEnv = Number(env.AWS_MAX_ATTEMPTS);
  return {
    region: options.region,
    retryMode: 'adaptive' as const,
    maxAttempts: options.maxAttempts ?? (Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : 8),
    customUserAgent: [['gantry', GANTRY_VERSION]] as [string, string][],
  };
}
