/**
 * `troupe triggers list|show|enable|disable|unlock|restart|backfill`: the state of the deployed
 * flows' Schedule (and polling) triggers, through the data dir's daemon when one runs, else on an
 * engine opened here — the same operations as the API's `/triggers` routes. Opened here, a
 * change is stored and acts while an engine holds the data dir (this command's own, briefly, then
 * the next `troupe server` or `troupe recover`).
 */
import { TroupeError } from '../errors.js';
import type { Label } from '../model/execution.js';
import type { TriggerBackfill, TroupeApi } from '../troupe-api.js';
import type { TriggerJson } from '../triggers/json.js';
import { parseInputs } from './args.js';
import { withTroupe, type DataOptions } from './open-troupe.js';

type Print = (s: string) => void;

/** The short name of a trigger type (`io.kestra.plugin.core.trigger.Schedule` → `Schedule`). */
function shortType(type: unknown): string {
  if (typeof type !== 'string') return '?';
  const parts = type.split('.');
  const last = parts.pop() ?? type;
  return last === 'Trigger' && parts.length ? `${parts.pop()!}.Trigger` : last;
}

/** A row's state in a few words: disabled or its next date, its lock, its backfill. */
function stateText(t: TriggerJson): string {
  const parts = [t.disabled ? 'disabled' : t.nextExecutionDate ? `next ${t.nextExecutionDate}` : 'no next date'];
  if (t.executionId) parts.push(`locked by ${t.executionId}`);
  else if (t.evaluateRunningDate) parts.push(`polling since ${t.evaluateRunningDate}`);
  if (t.backfill) parts.push(`backfill ${t.backfill.currentDate} → ${t.backfill.end}${t.backfill.paused ? ' (paused)' : ''}`);
  return parts.join(', ');
}

function printRow(t: TriggerJson, json: boolean | undefined, out: Print, verb?: string): void {
  if (json) out(JSON.stringify(t));
  else out(`${verb ? `${verb} ` : ''}${t.namespace} ${t.flowId} ${t.triggerId}: ${stateText(t)}`);
}

/** Options of `troupe triggers list`. */
export interface TriggersListOptions extends DataOptions {
  namespace?: string;
  flow?: string;
  json?: boolean;
}

/** `troupe triggers list [--namespace NS] [--flow ID]`: one trigger a line (namespace, flow, id, type, state), or JSON items. */
export async function triggersListCommand(opts: TriggersListOptions, out: Print): Promise<number> {
  return withTroupe(opts, async (api) => {
    const items = await api.listTriggers({ ...(opts.namespace !== undefined ? { namespace: opts.namespace } : {}), ...(opts.flow !== undefined ? { flowId: opts.flow } : {}) });
    for (const { abstractTrigger, triggerContext: t } of items) {
      out(opts.json ? JSON.stringify({ abstractTrigger, triggerContext: t }) : [t.namespace, t.flowId, t.triggerId, shortType(abstractTrigger?.['type']), stateText(t)].join('  '));
    }
    return 0;
  });
}

/** `troupe triggers show NS FLOW TRIGGER`: the state row as JSON. */
export async function triggersShowCommand(namespace: string, flowId: string, triggerId: string, opts: DataOptions, out: Print): Promise<number> {
  return withTroupe(opts, async (api) => {
    const t = await api.getTrigger(namespace, flowId, triggerId);
    if (!t) throw new TroupeError('TROUPE_TRIGGER_NOT_FOUND', `No trigger state for ${namespace}.${flowId}.${triggerId} (unknown, or a Flow or Webhook trigger, which keep none)`, { namespace, flowId, triggerId });
    out(JSON.stringify(t, null, 2));
    return 0;
  });
}

/** The one-trigger actions of `troupe triggers`, by name, with what they print. */
const ACTIONS = {
  enable: { verb: 'enabled', run: (api: TroupeApi, ns: string, f: string, t: string) => api.enableTrigger(ns, f, t) },
  disable: { verb: 'disabled', run: (api: TroupeApi, ns: string, f: string, t: string) => api.disableTrigger(ns, f, t) },
  unlock: { verb: 'unlocked', run: (api: TroupeApi, ns: string, f: string, t: string) => api.unlockTrigger(ns, f, t) },
  restart: { verb: 'restarted', run: (api: TroupeApi, ns: string, f: string, t: string) => api.restartTrigger(ns, f, t) },
} as const;

/** A one-trigger action's name. */
export type TriggerAction = keyof typeof ACTIONS;

/** `troupe triggers enable|disable|unlock|restart NS FLOW TRIGGER`: prints the row after the change. */
export async function triggerActionCommand(action: TriggerAction, namespace: string, flowId: string, triggerId: string, opts: DataOptions & { json?: boolean }, out: Print): Promise<number> {
  return withTroupe(opts, async (api) => {
    printRow(await ACTIONS[action].run(api, namespace, flowId, triggerId), opts.json, out, opts.json ? undefined : ACTIONS[action].verb);
    return 0;
  });
}

/** Options of `troupe triggers backfill`. */
export interface BackfillCommandOptions extends DataOptions {
  start?: string;
  end?: string;
  input: string[];
  label: string[];
  paused?: boolean;
  pause?: boolean;
  unpause?: boolean;
  delete?: boolean;
  json?: boolean;
}

function parseLabels(pairs: string[]): Label[] {
  return pairs.map((pair) => {
    const i = pair.indexOf('=');
    if (i <= 0) throw new TroupeError('TROUPE_OPTION_INVALID', `--label expects key=value, got '${pair}'`, { option: 'label' });
    return { key: pair.slice(0, i), value: pair.slice(i + 1) };
  });
}

/**
 * `troupe triggers backfill NS FLOW TRIGGER --start DATE [--end DATE] [--input k=v]… [--label k=v]… [--paused]`
 * starts a backfill; with `--pause`, `--unpause` or `--delete` instead, acts on the one in progress.
 */
export async function triggersBackfillCommand(namespace: string, flowId: string, triggerId: string, opts: BackfillCommandOptions, out: Print): Promise<number> {
  const actions = (['pause', 'unpause', 'delete'] as const).filter((a) => opts[a]);
  if (actions.length > 1) throw new TroupeError('TROUPE_OPTION_INVALID', `--${actions.join(', --')}: give one of them`);
  const action = actions[0];
  if (action && (opts.start !== undefined || opts.end !== undefined || opts.input.length || opts.label.length || opts.paused)) {
    throw new TroupeError('TROUPE_OPTION_INVALID', `--${action} acts on the backfill in progress: it takes no --start, --end, --input, --label or --paused`);
  }
  if (!action && opts.start === undefined) throw new TroupeError('TROUPE_OPTION_INVALID', 'A backfill needs --start (or --pause, --unpause, --delete for the one in progress)', { option: 'start' });
  const backfill: TriggerBackfill | undefined = action
    ? undefined
    : {
        start: opts.start!,
        ...(opts.end !== undefined ? { end: opts.end } : {}),
        ...(opts.input.length ? { inputs: parseInputs(opts.input) } : {}),
        ...(opts.label.length ? { labels: parseLabels(opts.label) } : {}),
        ...(opts.paused ? { paused: true } : {}),
      };
  return withTroupe(opts, async (api) => {
    let row: TriggerJson;
    let verb: string;
    if (action === 'pause') [row, verb] = [await api.pauseBackfill(namespace, flowId, triggerId), 'paused the backfill of'];
    else if (action === 'unpause') [row, verb] = [await api.unpauseBackfill(namespace, flowId, triggerId), 'unpaused the backfill of'];
    else if (action === 'delete') [row, verb] = [await api.deleteBackfill(namespace, flowId, triggerId), 'deleted the backfill of'];
    else [row, verb] = [await api.backfillTrigger(namespace, flowId, triggerId, backfill!), 'backfilling'];
    printRow(row, opts.json, out, opts.json ? undefined : verb);
    return 0;
  });
}
