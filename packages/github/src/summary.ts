/**
 * Job summaries as plain markdown strings: easy to assert on in tests, readable when the demo prints
 * them in a terminal, and written once at the end through `writeSummary`.
 */
export type Cell = string | number | boolean | undefined | null;

export function escapeCell(value: Cell): string {
  if (value === undefined || value === null || value === '') return '–';
  return String(value).replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

export function markdownTable(headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const line = (cells: readonly Cell[]) => `| ${cells.map(escapeCell).join(' | ')} |`;
  return [line(headers), `|${headers.map(() => ' --- ').join('|')}|`, ...rows.map(line)].join('\n');
}

/** A two-column table of labelled values, for a single result. */
export function keyValueTable(entries: readonly (readonly [string, Cell])[]): string {
  return markdownTable(['', ''], entries.map(([k, v]) => [`**${k}**`, v]));
}

export function details(summary: string, body: string): string {
  return `<details><summary>${summary}</summary>\n\n${body}\n\n</details>`;
}

export function codeBlock(text: string, lang = ''): string {
  return `\`\`\`${lang}\n${text.replace(/```/g, '` ` `')}\n\`\`\``;
}
