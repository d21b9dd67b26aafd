// Timestamps as DescribeImages returns them: Date objects from the SDK, ISO-8601 strings or epoch
// seconds (possibly fractional) from `aws ecr describe-images` JSON output.
import { LifecycleImageError, type TimeValue } from './types.js';

export const DAY_MS = 86_400_000;
// Epoch seconds stay below 1e11 until the year 5138; larger numbers are taken as milliseconds.
const SECONDS_LIMIT = 1e11;

/** Milliseconds since the epoch, or undefined when absent; throws LifecycleImageError when unreadable. */
export function toMillis(value: TimeValue | null | undefined, field: string, imageDigest: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  let ms: number;
  if (value instanceof Date) ms = value.getTime();
  else if (typeof value === 'number') ms = value < SECONDS_LIMIT ? value * 1000 : value;
  else if (typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) {
    const n = Number(value);
    ms = n < SECONDS_LIMIT ? n * 1000 : n;
  } else if (typeof value === 'string') ms = Date.parse(value);
  else ms = Number.NaN;
  if (!Number.isFinite(ms)) {
    throw new LifecycleImageError(
      `Image ${imageDigest}: ${field} ${JSON.stringify(value)} is not a date; use an ISO-8601 string, epoch seconds or a Date.`,
    );
  }
  return ms;
}
