import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import * as core from '@actions/core';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { actionIO, runAction } from '../src/runtime.js';
import { UserError } from '../src/errors.js';
import { command } from '../src/workflow-commands.js';

// @actions/core (a devDependency only) as the oracle for the hand-written workflow-command writer: the
// same calls, made once through Gantry's actionIO and once through @actions/core, must leave the same
// runner files (GITHUB_OUTPUT, GITHUB_STATE, GITHUB_STEP_SUMMARY) and the same stdout. The heredoc
// delimiters are random in both (ghadelimiter_<uuid>) and are normalised before comparing.

const FILES = ['GITHUB_OUTPUT', 'GITHUB_STATE', 'GITHUB_STEP_SUMMARY'] as const;
type Written = { stdout: string } & Record<(typeof FILES)[number], string>;

const saved = Object.fromEntries(FILES.map((f) => [f, process.env[f]]));
const originalWrite = process.stdout.write;
const savedExitCode = process.exitCode;
beforeEach(() => {
  for (const f of FILES) delete process.env[f];
});
afterEach(() => {
  for (const f of FILES) {
    if (saved[f] === undefined) delete process.env[f];
    else process.env[f] = saved[f];
  }
  process.stdout.write = originalWrite;
  process.exitCode = savedExitCode;
});

/** Runs `calls` with fresh runner files (or none, outside a runner) and stdout captured. */
async function capture(calls: () => void | Promise<void>, withFiles = true): Promise<Written> {
  const dir = mkdtempSync(join(tmpdir(), 'gantry-oracle-'));
  if (withFiles) {
    for (const f of FILES) {
      process.env[f] = join(dir, f);
      writeFileSync(join(dir, f), '');
    }
  }
  let stdout = '';
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  }) as typeof process.stdout.write;
  try {
    await calls();
  } finally {
    process.stdout.write = originalWrite;
  }
  const read = (f: (typeof FILES)[number]) => (withFiles ? readFileSync(join(dir, f), 'utf8') : '');
  const normalise = (text: string) => text.replace(/ghadelimiter_[0-9a-f-]{36}/g, 'ghadelimiter_<uuid>');
  return { stdout: normalise(stdout), GITHUB_OUTPUT: normalise(read('GITHUB_OUTPUT')), GITHUB_STATE: normalise(read('GITHUB_STATE')), GITHUB_STEP_SUMMARY: read('GITHUB_STEP_SUMMARY') };
}

// Values as users and AWS write them: newlines (LF and CRLF), heredoc look-alikes, `%`, `::`, unicode.
const VALUES = {
  image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/web@sha256:' + 'a'.repeat(64),
  multiline: 'line 1\nline 2 with = and <<EOF\nEOF\nghadelimiter_not-the-real-one',
  crlf: 'first\r\nsecond\r\n',
  percent: '100% done :: 50%0A escaped?',
  unicode: 'café — ✓ 日本語',
  empty: '',
  huge: 'x'.repeat(100_000) + '\n' + 'y'.repeat(10),
};

describe('workflow commands against @actions/core', () => {
  it('outputs: the same GITHUB_OUTPUT blocks for multi-line, CRLF, delimiter-like, empty and huge values', async () => {
    const ours = await capture(() => {
      for (const [name, value] of Object.entries(VALUES)) actionIO.setOutput(name, value);
      actionIO.setOutput('count', 3);
      actionIO.setOutput('flag', false);
    });
    const oracle = await capture(() => {
      for (const [name, value] of Object.entries(VALUES)) core.setOutput(name, value);
      core.setOutput('count', 3);
      core.setOutput('flag', false);
    });
    expect(ours.GITHUB_OUTPUT.split('ghadelimiter_<uuid>').length).toBe(2 * (Object.keys(VALUES).length + 2) + 1);
    expect(ours).toEqual(oracle);
  });

  it('state: the same GITHUB_STATE blocks, read back from STATE_* the same way', async () => {
    const ours = await capture(() => {
      actionIO.saveState('isPost', 'true');
      actionIO.saveState('registry', VALUES.multiline);
    });
    const oracle = await capture(() => {
      core.saveState('isPost', 'true');
      core.saveState('registry', VALUES.multiline);
    });
    expect(ours).toEqual(oracle);
    process.env.STATE_registry = VALUES.multiline;
    try {
      expect(actionIO.getState('registry')).toBe(core.getState('registry'));
      expect(actionIO.getState('never-saved')).toBe(core.getState('never-saved'));
    } finally {
      delete process.env.STATE_registry;
    }
  });

  it('masks, log lines, groups, notices, warnings and debug: the same stdout', async () => {
    const lines = ['plain', VALUES.multiline, VALUES.crlf, VALUES.percent, VALUES.unicode];
    const ours = await capture(async () => {
      actionIO.mask('s3cr3t');
      actionIO.mask('multi\nline secret');
      for (const line of lines) {
        actionIO.info(line);
        actionIO.notice(line);
        actionIO.warning(line);
        actionIO.debug(line);
      }
      await actionIO.group('Group: 100% of it', async () => actionIO.info('inside'));
    });
    const oracle = await capture(async () => {
      core.setSecret('s3cr3t');
      core.setSecret('multi\nline secret');
      for (const line of lines) {
        core.info(line);
        core.notice(line);
        core.warning(line);
        core.debug(line);
      }
      await core.group('Group: 100% of it', async () => core.info('inside'));
    });
    expect(ours.stdout).toContain('::add-mask::multi%0Aline secret');
    expect(ours).toEqual(oracle);
  });

  it('annotations with properties: the same command line, with `:` `,` `%` and newlines escaped in values', async () => {
    const message = 'Task definition web:42 failed\nsee the events';
    const ours = await capture(() => {
      process.stdout.write(command('error', message, { title: 'Deploy: web, prod', file: 'deploy/task-def.json', line: '3', endLine: '4', col: '5', endColumn: '6' }) + '\n');
      process.stdout.write(command('warning', message, { title: '100% used' }) + '\n');
    });
    const oracle = await capture(() => {
      core.error(message, { title: 'Deploy: web, prod', file: 'deploy/task-def.json', startLine: 3, endLine: 4, startColumn: 5, endColumn: 6 });
      core.warning(message, { title: '100% used' });
    });
    expect(ours).toEqual(oracle);
  });

  it('a failed action: one ::error:: line and exit code 1, as core.setFailed', async () => {
    const ours = await capture(() =>
      runAction(async () => {
        throw new UserError('Input task-definition is wrong:\nuse family:revision (50% of users mistype it)');
      }),
    );
    const oursExit = process.exitCode;
    process.exitCode = savedExitCode;
    const oracle = await capture(() => core.setFailed('Input task-definition is wrong:\nuse family:revision (50% of users mistype it)'));
    expect(oursExit).toBe(1);
    expect(process.exitCode).toBe(1);
    expect(ours).toEqual(oracle);
  });

  it('job summaries: the same GITHUB_STEP_SUMMARY, each part ending in a newline', async () => {
    const parts = ['## Deployed web\n\n| service | revision |\n| --- | --- |\n| web | 42 |', '<details><summary>Events</summary>\n\nok\n</details>\n', 'unicode ✓'];
    const ours = await capture(async () => {
      for (const part of parts) await actionIO.writeSummary(part);
    });
    const oracle = await capture(async () => {
      // Gantry's writeSummary appends a part and ends it with a newline, as addRaw(part, true) does.
      for (const part of parts) await core.summary.addRaw(part, !part.endsWith('\n')).write();
    });
    expect(ours.GITHUB_STEP_SUMMARY).toContain('| web | 42 |\n');
    expect(ours).toEqual(oracle);
  });

  it('outside a runner (no GITHUB_OUTPUT / GITHUB_STATE): the same legacy stdout commands', async () => {
    const ours = await capture(() => {
      actionIO.setOutput('digest', 'sha256:abc');
      actionIO.saveState('isPost', 'true');
    }, false);
    const oracle = await capture(() => {
      core.setOutput('digest', 'sha256:abc');
      core.saveState('isPost', 'true');
    }, false);
    expect(ours).toEqual(oracle);
  });
});
