/**
 * A flow's SLA (Kestra's `sla:`, beta): MAX_DURATION (a deadline from the execution's start) or
 * EXECUTION_ASSERTION (a template evaluated at each change of a running execution), with what a
 * violation does (FAIL, CANCEL or NONE) and the labels it adds. Parsed by src/flow/sla.ts, applied
 * by src/executor/sla.ts.
 */
import type { Label } from './execution.js';

/** What a violation does to the execution. */
export type SlaBehavior = 'FAIL' | 'CANCEL' | 'NONE';

interface SlaBase {
  id: string;
  behavior: SlaBehavior;
  /** Added to the execution on a violation (unless it has them all already). */
  labels: Label[];
}

/** Violated when the execution still runs `duration` after its start. */
export interface MaxDurationSla extends SlaBase {
  type: 'MAX_DURATION';
  /** As written (`PT0.5S`), for the violation's reason. */
  duration: string;
  durationMs: number;
}

/** Violated when `assert` renders falsy while the execution runs. */
export interface ExecutionAssertionSla extends SlaBase {
  type: 'EXECUTION_ASSERTION';
  assert: string;
}

/** One SLA of a flow. */
export type Sla = MaxDurationSla | ExecutionAssertionSla;
