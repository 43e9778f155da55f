/** `troupe conformance DIR`: run a conformance corpus and print one line per case. */
import { readFileSync } from 'node:fs';
import { TroupeError } from '../errors.js';
import { findRegressions, formatCaseLine, formatSummary, reportToJson, runConformance, type CaseResult, type ConformanceReport } from '../conformance/index.js';

/** Options of `troupe conformance`. */
export interface ConformanceCommandOptions {
  json?: boolean;
  /** Case names to run (default: all). */
  case?: string[];
  /** Milliseconds one case may run, as typed on the command line. */
  timeoutMs?: string;
  /** A JSON file listing the case names that must pass. */
  baseline?: string;
}

function parseTimeout(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < 1) throw new TroupeError('TROUPE_OPTION_INVALID', `--timeout-ms must be a positive integer (milliseconds), got '${text}'`, { option: 'timeoutMs' });
  return n;
}

/** Reads a baseline file: a JSON array of case names. */
export function readBaseline(file: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new TroupeError('TROUPE_OPTION_INVALID', `--baseline ${file}: ${e instanceof Error ? e.message : String(e)}; expected a JSON array of case names`, { option: 'baseline' });
  }
  if (!Array.isArray(parsed) || parsed.some((x) => typeof x !== 'string')) throw new TroupeError('TROUPE_OPTION_INVALID', `--baseline ${file} must hold a JSON array of case names`, { option: 'baseline' });
  return parsed as string[];
}

/** Prints case lines in corpus order as soon as every earlier case has ended. */
function orderedPrinter(out: (s: string) => void): (result: CaseResult, index: number) => void {
  const done: Array<CaseResult | undefined> = [];
  let next = 0;
  return (result, index) => {
    done[index] = result;
    for (let r = done[next]; r; r = done[++next]) out(formatCaseLine(r));
  };
}

function baselineLines(report: ConformanceReport, baseline: readonly string[], selected: readonly string[] | undefined): { lines: string[]; regressed: boolean } {
  const regressions = findRegressions(report, baseline, selected);
  const listed = new Set(baseline);
  const fresh = report.results.filter((r) => r.status === 'passed' && !listed.has(r.case)).map((r) => r.case);
  const lines = regressions.length ? [`baseline: ${regressions.length} of ${baseline.length} cases regressed:`, ...regressions.map((r) => `  ✘ ${r.case} — ${r.reason}`)] : [`baseline: ${baseline.length} cases, none regressed`];
  if (fresh.length) lines.push(`passing but not in the baseline (add them): ${fresh.join(', ')}`);
  return { lines, regressed: regressions.length > 0 };
}

/**
 * Runs the corpus in `dir` and prints the report.
 * @returns 0 when no case failed (with a baseline: when no baseline case failed), else 1
 */
export async function conformanceCommand(dir: string, opts: ConformanceCommandOptions, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const timeoutMs = parseTimeout(opts.timeoutMs);
  const baseline = opts.baseline !== undefined ? readBaseline(opts.baseline) : undefined;
  const selected = opts.case?.length ? opts.case : undefined;
  const report = await runConformance(dir, {
    ...(selected ? { cases: selected } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(opts.json ? {} : { onResult: orderedPrinter(out) }),
  });
  if (opts.json) out(JSON.stringify(reportToJson(report), null, 2));
  else out(formatSummary(report));
  if (!baseline) return report.failed > 0 ? 1 : 0;
  const { lines, regressed } = baselineLines(report, baseline, selected);
  for (const line of lines) (opts.json ? err : out)(line);
  return regressed ? 1 : 0;
}
