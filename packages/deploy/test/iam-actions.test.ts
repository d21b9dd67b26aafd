import { describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { iamActionsListedIn, iamActionsReachableFrom } from '../src/iam-actions.js';

const src = join(import.meta.dirname, '..', 'src');

describe('iamActionsReachableFrom', () => {
  it('collects the commands of every file reachable from an entry, per concern', () => {
    expect(iamActionsReachableFrom(join(src, 'run-task', 'index.ts'))).toEqual(['ecs:DescribeServices', 'ecs:DescribeTaskDefinition', 'ecs:DescribeTasks', 'ecs:RunTask', 'logs:GetLogEvents']);
    const service = iamActionsReachableFrom(join(src, 'service', 'index.ts'));
    expect(service).toContain('ecs:UpdateService');
    expect(service).toContain('ecs:DescribeServiceDeployments');
    expect(service).not.toContain('ecs:RegisterTaskDefinition');
  });
  it('reads the list between the README markers', () => {
    expect(iamActionsListedIn('x `ecs:Nope`\n<!-- iam:start -->\n- `ecs:RunTask`\n- `logs:GetLogEvents`\n<!-- iam:end -->')).toEqual(['ecs:RunTask', 'logs:GetLogEvents']);
  });
});
