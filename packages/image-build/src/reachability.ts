import type { ECRClient } from '@aws-sdk/client-ecr';
import { UserError } from '@gantry/github';

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET']);

/** True for an error that means the endpoint could not be reached at all (no HTTP answer). */
export function isUnreachable(err: unknown): boolean {
  if (!(err instanceof Error) || err instanceof UserError) return false;
  const code = (err as { code?: string }).code ?? (err.cause as { code?: string } | undefined)?.code;
  if (code && NETWORK_CODES.has(code)) return true;
  return err.name === 'TimeoutError' || /\b(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|socket hang up)\b|fetch failed/.test(err.message);
}

/** The ECR API endpoint a client talks to, for messages: the configured one, or ECR's regional one. */
export async function ecrEndpoint(ecr: ECRClient): Promise<string> {
  const config = ecr.config as { endpoint?: () => Promise<{ protocol: string; hostname: string; port?: number; path?: string }>; region?: () => Promise<string> };
  const custom = await config.endpoint?.().catch(() => undefined);
  if (custom) return `${custom.protocol}//${custom.hostname}${custom.port ? `:${custom.port}` : ''}${custom.path && custom.path !== '/' ? custom.path : ''}`;
  const region = await config.region?.().catch(() => undefined);
  return region ? `https://api.ecr.${region}.amazonaws.com` : 'the ECR API endpoint';
}

/**
 * Runs `fn` (ECR calls, possibly docker too) and turns "the endpoint did not answer" into an error that
 * names the ECR endpoint and what was being done, instead of a bare `connect ECONNREFUSED` or
 * `fetch failed`. Every other error passes through unchanged.
 */
export async function reachable<T>(ecr: ECRClient, doing: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (!isUnreachable(err)) throw err;
    // An InternalFailure-style error whose cause is a network failure means ECR answered but failed behind.
    const answered = typeof (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 'number';
    const endpoint = await ecrEndpoint(ecr);
    throw new UserError(
      answered
        ? `ECR at ${endpoint} failed while ${doing}: ${(err as Error).name}: ${(err as Error).message}`
        : `Could not reach ECR at ${endpoint} while ${doing}: ${(err as Error).message}`,
      answered
        ? 'Retry the job; if it persists, check the AWS Health Dashboard for ECR in this region.'
        : "Check the runner's network access to that endpoint (proxy, VPC endpoint, firewall) and the 'aws-region' input / AWS_ENDPOINT_URL_ECR.",
    );
  }
}
