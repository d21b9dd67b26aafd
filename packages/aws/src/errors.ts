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
        `AWS denied ${action} (${callDetails(err)}): ${err.message} ${changesSentence(action)}`,
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
  // Any other AWS error keeps its name (callers branch on it) and gains what the edge needs to describe it.
  const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const advice = status !== undefined && status < 500 && status !== 429 ? 'AWS refused the request for the reason above.' : 'This is a fault or throttle on the AWS side or the network, which outlasted the retries; re-run the job.';
  return Object.assign(err, { gantryAwsCall: { operation: action, details: callDetails(err), changes: changesSentence(action), advice } });
}

/** What an AWS error says about the call: HTTP status, request id, attempts. */
function callDetails(err: Error): string {
  const meta = (err as { $metadata?: { httpStatusCode?: number; requestId?: string; attempts?: number } }).$metadata;
  return [
    meta?.httpStatusCode ? `HTTP ${meta.httpStatusCode}` : 'no HTTP response',
    meta?.requestId ? `request id ${meta.requestId}` : 'no request id',
    meta?.attempts && meta.attempts > 1 ? `${meta.attempts} attempts` : undefined,
  ]
    .filter(Boolean)
    .join(', ');
}

/** Calls that only read: every other call may have changed something in AWS. */
const READ_ONLY_CALL = /:(Describe|List|Get|BatchGet|BatchCheck|Filter|Search)/;

/** Mutating calls that succeeded in this process, in order (an action is one process). */
const changed: string[] = [];

/** The AWS changes this process made so far, e.g. ['ecs:RegisterTaskDefinition']. */
export function awsChangesSoFar(): readonly string[] {
  return changed;
}

/** Whether anything in AWS changed before the failing call, and whether the failing call itself may have. */
function changesSentence(failedAction: string): string {
  const before = changed.length === 0 ? 'Nothing in AWS was changed before this call.' : `Changed in AWS before this call: ${[...new Set(changed)].join(', ')}.`;
  return READ_ONLY_CALL.test(failedAction) ? before : `${before} Whether ${failedAction} itself took effect is unknown; check before re-running.`;
}

interface MiddlewareStackLike {
  add(middleware: (next: (args: unknown) => Promise<unknown>, context: { clientName?: string; commandName?: string }) => (args: unknown) => Promise<unknown>, options: { step: 'initialize'; name: string }): void;
}

/** Installs `explainAwsError` on a client, at the SDK's middleware layer, for every command it sends. */
export function withExplainedErrors<C extends { middlewareStack: unknown }>(client: C): C {
  (client.middlewareStack as MiddlewareStackLike).add(
    (next, context) => async (args) => {
      try {
        const result = await next(args);
        const action = iamActionFor(context.clientName ?? 'Unknown', context.commandName ?? 'Unknown');
        if (!READ_ONLY_CALL.test(action)) changed.push(action);
        return result;
      } catch (err) {
        throw explainAwsError(err, context.clientName ?? 'Unknown', context.commandName ?? 'Unknown');
      }
    },
    { step: 'initialize', name: 'gantryExplainErrors' },
  );
  return client;
}
