import { UserError } from './errors.js';
import { readableStack } from './stack.js';
import { WorkflowCommands } from './workflow-commands.js';

const runner = new WorkflowCommands();

/** Everything an action writes back to the runner. Kept behind one interface so main.ts stays thin. */
export const actionIO = {
  setOutput(name: string, value: string | number | boolean): void {
    runner.setOutput(name, String(value));
  },
  /** Registers a value with the runner's log masker before it can be printed anywhere. */
  mask(secret: string): void {
    if (secret) runner.issue('add-mask', secret);
  },
  info: (line: string) => void process.stdout.write(line + '\n'),
  notice: (line: string) => runner.issue('notice', line),
  warning: (line: string) => runner.issue('warning', line),
  debug: (line: string) => runner.issue('debug', line),
  async group<T>(title: string, fn: () => Promise<T>): Promise<T> {
    runner.issue('group', title);
    try {
      return await fn();
    } finally {
      runner.issue('endgroup', '');
    }
  },
  saveState: (name: string, value: string) => runner.saveState(name, value),
  getState: (name: string) => runner.getState(name),
  async writeSummary(markdown: string): Promise<void> {
    runner.appendSummary(markdown);
  },
};

/**
 * The edge of every action: runs `main`, and turns any failure into exactly one `::error::` line and a
 * non-zero exit. User errors are printed as written; anything else is marked unexpected and its stack
 * printed, mapped to the TypeScript source (see readableStack).
 */
export async function runAction(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (err) {
    process.exitCode = 1;
    runner.issue('error', describeFailure(err));
    if (err instanceof Error && !(err instanceof UserError) && err.stack) actionIO.info(readableStack(err.stack));
  }
}

export function describeFailure(err: unknown): string {
  if (err instanceof UserError) return err.message;
  const aws = (err as { gantryAwsCall?: { operation: string; details: string; changes: string; advice: string } } | undefined)?.gantryAwsCall;
  if (aws && err instanceof Error) {
    return `AWS ${aws.operation} failed (${aws.details}): ${err.name}: ${err.message.replace(/\.?$/, '.')} ${aws.changes} ${aws.advice}`;
  }
  if (err instanceof Error) return `Unexpected error (${err.name}): ${err.message}`;
  return `Unexpected error: ${String(err)}`;
}
