import type { Clock, Logger } from '../src/runtime.js';

/** A clock whose sleep advances time instantly, so watch loops run without waiting. */
export function fakeClock(start = 1_000_000): Clock & { sleeps: number[] } {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
  };
}

export function memoryLogger(): Logger & { lines: string[]; text(): string } {
  const lines: string[] = [];
  return {
    lines,
    info: (l) => void lines.push(l),
    warning: (l) => void lines.push(`WARN ${l}`),
    notice: (l) => void lines.push(`NOTICE ${l}`),
    text: () => lines.join('\n'),
  };
}

export const REGISTRY = '123456789012.dkr.ecr.us-east-1.amazonaws.com';
export const DIGEST_A = `sha256:${'a'.repeat(64)}`;
export const DIGEST_B = `sha256:${'b'.repeat(64)}`;
