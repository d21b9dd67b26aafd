import { afterEach, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { WebSocketServer } from 'ws';
import { PutMetricAlarmCommand, SetAlarmStateCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DescribeServiceDeploymentsCommand, DescribeServicesCommand, ListServiceDeploymentsCommand, UpdateServiceCommand, type ECSClient } from '@aws-sdk/client-ecs';
import type { Simulator } from '@gantry/aws-sim';
import { sdkClients } from '@gantry/aws-sim/testing';
import { runAction, type ActionRun, type RunOptions } from '@gantry/local-runner';
import { startWithService, startWithStrategyService, type StrategyName } from './sim-fixture.js';

// The bundled action against the simulator's ECS-native BLUE_GREEN, LINEAR and CANARY deployments (and
// rolling ones where a behaviour is strategy-independent), as a runner runs it. Smoke checks hit real
// local HTTP and WebSocket servers.
const actionDir = join(import.meta.dirname, '..');
let sim: Simulator | undefined;
const closers: (() => void)[] = [];

afterEach(async () => {
  for (const close of closers.splice(0)) close();
  await sim?.stop();
  sim = undefined;
});

function deploy(taskDefinition: string, extra: Partial<RunOptions> & { inputs?: RunOptions['inputs'] } = {}): Promise<ActionRun> {
  return runAction(actionDir, {
    ...extra,
    inputs: { cluster: 'prod', service: 'web', 'task-definition': taskDefinition, 'poll-interval': '500ms', timeout: '3m', ...extra.inputs },
    env: sim!.env,
    timeoutMs: 150_000,
  });
}

const revision = (arn: string | undefined) => arn?.split('/').pop();
const LAMBDA = 'arn:aws:lambda:us-east-1:123456789012:function:web-smoke';
const LAMBDA_ROLE = 'arn:aws:iam::123456789012:role/ecsLambdaHookRole';
const PAUSE_AFTER_TEST_TRAFFIC = { lifecycleHooks: [{ targetType: 'PAUSE' as const, lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT' as const] }] };

/** A real HTTP server on 127.0.0.1 standing in for the test listener: answers `status` with `body`. */
async function listener(status: number, body: string): Promise<string> {
  const server: Server = createServer((_req, res) => res.writeHead(status, { 'content-type': 'text/plain' }).end(body));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => {
    server.closeAllConnections();
    server.close();
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
}

/** A real WebSocket server: echoes `pong: <message>`, or closes the connection without a reply. */
async function websocket(behaviour: 'echo' | 'close'): Promise<string> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((r) => wss.on('listening', r));
  wss.on('connection', (ws) => ws.on('message', (m) => (behaviour === 'echo' ? ws.send(`pong: ${m.toString()}`) : ws.close(1011, 'not ready'))));
  closers.push(() => {
    for (const c of wss.clients) c.terminate();
    wss.close();
  });
  return `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/app`;
}

const STRATEGIES: StrategyName[] = ['BLUE_GREEN', 'LINEAR', 'CANARY'];
const canaryShare: Record<StrategyName, RegExp> = {
  BLUE_GREEN: /\[traffic\] production: web-blue 0% \/ web-green 100%/,
  LINEAR: /\[traffic\] production: web-blue 50% \/ web-green 50%/,
  CANARY: /\[traffic\] production: web-blue 80% \/ web-green 20%/,
};

describe.each(STRATEGIES)('deploy-service with %s', (strategy) => {
  it('follows a healthy release through its stages, traffic split and bake time to SUCCESSFUL', async () => {
    const f = await startWithStrategyService(strategy);
    sim = f.sim;
    const v2 = await f.register('v2');
    const run = await deploy(v2);
    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({ status: 'success', 'rolled-back-to': '' });
    expect(run.log).toMatch(/\[stage\] (SCALE_UP|POST_SCALE_UP|TEST_TRAFFIC_SHIFT)/);
    expect(run.log).toContain('[stage] BAKE_TIME');
    expect(run.log).toMatch(/\[bake time\] \d+m?\d*s? left of 1m/);
    expect(run.log).toMatch(canaryShare[strategy]);
    expect(run.log).toContain('[deployment] SUCCESSFUL');
    expect(run.summary).toContain(`### Deploy web (${strategy})`);
    expect(await f.greenWeight(f.alb.productionRule)).toBe(100);
  });

  it('fails a release whose tasks crash, naming the exit code and the revision ECS rolls back to', async () => {
    const f = await startWithStrategyService(strategy);
    sim = f.sim;
    const crash = await f.register('crash');
    const run = await deploy(crash);
    expect(run.exitCode).toBe(1);
    expect(run.outputs.status).toBe('failed');
    expect(revision(run.outputs['rolled-back-to'])).toBe('app:1');
    expect(run.errors).toEqual([expect.stringMatching(/^Deployment of app:2 to 'web' failed: ECS deployment circuit breaker.* ECS is rolling the service back to app:1\./)]);
    expect(run.log).toMatch(/web: exit code 137/);
  });

  it('names the load balancer health check reason when green tasks answer 502', async () => {
    const f = await startWithStrategyService(strategy);
    sim = f.sim;
    const run = await deploy(await f.register('bad-gateway'));
    expect(run.exitCode).toBe(1);
    expect(run.errors[0]).toMatch(/load balancer health checks: Target\.ResponseCodeMismatch: Health checks failed with these codes: \[502\] \(\d+ target\(s\) unhealthy in web-green\)/);
    expect(revision(run.outputs['rolled-back-to'])).toBe('app:1');
    console.log(run.log);
    expect(await f.greenWeight(f.alb.productionRule)).toBe(0);
  });
});

describe('deploy-service naming why ECS rolled back', () => {
  it('an alarm going into ALARM during bake time: by name, with its state reason', async () => {
    const f = await startWithStrategyService('BLUE_GREEN', { alarms: { alarmNames: ['web-5xx'], enable: true, rollback: true } });
    sim = f.sim;
    await f.cloudwatch.send(
      new PutMetricAlarmCommand({ AlarmName: 'web-5xx', Namespace: 'AWS/ApplicationELB', MetricName: 'HTTPCode_Target_5XX_Count', Statistic: 'Sum', Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' }),
    );
    let fired: Promise<unknown> | undefined;
    const run = await deploy(await f.register('v2'), {
      onLog: (_chunk, { log }) => {
        if (!fired && log.includes('[stage] BAKE_TIME')) {
          fired = f.cloudwatch.send(new SetAlarmStateCommand({ AlarmName: 'web-5xx', StateValue: 'ALARM', StateReason: 'Threshold Crossed: 1 datapoint [7.0] was >= the threshold (1.0).' }));
        }
      },
    });
    await fired;
    expect(fired).toBeDefined();
    expect(run.exitCode).toBe(1);
    expect(run.errors[0]).toContain("alarm 'web-5xx' is ALARM: Threshold Crossed: 1 datapoint [7.0] was >= the threshold (1.0).");
    expect(revision(run.outputs['rolled-back-to'])).toBe('app:1');
  });

  it('a lifecycle hook answering FAILED: by target and stage', async () => {
    const f = await startWithStrategyService('BLUE_GREEN', { lifecycleHooks: [{ hookTargetArn: LAMBDA, roleArn: LAMBDA_ROLE, lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'] }] });
    sim = f.sim;
    await f.sim.control.setHookOutcome!({ hookTargetArn: LAMBDA, outcome: 'FAILED' });
    const run = await deploy(await f.register('v2'));
    expect(run.exitCode).toBe(1);
    expect(run.errors[0]).toContain(`lifecycle hook ${LAMBDA} at POST_TEST_TRAFFIC_SHIFT answered FAILED`);
    expect(run.log).toContain(`[hook] hook ${LAMBDA} at POST_TEST_TRAFFIC_SHIFT: FAILED`);
    expect(await f.greenWeight(f.alb.productionRule)).toBe(0);
  });
});

describe('deploy-service smoke checks', () => {
  it('blue/green: a release failing its smoke check on the test listener is rolled back before production traffic moves', async () => {
    const f = await startWithStrategyService('BLUE_GREEN', PAUSE_AFTER_TEST_TRAFFIC);
    sim = f.sim;
    const url = await listener(502, '<html>502 Bad Gateway</html>');
    const run = await deploy(await f.register('v2'), { inputs: { 'smoke-check-url': url, 'smoke-check-window': '2s' } });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([expect.stringMatching(new RegExp(`failed: smoke check failed on the test listener: ${url}: expected status 200, got 502\\. Gantry asked ECS to roll back; ECS is rolling the service back to app:1\\.`))]);
    expect(run.log).toContain('Called ContinueServiceDeployment with ROLLBACK before production traffic moves.');
    expect(run.log).toContain('response: "<html>502 Bad Gateway</html>"');
    expect(run.log).toMatch(/\[traffic\] test: web-blue 0% \/ web-green 100%/);
    expect(run.log).not.toMatch(/\[traffic\] production: web-blue \d+% \/ web-green [1-9]/);
    expect(await f.greenWeight(f.alb.productionRule)).toBe(0);
  });

  it('blue/green: a release passing its HTTP and WebSocket checks is continued to production', async () => {
    const f = await startWithStrategyService('BLUE_GREEN', PAUSE_AFTER_TEST_TRAFFIC);
    sim = f.sim;
    const http = await listener(200, 'status: ok');
    const ws = await websocket('echo');
    const run = await deploy(await f.register('v2'), { inputs: { 'smoke-check-url': `${http}\n${ws}`, 'smoke-check-body': 'o' } });
    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(run.log).toContain(`[smoke] ${http}: ok — status 200, body contains 'o'`);
    expect(run.log).toContain(`[smoke] ${ws}: ok — handshake and round trip ok, reply contains 'o'`);
    expect(run.log).toContain('Called ContinueServiceDeployment with CONTINUE: production traffic moves next.');
    expect(await f.greenWeight(f.alb.productionRule)).toBe(100);
  });

  it('rolling: a WebSocket check failing after the rollout deploys the previous revision again', async () => {
    const f = await startWithService();
    sim = f.sim;
    const ws = await websocket('close');
    const run = await deploy(await f.register('v2'), { inputs: { 'smoke-check-url': ws, 'smoke-check-window': '1s' } });
    expect(run.exitCode).toBe(1);
    expect(run.errors[0]).toMatch(/smoke check failed after the rollout: ws:\/\/127\.0\.0\.1:\d+\/app: connection closed \(code 1011\) before a reply to 'ping'.* ECS had already ended the deployment, so Gantry deployed app:1 again\.$/);
    expect(revision(run.outputs['rolled-back-to'])).toBe('app:1');
    expect(run.log).toMatch(/Deployed app:1 again with the circuit breaker on/);
  });

  it('rolling: a passing HTTP check after the rollout', async () => {
    const f = await startWithService();
    sim = f.sim;
    const url = await listener(200, 'ok');
    const run = await deploy(await f.register('v2'), { inputs: { 'smoke-check-url': url, 'smoke-check-headers': 'Authorization: Bearer s3cr=t, "x"' } });
    expect(run.exitCode).toBe(0);
    expect(run.log).toContain(`[smoke] ${url}: ok — status 200`);
    // The value is registered with the runner's masker before anything could print it, and never printed.
    expect(run.log).toContain('::add-mask::Bearer s3cr=t, "x"');
    expect(run.log.split('\n').filter((l) => !l.startsWith('::add-mask::')).join('\n')).not.toContain('s3cr=t');
  });
});

describe('deploy-service early stop and partial failure', () => {
  it('stops a release after N stopped tasks, before the circuit breaker would', async () => {
    const f = await startWithService({ speed: 10 });
    sim = f.sim;
    const run = await deploy(await f.register('crash'), { inputs: { 'early-stop-stopped-tasks': '1', 'circuit-breaker-threshold-type': 'COUNT', 'circuit-breaker-threshold-value': '10' } });
    expect(run.exitCode).toBe(1);
    expect(run.errors[0]).toMatch(/failed: stopped early: \d task\(s\) of the new revision stopped \(early-stop-stopped-tasks: 1\)\. Gantry asked ECS to roll back; ECS is rolling the service back to app:1\./);
    expect(run.log).toMatch(/Called StopServiceDeployment with ROLLBACK on /);
    expect(run.log).not.toContain('(TRIGGERED)');
  });

  it('names the revision ECS rolls back to when the deploy replaced an unfinished one', async () => {
    const f = await startWithService();
    sim = f.sim;
    const slow = await f.register('slow');
    await f.ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: 'web', taskDefinition: slow }));
    const crash = await f.register('crash');
    const run = await deploy(crash, { inputs: { 'if-in-progress': 'proceed' } });
    expect(run.exitCode).toBe(1);
    expect(run.log).toContain('(was arn:aws:ecs:us-east-1:123456789012:task-definition/app:2)');
    // ECS rolls back to the last deployment that completed (app:1), not to the unfinished app:2.
    expect(revision(run.outputs['rolled-back-to'])).toBe('app:1');
    expect(run.errors[0]).toMatch(/rolling the service back to app:1\./);
  });

  it('says what UpdateService already changed when a later call fails', async () => {
    const f = await startWithService();
    sim = f.sim;
    const v2 = await f.register('v2');
    sim.control.setFaults({ deny: ['ecs:DescribeServiceDeployments'] });
    const run = await deploy(v2);
    sim.control.setFaults({});
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([
      expect.stringMatching(/^UpdateService already changed 'web': it now deploys app:2 with the circuit breaker and rollback on \(deployment [\w-]+\), and ECS carries on with it\. Then: AWS denied ecs:DescribeServiceDeployments/),
    ]);
  });
});

describe('deploy-service rejects strategy inputs that do not fit, before changing anything', () => {
  const cases: [string, Record<string, string>, RegExp, StrategyName | 'ROLLING'][] = [
    ['a smoke URL that is not http(s)/ws(s)', { 'smoke-check-url': 'ftp://test.example.com/health' }, /^Input 'smoke-check-url' must be http:\/\/, https:\/\/, ws:\/\/ or wss:\/\/ URLs, got 'ftp:\/\/test\.example\.com\/health'/, 'ROLLING'],
    ['a status outside 100-599', { 'smoke-check-url': 'https://t.example.com/', 'smoke-check-status': '700' }, /^Input 'smoke-check-status' must be at most 599, got 700/, 'ROLLING'],
    ['an early-stop alarm the service does not watch', { 'early-stop-alarms': 'web-5xx' }, /^Input 'early-stop-alarms' names 'web-5xx', which service 'web' does not watch during deployments \(its alarms: none\)/, 'ROLLING'],
    ['a canary setting on a blue/green service', { 'canary-percent': '10' }, /^Input 'canary-percent' applies to the CANARY strategies, but service 'web' deploys with BLUE_GREEN/, 'BLUE_GREEN'],
    ['a bake time on a rolling service', { 'bake-time-minutes': '5' }, /^Input 'bake-time-minutes' applies to the BLUE_GREEN, LINEAR, CANARY strategies, but service 'web' deploys with ROLLING/, 'ROLLING'],
    ['a smoke check on blue/green without the PAUSE hook', { 'smoke-check-url': 'https://t.example.com/' }, /^Input 'smoke-check-url' on a BLUE_GREEN service needs a PAUSE lifecycle hook at POST_TEST_TRAFFIC_SHIFT/, 'BLUE_GREEN'],
  ];
  it.each(cases)('%s', async (_name, inputs, error, strategy) => {
    const f = strategy === 'ROLLING' ? await startWithService() : await startWithStrategyService(strategy);
    sim = f.sim;
    const v2 = await f.register('v2');
    sim.control.resetCallCounts();
    const run = await deploy(v2, { inputs });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([expect.stringMatching(error)]);
    expect(sim.control.callCounts()['ecs:UpdateService'] ?? 0).toBe(0);
  });
});

describe('deploy-service early-stop-alarms', () => {
  // ECS (and the simulator) fail a deployment themselves only when one of its alarms goes into ALARM
  // (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-alarm-failure.html); an alarm
  // that was OK and drops to INSUFFICIENT_DATA (e.g. the new tasks stopped reporting) leaves the
  // deployment running, so only Gantry's early stop can act on it.
  const REASON = 'Insufficient Data: 1 datapoint was unknown.';
  async function okAlarm(cloudwatch: CloudWatchClient): Promise<void> {
    await cloudwatch.send(new PutMetricAlarmCommand({ AlarmName: 'web-5xx', Namespace: 'AWS/ApplicationELB', MetricName: 'HTTPCode_Target_5XX_Count', Statistic: 'Sum', Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' }));
    await cloudwatch.send(new SetAlarmStateCommand({ AlarmName: 'web-5xx', StateValue: 'OK', StateReason: 'Threshold Crossed: no datapoint was >= the threshold (1.0).' }));
  }
  /** Drops the alarm to INSUFFICIENT_DATA once `marker` appears in the action's log. */
  function dropWhen(cloudwatch: CloudWatchClient, marker: string) {
    const fired: { call?: Promise<unknown> } = {};
    const onLog = (_chunk: string, { log }: { log: string }) => {
      if (!fired.call && log.includes(marker)) fired.call = cloudwatch.send(new SetAlarmStateCommand({ AlarmName: 'web-5xx', StateValue: 'INSUFFICIENT_DATA', StateReason: REASON }));
    };
    return { fired, onLog };
  }
  const stoppedEarly = /failed: stopped early: alarm 'web-5xx' left OK: INSUFFICIENT_DATA \(Insufficient Data: 1 datapoint was unknown\.\) \(early-stop-alarms\)\. Gantry asked ECS to roll back; ECS is rolling the service back to app:1\.$/;

  async function rollbackOf(ecs: ECSClient) {
    const service = (await ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['web'] }))).services![0]!;
    const arns = (await ecs.send(new ListServiceDeploymentsCommand({ cluster: 'prod', service: 'web' }))).serviceDeployments!.map((d) => d.serviceDeploymentArn!);
    const all = (await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: arns }))).serviceDeployments!;
    return { service, stopped: all.find((d) => revision(d.targetServiceRevision?.arn) !== undefined && d.status?.startsWith('ROLLBACK')) };
  }

  it('rolling: an alarm leaving OK while the release rolls out is stopped with StopServiceDeployment ROLLBACK', async () => {
    // Real-time clock: the new tasks take 5 s to start, so the alarm drops after Gantry has seen it OK.
    const f = await startWithService({ speed: 1 });
    sim = f.sim;
    const { cloudwatch } = sdkClients(f.sim);
    await okAlarm(cloudwatch);
    const v2 = await f.register('v2');
    sim.control.resetCallCounts();
    const trigger = dropWhen(cloudwatch, ' → RUNNING');
    const run = await deploy(v2, { inputs: { alarms: 'web-5xx', 'early-stop-alarms': ' web-5xx ' }, onLog: trigger.onLog });
    await trigger.fired.call;
    expect(trigger.fired.call).toBeDefined();
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([expect.stringMatching(stoppedEarly)]);
    expect(run.log).toMatch(/Called StopServiceDeployment with ROLLBACK on \w+: stopped early: alarm 'web-5xx'/);
    expect(sim.control.callCounts()['ecs:StopServiceDeployment']).toBe(1);
    expect(revision(run.outputs['rolled-back-to'])).toBe('app:1');
    const { stopped } = await rollbackOf(f.ecs);
    expect(stopped?.status).toMatch(/^ROLLBACK_(REQUESTED|IN_PROGRESS|SUCCESSFUL)$/);
    }, 90_000);

  it('rolling: an alarm going into ALARM with alarms-rollback false: ECS stops the release, Gantry still rolls it back', async () => {
    const f = await startWithService({ speed: 1 });
    sim = f.sim;
    const { cloudwatch } = sdkClients(f.sim);
    await okAlarm(cloudwatch);
    const v2 = await f.register('v2');
    sim.control.resetCallCounts();
    const THRESHOLD = 'Threshold Crossed: 1 datapoint [9.0] was >= the threshold (1.0).';
    let fired: Promise<unknown> | undefined;
    const run = await deploy(v2, {
      inputs: { alarms: 'web-5xx', 'alarms-rollback': 'false', 'early-stop-alarms': 'web-5xx' },
      onLog: (_chunk, { log }) => {
        if (!fired && log.includes(' → RUNNING')) fired = cloudwatch.send(new SetAlarmStateCommand({ AlarmName: 'web-5xx', StateValue: 'ALARM', StateReason: THRESHOLD }));
      },
    });
    await fired;
    expect(fired).toBeDefined();
    expect(run.exitCode).toBe(1);
    // Whichever poll sees it first (ECS's STOPPED deployment or the alarm), the alarm and its reason are named.
    expect(run.errors).toEqual([expect.stringMatching(/^Deployment of app:2 to 'web' failed: .*ECS had already ended the deployment, so Gantry deployed app:1 again\.$/)]);
    expect(run.errors[0]).toContain("alarm 'web-5xx'");
    expect(run.errors[0]).toContain(THRESHOLD.replace(/\.$/, ''));
    expect(run.log).toContain('Deployed app:1 again with the circuit breaker on');
    expect(sim.control.callCounts()['ecs:UpdateService']).toBe(2);
    expect(revision(run.outputs['rolled-back-to'])).toBe('app:1');
    const { service } = await rollbackOf(f.ecs);
    expect(revision(service.taskDefinition)).toBe('app:1');
  }, 90_000);

  it('rolling: an alarm that stays OK lets the release finish without a stop', async () => {
    const f = await startWithService();
    sim = f.sim;
    const { cloudwatch } = sdkClients(f.sim);
    await okAlarm(cloudwatch);
    const run = await deploy(await f.register('v2'), { inputs: { alarms: 'web-5xx', 'early-stop-alarms': 'web-5xx' } });
    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(run.outputs.status).toBe('success');
    expect(sim.control.callCounts()['ecs:StopServiceDeployment'] ?? 0).toBe(0);
  });

  it('canary: an alarm leaving OK during the canary phase is stopped and production traffic goes back to blue', async () => {
    const f = await startWithStrategyService('CANARY', { alarms: { alarmNames: ['web-5xx'], enable: true, rollback: true } });
    sim = f.sim;
    await okAlarm(f.cloudwatch);
    const trigger = dropWhen(f.cloudwatch, '[traffic] production: web-blue 80% / web-green 20%');
    const run = await deploy(await f.register('v2'), { inputs: { 'early-stop-alarms': 'web-5xx', 'wait-for-rollback': 'true' }, onLog: trigger.onLog });
    await trigger.fired.call;
    expect(trigger.fired.call).toBeDefined();
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([expect.stringMatching(/failed: stopped early: alarm 'web-5xx' left OK: INSUFFICIENT_DATA \(Insufficient Data: 1 datapoint was unknown\.\) \(early-stop-alarms\)\. Gantry asked ECS to roll back; ECS rolled the service back to app:1\.$/)]);
    expect(sim.control.callCounts()['ecs:StopServiceDeployment']).toBe(1);
    expect(revision(run.outputs['rolled-back-to'])).toBe('app:1');
    expect(await f.greenWeight(f.alb.productionRule)).toBe(0);
  });
});
