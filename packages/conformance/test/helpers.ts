import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readActionMetadata, type ActionMetadata } from '@gantry/local-runner';
import { repoPath } from '../src/index.js';

/** `bash -n` on a script: the syntax errors, or '' when it parses. */
export function bashSyntaxErrors(script: string): string {
  const r = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' });
  return r.status === 0 ? '' : r.stderr.trim() || `bash -n exited ${r.status}`;
}

export async function actionMetadata(name: string): Promise<ActionMetadata | undefined> {
  return existsSync(repoPath('actions', name, 'action.yml')) ? readActionMetadata(repoPath('actions', name)) : undefined;
}
