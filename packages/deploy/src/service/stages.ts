import type { DeploymentLifecycleHookDetail, ServiceDeployment } from '@aws-sdk/client-ecs';
import { formatDuration } from '@gantry/github';
import type { Logger } from '../runtime.js';
import { splitText, type ForwardWeight } from './insight.js';

/** Stages during which ECS moves traffic between the blue and green target groups. */
const TRAFFIC_STAGES = new Set(['TEST_TRAFFIC_SHIFT', 'POST_TEST_TRAFFIC_SHIFT', 'PRODUCTION_TRAFFIC_SHIFT', 'POST_PRODUCTION_TRAFFIC_SHIFT', 'BAKE_TIME']);

export function trafficStage(stage: string | undefined): boolean {
  return stage !== undefined && TRAFFIC_STAGES.has(stage);
}

/** A lifecycle hook as people read it: the Lambda function's name, or "PAUSE hook <id>". */
export function hookLabel(h: DeploymentLifecycleHookDetail): string {
  if (h.targetType === 'PAUSE' || !h.targetArn) return `PAUSE hook ${h.hookId ?? '?'}`;
  return `hook ${h.targetArn}`;
}

/**
 * Prints, as they happen, the lifecycle stage a service deployment enters, the traffic split of the
 * production and test listener rules, the bake time left and each lifecycle hook's outcome.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/blue-green-deployment-how-it-works.html
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceDeployment.html (lifecycleStage, lifecycleHookDetails)
 */
export class StageStream {
  private stage: string | undefined;
  private stageEnteredAt = 0;
  private readonly hookStates = new Map<string, string>();
  /** The stage each hook was first seen at: the stage it runs for. */
  readonly hookStages = new Map<string, string>();
  private readonly splits = new Map<string, string>();
  private lastBakeLine = '';

  constructor(private readonly logger: Logger) {}

  print(sd: ServiceDeployment | undefined, at: number, bakeMinutes: number | undefined): void {
    if (!sd) return;
    const stage = sd.lifecycleStage;
    if (stage && stage !== this.stage) {
      this.stage = stage;
      this.stageEnteredAt = at;
      this.logger.info(`[stage] ${stage}`);
    }
    for (const h of sd.lifecycleHookDetails ?? []) {
      const key = h.hookId ?? h.targetArn ?? '?';
      if (!this.hookStages.has(key) && stage) this.hookStages.set(key, stage);
      const status = h.status ?? '?';
      if (this.hookStates.get(key) !== status) {
        this.hookStates.set(key, status);
        this.logger.info(`[hook] ${hookLabel(h)} at ${this.hookStages.get(key) ?? '?'}: ${status}`);
      }
    }
    if (stage === 'BAKE_TIME' && bakeMinutes !== undefined) {
      const left = Math.max(0, bakeMinutes * 60_000 - (at - this.stageEnteredAt));
      const line = `[bake time] ${formatDuration(Math.ceil(left / 60_000) * 60_000)} left of ${bakeMinutes}m`;
      if (line !== this.lastBakeLine) {
        this.lastBakeLine = line;
        this.logger.info(line);
      }
    }
  }

  /** Prints a listener rule's split when it changed since the last poll. */
  printSplit(kind: 'production' | 'test', ruleArn: string, weights: ForwardWeight[]): void {
    const text = splitText(weights);
    if (this.splits.get(ruleArn) === text) return;
    this.splits.set(ruleArn, text);
    this.logger.info(`[traffic] ${kind}: ${text}`);
  }

  stageOf(hook: DeploymentLifecycleHookDetail): string | undefined {
    return this.hookStages.get(hook.hookId ?? hook.targetArn ?? '?');
  }
}
