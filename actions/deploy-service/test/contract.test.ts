import { describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { iamActionFor } from '@gantry/aws';
import { actionContractProblems, iamListProblems, runAction } from '@gantry/local-runner';
import { getInputs } from '../src/inputs.js';

const actionDir = join(import.meta.dirname, '..');

describe('deploy-service contract', () => {
  it('has complete metadata and README tables', async () => {
    expect(await actionContractProblems(actionDir)).toEqual([]);
  });

  it('documents exactly the IAM actions its code can send', async () => {
    expect(iamListProblems(actionDir, iamActionFor)).toEqual([]);
  });

  it('fails the bundled action with one error naming a missing required input', async () => {
    const run = await runAction(actionDir, { inputs: { service: 'web', 'task-definition': 'app:1' }, env: { AWS_REGION: 'us-east-1' } });
    expect(run.exitCode).not.toBe(0);
    expect(run.errors).toEqual(["Input 'cluster' is required but was empty or not set. Example: cluster: production"]);
  });
});

describe('getInputs', () => {
  const env = (inputs: Record<string, string>) => Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v]));
  it('reads circuit breaker settings, alarms and durations', () => {
    const inputs = getInputs(
      env({ cluster: 'prod', service: 'web', 'task-definition': 'app:3', 'circuit-breaker-threshold-type': 'COUNT', 'circuit-breaker-threshold-value': '2', 'circuit-breaker-reset-on-healthy-task': 'false', alarms: 'a, b', 'poll-interval': '2s', timeout: '10m' }),
    );
    expect(inputs).toMatchObject({ circuitBreaker: { thresholdType: 'COUNT', thresholdValue: 2, resetOnHealthyTask: false }, alarms: { names: ['a', 'b'], rollback: true }, pollMs: 2000, timeoutMs: 600_000 });
  });
  it('needs a task definition unless forcing a new deployment or scaling', () => {
    expect(() => getInputs(env({ cluster: 'prod', service: 'web' }))).toThrow("Input 'task-definition' is required unless force-new-deployment or desired-count is set");
    expect(getInputs(env({ cluster: 'prod', service: 'web', 'force-new-deployment': 'true' })).taskDefinition).toBeUndefined();
  });
  it('keeps polls short: no more than a minute apart', () => {
    expect(() => getInputs(env({ cluster: 'prod', service: 'web', 'task-definition': 'x', 'poll-interval': '5m' }))).toThrow(/poll-interval' must be at most 1m/);
  });
});
