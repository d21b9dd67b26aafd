import { details, markdownTable } from '@gantry/github';
import type { GuardReport } from './guard.js';

/** The job summary: one row per repository, then what failed and what the guard could not see. */
export function summaryMarkdown(report: GuardReport): string {
  const verdict = report.ok ? '✅ every in-use image is safe from its lifecycle policy' : '❌ some in-use images are not safe';
  const parts = [
    `## ECR lifecycle guard (${report.mode})`,
    '',
    `${verdict}. ${report.stats.inUseImages} in-use images in ${report.stats.repositories} repositories, from ${report.stats.services} services and ${report.stats.tasks} tasks in ${report.stats.clusters} clusters.`,
    '',
    markdownTable(
      ['Repository', 'Images', 'In use', 'Protected', 'Would expire under policy', 'Fixed now'],
      report.repositories.map((r) => [
        `\`${r.repository}\`${r.hasPolicy ? '' : ' (no policy)'}${r.renumbered ? ' (priorities +1)' : ''}`,
        r.images,
        r.inUse,
        r.protected,
        r.wouldExpire,
        r.fixedNow,
      ]),
    ),
  ];
  const cost = costLine(report);
  if (cost) parts.push('', cost);
  if (report.failures.length) parts.push('', '### Problems', '', ...report.failures.map((f) => `- ${f}`));
  if (report.notes.length) parts.push('', '### Notes', '', ...report.notes.map((n) => `- ${n}`));
  if (report.inUse.length) {
    parts.push(
      '',
      details(
        'In-use images',
        markdownTable(
          ['Image', 'Used by'],
          report.inUse.map((i) => [`\`${i.repository}@${i.digest.replace(/^sha256:/, '').slice(0, 12)}\``, i.usedBy.join('<br>')]),
        ),
      ),
    );
  }
  return parts.join('\n');
}

/** The one-line failure for `::error::`: what to look at first, with the count of everything else. */
export function failureMessage(report: GuardReport): string {
  const [first, ...rest] = report.failures;
  if (!first) return '';
  return rest.length ? `${first} (and ${rest.length} more problems; see the job summary and the JSON report)` : first;
}

/** One line on what the run cost in API quota and what the cache saved, e.g. for the job summary. */
export function costLine(report: Pick<GuardReport, 'quota' | 'cache'>): string {
  const parts: string[] = [];
  if (report.quota) {
    const q = report.quota;
    parts.push(
      `API quota: at most ${Math.round(q.share * 100)} % of each AWS bucket; waited ${(q.waitedMs / 1000).toFixed(1)} s for quota in all; ${q.throttled} call${q.throttled === 1 ? '' : 's'} throttled by AWS (retried).`,
    );
  }
  if (report.cache) {
    const c = report.cache;
    parts.push(`Cache: ${c.savedCalls} calls saved (${c.saved['ecs:DescribeTaskDefinition']} DescribeTaskDefinition, ${c.saved['ecr:BatchGetImage']} BatchGetImage, ${c.saved['ecr:GetDownloadUrlForLayer']} config reads), ${c.extraCalls} spent confirming cached revisions are still ACTIVE.`);
  }
  return parts.join(' ');
}
