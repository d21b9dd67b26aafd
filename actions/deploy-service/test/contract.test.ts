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
  it('reads smoke checks as users write them: URLs one per line (CRLF too), headers with colons and quotes', () => {
    const inputs = getInputs(
      env({
        cluster: 'prod',
        service: 'web',
        'task-definition': 'app:3',
        'poll-interval': '2s',
        'smoke-check-url': 'https://test.example.com:8443/up?a=1,2\r\nwss://ws.example.com/app/key?protocol=7\r\n',
        'smoke-check-status': '204',
        'smoke-check-body': 'ünïcode "ok"',
        'smoke-check-headers': 'Authorization: Bearer a:b=c\r\nX-Trace:  "quoted", value \n',
        'smoke-check-message': '{"event":"pusher:ping"}',
        'smoke-check-window': '90s',
      }),
    );
    const headers = { Authorization: 'Bearer a:b=c', 'X-Trace': '"quoted", value' };
    expect(inputs.smokeCheck).toEqual({
      targets: [
        { kind: 'http', url: 'https://test.example.com:8443/up?a=1,2', status: 204, body: 'ünïcode "ok"', headers },
        { kind: 'websocket', url: 'wss://ws.example.com/app/key?protocol=7', message: '{"event":"pusher:ping"}', body: 'ünïcode "ok"', headers },
      ],
      windowMs: 90_000,
      intervalMs: 2000,
    });
  });
  it('reads strategy settings and early-stop inputs, and names the input of each mistake', () => {
    const base = { cluster: 'prod', service: 'web', 'task-definition': 'app:3' };
    expect(getInputs(env({ ...base, 'canary-percent': '12.5', 'bake-time-minutes': '0', 'early-stop-stopped-tasks': '2', 'early-stop-alarms': 'web-5xx,\nweb-latency' }))).toMatchObject({
      strategySettings: { canaryPercent: 12.5, bakeTimeMinutes: 0 },
      earlyStop: { stoppedTasks: 2, alarms: ['web-5xx', 'web-latency'] },
    });
    expect(() => getInputs(env({ ...base, 'canary-percent': '12.55' }))).toThrow("Input 'canary-percent' must be a percentage with at most one decimal, got '12.55'");
    expect(() => getInputs(env({ ...base, 'linear-step-percent': '2' }))).toThrow("Input 'linear-step-percent' must be between 3 and 100, got 2");
    expect(() => getInputs(env({ ...base, 'bake-time-minutes': '1441' }))).toThrow("Input 'bake-time-minutes' must be at most 1440, got 1441");
    expect(() => getInputs(env({ ...base, 'early-stop-stopped-tasks': '0' }))).toThrow("Input 'early-stop-stopped-tasks' must be at least 1, got 0");
    expect(() => getInputs(env({ ...base, 'smoke-check-url': 'test.example.com/up' }))).toThrow("Input 'smoke-check-url' must be http://, https://, ws:// or wss:// URLs, got 'test.example.com/up'");
    expect(() => getInputs(env({ ...base, 'smoke-check-url': 'https://t.example.com', 'smoke-check-status': '99' }))).toThrow("Input 'smoke-check-status' must be at least 100, got 99");
    expect(() => getInputs(env({ ...base, 'smoke-check-url': 'https://t.example.com', 'smoke-check-headers': 'no colon here' }))).toThrow("Input 'smoke-check-headers' must be 'Name: value' lines");
    expect(() => getInputs(env({ ...base, 'smoke-check-body': 'ok' }))).toThrow("Input 'smoke-check-url' is empty, but 'smoke-check-body' is set; the smoke check needs a URL.");
  });
});
