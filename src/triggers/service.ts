/**
 * The trigger service: Kestra's scheduler inside the engine, on the main thread, driven by the
 * engine's clock. It keeps a state row per Schedule trigger (src/store `triggers`, recovered at
 * open) and per polling trigger (http.Trigger, ./polling.ts), arms one timer at the earliest due
 * date, fires due schedules and polls (never while the execution it started last still runs),
 * replays missed dates per `recoverMissedSchedules`,
 * starts Flow-trigger executions when another execution ends (through the outbox, ./outbox.ts:
 * records left by a crash or a close are handled when it opens), and answers webhooks.
 *
 * Every change to the rows goes through one queue: an evaluation, an execution's end, a deploy
 * and an API call never interleave. A row naming an execution is committed before the execution's
 * creation is sent to its shard; LMDB makes commits durable in commit order, so the execution is
 * never durable without the row, and a crash in between is found at the next open: the execution
 * does not exist, and the date fires again.
 */
import { TroupeError } from '../errors.js';
import type { ExecutionHeader, ExecutionTrigger, Label } from '../model/execution.js';
import type { Flow } from '../model/flow.js';
import { isTerminated } from '../model/state.js';
import type { FlowRecord, TriggerRecord } from '../store/index.js';
import { allConditions, isScheduleCondition, type ConditionContext, type ConditionExecution } from './conditions.js';
import { FlowListeners } from './flow-listeners.js';
import { isPublicHoliday } from './holidays.js';
import type { TriggeredExecution, TriggerHost } from './host.js';
import { isTruthy } from '../expr/index.js';
import { checkBackfill, definitionOf, freshRow, resetExecution, rowKey, unlockRow } from './rows.js';
import { datesVariables, nextEvaluationDate, previousEvaluationDate, scheduleDates, scheduleOf, trueNeighbour, type FlowTrigger, type ScheduleDates, type ScheduleDef } from './schedule.js';
import { WebhookTriggers, type WebhookRequest, type WebhookResult } from './webhooks.js';
import { HTTP_TRIGGER_TYPE, pollOf, responseVariables, type PollDef } from './polling.js';
import type { ConditionWindow } from './preconditions.js';
import type { ListenerInterest } from './outbox.js';

/** Kestra's Schedule trigger type. */
export const SCHEDULE_TYPE = 'io.kestra.plugin.core.trigger.Schedule';

const SECOND = 1000;

/** One Schedule trigger of a deployed flow, with its state row. */
interface Entry {
  row: TriggerRecord;
  record: FlowRecord;
  flow: Flow;
  trigger: FlowTrigger;
  /** Undefined when the trigger cannot be scheduled (a cron that no longer parses) or polls. */
  def: ScheduleDef | undefined;
  /** A polling trigger's definition (http.Trigger). */
  poll?: PollDef;
}

/** A trigger's state with its definition, as the API lists them. */
export interface TriggerView {
  row: TriggerRecord;
  /** The trigger as declared in the flow (undefined when the flow no longer declares it). */
  trigger: FlowTrigger | undefined;
  /** The zone its dates are written in. */
  zone: string;
}

/** A backfill request (Kestra's `Backfill` in `PUT /triggers`). */
export interface BackfillRequest {
  start: number;
  end?: number;
  inputs?: Record<string, unknown>;
  labels?: Label[];
  paused?: boolean;
}

/** What an evaluation of a due schedule decided. */
type Outcome =
  | { kind: 'none' }
  | { kind: 'failed'; message: string; labels: Label[] }
  | { kind: 'create'; dates: ScheduleDates; variables: Record<string, string>; labels: Label[]; inputs: Record<string, unknown> };

function truncate(ms: number): number {
  return Math.floor(ms / SECOND) * SECOND;
}

function latestFlows(records: FlowRecord[]): FlowRecord[] {
  const latest = new Map<string, FlowRecord>();
  for (const r of records) {
    const key = `${r.namespace}\u0000${r.id}`;
    if ((latest.get(key)?.revision ?? 0) < r.revision) latest.set(key, r);
  }
  return [...latest.values()].filter((r) => !r.deleted);
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Schedules, Flow triggers and webhooks of the deployed flows. */
export class TriggerService {
  readonly #host: TriggerHost;
  readonly #entries = new Map<string, Entry>();
  readonly #byExecution = new Map<string, string>();
  readonly #listeners: FlowListeners;
  readonly #webhooks: WebhookTriggers;
  #queue: Promise<void> = Promise.resolve();
  #cancelTimer: (() => void) | undefined;
  #armedAt: number | undefined;
  #closed = false;
  /** Set when close() starts: no new evaluation, polls aborted then are not counted. */
  #stopping = false;
  /** Executions being created: the engine may report their end before creation resolves. */
  readonly #pending = new Set<Promise<void>>();

  private constructor(host: TriggerHost) {
    this.#host = host;
    this.#listeners = new FlowListeners(host);
    this.#webhooks = new WebhookTriggers(host);
  }

  /** Loads the rows and the deployed flows, recovers missed schedules and locks, arms the timer. */
  static async open(host: TriggerHost): Promise<TriggerService> {
    const service = new TriggerService(host);
    await service.#recover();
    service.replayOutbox();
    service.#arm();
    return service;
  }

  async #recover(): Promise<void> {
    const host = this.#host;
    const now = truncate(host.clock.now());
    const rows = new Map(host.store.listTriggers().map((r) => [rowKey(r.namespace, r.flowId, r.triggerId), r]));
    const put: TriggerRecord[] = [];
    for (const record of latestFlows(host.store.listFlows())) {
      const flow = this.#parse(record);
      if (!flow) continue;
      this.#listeners.flowDeployed(record, flow);
      for (const trigger of this.#rowTriggers(flow)) {
        const key = rowKey(flow.namespace, flow.id, trigger.id);
        const poll = this.#poll(flow, trigger);
        const def = poll ? undefined : this.#def(flow, trigger);
        let row = rows.get(key);
        rows.delete(key);
        if (!row || row.definition !== definitionOf(trigger)) row = freshRow(flow.namespace, flow.id, trigger, now, poll ? host.clock.now() + poll.intervalMs : def && this.#next(def, undefined, now), row);
        else row = this.#recoverRow(row, def, now);
        // A poll in progress when the engine stopped is lost: it is made again when due.
        if (poll && row.evaluateRunningDate !== undefined) {
          const { evaluateRunningDate: _r, ...rest } = row;
          row = rest;
        }
        put.push(row);
        this.#entries.set(key, { row, record, flow, trigger, def, ...(poll ? { poll } : {}) });
        if (row.executionId) this.#byExecution.set(row.executionId, key);
      }
    }
    await host.store.writeTriggers(put, [...rows.values()]);
  }

  /** Recovery at open: a lock whose execution ended or never existed, then recoverMissedSchedules. */
  #recoverRow(row: TriggerRecord, def: ScheduleDef | undefined, now: number): TriggerRecord {
    if (row.executionId) {
      const header = this.#host.header(row.executionId);
      if (!header) {
        // The row was written but the execution never was: fire that date again.
        row = unlockRow(row);
        if (row.date !== undefined) row.nextExecutionDate = row.date;
        return row;
      }
      if (isTerminated(header.state.current)) row = resetExecution(row, header.state.current);
    }
    if (!def) return row;
    if (def.recoverMissedSchedules === 'LAST') {
      const previous = previousEvaluationDate(def, now, this.#datesTest(this.#entryless(row), def), this.#warnFor(row));
      if (row.date === undefined || previous > row.date) return { ...row, nextExecutionDate: previous };
    } else if (def.recoverMissedSchedules === 'NONE') {
      const next = def.cron.next(now) ?? now;
      return { ...row, nextExecutionDate: next };
    }
    return row;
  }

  /** A minimal entry for condition tests during recovery (flow variables only). */
  #entryless(row: TriggerRecord): { namespace: string; flowId: string } {
    return { namespace: row.namespace, flowId: row.flowId };
  }

  #parse(record: FlowRecord): Flow | undefined {
    try {
      return this.#host.flow(record);
    } catch (e) {
      this.#host.warn(`Flow ${record.namespace}.${record.id} revision ${record.revision} cannot be parsed, its triggers are ignored: ${errorMessage(e)}`);
      return undefined;
    }
  }

  /** The triggers of a flow that keep a state row: Schedules and polling triggers. */
  #rowTriggers(flow: Flow): FlowTrigger[] {
    return flow.triggers.filter((t) => {
      const type = this.#host.canonical(t.canonicalType ?? t.type);
      return type === SCHEDULE_TYPE || type === HTTP_TRIGGER_TYPE;
    });
  }

  /** A polling trigger's definition; undefined for other types, or when its interval is invalid (warned). */
  #poll(flow: Flow, trigger: FlowTrigger): PollDef | undefined {
    if (this.#host.canonical(trigger.canonicalType ?? trigger.type) !== HTTP_TRIGGER_TYPE) return undefined;
    try {
      return pollOf(trigger);
    } catch (e) {
      this.#host.warn(`Trigger ${flow.namespace}.${flow.id}.${trigger.id} cannot poll: ${errorMessage(e)}`);
      return undefined;
    }
  }

  #def(flow: Flow, trigger: FlowTrigger): ScheduleDef | undefined {
    try {
      return scheduleOf(trigger, this.#host.zone);
    } catch (e) {
      this.#host.warn(`Schedule ${flow.namespace}.${flow.id}.${trigger.id} cannot be scheduled: ${errorMessage(e)}`);
      return undefined;
    }
  }

  #warnFor(row: { namespace: string; flowId: string; triggerId?: string }): (e: unknown) => void {
    return (e) => this.#host.warn(`Unable to evaluate the conditions for the next evaluation date for trigger '${row.triggerId ?? ''}' of ${row.namespace}.${row.flowId}, conditions will not be evaluated: ${errorMessage(e)}`);
  }

  /** Template variables of a trigger's flow (Kestra's run context of a flow and trigger). */
  #flowVars(flow: { namespace: string; flowId: string }, revision?: number): Record<string, unknown> {
    return { ...this.#host.hostVars(), flow: { id: flow.flowId, namespace: flow.namespace, ...(revision !== undefined ? { revision } : {}) } };
  }

  #conditionContext(vars: Record<string, unknown>, execution?: ConditionExecution): ConditionContext {
    return { vars, render: (t, v) => this.#host.render(t, v), canonical: (t) => this.#host.canonical(t), publicHoliday: isPublicHoliday, ...(execution ? { execution } : {}) };
  }

  /** Tests the schedule conditions of a Schedule against a set of dates. */
  #datesTest(flow: { namespace: string; flowId: string }, def: ScheduleDef, revision?: number): (dates: ScheduleDates) => boolean {
    const conditions = def.conditions.filter((c) => isScheduleCondition(this.#host.canonical(String(c['type'] ?? ''))));
    return (dates) => {
      const variables = datesVariables(def, dates);
      return allConditions(conditions, this.#conditionContext({ ...this.#flowVars(flow, revision), trigger: variables, schedule: variables }));
    };
  }

  #next(def: ScheduleDef, last: { date?: number; backfill?: TriggerRecord['backfill'] } | undefined, now: number, entry?: Entry): number | undefined {
    const flow = entry ? { namespace: entry.flow.namespace, flowId: entry.flow.id } : { namespace: '', flowId: '' };
    return nextEvaluationDate(def, last, now, this.#datesTest(flow, def, entry?.flow.revision), this.#warnFor({ ...flow, triggerId: def.id }));
  }

  /**
   * Runs `op` after every change queued before it; the timer is re-armed after each. A failure is
   * warned about, unless `caller` says the caller gets it (an API operation).
   */
  #enqueue<T>(op: () => Promise<T> | T, caller = false): Promise<T> {
    const run = this.#queue.then(() => (this.#closed ? (undefined as T) : op()));
    this.#queue = run.then(
      () => this.#arm(),
      (e: unknown) => {
        if (!caller) this.#host.warn(`Trigger service: ${errorMessage(e)}`);
        this.#arm();
      },
    );
    return run;
  }

  /** Whether a row may fire now (enabled, unlocked, schedulable, flow and trigger enabled). */
  #eligible(e: Entry): boolean {
    return (!!e.def || (!!e.poll && e.row.evaluateRunningDate === undefined)) && !e.row.disabled && !e.row.executionId && e.row.nextExecutionDate !== undefined && !e.flow.disabled && e.trigger.props['disabled'] !== true && !e.row.backfill?.paused;
  }

  /** Arms one timer at the earliest due date of an eligible row. */
  #arm(): void {
    // Closing: nothing new fires, so close() waits only for what is under way.
    if (this.#closed || this.#stopping) {
      this.#cancelTimer?.();
      this.#cancelTimer = undefined;
      this.#armedAt = undefined;
      return;
    }
    let earliest: number | undefined;
    for (const e of this.#entries.values()) if (this.#eligible(e) && (earliest === undefined || e.row.nextExecutionDate! < earliest)) earliest = e.row.nextExecutionDate!;
    if (earliest === this.#armedAt) return;
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    this.#armedAt = earliest;
    if (earliest === undefined) return;
    if (earliest <= this.#host.clock.now()) {
      // Already due (a missed schedule, a row just unlocked): queued now, so `idle()` sees it.
      this.#armedAt = undefined;
      void this.#enqueue(() => this.#evaluateDue());
      return;
    }
    this.#cancelTimer = this.#host.clock.at(earliest, () => {
      this.#armedAt = undefined;
      this.#cancelTimer = undefined;
      void this.#enqueue(() => this.#evaluateDue());
    });
  }

  /** Evaluates every due row; rows are durable before the executions they name are created. */
  async #evaluateDue(): Promise<void> {
    const exact = this.#host.clock.now();
    const now = truncate(exact);
    // Schedules are due by the second (their dates are whole seconds); polls at their exact date.
    const due = [...this.#entries.values()].filter((e) => this.#eligible(e) && e.row.nextExecutionDate! <= (e.poll ? exact : now)).sort((a, b) => a.row.nextExecutionDate! - b.row.nextExecutionDate!);
    if (!due.length) return;
    const creations: Array<() => Promise<void>> = [];
    const polls: Entry[] = [];
    for (const e of due) {
      if (e.poll) creations.push(...this.#startPoll(e, exact, polls));
      else creations.push(...this.#evaluate(e, now));
    }
    const rows = this.#host.store.writeTriggersStaged(due.map((e) => e.row));
    // Committed is enough to go on: LMDB makes commits durable in commit order, so the executions
    // (committed by their shards after this) are never durable without the rows that name them.
    await rows.committed;
    for (const e of polls) void this.#track(this.#runPoll(e, e.row.evaluateRunningDate!));
    await Promise.all([rows.durable, ...creations.map((c) => c())]);
  }

  /**
   * A due polling trigger: its conditions first (Kestra evaluates them before the poll; one that
   * throws creates a FAILED execution), then the row takes the evaluation lock and the poll is
   * made once the row is durable.
   */
  #startPoll(e: Entry, now: number, polls: Entry[]): Array<() => Promise<void>> {
    const vars = this.#flowVars({ namespace: e.flow.namespace, flowId: e.flow.id }, e.flow.revision);
    const next = now + e.poll!.intervalMs;
    const conditions = Array.isArray(e.trigger.props['conditions']) ? (e.trigger.props['conditions'] as Array<Record<string, unknown>>) : [];
    try {
      if (!allConditions(conditions, this.#conditionContext(vars))) {
        e.row = { ...e.row, date: now, nextExecutionDate: next, updatedDate: now };
        return [];
      }
    } catch (err) {
      e.row = { ...e.row, date: now, nextExecutionDate: next, updatedDate: now };
      return [() => this.#createFailed(e.record, this.#host.newId(), [], `Unable to evaluate the trigger '${e.trigger.id}': ${errorMessage(err)}`)];
    }
    e.row = { ...e.row, evaluateRunningDate: now, updatedDate: now };
    polls.push(e);
    return [];
  }

  /** Makes a poll (outside the queue) and hands its outcome back to the queue. */
  async #runPoll(e: Entry, started: number): Promise<void> {
    const key = rowKey(e.flow.namespace, e.flow.id, e.trigger.id);
    const vars = this.#flowVars({ namespace: e.flow.namespace, flowId: e.flow.id }, e.flow.revision);
    let output: Record<string, unknown> | undefined;
    let failure: string | undefined;
    try {
      output = await this.#host.pollHttp(e.trigger, { namespace: e.flow.namespace, id: e.flow.id }, vars);
    } catch (err) {
      // Aborted by the engine's close: the row keeps its evaluation lock, dropped at the next open.
      if (this.#stopping) return;
      failure = errorMessage(err);
    }
    await this.#enqueue(() => this.#polled(key, started, vars, output, failure));
  }

  /** A poll's outcome: an execution when `responseCondition` holds; the next poll an interval after this one started. */
  async #polled(key: string, started: number, vars: Record<string, unknown>, output: Record<string, unknown> | undefined, failure: string | undefined): Promise<void> {
    const e = this.#entries.get(key);
    // The trigger was edited, removed or unlocked meanwhile: this poll no longer counts.
    if (!e?.poll || e.row.evaluateRunningDate !== started) return;
    const { evaluateRunningDate: _r, ...rest } = e.row;
    let row: TriggerRecord = { ...rest, date: started, nextExecutionDate: started + e.poll.intervalMs, updatedDate: this.#host.clock.now() };
    const name = `${e.flow.namespace}.${e.flow.id}.${e.trigger.id}`;
    let create: TriggeredExecution | undefined;
    if (failure !== undefined) this.#host.warn(`Trigger ${name}: the poll failed: ${failure}`);
    else {
      try {
        if (isTruthy(this.#host.render(e.poll.responseCondition, { ...vars, response: responseVariables(output!) }))) {
          create = { id: this.#host.newId(), inputs: this.#host.typeInputs(e.record, {}), labels: this.#labels(e.trigger, vars), trigger: { id: e.trigger.id, type: e.trigger.type, variables: output! } };
        }
      } catch (err) {
        this.#host.warn(`Trigger ${name}: ${errorMessage(err)}`);
      }
    }
    if (create) {
      row = { ...row, executionId: create.id };
      this.#byExecution.set(create.id, key);
    }
    e.row = row;
    const written = this.#host.store.writeTriggersStaged([row]);
    if (create) {
      await written.committed; // durable in commit order: never after the execution
      const id = create.id;
      void this.#track(
        this.#host.create(e.record, create).catch((err: unknown) => {
          this.#host.warn(`Trigger ${name} could not create its execution: ${errorMessage(err)}`);
          void this.#enqueue(() => this.#released(id, undefined));
        }),
      );
    }
    await written.durable;
  }

  /** One due Schedule (Kestra's scheduler loop body): updates the row, returns the creations. */
  #evaluate(e: Entry, now: number): Array<() => Promise<void>> {
    const def = e.def!;
    const due = e.row.nextExecutionDate!;
    const { record, flow, trigger } = e;
    const key = rowKey(flow.namespace, flow.id, trigger.id);
    const vars = this.#flowVars({ namespace: flow.namespace, flowId: flow.id }, flow.revision);
    let valid: boolean;
    try {
      const dueVar = datesVariables(def, { date: due });
      valid = allConditions(def.conditions, this.#conditionContext({ ...vars, trigger: { date: dueVar['date'] } }));
    } catch (err) {
      // A condition that throws: a FAILED execution, so the trigger is not evaluated every second.
      const id = this.#host.newId();
      e.row = { ...resetExecution({ ...e.row, date: due }, 'FAILED', def.cron.next(now) ?? now), updatedDate: now };
      const message = `Unable to evaluate the trigger '${trigger.id}': ${errorMessage(err)}`;
      return [() => this.#createFailed(record, id, [], message)];
    }
    if (!valid) {
      e.row = checkBackfill({ ...e.row, date: due, nextExecutionDate: this.#next(def, { date: due, ...(e.row.backfill ? { backfill: e.row.backfill } : {}) }, now, e) as number });
      return [];
    }
    const outcome = this.#scheduleEvaluate(e, def, due, now, vars);
    const last = { date: due, ...(e.row.backfill ? { backfill: e.row.backfill } : {}) };
    const next = this.#next(def, last, now, e);
    const { executionId: _x, ...base } = e.row;
    let row: TriggerRecord = { ...base, date: due, updatedDate: now };
    if (next !== undefined) row.nextExecutionDate = next;
    else delete row.nextExecutionDate;
    row = checkBackfill(row);
    if (outcome.kind === 'none') {
      e.row = row;
      return [];
    }
    const id = this.#host.newId();
    if (outcome.kind === 'failed') {
      e.row = resetExecution(row, 'FAILED');
      return [() => this.#createFailed(record, id, outcome.labels, outcome.message)];
    }
    e.row = { ...row, executionId: id };
    this.#byExecution.set(id, key);
    const executionTrigger: ExecutionTrigger = { id: trigger.id, type: trigger.type, variables: outcome.variables };
    return [
      () =>
        this.#track(
          this.#host.create(record, { id, inputs: outcome.inputs, labels: outcome.labels, trigger: executionTrigger, variables: { schedule: outcome.variables } }).catch((err: unknown) => {
            this.#host.warn(`Schedule ${flow.namespace}.${flow.id}.${trigger.id} could not create its execution: ${errorMessage(err)}`);
            void this.#enqueue(() => this.#released(id, undefined));
          }),
        ),
    ];
  }

  #track(p: Promise<void>): Promise<void> {
    this.#pending.add(p);
    return p.finally(() => this.#pending.delete(p));
  }

  #createFailed(record: FlowRecord, id: string, labels: Label[], message: string): Promise<void> {
    return this.#track(this.#host.createFailed(record, { id, labels, message }).catch((err: unknown) => this.#host.warn(`Could not store the FAILED execution of ${record.namespace}.${record.id}: ${errorMessage(err)}`)));
  }

  /** Kestra's `Schedule.evaluate` for the due date (or the backfill's current date). */
  #scheduleEvaluate(e: Entry, def: ScheduleDef, due: number, now: number, vars: Record<string, unknown>): Outcome {
    const backfill = e.row.backfill;
    let current = due;
    if (backfill) {
      if (backfill.paused) return { kind: 'none' };
      current = backfill.currentDate;
    }
    let dates = scheduleDates(def, current);
    if (!dates) return { kind: 'none' };
    if (backfill && current < dates.date) return { kind: 'none' };
    // A date in the future never fires (Kestra: "should never happen").
    if (dates.date > now + SECOND) return { kind: 'none' };
    const flowRef = { namespace: e.flow.namespace, flowId: e.flow.id };
    let labels: Label[];
    try {
      labels = this.#labels(e.trigger, { ...vars, trigger: datesVariables(def, dates) }, backfill?.labels);
    } catch (err) {
      this.#host.warn(`Schedule ${flowRef.namespace}.${flowRef.flowId}.${e.trigger.id}: ${errorMessage(err)}`);
      return { kind: 'none' };
    }
    if (def.conditions.length) {
      try {
        if (!this.#datesTest(flowRef, def, e.flow.revision)(dates)) return { kind: 'none' };
      } catch (err) {
        return { kind: 'failed', labels, message: `Unable to evaluate the Schedule trigger '${e.trigger.id}': ${errorMessage(err)}` };
      }
      try {
        const test = this.#datesTest(flowRef, def, e.flow.revision);
        const next = trueNeighbour(def, dates.date, true, now, test);
        const previous = trueNeighbour(def, dates.date, false, now, test);
        dates = { date: dates.date, ...(next !== undefined ? { next } : {}), ...(previous !== undefined ? { previous } : {}) };
      } catch (err) {
        this.#host.warn(`Schedule ${flowRef.namespace}.${flowRef.flowId}.${e.trigger.id}: ${errorMessage(err)}`);
        return { kind: 'none' };
      }
    }
    const variables = datesVariables(def, dates);
    const renderVars = { ...vars, trigger: variables, schedule: variables };
    try {
      const raw: Record<string, unknown> = {};
      if (e.trigger.props['inputs'] && typeof e.trigger.props['inputs'] === 'object') Object.assign(raw, this.#host.renderObject(e.trigger.props['inputs'], renderVars));
      if (backfill?.inputs) Object.assign(raw, this.#host.renderObject(backfill.inputs, renderVars));
      const inputs = this.#host.typeInputs(e.record, raw);
      return { kind: 'create', dates, variables, labels, inputs };
    } catch (err) {
      this.#host.warn(`Schedule ${flowRef.namespace}.${flowRef.flowId}.${e.trigger.id} at ${variables['date']}: ${errorMessage(err)}`);
      return { kind: 'none' };
    }
  }

  /** A trigger's labels rendered (a map or a list of {key, value}; `{{ null }}` renders as ""), then a backfill's. */
  #labels(trigger: FlowTrigger, vars: Record<string, unknown>, extra?: Label[]): Label[] {
    const raw = trigger.props['labels'];
    const pairs: Array<[string, unknown]> = Array.isArray(raw) ? (raw as Label[]).map((l) => [String(l.key), l.value]) : raw && typeof raw === 'object' ? Object.entries(raw) : [];
    const out: Label[] = pairs.map(([key, value]) => ({ key, value: value === null || value === undefined ? '' : this.#host.render(String(value), vars) }));
    for (const l of extra ?? []) out.push({ key: l.key, value: this.#host.render(String(l.value), vars) });
    return out;
  }

  /** An execution a Schedule started has ended (or could not be created): the row is unlocked. */
  async #released(executionId: string, state: string | undefined): Promise<void> {
    const key = this.#byExecution.get(executionId);
    if (!key) return;
    this.#byExecution.delete(executionId);
    const e = this.#entries.get(key);
    if (!e || e.row.executionId !== executionId) return;
    e.row = state ? resetExecution(e.row, state) : unlockRow(e.row);
    await this.#host.store.writeTriggers([e.row]);
  }

  /**
   * What the engine's shards reported durable: ended executions (their headers) and the outbox
   * records their commits wrote (by execution id and seq). Unlocks the schedules they belong to
   * and fires Flow triggers. Once closed, records stay in the store for the next open.
   */
  drained(ended: ExecutionHeader[], outbox: ReadonlyArray<readonly [executionId: string, seq: number]> = []): void {
    if (this.#closed) return;
    for (const header of ended) if (this.#byExecution.has(header.id)) void this.#enqueue(() => this.#released(header.id, header.state.current));
    if (outbox.length) this.#listeners.reported(outbox, (p) => void this.#track(p));
  }

  /** Handles every outbox record left in the store (at open; after a shard restart). */
  replayOutbox(): void {
    if (!this.#closed) this.#listeners.replay((p) => void this.#track(p));
  }

  /** What the shards must record for the Flow triggers deployed now (src/triggers/outbox.ts). */
  listenerInterest(): ListenerInterest {
    return this.#listeners.interest();
  }

  /**
   * A flow was deployed (a new revision) or deleted: its Schedule rows are created, reset when
   * the trigger's definition changed, removed with the trigger; Flow triggers and webhooks follow.
   */
  flowChanged(record: FlowRecord): Promise<void> {
    return this.#enqueue(async () => {
      const now = truncate(this.#host.clock.now());
      const flow = record.deleted ? undefined : this.#parse(record);
      if (flow) this.#listeners.flowDeployed(record, flow);
      else this.#listeners.flowDeleted(record.namespace, record.id);
      const keep = new Set<string>();
      const put: TriggerRecord[] = [];
      for (const trigger of flow ? this.#rowTriggers(flow) : []) {
        const key = rowKey(flow!.namespace, flow!.id, trigger.id);
        keep.add(key);
        const poll = this.#poll(flow!, trigger);
        const def = poll ? undefined : this.#def(flow!, trigger);
        const old = this.#entries.get(key);
        let row = old?.row;
        if (!row || row.definition !== definitionOf(trigger)) {
          if (row?.executionId) this.#byExecution.delete(row.executionId);
          row = freshRow(flow!.namespace, flow!.id, trigger, now, undefined, row);
          const next = poll ? this.#host.clock.now() + poll.intervalMs : def && this.#next(def, undefined, now);
          if (next !== undefined) row.nextExecutionDate = next;
          put.push(row);
        }
        this.#entries.set(key, { row, record, flow: flow!, trigger, def, ...(poll ? { poll } : {}) });
      }
      const remove: TriggerRecord[] = [];
      for (const [key, e] of this.#entries) {
        if (e.row.namespace !== record.namespace || e.row.flowId !== record.id || keep.has(key)) continue;
        this.#entries.delete(key);
        if (e.row.executionId) this.#byExecution.delete(e.row.executionId);
        remove.push(e.row);
      }
      await this.#host.store.writeTriggers(put, remove);
    });
  }

  /** Answers a webhook call (see {@link WebhookTriggers.call}). */
  webhook(namespace: string, flowId: string, key: string, request: WebhookRequest): Promise<WebhookResult> {
    if (this.#closed) return Promise.reject(new TroupeError('TROUPE_ENGINE_CLOSED', 'The engine is closed'));
    return this.#webhooks.call(namespace, flowId, key, request, (p) => this.#track(p));
  }

  /** The windows of Flow triggers' multiple conditions (what was met so far in each). */
  conditionWindows(): ConditionWindow[] {
    return this.#listeners.windows();
  }

  /** Every Schedule row, with its trigger, in namespace, flow and trigger order. */
  list(): TriggerView[] {
    return [...this.#entries.values()]
      .map((e) => ({ row: e.row, trigger: e.trigger, zone: e.def?.zone ?? this.#host.zone }))
      .sort((a, b) => a.row.namespace.localeCompare(b.row.namespace) || a.row.flowId.localeCompare(b.row.flowId) || a.row.triggerId.localeCompare(b.row.triggerId));
  }

  #entry(namespace: string, flowId: string, triggerId: string): Entry {
    const e = this.#entries.get(rowKey(namespace, flowId, triggerId));
    if (e) return e;
    const record = this.#host.store.getFlow(namespace, flowId);
    if (!record || record.deleted) throw new TroupeError('TROUPE_FLOW_NOT_FOUND', `Flow of trigger ${triggerId} not found`, { namespace, flowId, triggerId });
    // Declared but without a state row (a Flow or Webhook trigger): still a 404, as Kestra's (its lock finds no row).
    const declared = this.#parse(record)?.triggers.find((t) => t.id === triggerId);
    if (declared) throw new TroupeError('TROUPE_TRIGGER_NOT_FOUND', `Trigger ${triggerId} of flow ${flowId} has no state: a ${declared.type} trigger is enabled or disabled in the flow's source`, { namespace, flowId, triggerId });
    throw new TroupeError('TROUPE_TRIGGER_NOT_FOUND', `Flow ${flowId} has no trigger ${triggerId}`, { namespace, flowId, triggerId });
  }

  #view(e: Entry): TriggerView {
    return { row: e.row, trigger: e.trigger, zone: e.def?.zone ?? this.#host.zone };
  }

  /** One trigger's state row with its definition; undefined when it has none. */
  find(namespace: string, flowId: string, triggerId: string): TriggerView | undefined {
    const e = this.#entries.get(rowKey(namespace, flowId, triggerId));
    return e && this.#view(e);
  }

  /**
   * One trigger's state row with its definition.
   * @throws TroupeError TROUPE_FLOW_NOT_FOUND (`Flow of trigger T not found`), TROUPE_TRIGGER_NOT_FOUND (`Flow F has no trigger T`)
   */
  view(namespace: string, flowId: string, triggerId: string): TriggerView {
    return this.#view(this.#entry(namespace, flowId, triggerId));
  }

  /**
   * Enables or disables a Schedule. Enabling applies its recoverMissedSchedules (Kestra's
   * `PUT /triggers`): LAST fires the latest missed date, NONE waits for the next one, ALL replays
   * every date since the last one.
   */
  setDisabled(namespace: string, flowId: string, triggerId: string, disabled: boolean, options: { recover?: boolean } = {}): Promise<TriggerView> {
    return this.#enqueue(async () => {
      const e = this.#entry(namespace, flowId, triggerId);
      const now = truncate(this.#host.clock.now());
      let row: TriggerRecord = { ...e.row, disabled };
      if (disabled && options.recover) delete row.nextExecutionDate;
      else if (!disabled && e.row.disabled && options.recover && e.def) {
        const def = e.def;
        const next =
          def.recoverMissedSchedules === 'LAST'
            ? previousEvaluationDate(def, now, this.#datesTest({ namespace, flowId }, def), this.#warnFor(row))
            : def.recoverMissedSchedules === 'NONE'
              ? def.cron.next(now)
              : this.#next(def, { ...(row.date !== undefined ? { date: row.date } : {}) }, now, e);
        if (next !== undefined) row.nextExecutionDate = next;
      } else if (!disabled && row.nextExecutionDate === undefined && e.poll) {
        row = { ...row, nextExecutionDate: this.#host.clock.now() + e.poll.intervalMs };
      } else if (!disabled && row.nextExecutionDate === undefined && e.def) {
        const next = this.#next(e.def, { ...(row.date !== undefined ? { date: row.date } : {}) }, now, e);
        if (next !== undefined) row = { ...row, nextExecutionDate: next };
      }
      e.row = row;
      await this.#host.store.writeTriggers([row]);
      return this.#view(e);
    }, true);
  }

  /**
   * Drops a Schedule's execution lock (the execution it started is forgotten; the trigger fires
   * again at its next date).
   * @throws TroupeError TROUPE_ILLEGAL_STATE when it is not locked
   */
  unlock(namespace: string, flowId: string, triggerId: string): Promise<TriggerView> {
    return this.#enqueue(async () => {
      const e = this.#entry(namespace, flowId, triggerId);
      if (!e.row.executionId && e.row.evaluateRunningDate === undefined) throw new TroupeError('TROUPE_ILLEGAL_STATE', 'Trigger is not locked', { namespace, flowId, triggerId });
      if (e.row.executionId) this.#byExecution.delete(e.row.executionId);
      e.row = unlockRow(e.row);
      await this.#host.store.writeTriggers([e.row]);
      return this.#view(e);
    }, true);
  }

  /**
   * Starts a backfill: every cron date from `start` to `end` (default now) fires, one execution
   * at a time, with the backfill's inputs and labels; then the schedule resumes where it was.
   */
  backfill(namespace: string, flowId: string, triggerId: string, request: BackfillRequest): Promise<TriggerView> {
    return this.#enqueue(async () => {
      const e = this.#entry(namespace, flowId, triggerId);
      if (!e.def) throw new TroupeError('TROUPE_ILLEGAL_STATE', `Trigger ${triggerId} cannot be scheduled`, { namespace, flowId, triggerId });
      const now = truncate(this.#host.clock.now());
      const backfill: NonNullable<TriggerRecord['backfill']> = { start: request.start, end: request.end ?? now, currentDate: request.start, paused: request.paused ?? false };
      if (request.inputs) backfill.inputs = request.inputs;
      if (request.labels) backfill.labels = request.labels;
      if (e.row.nextExecutionDate !== undefined) backfill.previousNextExecutionDate = e.row.nextExecutionDate;
      const row: TriggerRecord = { ...e.row, backfill };
      const next = this.#next(e.def, { backfill }, now, e);
      if (next !== undefined) row.nextExecutionDate = next;
      e.row = row;
      await this.#host.store.writeTriggers([row]);
      return this.#view(e);
    }, true);
  }

  /**
   * Pauses or resumes a backfill in progress.
   * @throws TroupeError TROUPE_ILLEGAL_STATE (`No backfill found`)
   */
  setBackfillPaused(namespace: string, flowId: string, triggerId: string, paused: boolean): Promise<TriggerView> {
    return this.#enqueue(async () => {
      const e = this.#entry(namespace, flowId, triggerId);
      if (!e.row.backfill) throw new TroupeError('TROUPE_ILLEGAL_STATE', 'No backfill found', { namespace, flowId, triggerId });
      e.row = { ...e.row, backfill: { ...e.row.backfill, paused } };
      await this.#host.store.writeTriggers([e.row]);
      return this.#view(e);
    }, true);
  }

  /**
   * Drops a backfill (Kestra's `/triggers/backfill/delete`): the schedule goes back to the next
   * date it had before the backfill started. An execution the backfill started runs on.
   * @throws TroupeError TROUPE_ILLEGAL_STATE (`No backfill found`)
   */
  deleteBackfill(namespace: string, flowId: string, triggerId: string): Promise<TriggerView> {
    return this.#enqueue(async () => {
      const e = this.#entry(namespace, flowId, triggerId);
      const backfill = e.row.backfill;
      if (!backfill) throw new TroupeError('TROUPE_ILLEGAL_STATE', 'No backfill found', { namespace, flowId, triggerId });
      const { backfill: _b, nextExecutionDate: _n, ...rest } = e.row;
      let row: TriggerRecord = rest;
      if (backfill.previousNextExecutionDate !== undefined) row = { ...rest, nextExecutionDate: backfill.previousNextExecutionDate };
      else if (e.def && !rest.disabled) {
        const next = this.#next(e.def, { ...(rest.date !== undefined ? { date: rest.date } : {}) }, truncate(this.#host.clock.now()), e);
        if (next !== undefined) row = { ...rest, nextExecutionDate: next };
      }
      e.row = row;
      await this.#host.store.writeTriggers([e.row]);
      return this.#view(e);
    }, true);
  }

  /** Kestra's trigger restart: the row forgets its last date and evaluation lock. */
  restart(namespace: string, flowId: string, triggerId: string): Promise<TriggerView> {
    return this.#enqueue(async () => {
      const e = this.#entry(namespace, flowId, triggerId);
      const { date: _d, evaluateRunningDate: _r, ...rest } = e.row;
      e.row = rest;
      await this.#host.store.writeTriggers([e.row]);
      return this.#view(e);
    }, true);
  }

  /** Waits for queued changes and the executions being created. */
  async idle(): Promise<void> {
    for (let i = 0; i < 100; i++) {
      const queue = this.#queue;
      await queue;
      await Promise.all([...this.#pending]);
      if (queue === this.#queue && this.#pending.size === 0) return;
    }
  }

  /** Stops the timer; queued changes finish first. */
  async close(): Promise<void> {
    this.#stopping = true;
    await this.idle();
    this.#closed = true;
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
  }
}
