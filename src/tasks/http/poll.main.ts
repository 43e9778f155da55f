/**
 * One poll of io.kestra.plugin.core.http.Trigger, on the main thread (the trigger service's): the
 * Request task's exchange with `allowFailed` (the trigger's `responseCondition` judges the status),
 * its outputs `{uri, code, headers, body}` returned as they are. The trigger has no execution, so
 * nothing of internal storage, the KV store or child processes is reachable from it.
 */
import { TroupeError } from '../../errors.js';
import type { Task } from '../../model/flow.js';
import type { KvStore } from '../../kv/types.js';
import type { TaskFiles } from '../../storage/index.js';
import type { RunnableContext } from '../run-spec.js';
import { requestTask } from './request.pool.js';

/** What a poll needs of its host: rendering in the trigger's context, a log, cancellation, the clock. */
export interface PollContext {
  flow: { namespace: string; id: string };
  render(template: string): string;
  renderObject(value: unknown): unknown;
  log(level: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR', message: string): void;
  nowMs(): number;
  signal: AbortSignal;
}

function unavailable(what: string): never {
  throw new TroupeError('TROUPE_STORAGE_ACCESS', `An http.Trigger has no execution: ${what} is not available to it`);
}

/** Sends the trigger's request; resolves with the Request outputs whatever the status. */
export async function pollHttp(trigger: { id: string; type: string; props: Record<string, unknown> }, ctx: PollContext): Promise<Record<string, unknown>> {
  const task: Task = { id: trigger.id, type: trigger.type, canonicalType: trigger.type, kind: 'runnable', disabled: false, allowFailure: false, allowWarning: false, props: { ...trigger.props, allowFailed: true } };
  const files = new Proxy({}, { get: () => unavailable('internal storage') }) as TaskFiles;
  const runnable: RunnableContext = {
    flow: ctx.flow,
    render: (t) => ctx.render(t),
    renderObject: (v) => ctx.renderObject(v),
    renderTyped: (t) => ctx.render(t),
    kv: (): KvStore => unavailable('the KV store'),
    log: (level, message) => ctx.log(level === 'TRACE' ? 'DEBUG' : level, message),
    metric: () => undefined,
    nowMs: () => ctx.nowMs(),
    signal: ctx.signal,
    workDir: '',
    files,
    runChild: () => unavailable('a child process'),
  };
  const outcome = await requestTask.run(task, runnable);
  return outcome.outputs ?? {};
}
