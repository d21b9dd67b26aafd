import { markdownTable } from '@gantry/github';
import type { GuardReport } from './guard.js';

/** One guard job's report as the summary job found it: parsed, or why it could not be. */
export interface FoundReport {
  /** The file it came from. */
  source: string;
  report?: GuardReport;
  problem?: string;
}

export interface MergedRow {
  account: string;
  region: string;
  ok: boolean;
  mode: string;
  inUseImages: number;
  repositories: number;
  atRisk: number;
  fixed: number;
  problems: number;
  quotaWaitSeconds?: number;
  throttled?: number;
  cacheSaved?: number;
  source: string;
}

export interface MergedReports {
  ok: boolean;
  rows: MergedRow[];
  /** Problems of every job, each prefixed with its account and region. */
  failures: string[];
  totals: { jobs: number; failed: number; inUseImages: number; atRisk: number; fixed: number };
}

/** Shape check: enough of a guard report to put in the table, without trusting the rest. */
export function asGuardReport(doc: unknown): GuardReport | undefined {
  const r = doc as Partial<GuardReport> | null;
  if (!r || typeof r !== 'object' || typeof r.ok !== 'boolean' || !Array.isArray(r.failures) || !r.stats || !Array.isArray(r.repositories) || !Array.isArray(r.violations)) return undefined;
  return r as GuardReport;
}

/** Merges the reports of guard jobs over several accounts and regions into one table, sorted by account then region. */
export function mergeReports(found: readonly FoundReport[]): MergedReports {
  const rows: MergedRow[] = [];
  const failures: string[] = [];
  for (const f of found) {
    const r = f.report;
    if (!r) {
      rows.push({ account: '?', region: '?', ok: false, mode: '?', inUseImages: 0, repositories: 0, atRisk: 0, fixed: 0, problems: 1, source: f.source });
      failures.push(`${f.source}: ${f.problem ?? 'not a guard report'}`);
      continue;
    }
    const where = `${r.account ?? '?'} ${r.region ?? '?'}`;
    rows.push({
      account: r.account ?? '?',
      region: r.region ?? '?',
      ok: r.ok,
      mode: r.mode,
      inUseImages: r.stats.inUseImages,
      repositories: r.stats.repositories,
      atRisk: r.violations.length,
      fixed: r.repositories.reduce((n, row) => n + (row.fixedNow ?? 0), 0),
      problems: r.failures.length,
      ...(r.quota ? { quotaWaitSeconds: Math.round(r.quota.waitedMs / 100) / 10, throttled: r.quota.throttled } : {}),
      ...(r.cache ? { cacheSaved: r.cache.savedCalls } : {}),
      source: f.source,
    });
    for (const p of r.failures) failures.push(`${where}: ${p}`);
  }
  rows.sort((a, b) => a.account.localeCompare(b.account) || a.region.localeCompare(b.region) || a.source.localeCompare(b.source));
  const failed = rows.filter((r) => !r.ok).length;
  return {
    ok: found.length > 0 && failed === 0,
    rows,
    failures,
    totals: {
      jobs: rows.length,
      failed,
      inUseImages: rows.reduce((n, r) => n + r.inUseImages, 0),
      atRisk: rows.reduce((n, r) => n + r.atRisk, 0),
      fixed: rows.reduce((n, r) => n + r.fixed, 0),
    },
  };
}

/** The summary job's markdown: one row per account and region, totals, then every problem. */
export function mergedMarkdown(merged: MergedReports): string {
  const t = merged.totals;
  const verdict =
    merged.rows.length === 0
      ? '❌ no guard reports were found'
      : merged.ok
        ? `✅ every in-use image is safe in all ${t.jobs} account/region pairs`
        : `❌ ${t.failed} of ${t.jobs} account/region pairs have problems`;
  const parts = [
    '## ECR lifecycle guard: all accounts and regions',
    '',
    `${verdict}. ${t.inUseImages} in-use images; ${t.atRisk} still at risk; ${t.fixed} protected by these runs.`,
    '',
    markdownTable(
      ['Account', 'Region', 'Result', 'In use', 'Repositories', 'At risk', 'Fixed now', 'Waited for quota', 'Cache saved'],
      merged.rows.map((r) => [
        r.account,
        r.region,
        r.ok ? '✅ ok' : `❌ ${r.problems} problem${r.problems === 1 ? '' : 's'}`,
        r.inUseImages,
        r.repositories,
        r.atRisk,
        r.fixed,
        r.quotaWaitSeconds === undefined ? '–' : `${r.quotaWaitSeconds} s${r.throttled ? ` (${r.throttled} throttled)` : ''}`,
        r.cacheSaved === undefined ? '–' : `${r.cacheSaved} calls`,
      ]),
    ),
  ];
  if (merged.failures.length) parts.push('', '### Problems', '', ...merged.failures.map((f) => `- ${f}`));
  return parts.join('\n');
}
