import pLimit from 'p-limit';
import type { Blindspot } from './types.js';

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Follows `nextToken`-style pagination to the end; `fetch` returns the page's items and the next token. */
export async function paginate<T>(fetch: (token: string | undefined) => Promise<{ items: T[] | undefined; next: string | undefined }>): Promise<T[]> {
  const all: T[] = [];
  let token: string | undefined;
  do {
    const page = await fetch(token);
    all.push(...(page.items ?? []));
    token = page.next;
  } while (token);
  return all;
}

/** One concurrency limit shared by every call the guard makes, so fan-out at any level stays bounded. */
export type Limiter = <T>(fn: () => Promise<T>) => Promise<T>;

export function limiter(concurrency: number): Limiter {
  const limit = pLimit(Math.max(1, concurrency));
  return (fn) => limit(fn);
}

/**
 * Collects what the inventory could not see instead of stopping at the first failure, so one run names
 * every blind spot. The SDK has already retried throttling (adaptive mode) before an error lands here.
 */
export class Blindspots {
  readonly items: Blindspot[] = [];

  /** Runs `fn`; on failure records `what` and returns `undefined`. */
  async attempt<T>(what: string, fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (err) {
      this.items.push({ what, reason: errorText(err) });
      return undefined;
    }
  }

  get empty(): boolean {
    return this.items.length === 0;
  }
}

export function errorText(err: unknown): string {
  if (err instanceof Error) return err.name && err.name !== 'Error' && !err.message.startsWith(err.name) ? `${err.name}: ${err.message}` : err.message;
  return String(err);
}
