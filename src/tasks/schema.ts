/**
 * Property schemas of plugin types, in a compact notation: `type`, `type!` (required) or `type+`
 * (required, non-empty list), where type is one of {@link PropType}, `enum:A|B|C`, or `runnables`
 * (a `tasks` list of runnable tasks only). The flow
 * parser checks every property against them, with line:column.
 */

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

/** The schema of one property. */
export interface PropSpec {
  type: PropType | 'enum';
  required: boolean;
  /** A required list must have at least one element. */
  nonEmpty: boolean;
  /** The accepted values of an `enum` property. */
  values?: readonly string[];
  /** A task list whose tasks must all be runnable (`runnables`: WorkingDirectory's `tasks`). */
  runnableOnly?: boolean;
}

/** Compiles the compact notation into {@link PropSpec}s. */
export function compileProps(props: Readonly<Record<string, string>>): Record<string, PropSpec> {
  const out: Record<string, PropSpec> = {};
  for (const [name, text] of Object.entries(props)) {
    const required = text.endsWith('!') || text.endsWith('+');
    const nonEmpty = text.endsWith('+');
    const base = required ? text.slice(0, -1) : text;
    out[name] = base.startsWith('enum:')
      ? { type: 'enum', required, nonEmpty, values: base.slice(5).split('|') }
      : base === 'runnables'
        ? { type: 'tasks', required, nonEmpty, runnableOnly: true }
        : { type: base as PropType, required, nonEmpty };
  }
  return out;
}

const LEVELS = 'enum:TRACE|DEBUG|INFO|WARN|ERROR';

/** Properties every task accepts (§1.2); `errors` only on flowables. */
export const COMMON_TASK_PROPS: Readonly<Record<string, PropSpec>> = compileProps({
  id: 'string!',
  type: 'string!',
  description: 'string',
  retry: 'any',
  timeout: 'duration',
  disabled: 'bool',
  workerGroup: 'map',
  logLevel: LEVELS,
  logToFile: 'bool',
  allowFailure: 'bool',
  allowWarning: 'bool',
  runIf: 'string',
});

/** Properties every trigger accepts. */
export const COMMON_TRIGGER_PROPS: Readonly<Record<string, PropSpec>> = compileProps({
  id: 'string!',
  type: 'string!',
  description: 'string',
  disabled: 'bool',
  conditions: 'list',
  stopAfter: 'list',
  logLevel: LEVELS,
  logToFile: 'bool',
  workerGroup: 'map',
  failOnTriggerError: 'bool',
});

/** Common task properties this build accepts but does not act on (validate says so). */
export const IGNORED_TASK_PROPS: Readonly<Record<string, string>> = {
  workerGroup: 'worker groups do not exist here (every task runs in this process)',
  logToFile: 'task logs are always stored with the execution',
};
