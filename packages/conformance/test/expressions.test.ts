import { describe, expect, test } from '@jest/globals';
import { condition, evaluate, interpolate } from '../src/index.js';

const context = {
  inputs: { cluster: 'shop', 'migration-command': '', guard: true, services: '[{"service":"web"}]' },
  matrix: { service: { service: 'web', 'task-definition': '.aws/web.json' } },
  steps: { register: { outputs: { 'task-definition-arn': 'arn:td/web:3' } } },
  needs: { build: { result: 'success', outputs: { image: 'repo@sha256:1' } }, migrate: { result: 'skipped', outputs: {} } },
};

describe('the rehearsal\'s expression evaluator', () => {
  test('property paths with hyphens, || and && returning operands, comparisons ignoring case', () => {
    expect(evaluate("inputs.migration-command || needs.build.outputs.image", context)).toBe('repo@sha256:1');
    expect(evaluate('matrix.service.task-definition', context)).toBe('.aws/web.json');
    expect(evaluate("needs.migrate.result == 'SKIPPED'", context)).toBe(true);
    expect(evaluate("inputs.guard && 'yes' || 'no'", context)).toBe('yes');
    expect(evaluate('!inputs.guard', context)).toBe(false);
    expect(evaluate('steps.missing.outputs.x', context)).toBeUndefined();
  });

  test('interpolation keeps the type of a lone placeholder and joins text otherwise', () => {
    expect(interpolate('${{ fromJSON(inputs.services) }}', context)).toEqual([{ service: 'web' }]);
    expect(interpolate('app=${{ matrix.service.image || needs.build.outputs.image }}', context)).toBe('app=repo@sha256:1');
  });

  test('if: implies success() unless a status function is used', () => {
    expect(condition("inputs.migration-command != ''", context)).toBe(false);
    expect(condition('inputs.guard', { ...context, __status: { failed: true, cancelled: false } })).toBe(false);
    expect(condition('${{ !cancelled() && inputs.guard }}', { ...context, __status: { failed: true, cancelled: false } })).toBe(true);
  });

  test('anything beyond the supported forms is an error, not a silent guess', () => {
    expect(() => evaluate("contains(inputs.cluster, 'sh')", context)).toThrow(/unsupported function/);
    expect(() => evaluate('inputs.cluster[0]', context)).toThrow(/unsupported character/);
  });
});
