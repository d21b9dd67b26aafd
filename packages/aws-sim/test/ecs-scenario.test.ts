import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImageBehaviours, readScenarioFile } from '../src/scenario.js';
import { SimClock } from '../src/clock.js';
import { startSimulator } from '../src/index.js';

const REGISTRY = '123456789012.dkr.ecr.us-east-1.amazonaws.com';
const DIGEST = `sha256:${'a'.repeat(64)}`;

describe('image behaviours', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gantry-scenario-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('matches by tag or digest, ignores the registry host, and lets the pulled digest win', () => {
    const b = new ImageBehaviours();
    b.set('web:v1', { startSeconds: 30 });
    b.set(`${REGISTRY}/web@${DIGEST}`, { exitAfterSeconds: 0 });
    expect(b.lookup(`${REGISTRY}/web:v1`).startSeconds).toBe(30);
    expect(b.lookup(`${REGISTRY}/web:v1`, 'web', DIGEST)).toMatchObject({ exitAfterSeconds: 0, startSeconds: 5 });
    expect(b.lookup('web:v2')).toEqual({ startSeconds: 5 });
  });

  it('rejects unknown fields and bad values with a sentence naming them', () => {
    const b = new ImageBehaviours();
    expect(() => b.set('web:v1', { exitAfterSecs: 3 } as never)).toThrow("image behaviour for 'web:v1': unknown field 'exitAfterSecs'");
    expect(() => b.set('web:v1', { startSeconds: -1 })).toThrow('startSeconds must be a number >= 0');
    expect(() => b.set('web:v1', { healthCheck: 'maybe' as never })).toThrow("healthCheck must be 'pass' or 'fail'");
  });

  it('reads YAML and JSON scenario files, as a map or a list', () => {
    const yaml = join(dir, 's.yaml');
    writeFileSync(yaml, 'images:\n  web:bad: { exitAfterSeconds: 0, exitCode: 137 }\n');
    const json = join(dir, 's.json');
    writeFileSync(json, JSON.stringify({ images: [{ image: 'worker:v1', healthCheck: 'fail' }] }));
    const b = new ImageBehaviours();
    expect(b.load(readScenarioFile(yaml))).toBe(1);
    expect(b.load(readScenarioFile(json))).toBe(1);
    expect(b.list()).toEqual({ 'web:bad': { exitAfterSeconds: 0, exitCode: 137 }, 'worker:v1': { healthCheck: 'fail' } });
  });

  it('is driven over the HTTP control API, with 400 and a message for a bad body', async () => {
    const sim = await startSimulator({ port: 0, speed: 0 });
    try {
      const post = (op: string, body: unknown) => fetch(`${sim.endpoint}/_sim/${op}`, { method: 'POST', body: JSON.stringify(body) });
      expect((await post('setImageBehaviour', { imageRef: 'web:v1', startSeconds: 60 })).status).toBe(200);
      const bad = await post('setImageBehaviour', { startSeconds: 1 });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: string }).error).toMatch(/needs imageRef/);
      expect(await (await post('loadScenario', { scenario: { images: { 'api:v1': { logs: ['hello'] } } } })).json()).toEqual({ loaded: 1 });
      expect(await (await post('imageBehaviours', {})).json()).toEqual({ images: { 'web:v1': { startSeconds: 60 }, 'api:v1': { logs: ['hello'] } } });
      await post('clearImageBehaviours', {});
      expect(await (await post('imageBehaviours', {})).json()).toEqual({ images: {} });
    } finally {
      await sim.stop();
    }
  });
});

describe('SimClock timer heap', () => {
  it('runs timers in time order, ties in registration order, including timers added while running', () => {
    const clock = new SimClock(0, new Date(0));
    const seen: string[] = [];
    clock.at(3000, () => seen.push('c'));
    clock.at(1000, (at) => {
      seen.push(`a@${at}`);
      clock.at(2000, () => seen.push('b'));
      clock.at(1000, () => seen.push('a2'));
    });
    clock.at(1000, () => seen.push('a1'));
    for (let i = 0; i < 500; i++) clock.at(10_000 + ((i * 7919) % 500), () => seen.push('late'));
    clock.advance(2500);
    expect(seen).toEqual(['a@1000', 'a1', 'a2', 'b']);
    expect(clock.nowMs()).toBe(2500);
    clock.advance(20_000);
    expect(seen.slice(4, 5)).toEqual(['c']);
    expect(seen.filter((s) => s === 'late')).toHaveLength(500);
    expect(clock.pendingTimers()).toBe(0);
  });
});
