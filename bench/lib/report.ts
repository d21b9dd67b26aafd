import type { BenchResult, Verdict } from './types.js';

const MARK: Record<Verdict, string> = { meets: '✅ meets', misses: '❌ misses', 'not measured': '⏸ not measured', context: 'ℹ️ context' };
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** RESULTS.md: machine and date, one table of every figure with its goal and verdict, then method and raw samples. */
export function renderResults(run: { results: BenchResult[]; machine: string[]; date: Date; totalSeconds: number; quick: boolean; only: string[]; sizes?: number[] }): string {
  const lines = [
    '# Gantry benchmark results',
    '',
    `Produced by \`npm run bench${run.quick ? ' -- --quick' : ''}${run.only.length ? ` -- --only ${run.only.join(',')}` : ''}${run.sizes ? ` --sizes ${run.sizes.join(',')}` : ''}\` on ${run.date.toISOString().slice(0, 16).replace('T', ' ')} UTC in ${Math.round(run.totalSeconds)} s. Every figure below was measured in that run; medians over n runs. See bench/README.md for what each benchmark does.`,
    '',
    '## Machine',
    '',
    ...run.machine,
    '',
    '## Figures',
    '',
    '| benchmark | figure | measured | n | goal | verdict | how it compares |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of run.results) {
    for (const f of r.figures) lines.push(`| ${r.name} | ${cell(f.label)} | ${cell(f.value)} | ${f.n} | ${cell(f.goal)} | ${MARK[f.verdict]} | ${cell(f.comparison)} |`);
  }
  lines.push('');
  for (const r of run.results) {
    lines.push(`## ${r.title} (\`${r.name}\`, ${Math.round(r.seconds)} s)`, '', r.method, '');
    for (const f of r.figures) lines.push(`- **${f.label}**: ${f.value} — ${f.comparison}`);
    if (r.details.length > 0) lines.push('', 'Raw samples and notes:', '', ...r.details.map((d) => (d.startsWith('  ') ? `  - ${d.trim()}` : `- ${d}`)));
    lines.push('');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
