import { describe, expect, it } from '@jest/globals';
import type { Service } from '@aws-sdk/client-ecs';
import { EarlyStopMonitor } from '../src/service/early-stop.js';
import { consoleUrl } from '../src/service/report.js';
import { splitText } from '../src/service/insight.js';
import { StageStream } from '../src/service/stages.js';
import { hasPauseHookAt, listenerRules, strategyOf, targetGroups } from '../src/service/strategy.js';
import { checkPlan } from '../src/service/plan.js';
import { memoryLogger } from './helpers.js';

const TG = (name: string) => `arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/${name}/0123456789abcdef`;

describe('console links per partition', () => {
  const r = { cluster: 'arn:aws:ecs:x:1:cluster/prod', service: 'web', deploymentId: 'abc' };
  it.each([
    ['eu-west-1', 'https://console.aws.amazon.com/ecs/v2/clusters/prod/services/web/deployments/abc?region=eu-west-1'],
    ['cn-north-1', 'https://console.amazonaws.cn/ecs/v2/clusters/prod/services/web/deployments/abc?region=cn-north-1'],
    ['us-gov-west-1', 'https://console.amazonaws-us-gov.com/ecs/v2/clusters/prod/services/web/deployments/abc?region=us-gov-west-1'],
  ])('%s', (region, url) => expect(consoleUrl({ ...r, region })).toBe(url));
});

describe('strategy of a service', () => {
  const service: Service = {
    deploymentConfiguration: { strategy: 'CANARY', lifecycleHooks: [{ targetType: 'PAUSE', lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'] }, { hookTargetArn: 'arn:fn', lifecycleStages: ['POST_SCALE_UP'] }] },
    loadBalancers: [{ targetGroupArn: TG('blue'), advancedConfiguration: { alternateTargetGroupArn: TG('green'), productionListenerRule: 'rule/prod', testListenerRule: 'rule/test' } }],
  };
  it('reads strategy, PAUSE hooks, rules and target groups', () => {
    expect(strategyOf(undefined)).toBe('ROLLING');
    expect(strategyOf(service.deploymentConfiguration)).toBe('CANARY');
    expect(hasPauseHookAt(service.deploymentConfiguration, 'POST_TEST_TRAFFIC_SHIFT')).toBe(true);
    expect(hasPauseHookAt(service.deploymentConfiguration, 'POST_SCALE_UP')).toBe(false);
    expect(listenerRules(service)).toEqual({ production: ['rule/prod'], test: ['rule/test'] });
    expect(targetGroups(service)).toEqual([TG('blue'), TG('green')]);
  });
  it('writes the traffic split by target group name', () => {
    expect(splitText([{ targetGroupArn: TG('web-blue'), weight: 80 }, { targetGroupArn: TG('web-green'), weight: 20 }])).toBe('web-blue 80% / web-green 20%');
    expect(splitText([{ targetGroupArn: TG('a'), weight: 1 }, { targetGroupArn: TG('b'), weight: 3 }])).toBe('a 25% / b 75%');
  });
});

describe('StageStream', () => {
  it('prints each stage once, hook outcomes with their stage, and the bake time left each minute', () => {
    const logger = memoryLogger();
    const s = new StageStream(logger);
    s.print({ lifecycleStage: 'POST_SCALE_UP', lifecycleHookDetails: [{ hookId: 'h1', targetType: 'AWS_LAMBDA', targetArn: 'arn:fn', status: 'IN_PROGRESS' }] }, 0, 5);
    s.print({ lifecycleStage: 'POST_SCALE_UP', lifecycleHookDetails: [{ hookId: 'h1', targetType: 'AWS_LAMBDA', targetArn: 'arn:fn', status: 'SUCCEEDED' }] }, 1000, 5);
    s.print({ lifecycleStage: 'BAKE_TIME', lifecycleHookDetails: [{ hookId: 'h1', targetType: 'AWS_LAMBDA', targetArn: 'arn:fn', status: 'SUCCEEDED' }] }, 10_000, 5);
    s.print({ lifecycleStage: 'BAKE_TIME' }, 40_000, 5);
    s.print({ lifecycleStage: 'BAKE_TIME' }, 70_000, 5);
    expect(logger.lines).toEqual([
      '[stage] POST_SCALE_UP',
      '[hook] hook arn:fn at POST_SCALE_UP: IN_PROGRESS',
      '[hook] hook arn:fn at POST_SCALE_UP: SUCCEEDED',
      '[stage] BAKE_TIME',
      '[bake time] 5m left of 5m',
      '[bake time] 4m left of 5m',
    ]);
  });
});

describe('EarlyStopMonitor', () => {
  it('stops after N stopped tasks of the new revision', () => {
    const m = new EarlyStopMonitor({ stoppedTasks: 2, alarms: [] });
    expect(m.check([{ lastStatus: 'STOPPED' }, { lastStatus: 'RUNNING' }], [])).toBeUndefined();
    expect(m.check([{ lastStatus: 'STOPPED' }, { lastStatus: 'STOPPED' }], [])).toBe('2 task(s) of the new revision stopped (early-stop-stopped-tasks: 2)');
  });
  it('stops when an alarm leaves OK, not for INSUFFICIENT_DATA it started in', () => {
    const m = new EarlyStopMonitor({ alarms: ['web-5xx'] });
    expect(m.check([], [{ name: 'web-5xx', state: 'INSUFFICIENT_DATA', reason: 'new' }])).toBeUndefined();
    expect(m.check([], [{ name: 'web-5xx', state: 'OK', reason: '' }])).toBeUndefined();
    expect(m.check([], [{ name: 'web-5xx', state: 'INSUFFICIENT_DATA', reason: 'no data' }])).toBe("alarm 'web-5xx' left OK: INSUFFICIENT_DATA (no data) (early-stop-alarms)");
    expect(new EarlyStopMonitor({ alarms: ['a'] }).check([], [{ name: 'a', state: 'ALARM', reason: 'Threshold Crossed' }])).toContain("alarm 'a' left OK: ALARM (Threshold Crossed)");
  });
});

describe('checkPlan', () => {
  const base = { cluster: 'prod', service: 'web', forceNewDeployment: false, circuitBreaker: {} };
  it('accepts an early-stop alarm the alarms input adds, refuses one the service does not watch', async () => {
    const svc: Service = { deploymentConfiguration: { alarms: { alarmNames: ['web-latency'], enable: true, rollback: true } } };
    await expect(checkPlan(svc, { ...base, earlyStop: { alarms: ['web-latency'] } }, {})).resolves.toBeUndefined();
    await expect(checkPlan(svc, { ...base, alarms: { names: ['web-5xx'], rollback: true }, earlyStop: { alarms: ['web-5xx'] } }, {})).resolves.toBeUndefined();
    await expect(checkPlan(svc, { ...base, earlyStop: { alarms: ['web-5xx'] } }, {})).rejects.toThrow("Input 'early-stop-alarms' names 'web-5xx', which service 'web' does not watch during deployments (its alarms: web-latency).");
  });
  it('refuses linear settings on a canary service', async () => {
    await expect(checkPlan({ deploymentConfiguration: { strategy: 'CANARY' } }, { ...base, strategySettings: { linearStepPercent: 10 } }, {})).rejects.toThrow(
      "Input 'linear-step-percent' applies to the LINEAR strategies, but service 'web' deploys with CANARY.",
    );
    await expect(checkPlan({ deploymentConfiguration: { strategy: 'CANARY' } }, { ...base, strategySettings: { canaryPercent: 10, bakeTimeMinutes: 3 } }, {})).resolves.toBeUndefined();
  });
});
