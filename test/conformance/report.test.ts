import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { findRegressions, formatReport, reportToJson, runConformance, type CaseResult, type ConformanceReport } from '../../src/conformance/index.js';

const FIXTURE = join(import.meta.dirname, '../fixtures/conformance');

const report: ConformanceReport = {
  results: [
    { case: 'a', status: 'passed', durationMs: 5 },
    { case: 'b', status: 'failed', reason: 'state: expected SUCCESS, got FAILED', durationMs: 7 },
    { case: 'c', status: 'skipped', reason: "skipped: tier 'storage'", durationMs: 0 },
  ],
  passed: 1,
  failed: 1,
  skipped: 1,
};

describe('the report', () => {
  it('prints one line per case, then the counts', () => {
    expect(formatReport(report)).toEqual(['✓ a', '✘ b — state: expected SUCCESS, got FAILED', "- c — skipped: tier 'storage'", '1 passed, 1 failed, 1 skipped']);
  });

  it('has a JSON form where skipped cases are not passed and count only as skipped', () => {
    expect(reportToJson(report)).toEqual({
      cases: [
        { case: 'a', passed: true, reason: null },
        { case: 'b', passed: false, reason: 'state: expected SUCCESS, got FAILED' },
        { case: 'c', passed: false, reason: "skipped: tier 'storage'" },
      ],
      passed: 1,
      failed: 1,
      skipped: 1,
    });
  });

  it('finds baseline cases that failed, were skipped or are gone, ignoring cases left out with --case', () => {
    expect(findRegressions(report, ['a', 'b', 'c', 'gone'])).toEqual([
      { case: 'b', reason: 'state: expected SUCCESS, got FAILED' },
      { case: 'c', reason: "skipped: tier 'storage'" },
      { case: 'gone', reason: 'not in the corpus any more' },
    ]);
    expect(findRegressions(report, ['a', 'b', 'gone'], ['a'])).toEqual([]);
  });
});

describe('runConformance on the fixture corpus', () => {
  let result: ConformanceReport;
  const seen: Array<[string, number]> = [];

  beforeAll(async () => {
    result = await runConformance(FIXTURE, { timeoutMs: 4_000, onResult: (r: CaseResult, i: number) => seen.push([r.case, i]) });
  }, 60_000);

  it('says for each case what differed, in corpus order', () => {
    expect(formatReport(result)).toEqual([
      '✓ hello-passes',
      '✘ wrong-state — state: expected FAILED, got SUCCESS',
      '✘ wrong-count — taskRunCount: expected at least 5, got 2',
      '✘ wrong-output — taskRuns[taskId=ret].outputs.value: expected to contain "mars", got world-done',
      '✘ missing-log — logs: no ERROR line contains "hello world" (a line at another level does)',
      '✘ loop-all-runs — taskRuns[taskId=ret](run 2 of 2, value=b).outputs.value: expected a, got b',
      '✓ loop-any-run',
      '✓ failing-flow',
      '✓ other-namespace',
      expect.stringMatching(/^✘ times-out — timed out after 4000 ms \(execution RUNNING, 1 task runs; open: sleep RUNNING\)$/),
      expect.stringMatching(/^✘ broken-flow — flows\/broken\.yaml did not deploy: TROUPE_FLOW_UNKNOWN_TYPE: broken\.yaml:6:11: /),
      '✘ missing-flow — flows/nope.yaml does not exist',
      '✓ file-input',
      "- needs-triggers — skipped: tier 'trigger' needs triggers this runner does not provide (it runs 'core' and 'storage' cases)",
      '5 passed, 8 failed, 1 skipped',
    ]);
  });

  it('reports every case once through onResult, with its index in the report', () => {
    expect(seen.sort((x, y) => x[1] - y[1])).toEqual(result.results.map((r, i) => [r.case, i]));
  });

  it('runs only the cases asked for', async () => {
    const only = await runConformance(FIXTURE, { cases: ['other-namespace', 'file-input', 'needs-triggers'] });
    expect(reportToJson(only)).toEqual({
      cases: [
        { case: 'other-namespace', passed: true, reason: null },
        { case: 'file-input', passed: true, reason: null },
        { case: 'needs-triggers', passed: false, reason: "skipped: tier 'trigger' needs triggers this runner does not provide (it runs 'core' and 'storage' cases)" },
      ],
      passed: 2,
      failed: 0,
      skipped: 1,
    });
  });
});
