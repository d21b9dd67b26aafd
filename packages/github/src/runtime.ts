import * as core from '@actions/core';
import { UserError } from './errors.js';

/** Everything an action writes back to the runner. Kept behind one interface so main.ts stays thin. */
export const actionIO = {
  setOutput(name: string, value: string | number | boolean): void {
    core.setOutput(name, String(value));
  },
  /** Registers a value with the runner's log masker before it can be printed anywhere. */
  mask(secret: string): void {
    if (secret) core.setSecret(secret);
  },
  info: (line: string) => core.info(line),
  notice: (line: string) => core.notice(line),
  warning: (line: string) => core.warning(line),
  async group<T>(title: string, fn: () => Promise<T>): Promise<T> {
    return core.group(title, fn);
  },
  saveState: (name: string, value: string) => core.saveState(name, value),
  getState: (name: string) => core.getState(name),
  async writeSummary(markdown: string): Promise<void> {
    if (!process.env.GITHUB_STEP_SUMMARY) return;
    await core.summary.addRaw(markdown, true).write();
  },
};

/**
 * The edge of every action: runs `main`, and turns any failure into exactly one `::error::` line and a
 * non-zero exit. User errors are printed as written; anything else is marked unexpected, with the stack
 * in the debug log.
 */
export async function runAction(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (err) {
    core.setFailed(describeFailure(err));
    if (err instanceof Error && !(err instanceof UserError) && err.stack) core.debug(err.stack);
  }
}

export function describeFailure(err: unknown): string {
  if (err instanceof UserError) return err.message;
  if (err instanceof Error) return `Unexpected error (${err.name}): ${err.message}`;
  return `Unexpected error: ${String(err)}`;
}
