/**
 * The catalog of known plugin types: Kestra's core tasks, triggers and conditions, the script
 * tasks, with their legacy aliases (§10.2) and property schemas in a compact notation.
 *
 * A property schema is `type`, `type!` (required) or `type+` (required, non-empty list), where
 * type is one of {@link PropType}, or `enum:A|B|C`.
 */
import type { TaskKind } from '../model/index.js';

/** What a property holds. Scalar checks accept a `{{ … }}` template wherever Kestra renders. */
export type PropType =
  | 'string'
  | 'int'
  | 'number'
  | 'bool'
  | 'duration'
  | 'list'
  | 'map'
  | 'any'
  | 'strings'
  | 'tasks'
  | 'cases'
  | 'dag';

/** Where a type may appear in a flow. */
export type TypeCategory = 'task' | 'trigger' | 'condition';

/** One catalog row before it is compiled by the registry. */
export interface CatalogEntry {
  name: string;
  category: TypeCategory;
  kind: TaskKind;
  aliases: readonly string[];
  props: Readonly<Record<string, string>>;
  /** Properties are not checked (conditions and plugins whose schema we do not model). */
  open?: boolean;
  /** Runs inside the executor although it has one attempt like a runnable (Labels, Exit). */
  executorSide?: boolean;
}

const CORE = 'io.kestra.plugin.core';
const LEGACY = 'io.kestra.core.tasks';

function task(name: string, kind: TaskKind, props: Record<string, string>, aliases: string[] = [], extra: Partial<CatalogEntry> = {}): CatalogEntry {
  return { name: `${CORE}.${name}`, category: 'task', kind, aliases, props, ...extra };
}

const SUBFLOW_PROPS = {
  namespace: 'string!',
  flowId: 'string!',
  revision: 'int',
  inputs: 'map',
  labels: 'any',
  wait: 'bool',
  transmitFailed: 'bool',
  inheritLabels: 'bool',
  scheduleDate: 'any',
};

const STATE_PROPS = { name: 'string', namespace: 'bool', taskrunValue: 'bool' };
const SCRIPT_PROPS = {
  env: 'map',
  interpreter: 'list',
  beforeCommands: 'list',
  warningOnStdErr: 'bool',
  failFast: 'bool',
  exitOnFailed: 'bool',
  inputFiles: 'any',
  outputFiles: 'list',
  namespaceFiles: 'map',
  containerImage: 'string',
  taskRunner: 'map',
  runner: 'enum:PROCESS|DOCKER',
  docker: 'map',
  targetOS: 'enum:LINUX|WINDOWS|AUTO',
  outputDirectory: 'bool',
};
const HTTP_PROPS = {
  uri: 'string!',
  method: 'string',
  body: 'any',
  formData: 'any',
  contentType: 'string',
  headers: 'map',
  options: 'map',
  sslOptions: 'map',
  encryptBody: 'bool',
  allowFailed: 'bool',
  allowedResponseCodes: 'list',
  failOnEmptyResponse: 'bool',
};

/** Every core task type. */
const TASKS: CatalogEntry[] = [
  task('debug.Return', 'runnable', { format: 'string' }, [`${LEGACY}.debugs.Return`]),
  task('debug.Echo', 'runnable', { format: 'string!', level: 'enum:TRACE|DEBUG|INFO|WARN|ERROR' }, [`${LEGACY}.debugs.Echo`]),
  task('log.Log', 'runnable', { message: 'strings!', level: 'enum:TRACE|DEBUG|INFO|WARN|ERROR' }, [`${LEGACY}.log.Log`]),
  task('log.Fetch', 'runnable', { namespace: 'string', flowId: 'string', executionId: 'string', tasksId: 'list', level: 'enum:TRACE|DEBUG|INFO|WARN|ERROR' }, [`${LEGACY}.log.Fetch`]),
  task('execution.Fail', 'runnable', { condition: 'string', errorMessage: 'string' }, [`${LEGACY}.executions.Fail`]),
  task('execution.Labels', 'runnable', { labels: 'any!' }, [`${LEGACY}.executions.Labels`], { executorSide: true }),
  task('execution.Exit', 'runnable', { state: 'enum:SUCCESS|WARNING|KILLED|FAILED|CANCELED', exitMessage: 'string', condition: 'string' }, [], { executorSide: true }),
  task('execution.Counts', 'runnable', { flows: 'list', namespaces: 'list', states: 'list', labels: 'any', expression: 'string!', startDate: 'string!', endDate: 'string' }, [`${LEGACY}.executions.Counts`]),
  task('execution.Resume', 'runnable', { namespace: 'string', flowId: 'string', executionId: 'string', inputs: 'map' }, [`${LEGACY}.executions.Resume`]),
  task('output.OutputValues', 'runnable', { values: 'map' }),
  task('flow.Sleep', 'runnable', { duration: 'duration!' }, [`${LEGACY}.flows.Sleep`]),
  task('kv.Set', 'runnable', { key: 'string!', value: 'any!', namespace: 'string', overwrite: 'bool', ttl: 'duration', kvType: 'enum:STRING|NUMBER|BOOLEAN|DATETIME|DATE|DURATION|JSON' }),
  task('kv.Get', 'runnable', { key: 'string!', namespace: 'string', errorOnMissing: 'bool' }),
  task('kv.Delete', 'runnable', { key: 'string!', namespace: 'string', errorOnMissing: 'bool' }),
  task('kv.GetKeys', 'runnable', { prefix: 'string', namespace: 'string' }),
  task('state.Set', 'runnable', { ...STATE_PROPS, data: 'map' }, [`${LEGACY}.states.Set`]),
  task('state.Get', 'runnable', { ...STATE_PROPS, errorOnMissing: 'bool' }, [`${LEGACY}.states.Get`]),
  task('state.Delete', 'runnable', { ...STATE_PROPS, errorOnMissing: 'bool' }, [`${LEGACY}.states.Delete`]),
  task('storage.LocalFiles', 'runnable', { inputs: 'any', outputs: 'list' }, [`${LEGACY}.storages.LocalFiles`]),
  task('storage.Concat', 'runnable', { files: 'any!', separator: 'string', extension: 'string' }, [`${LEGACY}.storages.Concat`]),
  task('storage.Delete', 'runnable', { uri: 'string!', errorOnMissing: 'bool' }, [`${LEGACY}.storages.Delete`]),
  task('storage.Size', 'runnable', { uri: 'string!' }, [`${LEGACY}.storages.Size`]),
  task('storage.Split', 'runnable', { from: 'string!', bytes: 'string', partitions: 'int', rows: 'int', separator: 'string' }, [`${LEGACY}.storages.Split`]),
  task('storage.Reverse', 'runnable', { from: 'string!', separator: 'string', charset: 'string' }, [`${LEGACY}.storages.Reverse`]),
  task('storage.Write', 'runnable', { content: 'string!', extension: 'string' }),
  task('storage.PurgeCurrentExecutionFiles', 'runnable', {}, [`${LEGACY}.storages.PurgeExecution`]),
  task('storage.DeduplicateItems', 'runnable', { from: 'string!', expr: 'string!' }),
  task('storage.FilterItems', 'runnable', { from: 'string!', filterCondition: 'string!', filterType: 'enum:INCLUDE|EXCLUDE', errorOrNullBehavior: 'enum:FAIL|INCLUDE|EXCLUDE' }),
  task('http.Request', 'runnable', HTTP_PROPS, ['io.kestra.plugin.fs.http.Request']),
  task('http.Download', 'runnable', HTTP_PROPS, ['io.kestra.plugin.fs.http.Download']),
  task('trigger.Toggle', 'runnable', { namespace: 'string', flowId: 'string!', trigger: 'string!', enabled: 'bool' }, [`${LEGACY}.trigger.Toggle`]),
  task('flow.Sequential', 'flowable', { tasks: 'tasks+' }, [`${LEGACY}.flows.Sequential`]),
  task('flow.Parallel', 'flowable', { tasks: 'tasks+', concurrent: 'int' }, [`${LEGACY}.flows.Parallel`]),
  task('flow.EachSequential', 'flowable', { value: 'any!', tasks: 'tasks+' }, [`${LEGACY}.flows.EachSequential`]),
  task('flow.EachParallel', 'flowable', { value: 'any!', tasks: 'tasks+', concurrent: 'int' }, [`${LEGACY}.flows.EachParallel`]),
  task('flow.ForEach', 'flowable', { values: 'any!', tasks: 'tasks+', concurrencyLimit: 'int' }),
  task('flow.Switch', 'flowable', { value: 'string!', cases: 'cases', defaults: 'tasks' }, [`${LEGACY}.flows.Switch`]),
  task('flow.If', 'flowable', { condition: 'string!', then: 'tasks+', else: 'tasks' }, [`${LEGACY}.flows.If`]),
  task('flow.Dag', 'flowable', { tasks: 'dag+', concurrent: 'int' }, [`${LEGACY}.flows.Dag`]),
  task('flow.AllowFailure', 'flowable', { tasks: 'tasks+' }, [`${LEGACY}.flows.AllowFailure`]),
  task('flow.Subflow', 'flowable', { ...SUBFLOW_PROPS, outputs: 'map' }, [`${LEGACY}.flows.Subflow`, `${LEGACY}.flows.Flow`]),
  task('flow.Pause', 'flowable', { delay: 'duration', pauseDuration: 'duration', behavior: 'enum:RESUME|WARN|FAIL|CANCEL', onResume: 'list', tasks: 'tasks' }, [`${LEGACY}.flows.Pause`]),
  task('flow.WaitFor', 'flowable', { tasks: 'tasks+', condition: 'string!', failOnMaxReached: 'bool', checkFrequency: 'map' }),
  task('flow.WorkingDirectory', 'flowable', { tasks: 'tasks+', cache: 'map', namespaceFiles: 'map', inputFiles: 'any', outputFiles: 'list' }, [`${LEGACY}.flows.WorkingDirectory`, `${LEGACY}.flows.Worker`]),
  task('flow.ForEachItem', 'flowable', { ...SUBFLOW_PROPS, items: 'string!', batch: 'map' }, [`${LEGACY}.flows.ForEachItem`]),
  task('flow.Template', 'flowable', { namespace: 'string!', templateId: 'string!', args: 'map', tenantId: 'string' }, [`${LEGACY}.flows.Template`]),
  { name: 'io.kestra.plugin.scripts.shell.Commands', category: 'task', kind: 'runnable', aliases: [], props: { ...SCRIPT_PROPS, commands: 'strings!' } },
  { name: 'io.kestra.plugin.scripts.shell.Script', category: 'task', kind: 'runnable', aliases: [], props: { ...SCRIPT_PROPS, script: 'string!' } },
];

/** Every core trigger type. Common trigger properties are in the registry. */
const TRIGGERS: CatalogEntry[] = [
  {
    name: `${CORE}.trigger.Schedule`,
    category: 'trigger',
    kind: 'runnable',
    aliases: ['io.kestra.core.models.triggers.types.Schedule'],
    props: {
      cron: 'string!',
      withSeconds: 'bool',
      timezone: 'string',
      inputs: 'map',
      scheduleConditions: 'list',
      lateMaximumDelay: 'duration',
      recoverMissedSchedules: 'enum:ALL|LAST|NONE',
      backfill: 'map',
      labels: 'any',
      interval: 'duration',
    },
  },
  {
    name: `${CORE}.trigger.Flow`,
    category: 'trigger',
    kind: 'runnable',
    aliases: ['io.kestra.core.models.triggers.types.Flow'],
    props: { states: 'list', preconditions: 'map', inputs: 'map', labels: 'any' },
  },
  {
    name: `${CORE}.trigger.Webhook`,
    category: 'trigger',
    kind: 'runnable',
    aliases: ['io.kestra.core.models.triggers.types.Webhook'],
    props: { key: 'string!', inputs: 'map', labels: 'any' },
  },
  { name: `${CORE}.http.Trigger`, category: 'trigger', kind: 'runnable', aliases: ['io.kestra.plugin.fs.http.Trigger'], props: {}, open: true },
];

/** Condition names with their legacy `…Condition` spellings. */
const CONDITIONS: Array<[string, ...string[]]> = [
  ['ExecutionStatus', 'ExecutionStatusCondition'],
  ['ExecutionFlow', 'ExecutionFlowCondition', 'FlowCondition'],
  ['ExecutionNamespace', 'ExecutionNamespaceCondition', 'FlowNamespaceCondition'],
  ['Expression', 'ExpressionCondition'],
  ['ExecutionLabels', 'ExecutionLabelsCondition'],
  ['ExecutionOutputs', 'ExecutionOutputsCondition'],
  ['MultipleCondition'],
  ['Not', 'NotCondition'],
  ['Or', 'OrCondition'],
  ['DayWeek', 'DayWeekCondition'],
  ['DayWeekInMonth', 'DayWeekInMonthCondition'],
  ['DateTimeBetween', 'DateTimeBetweenCondition'],
  ['TimeBetween', 'TimeBetweenCondition'],
  ['Weekend', 'WeekendCondition'],
  ['PublicHoliday', 'PublicHolidayCondition'],
  ['HasRetryAttempt', 'HasRetryAttemptCondition'],
];

function condition([name, ...legacy]: [string, ...string[]]): CatalogEntry {
  const aliases = legacy.map((l) => `${CORE}.condition.${l}`);
  for (const l of [name, ...legacy]) aliases.push(`io.kestra.core.models.conditions.types.${l.endsWith('Condition') ? l : `${l}Condition`}`);
  const own = `${CORE}.condition.${name}`;
  return { name: own, category: 'condition', kind: 'runnable', aliases: [...new Set(aliases)].filter((a) => a !== own), props: {}, open: true };
}

/** The whole catalog. */
export const CATALOG: readonly CatalogEntry[] = [...TASKS, ...TRIGGERS, ...CONDITIONS.map(condition)];
