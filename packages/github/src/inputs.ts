import { InputError } from './errors.js';

/**
 * Reads the raw value of an input the way the runner passes it: `INPUT_<NAME>` with spaces replaced by
 * underscores and upper-cased (see @actions/core's getInput). Reading the environment directly keeps the
 * adapter usable from tests and CLIs with a plain record instead of the process environment.
 */
export type InputSource = Record<string, string | undefined>;

export interface InputSpec<T> {
  /** Example of a valid value, shown in the error when the input is wrong. */
  example: string;
  required?: boolean;
  default?: T;
}

export class Inputs {
  constructor(private readonly source: InputSource = process.env) {}

  raw(name: string): string {
    const key = `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
    return (this.source[key] ?? '').trim();
  }

  private present(name: string, spec: { required?: boolean; example: string }): string | undefined {
    const value = this.raw(name);
    if (value === '') {
      if (spec.required) throw new InputError(name, 'is required but was empty or not set', spec.example);
      return undefined;
    }
    return value;
  }

  string(name: string, spec: InputSpec<string> & { pattern?: RegExp; patternHint?: string }): string;
  string(name: string, spec: InputSpec<string> & { pattern?: RegExp; patternHint?: string; required?: false }): string | undefined;
  string(name: string, spec: InputSpec<string> & { pattern?: RegExp; patternHint?: string }): string | undefined {
    const value = this.present(name, spec);
    if (value === undefined) return spec.default;
    if (spec.pattern && !spec.pattern.test(value)) {
      throw new InputError(name, `must be ${spec.patternHint ?? `of the form ${spec.pattern}`}, got '${value}'`, spec.example);
    }
    return value;
  }

  /** YAML 1.2 core schema booleans, as the runner's own `core.getBooleanInput` accepts. */
  boolean(name: string, spec: Omit<InputSpec<boolean>, 'example'> & { default: boolean }): boolean {
    const value = this.present(name, { example: 'true', ...spec });
    if (value === undefined) return spec.default;
    if (['true', 'True', 'TRUE'].includes(value)) return true;
    if (['false', 'False', 'FALSE'].includes(value)) return false;
    throw new InputError(name, `must be true or false, got '${value}'`, 'true');
  }

  integer(name: string, spec: InputSpec<number> & { min?: number; max?: number }): number | undefined {
    const value = this.present(name, spec);
    if (value === undefined) return spec.default;
    if (!/^-?\d+$/.test(value)) throw new InputError(name, `must be a whole number, got '${value}'`, spec.example);
    const n = Number(value);
    if (spec.min !== undefined && n < spec.min) throw new InputError(name, `must be at least ${spec.min}, got ${n}`, spec.example);
    if (spec.max !== undefined && n > spec.max) throw new InputError(name, `must be at most ${spec.max}, got ${n}`, spec.example);
    return n;
  }

  /** A duration such as `90s`, `10m`, `1h30m` or a bare number of seconds. Returns milliseconds. */
  duration(name: string, spec: InputSpec<number> & { minMs?: number; maxMs?: number }): number | undefined {
    const value = this.present(name, spec);
    if (value === undefined) return spec.default;
    const ms = parseDuration(value);
    if (ms === undefined) {
      throw new InputError(name, `must be a duration like 30s, 10m or 1h30m, got '${value}'`, spec.example);
    }
    if (spec.minMs !== undefined && ms < spec.minMs) throw new InputError(name, `must be at least ${formatDuration(spec.minMs)}, got '${value}'`, spec.example);
    if (spec.maxMs !== undefined && ms > spec.maxMs) throw new InputError(name, `must be at most ${formatDuration(spec.maxMs)}, got '${value}'`, spec.example);
    return ms;
  }

  enum<T extends string>(name: string, spec: InputSpec<T> & { values: readonly T[] }): T | undefined {
    const value = this.present(name, spec);
    if (value === undefined) return spec.default;
    if (!(spec.values as readonly string[]).includes(value)) {
      throw new InputError(name, `must be one of ${spec.values.join(', ')}, got '${value}'`, spec.example);
    }
    return value as T;
  }

  /** Items separated by newlines or commas; blank items and `#` comments dropped. */
  list(name: string, spec: InputSpec<string[]>): string[] {
    const value = this.present(name, spec);
    if (value === undefined) return spec.default ?? [];
    return splitList(value);
  }

  /** `KEY=value` pairs separated by newlines or commas. The first `=` splits; values may contain `=`. */
  map(name: string, spec: InputSpec<Record<string, string>> & { keyPattern?: RegExp }): Record<string, string> {
    const value = this.present(name, spec);
    if (value === undefined) return spec.default ?? {};
    const out: Record<string, string> = {};
    for (const item of splitList(value)) {
      const eq = item.indexOf('=');
      if (eq <= 0) throw new InputError(name, `must be KEY=value pairs, but '${item}' has no key before '='`, spec.example);
      const key = item.slice(0, eq).trim();
      if (spec.keyPattern && !spec.keyPattern.test(key)) {
        throw new InputError(name, `has an invalid key '${key}'`, spec.example);
      }
      if (key in out) throw new InputError(name, `sets '${key}' twice`, spec.example);
      out[key] = item.slice(eq + 1).trim();
    }
    return out;
  }

  json<T = unknown>(name: string, spec: InputSpec<T>): T | undefined {
    const value = this.present(name, spec);
    if (value === undefined) return spec.default;
    try {
      return JSON.parse(value) as T;
    } catch (err) {
      throw new InputError(name, `is not valid JSON (${(err as Error).message})`, spec.example);
    }
  }
}

export function splitList(value: string): string[] {
  return value
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter((s) => s !== '' && !s.startsWith('#'));
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseDuration(text: string): number | undefined {
  const value = text.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const parts = [...value.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== value) return undefined;
  return Math.round(parts.reduce((sum, p) => sum + Number(p[1]) * UNIT_MS[p[2]!]!, 0));
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  return [h ? `${h}h` : '', m ? `${m}m` : '', rest || (!h && !m) ? `${rest}s` : ''].join('');
}
