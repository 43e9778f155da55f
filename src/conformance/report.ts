/** The conformance report as text lines and as JSON, and the baseline check CI runs. */
import type { CaseResult, ConformanceReport } from './runner.js';

/** One case as the report prints it: `✓ case` or `✘ case — reason`. */
export function formatCaseLine(r: CaseResult): string {
  if (r.status === 'passed') return `✓ ${r.case}`;
  return `${r.status === 'skipped' ? '-' : '✘'} ${r.case} — ${r.reason ?? 'failed'}`;
}

/** The summary line: `N passed, N failed, N skipped`. */
export function formatSummary(report: Pick<ConformanceReport, 'passed' | 'failed' | 'skipped'>): string {
  return `${report.passed} passed, ${report.failed} failed, ${report.skipped} skipped`;
}

/**
 * The report as text: one line per case, in corpus order, then the summary line.
 * @returns the lines, without line ends
 */
export function formatReport(report: ConformanceReport): string[] {
  return [...report.results.map(formatCaseLine), formatSummary(report)];
}

/** One case in the JSON report; `reason` is null for a passed case. */
export interface CaseJson {
  case: string;
  passed: boolean;
  reason: string | null;
}

/** The JSON report (`--json`): skipped cases have `passed: false` and count only in `skipped`. */
export interface ReportJson {
  cases: CaseJson[];
  passed: number;
  failed: number;
  skipped: number;
}

/** The report in its JSON form. */
export function reportToJson(report: ConformanceReport): ReportJson {
  return {
    cases: report.results.map((r) => ({ case: r.case, passed: r.status === 'passed', reason: r.status === 'passed' ? null : (r.reason ?? 'failed') })),
    passed: report.passed,
    failed: report.failed,
    skipped: report.skipped,
  };
}

/**
 * The baseline cases that did not pass: a baseline case that failed, was skipped, or is missing
 * from the report (unless it was left out on purpose).
 * @param baseline names of the cases that passed when the baseline was recorded
 * @param selected the names the run was limited to (`--case`), if any
 * @returns each regressed case with what happened to it
 */
export function findRegressions(report: ConformanceReport, baseline: readonly string[], selected?: readonly string[]): Array<{ case: string; reason: string }> {
  const byName = new Map(report.results.map((r) => [r.case, r]));
  const wanted = selected ? new Set(selected) : undefined;
  const out: Array<{ case: string; reason: string }> = [];
  for (const name of baseline) {
    if (wanted && !wanted.has(name)) continue;
    const r = byName.get(name);
    if (!r) out.push({ case: name, reason: 'not in the corpus any more' });
    else if (r.status !== 'passed') out.push({ case: name, reason: r.reason ?? r.status });
  }
  return out;
}
