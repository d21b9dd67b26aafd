/**
 * A small evaluator for the GitHub Actions expressions our workflows use: property paths
 * (`inputs.x`, `matrix.service.task-definition`, `steps.id.outputs.y`, `needs.job.outputs.z`,
 * `needs.job.result`), string/number/boolean literals, `!`, `==`, `!=`, `&&`, `||`, parentheses, and
 * the functions `fromJSON`, `success`, `failure`, `cancelled`, `always`. Anything else throws, so a
 * workflow that starts using more than this is noticed instead of being evaluated wrongly.
 * Semantics follow https://docs.github.com/en/actions/reference/workflows-and-actions/expressions
 * (`||`/`&&` return an operand; '' 0 false null are falsy; string comparison ignores case).
 */
export type Value = string | number | boolean | null | undefined | Value[] | { [key: string]: Value };
export type Context = Record<string, Value> & { __status?: { failed: boolean; cancelled: boolean } };

type Token = { kind: 'str' | 'num' | 'id' | 'op'; text: string };

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      let text = '';
      for (i++; ; i++) {
        if (i >= src.length) throw new Error(`unterminated string in: ${src}`);
        if (src[i] === "'") {
          if (src[i + 1] === "'") { text += "'"; i++; continue; }
          i++;
          break;
        }
        text += src[i];
      }
      tokens.push({ kind: 'str', text });
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(\.[0-9]+)?/.exec(src.slice(i))!;
      tokens.push({ kind: 'num', text: m[0] });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      // Property paths: identifiers with hyphens, joined by dots (`inputs.role-to-assume`).
      const m = /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_*][A-Za-z0-9_-]*)*/.exec(src.slice(i))!;
      tokens.push({ kind: 'id', text: m[0] });
      i += m[0].length;
    } else {
      const op = ['==', '!=', '&&', '||', '!', '(', ')', ','].find((o) => src.startsWith(o, i));
      if (!op) throw new Error(`unsupported character '${c}' in expression: ${src}`);
      tokens.push({ kind: 'op', text: op });
      i += op.length;
    }
  }
  return tokens;
}

export const truthy = (v: Value) => !(v === '' || v === 0 || v === false || v === null || v === undefined);

function equal(a: Value, b: Value): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  if (typeof a === 'number' || typeof b === 'number') return Number(a) === Number(b);
  return a === b || ((a === undefined || a === null) && (b === undefined || b === null));
}

function lookup(path: string, context: Context): Value {
  let value: Value = context;
  for (const key of path.split('.')) {
    if (value === null || value === undefined || typeof value !== 'object' || Array.isArray(value)) return undefined;
    value = (value as Record<string, Value>)[key];
  }
  return value;
}

export function evaluate(expression: string, context: Context): Value {
  const tokens = tokenize(expression);
  let pos = 0;
  const peek = () => tokens[pos];
  const take = (text?: string) => {
    const t = tokens[pos++];
    if (!t || (text !== undefined && t.text !== text)) throw new Error(`expected '${text ?? 'a value'}' in expression: ${expression}`);
    return t;
  };
  const status = context.__status ?? { failed: false, cancelled: false };
  const functions: Record<string, (args: Value[]) => Value> = {
    fromjson: ([text]) => JSON.parse(String(text)) as Value,
    success: () => !status.failed && !status.cancelled,
    failure: () => status.failed,
    cancelled: () => status.cancelled,
    always: () => true,
  };

  const primary = (): Value => {
    const t = take();
    if (t.kind === 'str') return t.text;
    if (t.kind === 'num') return Number(t.text);
    if (t.kind === 'op' && t.text === '(') {
      const v = or();
      take(')');
      return v;
    }
    if (t.kind === 'op' && t.text === '!') return !truthy(primary());
    if (t.kind === 'id') {
      if (t.text === 'true' || t.text === 'false') return t.text === 'true';
      if (t.text === 'null') return null;
      if (peek()?.text === '(') {
        const fn = functions[t.text.toLowerCase()];
        if (!fn) throw new Error(`unsupported function '${t.text}' in expression: ${expression}`);
        take('(');
        const args: Value[] = [];
        while (peek()?.text !== ')') {
          args.push(or());
          if (peek()?.text === ',') take(',');
        }
        take(')');
        return fn(args);
      }
      return lookup(t.text, context);
    }
    throw new Error(`unexpected '${t.text}' in expression: ${expression}`);
  };
  const comparison = (): Value => {
    let left = primary();
    while (peek()?.text === '==' || peek()?.text === '!=') {
      const op = take().text;
      const right = primary();
      left = op === '==' ? equal(left, right) : !equal(left, right);
    }
    return left;
  };
  const and = (): Value => {
    let left = comparison();
    while (peek()?.text === '&&') {
      take();
      const right = comparison();
      left = truthy(left) ? right : left;
    }
    return left;
  };
  const or = (): Value => {
    let left = and();
    while (peek()?.text === '||') {
      take();
      const right = and();
      left = truthy(left) ? left : right;
    }
    return left;
  };
  const value = or();
  if (pos !== tokens.length) throw new Error(`unexpected '${tokens[pos]!.text}' in expression: ${expression}`);
  return value;
}

const asText = (v: Value): string =>
  v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);

/**
 * A workflow value with `${{ }}` placeholders: a value that is exactly one placeholder keeps its type
 * (a matrix list from fromJSON); otherwise every placeholder is replaced by its text.
 */
export function interpolate(template: unknown, context: Context): Value {
  if (typeof template !== 'string') return template as Value;
  const whole = /^\$\{\{([\s\S]*?)\}\}$/.exec(template.trim());
  if (whole && !whole[1]!.includes('}}')) return evaluate(whole[1]!, context);
  return template.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, expr: string) => asText(evaluate(expr, context)));
}

/** An `if:` condition: with or without `${{ }}`, and `success() &&` implied unless a status function is used. */
export function condition(expression: string | boolean | undefined, context: Context): boolean {
  if (expression === undefined) return truthy(evaluate('success()', context));
  if (typeof expression === 'boolean') return expression;
  const inner = /^\s*\$\{\{([\s\S]*)\}\}\s*$/.exec(expression)?.[1] ?? expression;
  const usesStatus = /\b(success|failure|cancelled|always)\s*\(/.test(inner);
  return truthy(evaluate(usesStatus ? inner : `success() && (${inner})`, context));
}

export const toText = asText;
