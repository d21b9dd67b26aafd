export interface CodeBlock {
  /** The info string's first word, lower-cased (`yaml`, `json`, `sh`, ...). */
  lang: string;
  /** The whole info string, e.g. `json title=policy.json`. */
  info: string;
  code: string;
  /** 1-based line of the opening fence. */
  line: number;
}

/** Fenced code blocks (``` or ~~~) of a markdown document, in order. */
export function codeBlocks(markdown: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^( {0,3})(`{3,}|~{3,})\s*(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const [, indent, fence, info] = open;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const close = new RegExp(`^ {0,3}${fence![0]}{${fence!.length},}\\s*$`);
      if (close.test(lines[j]!)) break;
      body.push(lines[j]!.startsWith(indent!) ? lines[j]!.slice(indent!.length) : lines[j]!);
    }
    blocks.push({ lang: (info!.trim().split(/\s+/)[0] ?? '').toLowerCase(), info: info!.trim(), code: body.join('\n'), line: i + 1 });
    i = j;
  }
  return blocks;
}

/** Relative link targets of a markdown document (`[text](target)`), without anchors; external links skipped. */
export function relativeLinks(markdown: string): string[] {
  const withoutCode = markdown.replace(/^( {0,3})(`{3,}|~{3,})[\s\S]*?^\1\2\s*$/gm, '');
  const links: string[] = [];
  for (const m of withoutCode.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    const target = m[1]!;
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#')) continue;
    links.push(target.split('#')[0]!);
  }
  return links;
}
