/** Where progress goes: the action's log, a CLI's stdout, or an array in a test. */
export interface Logger {
  info(line: string): void;
  warning(line: string): void;
  /** Folds the lines written by `fn` into a collapsible group when the host supports it. */
  group?<T>(title: string, fn: () => Promise<T>): Promise<T>;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** Registers a secret with the log masker before anything could print it. */
export type MaskSecret = (secret: string) => void;

export async function inGroup<T>(logger: Logger, title: string, fn: () => Promise<T>): Promise<T> {
  if (logger.group) return logger.group(title, fn);
  logger.info(title);
  return fn();
}
