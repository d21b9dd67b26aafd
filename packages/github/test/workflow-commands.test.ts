import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFileCommands } from '@gantry/local-runner';
import { WorkflowCommands, command } from '../src/workflow-commands.js';

describe('workflow commands', () => {
  it('escapes data and properties as the runner expects', () => {
    expect(command('error', '50% done\nnext line')).toBe('::error::50%25 done%0Anext line');
    expect(command('set-output', 'v', { name: 'a:b,c' })).toBe('::set-output name=a%3Ab%2Cc::v');
    expect(command('endgroup', '')).toBe('::endgroup::');
  });

  it('writes outputs and state as heredoc blocks the runner parses back exactly', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gantry-cmd-'));
    const env = { GITHUB_OUTPUT: join(dir, 'out'), GITHUB_STATE: join(dir, 'state'), GITHUB_STEP_SUMMARY: join(dir, 'sum') };
    for (const f of Object.values(env)) writeFileSync(f, '');
    const runner = new WorkflowCommands(env, () => {});
    runner.setOutput('image', 'repo@sha256:abc');
    runner.setOutput('multi', 'line 1\nline 2 with = and <<');
    runner.saveState('isPost', 'true');
    expect(runner.appendSummary('| a |')).toBe(true);
    expect(parseFileCommands(readFileSync(env.GITHUB_OUTPUT, 'utf8'))).toEqual({ image: 'repo@sha256:abc', multi: 'line 1\nline 2 with = and <<' });
    expect(parseFileCommands(readFileSync(env.GITHUB_STATE, 'utf8'))).toEqual({ isPost: 'true' });
    expect(readFileSync(env.GITHUB_STEP_SUMMARY, 'utf8')).toBe('| a |\n');
  });

  it('reads state from STATE_* and falls back to stdout commands outside a runner', () => {
    const lines: string[] = [];
    const runner = new WorkflowCommands({ STATE_registry: 'host' }, (l) => lines.push(l));
    expect(runner.getState('registry')).toBe('host');
    expect(runner.getState('missing')).toBe('');
    runner.setOutput('x', '1');
    expect(lines).toEqual(['', '::set-output name=x::1']);
    expect(runner.appendSummary('x')).toBe(false);
  });
});
