import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readActionMetadata, runAction, type ActionRun, type RunOptions } from '@gantry/local-runner';

export const REPO_ROOT = resolve(import.meta.dirname, '../../..');

export type ActionName = 'build-image' | 'register-task-definition' | 'deploy-service' | 'ecr-lifecycle-guard' | 'run-task';

/** Where the bundled actions are; GANTRY_DEMO_ACTIONS points elsewhere (a test of the unavailable path). */
const actionsRoot = () => process.env.GANTRY_DEMO_ACTIONS ?? join(REPO_ROOT, 'actions');

export const actionDir = (name: ActionName) => join(actionsRoot(), name);

/** Thrown when an action cannot be run at all (no bundle, no metadata): the demo names it and why. */
export class ActionUnavailable extends Error {
  constructor(
    readonly action: ActionName,
    readonly why: string,
  ) {
    super(`actions/${action} is unavailable: ${why}`);
  }
}

/** Checks that the bundled action exists as the runner would load it: action.yml and its runs.main. */
export async function checkAction(name: ActionName): Promise<void> {
  const dir = actionDir(name);
  if (!existsSync(join(dir, 'action.yml'))) throw new ActionUnavailable(name, `${dir}/action.yml does not exist`);
  let main: string;
  try {
    main = (await readActionMetadata(dir)).runs?.main;
  } catch (err) {
    throw new ActionUnavailable(name, `action.yml cannot be read (${(err as Error).message})`);
  }
  if (!main) throw new ActionUnavailable(name, 'action.yml has no runs.main');
  if (!existsSync(join(dir, main))) throw new ActionUnavailable(name, `its bundle ${join('actions', name, main)} does not exist (run \`npm run package\` in actions/${name})`);
}

/**
 * Runs a bundled action as the runner does (INPUT_*, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY in a fresh node
 * process). A bundle that crashes before it could report anything (a module load error) is unavailable,
 * not a step that failed as the demo expects.
 */
export async function runBundled(name: ActionName, options: RunOptions): Promise<ActionRun> {
  await checkAction(name);
  const run = await runAction(actionDir(name), {
    timeoutMs: 120_000,
    ...options,
    env: { NODE_NO_WARNINGS: '1', GITHUB_REPOSITORY: 'acme/shop', GITHUB_RUN_ID: '4242', GITHUB_SERVER_URL: 'https://github.com', ...options.env },
  });
  if (run.exitCode !== 0 && run.errors.length === 0 && /Cannot find module|SyntaxError|ERR_MODULE_NOT_FOUND|ReferenceError/.test(run.stderr)) {
    const first = run.stderr.split('\n').find((l) => /Error/.test(l)) ?? run.stderr.split('\n')[0];
    throw new ActionUnavailable(name, `its bundle crashed before reporting a result: ${first?.trim()}`);
  }
  return run;
}
