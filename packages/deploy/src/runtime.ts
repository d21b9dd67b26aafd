/**
 * What domain code needs from its surroundings, passed in so the same code runs in an action, a CLI, a
 * test and a benchmark.
 */
export interface Logger {
  info(line: string): void;
  warning(line: string): void;
  notice?(line: string): void;
  /** Keeps a secret out of every later log line (actionIO.mask in an action). */
  mask?(secret: string): void;
  group?<T>(title: string, fn: () => Promise<T>): Promise<T>;
}

export interface Clock {
  now(): number;
  /** Resolves after `ms`, or early (without throwing) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    }),
};

export const silentLogger: Logger = { info: () => {}, warning: () => {} };

export function notice(logger: Logger, line: string): void {
  (logger.notice ?? logger.info)(line);
}

const TRANSIENT_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ServerException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalFailure',
  'TimeoutError',
  'RequestTimeout',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
]);

/**
 * Errors worth another poll: throttles, 5xx and dropped connections that outlived the SDK's own
 * (adaptive) retries. Anything the user must fix (UserError, AccessDenied explained) is not transient.
 */
export function isTransient(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === 'UserError' || err.name === 'InputError') return false;
  const e = err as Error & { code?: string; $metadata?: { httpStatusCode?: number }; $retryable?: unknown };
  if (TRANSIENT_NAMES.has(err.name) || (e.code && TRANSIENT_NAMES.has(e.code))) return true;
  if (e.$retryable) return true;
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined && (status >= 500 || status === 429)) return true;
  return /socket hang up|ECONNRESET|ECONNREFUSED|network|timed? ?out/i.test(err.message);
}

export function errorText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
