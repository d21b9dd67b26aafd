// Terminal output of the demo: step headers, ✓/✗ lines, an action's key log lines and its job summary
// made readable without a markdown renderer.

const colour = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: string) => (text: string) => (colour ? `\x1b[${code}m${text}\x1b[0m` : text);
export const bold = paint('1');
export const dim = paint('2');
export const green = paint('32');
export const red = paint('31');
export const yellow = paint('33');
export const cyan = paint('36');

export interface Printer {
  line(text?: string): void;
}

export const stdoutPrinter: Printer = { line: (text = '') => process.stdout.write(`${text}\n`) };

export function header(out: Printer, index: number, total: number, title: string): void {
  const label = ` Step ${index}/${total}: ${title} `;
  out.line();
  out.line(bold(cyan(`━━━${label}${'━'.repeat(Math.max(3, 96 - label.length))}`)));
}

export function ok(out: Printer, text: string): void {
  out.line(`  ${green('✓')} ${text}`);
}

export function fail(out: Printer, text: string): void {
  out.line(`  ${red('✗')} ${text}`);
}

export function note(out: Printer, text: string): void {
  out.line(`  ${dim('·')} ${text}`);
}

export function indent(out: Printer, block: string, prefix = '    '): void {
  for (const l of block.split('\n')) out.line(`${prefix}${l}`);
}

/**
 * An action's job summary for a terminal: HTML tags (`<details>`, `<summary>`, `<br>`) removed, links
 * shown as their text, and blank-line runs collapsed. Markdown tables stay as they are: they read fine.
 */
export function renderSummary(markdown: string): string {
  return markdown
    .replace(/<br\s*\/?>/gi, ', ')
    .replace(/<summary>(.*?)<\/summary>/gis, '$1\n')
    .replace(/<\/?[a-z][^>]*>/gi, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\[([^\]]+)\]\((https?:[^)]+)\)/g, '$1')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/**
 * The lines of an action's log worth showing in the demo: what `keep` selects, with workflow commands
 * (`::add-mask::`, `::group::`) dropped and annotations (`::error::`) shown as the runner shows them.
 */
export function keyLogLines(log: string, keep: (line: string) => boolean, options: { warnings?: boolean } = {}): string[] {
  const lines: string[] = [];
  for (const raw of log.split('\n')) {
    const line = raw.trimEnd();
    const annotation = /^::(error|warning|notice)(?: [^:]*)?::(.*)$/.exec(line);
    if (annotation) {
      if (annotation[1] !== 'error' && options.warnings === false) continue;
      const text = annotation[2]!.replace(/%0A/g, '\n      ').replace(/%0D/g, '').replace(/%25/g, '%');
      lines.push(annotation[1] === 'error' ? red(`Error: ${text}`) : yellow(`${annotation[1] === 'warning' ? 'Warning' : 'Notice'}: ${text}`));
      continue;
    }
    if (line.startsWith('::') || line === '' || /NodeVersionSupportWarning|node >=22|a\.co\/c895JFp|trace-warnings/.test(line)) continue;
    if (keep(line)) lines.push(line);
  }
  return lines;
}

/** A plain aligned table for the demo's own facts (not an action summary). */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (c ?? '').padEnd(widths[i]!)).join('  ').trimEnd();
  return [fmt(headers), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(fmt)].join('\n');
}

export const shortDigest = (digest: string | undefined) => (digest ? digest.replace(/^sha256:/, '').slice(0, 12) : '?');
