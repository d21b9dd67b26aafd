import { afterEach, describe, expect, it } from '@jest/globals';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { actionNode, runAction } from '../src/run-action.js';

/** An action whose bundle reports the Node version and environment it ran under. */
function reportingAction(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gantry-action-node-'));
  mkdirSync(join(dir, 'dist'));
  writeFileSync(join(dir, 'action.yml'), 'name: report\nruns:\n  using: node24\n  main: dist/index.js\n');
  writeFileSync(
    join(dir, 'dist/index.js'),
    "require('node:fs').appendFileSync(process.env.GITHUB_OUTPUT, `version=${process.version}\\nwrapped=${process.env.WRAPPED ?? 'no'}\\n`);\n",
  );
  return dir;
}

describe('the node that runs bundles', () => {
  const saved = process.env.GANTRY_ACTION_NODE;
  afterEach(() => {
    if (saved === undefined) delete process.env.GANTRY_ACTION_NODE;
    else process.env.GANTRY_ACTION_NODE = saved;
  });

  it('is GANTRY_ACTION_NODE when set (CI: Node 24), and this Node otherwise', async () => {
    const dir = reportingAction();
    const wrapper = join(dir, 'node-wrapper.sh');
    writeFileSync(wrapper, `#!/bin/sh\nWRAPPED=yes exec '${process.execPath}' "$@"\n`);
    chmodSync(wrapper, 0o755);

    process.env.GANTRY_ACTION_NODE = wrapper;
    expect(actionNode()).toBe(wrapper);
    const wrapped = await runAction(dir);
    expect(wrapped.exitCode).toBe(0);
    expect(wrapped.outputs).toEqual({ version: process.version, wrapped: 'yes' });

    delete process.env.GANTRY_ACTION_NODE;
    expect(actionNode()).toBe(process.execPath);
    expect((await runAction(dir)).outputs).toEqual({ version: process.version, wrapped: 'no' });
  });

  it('names the variable and the fix when GANTRY_ACTION_NODE points nowhere', () => {
    expect(() => actionNode({ GANTRY_ACTION_NODE: '/nonexistent/node' })).toThrow("GANTRY_ACTION_NODE is '/nonexistent/node', which does not exist");
  });
});
