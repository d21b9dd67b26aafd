import { UserError } from '@gantry/github';

/**
 * A command override as ECS wants it (an argv list): a JSON array as is, or a shell-like line split on
 * spaces with single and double quotes grouping words. No shell runs; `sh -c "..."` is the way to get one.
 */
export function parseCommand(text: string): string[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (err) {
      throw new UserError(`Input 'command' looks like a JSON array but is not valid JSON (${(err as Error).message}).`, 'Example: command: ["php", "artisan", "migrate", "--force"]');
    }
    if (!Array.isArray(parsed) || !parsed.every((p) => typeof p === 'string')) throw new UserError("Input 'command' must be a JSON array of strings.");
    return parsed;
  }
  const args: string[] = [];
  let current: string | undefined;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < trimmed.length; i++) {
    const ch = trimmed[i]!;
    if (quote) {
      if (ch === quote) quote = undefined;
      else if (ch === '\\' && quote === '"' && i + 1 < trimmed.length) current = (current ?? '') + trimmed[++i];
      else current = (current ?? '') + ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      current ??= '';
    } else if (/\s/.test(ch)) {
      if (current !== undefined) args.push(current);
      current = undefined;
    } else if (ch === '\\' && i + 1 < trimmed.length) {
      current = (current ?? '') + trimmed[++i];
    } else {
      current = (current ?? '') + ch;
    }
  }
  if (quote) throw new UserError(`Input 'command' has an unclosed ${quote} quote.`, 'Example: command: php artisan migrate --force');
  if (current !== undefined) args.push(current);
  return args;
}
