import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAction } from '@gantry/local-runner';

const actionDir = join(import.meta.dirname, '..');

describe('post step', () => {
  let dir: string;
  let fakeDocker: string;
  beforeAll(async () => {
    // A stand-in docker client that records its arguments, so the post step needs no engine.
    dir = await mkdtemp(join(tmpdir(), 'gantry-post-'));
    fakeDocker = join(dir, 'docker');
    await writeFile(fakeDocker, `#!/bin/sh\necho "$@" >> "${join(dir, 'calls')}"\n`);
    await chmod(fakeDocker, 0o755);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('logs out of the registry main logged in to', async () => {
    const run = await runAction(actionDir, { step: 'post', state: { isPost: 'true', registry: '123456789012.dkr.ecr.us-east-1.amazonaws.com', docker: fakeDocker } });
    expect(run.exitCode).toBe(0);
    expect(await readFile(join(dir, 'calls'), 'utf8')).toBe('logout 123456789012.dkr.ecr.us-east-1.amazonaws.com\n');
    expect(run.log).toContain('Logged out of 123456789012.dkr.ecr.us-east-1.amazonaws.com.');
  });

  it('does nothing when main never logged in', async () => {
    await rm(join(dir, 'calls'), { force: true });
    const run = await runAction(actionDir, { step: 'post', state: { isPost: 'true' } });
    expect(run.exitCode).toBe(0);
    expect(run.errors).toEqual([]);
    await expect(readFile(join(dir, 'calls'), 'utf8')).rejects.toThrow();
  });
});
