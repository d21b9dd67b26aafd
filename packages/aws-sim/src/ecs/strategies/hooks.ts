import { randomBytes } from 'node:crypto';
import type { HookAction, LifecycleHook, LifecycleStage } from './config.js';

/**
 * Lifecycle hooks. The simulator runs no Lambda: what a hook target answers is set per hook target ARN
 * through the control API (`setHookOutcome`). Each invocation reads the answer set at that instant.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-lifecycle-hooks.html
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/lambda-lifecycle-hooks.html
 * - SUCCEEDED: the deployment continues to the next lifecycle stage.
 * - FAILED: Amazon ECS rolls back the deployment.
 * - IN_PROGRESS: invoked again after a delay, 30 s by default or the returned callBackDelay.
 * Pause hooks wait in AWAITING_ACTION until ContinueServiceDeployment or their timeout.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/pause-lifecycle-hooks.html
 */
export type HookOutcome = 'SUCCEEDED' | 'FAILED' | 'IN_PROGRESS';
export type HookStatus = 'AWAITING_ACTION' | 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT';
export const DEFAULT_CALLBACK_DELAY_SECONDS = 30;

export interface HookAnswer {
  outcome: HookOutcome;
  callbackDelaySeconds?: number;
}

/** One hook of one stage of one service deployment (DeploymentLifecycleHookDetail). */
export interface HookExecution {
  hookId: string;
  hook: LifecycleHook;
  stage: LifecycleStage;
  status: HookStatus;
  expiresAt: number;
  /** What the hook resolved to when it ended: CONTINUE moves on, ROLLBACK rolls back. */
  resolution?: HookAction;
}

/** The payload Amazon ECS sends a Lambda hook (recorded, since nothing runs it). */
export interface HookInvocation {
  hookTargetArn: string;
  hookId: string;
  lifecycleStage: LifecycleStage;
  invokedAt: string;
  payload: {
    serviceArn: string;
    targetServiceRevisionArn: string;
    testTrafficWeights: Record<string, number>;
    productionTrafficWeights: Record<string, number>;
    hookDetails?: unknown;
  };
  answer?: HookOutcome;
}

/** Hook ids: AWS shows `ecs-pause-<43 url-safe characters>` for pause hooks; `ecs-lambda-…` is our choice. */
export function hookId(hook: LifecycleHook): string {
  return `ecs-${hook.targetType === 'PAUSE' ? 'pause' : 'lambda'}-${randomBytes(32).toString('base64url')}`;
}

export class HookOutcomes {
  private readonly answers = new Map<string, HookAnswer>();
  readonly invocations: HookInvocation[] = [];

  set(body: { hookTargetArn?: unknown; outcome?: unknown; callbackDelaySeconds?: unknown }): void {
    const { hookTargetArn, outcome, callbackDelaySeconds } = body ?? {};
    if (typeof hookTargetArn !== 'string' || !hookTargetArn) throw new Error('setHookOutcome needs hookTargetArn (the Lambda function ARN named in the lifecycle hook)');
    if (outcome !== 'SUCCEEDED' && outcome !== 'FAILED' && outcome !== 'IN_PROGRESS') throw new Error(`setHookOutcome: outcome must be SUCCEEDED, FAILED or IN_PROGRESS (got ${JSON.stringify(outcome)})`);
    if (callbackDelaySeconds !== undefined && !(Number.isInteger(callbackDelaySeconds) && (callbackDelaySeconds as number) > 0))
      throw new Error(`setHookOutcome: callbackDelaySeconds must be a positive whole number of seconds (got ${JSON.stringify(callbackDelaySeconds)})`);
    this.answers.set(hookTargetArn, { outcome, callbackDelaySeconds: callbackDelaySeconds as number | undefined });
  }

  clear(): void {
    this.answers.clear();
    this.invocations.length = 0;
  }

  /** The answer of `hookTargetArn` now; none set = the function has not answered yet. */
  answer(hookTargetArn: string): HookAnswer | undefined {
    return this.answers.get(hookTargetArn);
  }
}
