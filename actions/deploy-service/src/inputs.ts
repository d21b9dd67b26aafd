import { Inputs, InputError, type InputSource } from '@gantry/github';
import { smokeKind, type DeployOptions, type SmokeCheckOptions, type SmokeTarget, type StrategySettings } from '@gantry/deploy/service';

/** The library's deploy options minus what main.ts supplies (clients, clock, logger); the region is optional here. */
export type ActionInputs = Omit<DeployOptions, 'ecs' | 'cloudwatch' | 'elbv2' | 'clock' | 'logger' | 'region' | 'signal'> & { region?: string };

export function getInputs(env: InputSource = process.env): ActionInputs {
  const inputs = new Inputs(env);
  const resetRaw = inputs.enum('circuit-breaker-reset-on-healthy-task', { example: 'true', values: ['true', 'false'] as const });
  const alarmNames = inputs.list('alarms', { example: 'web-5xx, web-latency', separator: 'comma' });
  const thresholdType = inputs.enum('circuit-breaker-threshold-type', { example: 'COUNT', values: ['BOUNDED_PERCENT', 'UNBOUNDED_PERCENT', 'COUNT'] as const });
  const thresholdValue = inputs.integer('circuit-breaker-threshold-value', { example: '3', min: 1 });
  const earlyStopAlarms = inputs.list('early-stop-alarms', { example: 'web-5xx', separator: 'comma' });
  const earlyStopTasks = inputs.integer('early-stop-stopped-tasks', { example: '2', min: 1 });
  const result: ActionInputs = {
    cluster: inputs.string('cluster', { example: 'production', required: true }),
    service: inputs.string('service', { example: 'web', required: true }),
    taskDefinition: inputs.string('task-definition', { example: '${{ steps.taskdef.outputs.task-definition-arn }}' }),
    desiredCount: inputs.integer('desired-count', { example: '2', min: 0 }),
    forceNewDeployment: inputs.boolean('force-new-deployment', { default: false }),
    circuitBreaker: { thresholdType, thresholdValue, resetOnHealthyTask: resetRaw === undefined ? undefined : resetRaw === 'true' },
    alarms: alarmNames.length > 0 ? { names: alarmNames, rollback: inputs.boolean('alarms-rollback', { default: true }) } : undefined,
    strategySettings: strategySettings(inputs),
    earlyStop: earlyStopAlarms.length || earlyStopTasks !== undefined ? { alarms: earlyStopAlarms, stoppedTasks: earlyStopTasks } : undefined,
    smokeCheck: undefined,
    ifInProgress: inputs.enum('if-in-progress', { example: 'wait', values: ['wait', 'proceed', 'fail'] as const, default: 'wait' })!,
    waitForRollback: inputs.boolean('wait-for-rollback', { default: false }),
    pollMs: inputs.duration('poll-interval', { example: '5s', default: 5000, minMs: 500, maxMs: 60_000 })!,
    timeoutMs: inputs.duration('timeout', { example: '30m', default: 30 * 60_000, minMs: 1000, maxMs: 6 * 3_600_000 })!,
    region: inputs.string('aws-region', { example: 'eu-west-1' }),
  };
  result.smokeCheck = smokeCheck(inputs, result.pollMs);
  if (!result.taskDefinition && !result.forceNewDeployment && result.desiredCount === undefined) {
    throw new InputError('task-definition', 'is required unless force-new-deployment or desired-count is set', '${{ steps.taskdef.outputs.task-definition-arn }}');
  }
  return result;
}

/** Strategy settings, each checked against ECS's documented range. */
function strategySettings(inputs: Inputs): StrategySettings | undefined {
  const settings: StrategySettings = {
    // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentConfiguration.html (bakeTimeInMinutes 0-1440)
    bakeTimeMinutes: inputs.integer('bake-time-minutes', { example: '10', min: 0, max: 1440 }),
    // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CanaryConfiguration.html (0.1-100.0 in steps of 0.1; 0-1440 minutes)
    canaryPercent: percent(inputs, 'canary-percent', 0.1, '10'),
    canaryBakeTimeMinutes: inputs.integer('canary-bake-time-minutes', { example: '10', min: 0, max: 1440 }),
    // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_LinearConfiguration.html (3.0-100.0 in steps of 0.1; 0-1440 minutes)
    linearStepPercent: percent(inputs, 'linear-step-percent', 3, '25'),
    linearStepBakeTimeMinutes: inputs.integer('linear-step-bake-time-minutes', { example: '5', min: 0, max: 1440 }),
  };
  return Object.values(settings).some((v) => v !== undefined) ? settings : undefined;
}

function percent(inputs: Inputs, name: string, min: number, example: string): number | undefined {
  const raw = inputs.raw(name);
  if (raw === '') return undefined;
  if (!/^\d{1,3}(\.\d)?$/.test(raw)) throw new InputError(name, `must be a percentage with at most one decimal, got '${raw}'`, example);
  const n = Number(raw);
  if (n < min || n > 100) throw new InputError(name, `must be between ${min} and 100, got ${raw}`, example);
  return n;
}

/** `Name: value` lines; the value may contain colons. */
function headerLines(inputs: Inputs, name: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of inputs.raw(name).split(/\r?\n/)) {
    if (!line.trim()) continue;
    const m = /^\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*:\s*(.*?)\s*$/.exec(line);
    if (!m) throw new InputError(name, `must be 'Name: value' lines; a line has no header name before ':'`, 'Authorization: Bearer ${{ secrets.SMOKE_TOKEN }}');
    headers[m[1]!] = m[2]!;
  }
  return headers;
}

/** Smoke-check inputs: URLs (http(s) requests, ws(s) round trips) one per line, and what to expect. */
function smokeCheck(inputs: Inputs, pollMs: number): SmokeCheckOptions | undefined {
  const urls = inputs.raw('smoke-check-url').split(/\s+/).filter(Boolean);
  const example = 'https://test.example.com:8443/health';
  // Inputs with a default in action.yml are always set; only these two show a forgotten URL.
  const others = ['smoke-check-body', 'smoke-check-headers'];
  if (urls.length === 0) {
    const stray = others.find((n) => inputs.raw(n) !== '');
    if (stray) throw new InputError('smoke-check-url', `is empty, but '${stray}' is set; the smoke check needs a URL`, example);
    return undefined;
  }
  const status = inputs.integer('smoke-check-status', { example: '200', min: 100, max: 599, default: 200 })!;
  const body = inputs.raw('smoke-check-body') || undefined;
  const headers = headerLines(inputs, 'smoke-check-headers');
  const message = inputs.string('smoke-check-message', { example: 'ping', default: 'ping' })!;
  const targets = urls.map((url): SmokeTarget => {
    const kind = smokeKind(url);
    if (!kind) throw new InputError('smoke-check-url', `must be http://, https://, ws:// or wss:// URLs, got '${url}'`, example);
    return kind === 'http' ? { kind, url, status, body, headers } : { kind, url, message, body, headers };
  });
  return {
    targets,
    windowMs: inputs.duration('smoke-check-window', { example: '2m', default: 120_000, minMs: 1000, maxMs: 3_600_000 })!,
    // Retries as often as the watch polls, at most every 5 s.
    intervalMs: Math.min(5000, pollMs),
  };
}
