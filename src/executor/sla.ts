/**
 * A flow's SLAs (Kestra's `sla:`, beta), enforced by the execution's actor. MAX_DURATION is an
 * actor timer armed when the execution starts, at its start date plus the duration (Kestra's
 * SLA monitor), rebuilt from the header when the actor is restored, so a deadline that passed
 * while the engine was down fires at recovery; EXECUTION_ASSERTION is rendered before each
 * message a running execution takes (Kestra evaluates it on each execution change). A violation
 * logs `SLA '<id>' violated: <reason>` (WARN); FAIL and CANCEL end the execution in that state
 * (the last open run takes it, the other open runs are killed, attempts in flight cancelled);
 * the SLA's labels are added unless the execution has them all. Only the first assertion violated
 * in a step acts (Kestra's "only the first violation"). Time comes in the step env: this stays pure.
 */
import { isTruthy, renderString } from '../expr/index.js';
import type { Sla } from '../model/sla.js';
import { formatIsoDuration, isTerminated } from '../model/state.js';
import { killOpenRuns, log, setExecutionState, type StepContext } from './context.js';
import { flowVars } from './run-vars.js';
import type { ActorTimer, ExecutionState } from './state.js';

/** The actor timer of a MAX_DURATION SLA. */
export function slaTimerId(slaId: string): string {
  return `sla:${slaId}`;
}

/** A violated SLA and why. */
interface Violation {
  sla: Sla;
  reason: string;
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function startMs(state: ExecutionState): number {
  return Date.parse(state.header.state.histories[0]!.date);
}

/** The MAX_DURATION SLAs of the flow, one per id (Kestra keys its monitor by execution and SLA id: the last one declared wins). */
function deadlines(state: ExecutionState): Map<string, Extract<Sla, { type: 'MAX_DURATION' }>> {
  const out = new Map<string, Extract<Sla, { type: 'MAX_DURATION' }>>();
  for (const sla of state.flow.sla ?? []) if (sla.type === 'MAX_DURATION') out.set(sla.id, sla);
  return out;
}

function deadlineTimer(state: ExecutionState, sla: { id: string; durationMs: number }): ActorTimer {
  return { kind: 'sla', taskRunId: '', atMs: startMs(state) + sla.durationMs, name: sla.id };
}

/** The execution starts (or is queued): a timer per MAX_DURATION SLA, at its start date plus the duration. */
export function armSlaDeadlines(ctx: StepContext): void {
  for (const sla of deadlines(ctx.state).values()) {
    const timer = deadlineTimer(ctx.state, sla);
    const timerId = slaTimerId(sla.id);
    ctx.state.timers.set(timerId, timer);
    ctx.effects.push({ type: 'timer.start', timerId, atMs: timer.atMs });
  }
}

/**
 * The timers of a restored execution's deadlines not processed yet. None once it ended, while it
 * is CREATED (its start arms them) or after a restart (Kestra creates monitors for new executions only).
 */
export function restoreSlaDeadlines(state: ExecutionState): void {
  const { header } = state;
  if (!state.flow.sla || isTerminated(header.state.current) || header.state.current === 'CREATED') return;
  if (header.state.histories.some((h) => h.state === 'RESTARTED')) return;
  const done = new Set(header.slaDone ?? []);
  for (const sla of deadlines(state).values()) if (!done.has(sla.id)) state.timers.set(slaTimerId(sla.id), deadlineTimer(state, sla));
}

/** A MAX_DURATION deadline passed (the timer fired, `nowMs` at or after it). */
export function slaDeadlineReached(ctx: StepContext, timer: ActorTimer): void {
  const { header } = ctx.state;
  if (isTerminated(header.state.current)) return;
  const sla = deadlines(ctx.state).get(timer.name ?? '');
  if (!sla) return;
  header.slaDone = [...(header.slaDone ?? []), sla.id];
  ctx.headerChanged = true;
  const elapsed = Math.max(0, ctx.env.nowMs - startMs(ctx.state));
  violated(ctx, { sla, reason: `execution duration of ${formatIsoDuration(elapsed)} exceed the maximum duration of ${sla.duration}.` });
}

/** Renders every EXECUTION_ASSERTION of a running execution; the first one violated acts. */
export function checkSlaAssertions(ctx: StepContext): void {
  const { state } = ctx;
  if (!state.flow.sla || isTerminated(state.header.state.current)) return;
  let first: Violation | undefined;
  let vars: Record<string, unknown> | undefined;
  for (const sla of state.flow.sla) {
    if (sla.type !== 'EXECUTION_ASSERTION') continue;
    let result: string;
    try {
      result = renderString(sla.assert, (vars ??= flowVars(state, ctx.env)), ctx.env.render);
    } catch (e) {
      log(ctx, 'ERROR', `Ignoring SLA '${sla.id}' because of the error: ${errorMessage(e)}`);
      continue;
    }
    if (isTruthy(result)) continue;
    const violation = { sla, reason: `assertion is false: ${sla.assert}.` };
    log(ctx, 'WARN', `SLA '${sla.id}' violated: ${violation.reason}`);
    first ??= violation;
  }
  if (first) apply(ctx, first);
}

function violated(ctx: StepContext, v: Violation): void {
  log(ctx, 'WARN', `SLA '${v.sla.id}' violated: ${v.reason}`);
  apply(ctx, v);
}

/** Kestra's `processViolation`: FAIL or CANCEL ends the execution; the labels are added. */
function apply(ctx: StepContext, v: Violation): void {
  if (v.sla.behavior === 'FAIL') {
    log(ctx, 'ERROR', `Execution failed due to SLA '${v.sla.id}' violated: ${v.reason}`);
    end(ctx, 'FAILED');
  } else if (v.sla.behavior === 'CANCEL') end(ctx, 'CANCELLED');
  const labels = ctx.state.header.labels;
  if (v.sla.labels.length && !v.sla.labels.every((l) => labels.some((x) => x.key === l.key && x.value === l.value))) {
    ctx.state.header.labels = [...labels, ...v.sla.labels];
    ctx.headerChanged = true;
  }
}

/**
 * Kestra's `markAs` and kill: the last open run takes the state, the other open runs end KILLED
 * (an open working directory is removed), attempts in flight are cancelled, timers dropped; then
 * the execution takes the state.
 */
function end(ctx: StepContext, final: 'FAILED' | 'CANCELLED'): void {
  const { state } = ctx;
  killOpenRuns(ctx, final);
  state.inFlight.clear();
  state.paused.clear();
  state.waitingSubflows.clear();
  ctx.dirty.clear();
  setExecutionState(ctx, final);
}
