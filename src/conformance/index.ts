/**
 * @module conformance
 * The conformance runner: Kestra's own test flows and what Kestra's tests expect of them
 * (a corpus directory with expectations.yaml and flows/), run on a real Engine and reported case
 * by case. Used by `troupe conformance` and by test/conformance. Imports the runtime's Engine and
 * the model; nothing below it imports this folder.
 */
export { parseExpectations, loadExpectations } from './expectations.js';
export { matchValue, matchFields, isMatcher } from './matchers.js';
export { runConformance, selectCases } from './runner.js';
export type { ConformanceReport, CaseResult } from './runner.js';
export { formatReport, formatCaseLine, formatSummary, reportToJson, findRegressions } from './report.js';
