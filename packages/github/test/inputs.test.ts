import { describe, expect, it } from '@jest/globals';
import { InputError, Inputs, parseDuration, formatDuration } from '../src/index.js';

const inputs = (env: Record<string, string>) => new Inputs(env);

describe('Inputs', () => {
  it('reads INPUT_* the way the runner names them', () => {
    expect(inputs({ 'INPUT_TASK-DEFINITION': ' td.json ' }).string('task-definition', { example: 'x' })).toBe('td.json');
    expect(inputs({ INPUT_MY_INPUT: 'v' }).string('my input', { example: 'x' })).toBe('v');
  });

  it('names a missing required input and shows an example', () => {
    const read = () => inputs({}).string('cluster', { required: true, example: 'production' });
    expect(read).toThrow(InputError);
    expect(read).toThrow("Input 'cluster' is required but was empty or not set. Example: cluster: production");
  });

  it('parses booleans strictly', () => {
    expect(inputs({ INPUT_WAIT: 'TRUE' }).boolean('wait', { default: false })).toBe(true);
    expect(inputs({}).boolean('wait', { default: true })).toBe(true);
    expect(() => inputs({ INPUT_WAIT: 'yes' }).boolean('wait', { default: false })).toThrow("Input 'wait' must be true or false, got 'yes'");
  });

  it('checks integer bounds', () => {
    const i = (v: string) => inputs({ INPUT_COUNT: v }).integer('desired-count', { example: '2', min: 0, max: 10 });
    expect(inputs({ 'INPUT_DESIRED-COUNT': '3' }).integer('desired-count', { example: '2' })).toBe(3);
    expect(() => inputs({ 'INPUT_DESIRED-COUNT': '2.5' }).integer('desired-count', { example: '2' })).toThrow('must be a whole number');
    expect(() => inputs({ 'INPUT_DESIRED-COUNT': '11' }).integer('desired-count', { example: '2', max: 10 })).toThrow('must be at most 10');
    expect(i('x')).toBeUndefined();
  });

  it('parses durations into milliseconds', () => {
    expect(parseDuration('90')).toBe(90_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('2.5s')).toBe(2500);
    expect(parseDuration('10 minutes')).toBeUndefined();
    expect(parseDuration('5m3')).toBeUndefined();
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(0)).toBe('0ms');
    expect(() => inputs({ 'INPUT_POLL-INTERVAL': '100s' }).duration('poll-interval', { example: '5s', maxMs: 60_000 })).toThrow(
      "Input 'poll-interval' must be at most 1m, got '100s'",
    );
  });

  it('splits lists on commas and newlines, dropping comments', () => {
    expect(inputs({ INPUT_SERVICES: 'web, worker\n# not me\n\nwebsocket' }).list('services', { example: 'web' })).toEqual(['web', 'worker', 'websocket']);
  });

  it('parses key=value maps, keeping = inside values', () => {
    const map = inputs({ INPUT_ENV: 'A=1\nB=x=y' }).map('env', { example: 'A=1' });
    expect(map).toEqual({ A: '1', B: 'x=y' });
    expect(() => inputs({ INPUT_ENV: 'A=1\n=2' }).map('env', { example: 'A=1' })).toThrow("has no key before '='");
    expect(() => inputs({ INPUT_ENV: 'A=1,A=2' }).map('env', { example: 'A=1' })).toThrow("sets 'A' twice");
  });

  it('reports invalid JSON with the parser message', () => {
    expect(() => inputs({ INPUT_ALARMS: '{nope' }).json('alarms', { example: '{"alarmNames":["x"]}' })).toThrow(/Input 'alarms' is not valid JSON \(.+\)/);
  });

  it('restricts enums', () => {
    expect(() => inputs({ INPUT_MODE: 'fix' }).enum('mode', { values: ['verify', 'protect'] as const, example: 'protect' })).toThrow(
      "Input 'mode' must be one of verify, protect, got 'fix'",
    );
  });
});
