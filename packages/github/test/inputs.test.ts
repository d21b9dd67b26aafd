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

  it('splits comma lists on commas and newlines, dropping comments', () => {
    expect(inputs({ INPUT_SERVICES: 'web, worker\n# not me\n\nwebsocket' }).list('services', { example: 'web', separator: 'comma' })).toEqual(['web', 'worker', 'websocket']);
  });

  const list = (value: string, separator: 'comma' | 'newline') => inputs({ INPUT_L: value }).list('l', { example: 'x', separator });
  it.each([
    ['type=gha,scope=app', 'newline', ['type=gha,scope=app']],
    ['type=gha,scope=app\ntype=registry,ref=r/cache', 'newline', ['type=gha,scope=app', 'type=registry,ref=r/cache']],
    ['a\r\nb\r\n', 'newline', ['a', 'b']],
    ['a\rb', 'newline', ['a', 'b']],
    ['  a  \n\n\n  b', 'newline', ['a', 'b']],
    ['# comment\na', 'newline', ['a']],
    ['a,b', 'comma', ['a', 'b']],
    ['a, b ,c', 'comma', ['a', 'b', 'c']],
    ['a,,b,', 'comma', ['a', 'b']],
    ['"a,b",c', 'comma', ['a,b', 'c']],
    ['"say ""hi""",x', 'comma', ['say "hi"', 'x']],
    ['a\r\nb,c', 'comma', ['a', 'b', 'c']],
    ['ünïcödé,日本', 'comma', ['ünïcödé', '日本']],
    ["'a,b'", 'comma', ["'a", "b'"]],
  ] as const)('list %j split on %s is %j', (value, separator, expected) => {
    expect(list(value, separator)).toEqual(expected);
  });
  it('refuses an unclosed quote in a comma list', () => {
    expect(() => list('"a,b', 'comma')).toThrow("Input 'l' has an unclosed double quote in item 1");
  });

  const map = (value: string) => inputs({ INPUT_ENV: value }).map('env', { example: 'A=1', keyPattern: /^[A-Za-z_]\w*$/ });
  it.each([
    ['ALLOWED_HOSTS=a.com,b.com', { ALLOWED_HOSTS: 'a.com,b.com' }],
    ['LIST=a,b=c', { LIST: 'a,b=c' }],
    ['Q=a=b=c', { Q: 'a=b=c' }],
    ['A=1\r\nB=2\r\n', { A: '1', B: '2' }],
    ['A=1\n\n\nB=2', { A: '1', B: '2' }],
    ['# comment\nA=1', { A: '1' }],
    ['A="quoted value"', { A: '"quoted value"' }],
    ["A='single'", { A: "'single'" }],
    ['A=', { A: '' }],
    ['  A  =  spaced  ', { A: 'spaced' }],
    ['EMOJI=🚀 ünï', { EMOJI: '🚀 ünï' }],
    ['URL=https://x.test/?a=1&b=2#frag', { URL: 'https://x.test/?a=1&b=2#frag' }],
    [`BIG=${'x'.repeat(100_000)}`, { BIG: 'x'.repeat(100_000) }],
  ] as const)('map case %# splits on newlines only', (value, expected) => {
    expect(map(value)).toEqual(expected);
  });
  it.each([
    ['A=1\nnot-a-pair-hunter2', "Input 'env' must be KEY=value lines, but line 2 has no '='"],
    ['A=1\n=hunter2', "Input 'env' must be KEY=value lines, but line 2 has no key before '='"],
    ['A=1\nA=2', "Input 'env' sets 'A' twice (line 2)"],
    ['1BAD=x', "Input 'env' has an invalid key '1BAD' on line 1"],
  ])('map %j is refused: %s, without echoing the value', (value, message) => {
    expect(() => map(value)).toThrow(message);
    try {
      map(value);
    } catch (err) {
      expect((err as Error).message).not.toContain('hunter2');
    }
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
