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

  /**
   * A list input. Every list input declares its separator: `newline` (one item a line; commas are part of
   * the item, as in `type=gha,scope=app`) or `comma` (newlines or commas; an item in double quotes may hold
   * commas, `""` is a quote). Blank lines and lines starting with `#` are dropped; Windows line ends too.
   */
  list(name: string, spec: InputSpec<string[]> & { separator: ListSeparator }): string[] {
    const value = this.present(name, spec);
    if (value === undefined) return spec.default ?? [];
    const items = spec.separator === 'newline' ? splitLines(value) : splitList(value);
    if (spec.separator === 'comma') {
      const unclosed = items.findIndex((item) => item.startsWith(UNCLOSED_QUOTE));
      if (unclosed >= 0) throw new InputError(name, `has an unclosed double quote in item ${unclosed + 1}`, spec.example);
    }
    return items;
  }

  /**
   * `KEY=value` pairs, one a line: commas and `=` belong to the value (`HOSTS=a.com,b.com`, `Q=a=b`).
   * The first `=` splits; key and value are trimmed; quotes are kept as written (ECS and Docker take values
   * literally). Errors name the line, never its value, because map inputs carry secrets.
   */
  map(name: string, spec: InputSpec<Record<string, string>> & { keyPattern?: RegExp; keyHint?: string }): Record<string, string> {
    const value = this.present(name, spec);
    if (value === undefined) return spec.default ?? {};
    const out: Record<string, string> = {};
    const lines = value.split(/\r?\n|\r/);
    lines.forEach((raw, index) => {
      const item = raw.trim();
      if (item === '' || item.startsWith('#')) return;
      const line = `line ${index + 1}`;
      const eq = item.indexOf('=');
      if (eq < 0) throw new InputError(name, `must be KEY=value lines, but ${line} has no '='`, spec.example);
      const key = item.slice(0, eq).trim();
      if (key === '') throw new InputError(name, `must be KEY=value lines, but ${line} has no key before '='`, spec.example);
      if (spec.keyPattern && !spec.keyPattern.test(key)) {
        throw new InputError(name, `has an invalid key '${key}' on ${line}${spec.keyHint ? ` (keys are ${spec.keyHint})` : ''}`, spec.example);
      }
      if (Object.hasOwn(out, key)) throw new InputError(name, `sets '${key}' twice (${line})`, spec.example);
      out[key] = item.slice(eq + 1).trim();
    });
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

/** How a list input separates its items (see Inputs.list). */
export type ListSeparator = 'newline' | 'comma';

const UNCLOSED_QUOTE = '\u0000unclosed';

/** One item a line; blank lines and `#` comment lines dropped; `\r\n` and `\r` count as line ends. */
export function splitLines(value: string): string[] {
  return value
    .split(/\r?\n|\r/)
    .map((s) => s.trim())
    .filter((s) => s !== '' && !s.startsWith('#'));
}

/**
 * Items separated by commas or line ends, with CSV quoting: `"a,b"` is one item `a,b` and `""` inside
 * quotes is one `"`. Blank items and `#` comment lines dropped. An unclosed quote yields an item marked
 * with UNCLOSED_QUOTE, which Inputs.list reports.
 */
export function splitList(value: string): string[] {
  const items: string[] = [];
  for (const line of splitLines(value)) {
    let current = '';
    let quoted = false;
    let inQuotes = false;
    for (let i = 0; i < line.length; i++) {
      const ch = line[i]!;
      if (inQuotes) {
        if (ch === '"' && line[i + 1] === '"') {
          current += '"';
          i++;
        } else if (ch === '"') inQuotes = false;
        else current += ch;
      } else if (ch === '"' && current.trim() === '') {
        inQuotes = true;
        quoted = true;
        current = '';
      } else if (ch === ',') {
        items.push(quoted ? current : current.trim());
        current = '';
        quoted = false;
      } else current += ch;
    }
    if (inQuotes) items.push(UNCLOSED_QUOTE + current);
    else items.push(quoted ? current : current.trim());
  }
  return items.filter((s) => s.trim() !== '');
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
