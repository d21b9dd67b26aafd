import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateClusterCommand, CreateServiceCommand, DescribeTasksCommand, ListTasksCommand, RunTaskCommand } from '@aws-sdk/client-ecs';
import { DEFAULT_TIMING } from '../src/timing.js';
import { network, REGISTRY, registerWeb, seed, startEcsHarness, type EcsHarness } from './ecs-harness.js';

// The control API (README, "Control API"): bad input is HTTP 400 with one line naming the field.
describe('control API input checks', () => {
  let h: EcsHarness;
  const post = (op: string, body: string) => fetch(`${h.sim.endpoint}/_sim/${op}`, { method: 'POST', body });
  beforeAll(async () => {
    h = await startEcsHarness();
  });
  afterAll(() => h.stop());

  it.each([
    ['setFaults', '{"throttleRate":"often"}', /^setFaults: throttleRate must be a number from 0 to 1, got "often"$/],
    ['setFaults', '{"errorRate":1.5}', /^setFaults: errorRate must be a number from 0 to 1, got 1\.5$/],
    ['setFaults', '{"latencyMs":"slow"}', /^setFaults: latencyMs must be a number >= 0/],
    ['setFaults', '{"deny":"ecs:UpdateService"}', /^setFaults: deny must be a list of "service" or "service:Operation" names/],
    ['setFaults', '{"throttle":0.5}', /^setFaults: unknown field 'throttle'/],
    ['advance', '{"seconds":"ten"}', /^advance: seconds must be a number >= 0, got "ten"$/],
    ['advance', '{"ms":-5}', /^advance: ms must be a number >= 0, got -5$/],
    ['setSpeed', '{"speed":"fast"}', /^setSpeed: speed must be a number >= 0, got "fast"$/],
    ['setTiming', '{"pullSeconds":"2s"}', /^setTiming\.pullSeconds must be a number >= 0, got "2s"$/],
    ['setTiming', '{"pull":2}', /^setTiming: unknown field 'pull'/],
    ['setImageBehaviour', '{"imageRef":"web:v1","startSeconds":"5"}', /^image behaviour for 'web:v1': startSeconds must be a number >= 0$/],
    ['loadScenario', '{"scenario":{"imagez":{}}}', /^scenario: unknown field 'imagez' \(known: images, timing, region, loadBalancers, alarms, hookOutcomes\)$/],
    ['loadScenario', '{"path":"/nonexistent/scenario.yaml"}', /^scenario file \/nonexistent\/scenario\.yaml does not exist$/],
    ['setFaults', '{not json', /^setFaults: the request body is not valid JSON/],
  ])('%s %s → 400 naming the field', async (op, body, message) => {
    const res = await post(op, body);
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: string };
    expect(error).toMatch(message);
    expect(error).not.toContain('\n');
  });

  it('leaves the settings unchanged after a rejected call', async () => {
    expect((await post('setTiming', '{"pullSeconds":-1}')).status).toBe(400);
    expect(await (await post('timing', '{}')).json()).toEqual({ timing: DEFAULT_TIMING });
  });
});

// Timing choices (README, "Not documented by AWS") are configurable: simulator option, scenario `timing:`
// section, control API `setTiming`.
describe('timing choices', () => {
  let h: EcsHarness;
  let td: string;
  const dir = mkdtempSync(join(tmpdir(), 'gantry-sim-timing-'));
  beforeAll(async () => {
    h = await startEcsHarness();
    await h.ecs.send(new CreateClusterCommand({ clusterName: 'tm', capacityProviders: ['FARGATE'], defaultCapacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1 }] }));
    await seed(h.sim, 'tm', ['v1']);
    td = await registerWeb(h.ecs, 'tm', `${REGISTRY}/tm:v1`);
  });
  afterAll(async () => {
    await h.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const runAndLook = async (afterSeconds: number) => {
    const run = await h.ecs.send(new RunTaskCommand({ cluster: 'tm', taskDefinition: td, networkConfiguration: network }));
    await h.advance(afterSeconds);
    return (await h.ecs.send(new DescribeTasksCommand({ cluster: 'tm', tasks: [run.tasks![0]!.taskArn!] }))).tasks![0]!;
  };

  it('defaults: provisioning 1 s + pull 2 s + start 5 s → RUNNING after 8 s', async () => {
    expect((await runAndLook(8)).lastStatus).toBe('RUNNING');
  });

  it('a scenario timing section slows provisioning and pulls', async () => {
    const file = join(dir, 'slow.yaml');
    writeFileSync(file, 'timing:\n  provisionSeconds: 30\n  pullSeconds: 20\n');
    expect(h.sim.control.loadScenario({ path: file })).toEqual({ loaded: 0 });
    const early = await runAndLook(29);
    expect(early.lastStatus).toBe('PROVISIONING');
    await h.advance(10);
    const pulling = (await h.ecs.send(new DescribeTasksCommand({ cluster: 'tm', tasks: [early.taskArn!] }))).tasks![0]!;
    expect(pulling.lastStatus).toBe('PENDING');
    expect(pulling.pullStartedAt).toBeDefined();
    expect(pulling.pullStoppedAt).toBeUndefined();
  });

  it('the restart back-off follows setTiming: after 1 failure, 100 s before the next launch', async () => {
    h.sim.control.setTiming({ provisionSeconds: 1, pullSeconds: 2, restartBackoffAfterFailures: 1, restartBackoffStartSeconds: 100, restartBackoffMaxSeconds: 100 });
    await seed(h.sim, 'tm', ['crash']);
    h.sim.control.setImageBehaviour('tm:crash', { exitAfterSeconds: 0, exitCode: 1 });
    const crash = await registerWeb(h.ecs, 'tm-crash', `${REGISTRY}/tm:crash`);
    await h.ecs.send(new CreateServiceCommand({ cluster: 'tm', serviceName: 'crashy', taskDefinition: crash, desiredCount: 1, networkConfiguration: network }));
    const launched = async () => {
      const stopped = (await h.ecs.send(new ListTasksCommand({ cluster: 'tm', serviceName: 'crashy', desiredStatus: 'STOPPED' }))).taskArns!.length;
      const running = (await h.ecs.send(new ListTasksCommand({ cluster: 'tm', serviceName: 'crashy' }))).taskArns!.length;
      return stopped + running;
    };
    // The first task fails 8 s in (1 + 2 + 5 s start); the next launch waits 100 s.
    await h.advance(60);
    expect(await launched()).toBe(1);
    await h.advance(60);
    expect(await launched()).toBe(2);
    h.sim.control.setTiming({ ...DEFAULT_TIMING });
  });

  it('setTiming over HTTP changes a field and returns the timing in force', async () => {
    const res = await fetch(`${h.sim.endpoint}/_sim/setTiming`, { method: 'POST', body: JSON.stringify({ provisionSeconds: 0, pullSeconds: 0 }) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ timing: { ...DEFAULT_TIMING, provisionSeconds: 0, pullSeconds: 0 } });
    expect((await runAndLook(5)).lastStatus).toBe('RUNNING');
  });
});
