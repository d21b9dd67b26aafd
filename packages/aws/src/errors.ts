import { UserError } from '@gantry/github';

/** IAM service prefixes for the SDK client names Gantry uses. */
const IAM_PREFIX: Record<string, string> = {
  ECSClient: 'ecs',
  ECRClient: 'ecr',
  EventBridgeClient: 'events',
  SchedulerClient: 'scheduler',
  CloudWatchLogsClient: 'logs',
  ApplicationAutoScalingClient: 'application-autoscaling',
  STSClient: 'sts',
  CloudWatchClient: 'cloudwatch',
  ElasticLoadBalancingV2Client: 'elasticloadbalancing',
};

export function iamActionFor(clientName: string, commandName: string): string {
  const prefix = IAM_PREFIX[clientName] ?? clientName.replace(/Client$/, '').toLowerCase();
  return `${prefix}:${commandName.replace(/Command$/, '')}`;
}

const ACCESS_DENIED = new Set(['AccessDeniedException', 'AccessDenied', 'UnauthorizedOperation']);
const BAD_CREDENTIALS = new Set(['UnrecognizedClientException', 'InvalidClientTokenId', 'ExpiredTokenException', 'ExpiredToken']);

/**
 * Turns the AWS errors a user must fix themselves into UserErrors that say what to change: the IAM
 * action a policy lacks, or missing/expired credentials. Other errors pass through unchanged.
 */
export function explainAwsError(err: unknown, clientName: string, commandName: string): unknown {
  if (!(err instanceof Error)) return err;
  const action = iamActionFor(clientName, commandName);
  if (ACCESS_DENIED.has(err.name)) {
    return Object.assign(
      new UserError(
        `AWS denied ${action}: ${err.message}`,
        `Allow '${action}' in the IAM policy of the role this workflow assumes (see the action's README for the full list).`,
      ),
      { awsErrorName: err.name, iamAction: action },
    );
  }
  if (BAD_CREDENTIALS.has(err.name)) {
    return new UserError(`AWS rejected the credentials for ${action}: ${err.message}`, 'Check the role assumed by aws-actions/configure-aws-credentials.');
  }
  if (err.name === 'CredentialsProviderError' || /Could not load credentials/i.test(err.message)) {
    return new UserError(
      'No AWS credentials were found.',
      'Add aws-actions/configure-aws-credentials (with role-to-assume and id-token: write) before this step.',
    );
  }
  return err;
}

interface MiddlewareStackLike {
  add(middleware: (next: (args: unknown) => Promise<unknown>, context: { clientName?: string; commandName?: string }) => (args: unknown) => Promise<unknown>, options: { step: 'initialize'; name: string }): void;
}

/** Installs `explainAwsError` on a client, at the SDK's middleware layer, for every command it sends. */
export function withExplainedErrors<C extends { middlewareStack: unknown }>(client: C): C {
  (client.middlewareStack as MiddlewareStackLike).add(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } catch (err) {
        throw explainAwsError(err, context.clientName ?? 'Unknown', context.commandName ?? 'Unknown');
      }
    },
    { step: 'initialize', name: 'gantryExplainErrors' },
  );
  return client;
}
