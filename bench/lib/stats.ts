export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export const ms = (value: number) => (value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`);
export const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
export const mb = (bytes: number) => `${(bytes / 1_000_000).toFixed(2)} MB`;
export const pct = (ratio: number) => `${(ratio * 100).toFixed(1)} %`;

/** `[1, 2, 3]` → "1 ms, 2 ms, 3 ms" for the detail lines. */
export const samples = (values: readonly number[], format: (v: number) => string = ms) => values.map(format).join(', ');

export const sleep = (millis: number) => new Promise<void>((resolve) => setTimeout(resolve, millis));
