import { Inputs, InputError, type InputSource } from '@gantry/github';
import type { DeployOptions } from '@gantry/deploy/service';

/** The library's deploy options minus what main.ts supplies (clients, clock, logger); the region is optional here. */
export type ActionInputs = Omit<DeployOptions, 'ecs' | 'clock' | 'logger' | 'region' | 'signal'> & { region?: string };

export function getInputs(env: InputSource = process.env): ActionInputs {
  const inputs = new Inputs(env);
  const resetRaw = inputs.enum('circuit-breaker-reset-on-healthy-task', { example: 'true', values: ['true', 'false'] as const });
  const alarmNames = inputs.list('alarms', { example: 'web-5xx, web-latency', separator: 'comma' });
  const thresholdType = inputs.enum('circuit-breaker-threshold-type', { example: 'COUNT', values: ['BOUNDED_PERCENT', 'UNBOUNDED_PERCENT', 'COUNT'] as const });
  const thresholdValue = inputs.integer('circuit-breaker-threshold-value', { example: '3', min: 1 });
  const result: ActionInputs = {
    cluster: inputs.string('cluster', { example: 'production', required: true }),
    service: inputs.string('service', { example: 'web', required: true }),
    taskDefinition: inputs.string('task-definition', { example: '${{ steps.taskdef.outputs.task-definition-arn }}' }),
    desiredCount: inputs.integer('desired-count', { example: '2', min: 0 }),
    forceNewDeployment: inputs.boolean('force-new-deployment', { default: false }),
    circuitBreaker: { thresholdType, thresholdValue, resetOnHealthyTask: resetRaw === undefined ? undefined : resetRaw === 'true' },
    alarms: alarmNames.length > 0 ? { names: alarmNames, rollback: inputs.boolean('alarms-rollback', { default: true }) } : undefined,
    ifInProgress: inputs.enum('if-in-progress', { example: 'wait', values: ['wait', 'proceed', 'fail'] as const, default: 'wait' })!,
    waitForRollback: inputs.boolean('wait-for-rollback', { default: false }),
    pollMs: inputs.duration('poll-interval', { example: '5s', default: 5000, minMs: 500, maxMs: 60_000 })!,
    timeoutMs: inputs.duration('timeout', { example: '30m', default: 30 * 60_000, minMs: 1000, maxMs: 6 * 3_600_000 })!,
    region: inputs.string('aws-region', { example: 'eu-west-1' }),
  };
  if (!result.taskDefinition && !result.forceNewDeployment && result.desiredCount === undefined) {
    throw new InputError('task-definition', 'is required unless force-new-deployment or desired-count is set', '${{ steps.taskdef.outputs.task-definition-arn }}');
  }
  return result;
}
