import { describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { iamActionFor } from '@gantry/aws';
import { actionContractProblems, iamListProblems, runAction } from '@gantry/local-runner';
import { getInputs } from '../src/inputs.js';

const actionDir = join(import.meta.dirname, '..');

describe('ecr-lifecycle-guard action', () => {
  it('meets the action contract (metadata, branding, README tables and usage)', async () => {
    expect(await actionContractProblems(actionDir)).toEqual([]);
  });

  it('documents exactly the IAM actions its code can send', () => {
    expect(iamListProblems(actionDir, iamActionFor)).toEqual([]);
  });

  it('reads every input with its default', () => {
    expect(getInputs({ RUNNER_TEMP: '/tmp/r' })).toEqual({
      mode: 'protect',
      clusters: [],
      repositories: [],
      rollbackRevisions: 3,
      taskDefinitions: [],
      images: [],
      eventBuses: ['default'],
      scheduler: true,
      concurrency: 8,
      quotaShare: 0.4,
      reportPath: '/tmp/r/ecr-lifecycle-guard-report.json',
    });
    expect(getInputs({ INPUT_MODE: 'verify', INPUT_CLUSTERS: 'prod\nstaging', 'INPUT_ROLLBACK-REVISIONS': '5', INPUT_SCHEDULER: 'false' })).toMatchObject({
      mode: 'verify',
      clusters: ['prod', 'staging'],
      rollbackRevisions: 5,
      scheduler: false,
    });
    expect(() => getInputs({ 'INPUT_ROLLBACK-REVISIONS': '0' })).toThrow("Input 'rollback-revisions' must be at least 1, got 0.");
    expect(getInputs({ 'INPUT_QUOTA-SHARE': '25', 'INPUT_CACHE-PATH': '.gantry/guard-cache.json' })).toMatchObject({ quotaShare: 0.25, cachePath: '.gantry/guard-cache.json' });
    // The share is a percentage: 0.4 is a likely mistake for 40.
    expect(() => getInputs({ 'INPUT_QUOTA-SHARE': '0.4' })).toThrow("Input 'quota-share' must be a whole number, got '0.4'");
    expect(() => getInputs({ 'INPUT_QUOTA-SHARE': '150' })).toThrow("Input 'quota-share' must be at most 100, got 150.");
  });

  // The action has no required input (everything has a safe default), so the bundled run is checked with
  // the input a user is most likely to get wrong.
  it('the bundled action fails with exactly one error naming a wrong input, before calling AWS', async () => {
    const run = await runAction(actionDir, {
      inputs: { mode: 'delete' },
      env: { AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' },
    });
    expect(run.exitCode).not.toBe(0);
    expect(run.errors).toEqual(["Input 'mode' must be one of protect, verify, summarize, got 'delete'. Example: mode: verify"]);
  });

  it('the bundled action fails with one error naming the missing region', async () => {
    const run = await runAction(actionDir, { env: { AWS_REGION: undefined, AWS_DEFAULT_REGION: undefined } });
    expect(run.exitCode).not.toBe(0);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(/No AWS region: input 'aws-region' is empty/);
  });
});
