/**
 * Runnable tasks the actor runs itself, without a thread hop: execution.Labels (it changes the
 * execution) and flow.Sleep (an actor timer, so a sleeping task holds no thread).
 */
import { renderObject, renderString } from '../expr/index.js';
import { formatHms, parseDuration } from '../model/duration.js';
import type { Label } from '../model/execution.js';
import { createState, transition, type StateType } from '../model/state.js';
import { log, type StepContext } from './context.js';
import { endAttempt } from './attempt-end.js';
import type { RunEntry } from './state.js';
import { runVars } from './run-vars.js';

const LABELS = 'io.kestra.plugin.core.execution.Labels';
const SLEEP = 'io.kestra.plugin.core.flow.Sleep';

/** Whether the actor runs this task type itself. */
export function runsInActor(canonicalType: string): boolean {
  return canonicalType === LABELS || canonicalType === SLEEP;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Ends the current attempt of an in-actor task; the run follows (retry, conversions). */
function finishInActor(ctx: StepContext, entry: RunEntry, raw: StateType): void {
  const attempts = entry.run.attempts ?? [];
  const attempt = attempts[attempts.length - 1];
  if (attempt) transition(attempt.state, raw, ctx.date);
  endAttempt(ctx, entry, raw, attempts.length - 1);
}

function startAttempt(ctx: StepContext, entry: RunEntry): void {
  const state = createState(ctx.date);
  transition(state, 'RUNNING', ctx.date);
  entry.run.attempts = [...(entry.run.attempts ?? []), { state }];
}

function readLabels(raw: unknown, vars: Record<string, unknown>): Label[] {
  if (typeof raw === 'string') {
    const parsed = JSON.parse(renderString(raw, vars)) as unknown;
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('labels must render to a JSON object');
    return Object.entries(parsed).map(([key, value]) => ({ key, value: String(value) }));
  }
  if (Array.isArray(raw)) return (renderObject(raw, vars) as Array<{ key: unknown; value: unknown }>).map((l) => ({ key: String(l.key), value: String(l.value) }));
  if (raw && typeof raw === 'object') return Object.entries(renderObject(raw, vars) as Record<string, unknown>).map(([key, value]) => ({ key, value: String(value) }));
  throw new Error('labels must be a map, a list of {key, value} or a JSON string');
}

function runLabels(ctx: StepContext, entry: RunEntry): void {
  startAttempt(ctx, entry);
  try {
    const labels = readLabels(entry.task.props.labels, runVars(ctx.state, entry, ctx.env));
    const bad = labels.find((l) => l.key.startsWith('system.'));
    if (bad) throw new Error(`System labels can only be set by Kestra itself, offending label: ${bad.key}=${bad.value}`);
    const current = ctx.state.header.labels;
    for (const l of labels) {
      const i = current.findIndex((c) => c.key === l.key);
      if (i >= 0) current[i] = l;
      else current.push(l);
    }
    ctx.headerChanged = true;
    finishInActor(ctx, entry, 'SUCCESS');
  } catch (e) {
    log(ctx, 'ERROR', messageOf(e), entry);
    finishInActor(ctx, entry, 'FAILED');
  }
}

function runSleep(ctx: StepContext, entry: RunEntry): void {
  startAttempt(ctx, entry);
  try {
    const duration = String(entry.task.props.duration ?? '');
    const ms = parseDuration(duration);
    const timeoutMs = entry.task.timeout !== undefined ? parseDuration(renderString(entry.task.timeout, runVars(ctx.state, entry, ctx.env))) : Infinity;
    log(ctx, 'INFO', `Waiting for ${duration}`, entry);
    const timedOut = timeoutMs < ms;
    const timerId = `sleep:${entry.run.id}:${entry.run.attempts!.length}`;
    const atMs = ctx.env.nowMs + (timedOut ? timeoutMs : ms);
    ctx.state.timers.set(timerId, { kind: timedOut ? 'sleep-timeout' : 'sleep', taskRunId: entry.run.id, atMs, ...(timedOut ? { timeoutMs } : {}) });
    ctx.effects.push({ type: 'timer.start', timerId, atMs });
  } catch (e) {
    log(ctx, 'ERROR', messageOf(e), entry);
    finishInActor(ctx, entry, 'FAILED');
  }
}

/** Runs an in-actor task that was just moved to RUNNING. */
export function runInActor(ctx: StepContext, entry: RunEntry): void {
  if (entry.task.canonicalType === LABELS) runLabels(ctx, entry);
  else runSleep(ctx, entry);
}

/** A Sleep timer fired: the sleep ended, or its timeout did. */
export function sleepFired(ctx: StepContext, entry: RunEntry, timeoutMs: number | undefined): void {
  if (timeoutMs === undefined) {
    finishInActor(ctx, entry, 'SUCCESS');
    return;
  }
  log(ctx, 'ERROR', `Timeout after ${formatHms(timeoutMs)}`, entry);
  finishInActor(ctx, entry, 'FAILED');
}
