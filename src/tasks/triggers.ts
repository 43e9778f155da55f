/**
 * Trigger and condition types: the parser knows them and checks their properties (common trigger
 * properties are in ./schema.ts). The engine's trigger service (src/triggers) runs the triggers
 * and conditions listed in {@link RUNNABLE_TRIGGERS} and {@link RUNNABLE_CONDITIONS}; a flow
 * naming another one is refused at deploy (TROUPE_FLOW_UNSUPPORTED_TYPE) unless deployed leniently.
 */
import { CORE, type TypeDefinition } from './definition.js';
import { HTTP_EXCHANGE_PROPS } from './http/index.js';

export const TRIGGERS: readonly TypeDefinition[] = [
  {
    type: `${CORE}trigger.Schedule`,
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
    },
  },
  {
    type: `${CORE}trigger.Flow`,
    category: 'trigger',
    kind: 'runnable',
    aliases: ['io.kestra.core.models.triggers.types.Flow'],
    props: { states: 'list', preconditions: 'map', inputs: 'map', labels: 'any' },
  },
  {
    type: `${CORE}trigger.Webhook`,
    category: 'trigger',
    kind: 'runnable',
    aliases: ['io.kestra.core.models.triggers.types.Webhook'],
    props: { key: 'string!', inputs: 'map', labels: 'any' },
  },
  {
    type: `${CORE}http.Trigger`,
    category: 'trigger',
    kind: 'runnable',
    aliases: ['io.kestra.plugin.fs.http.Trigger'],
    props: {
      ...HTTP_EXCHANGE_PROPS,
      encryptBody: 'bool',
      interval: 'duration',
      responseCondition: 'string',
      labels: 'any',
    },
  },
];

/** Condition names with their legacy `…Condition` spellings. */
const CONDITION_NAMES: Array<[string, ...string[]]> = [
  ['ExecutionStatus', 'ExecutionStatusCondition'],
  ['ExecutionFlow', 'ExecutionFlowCondition', 'FlowCondition'],
  ['ExecutionNamespace', 'ExecutionNamespaceCondition', 'FlowNamespaceCondition'],
  ['Expression', 'ExpressionCondition', 'VariableCondition'],
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

function condition([name, ...legacy]: [string, ...string[]]): TypeDefinition {
  const aliases = legacy.map((l) => `${CORE}condition.${l}`);
  for (const l of [name, ...legacy]) aliases.push(`io.kestra.core.models.conditions.types.${l.endsWith('Condition') ? l : `${l}Condition`}`);
  const own = `${CORE}condition.${name}`;
  return { type: own, category: 'condition', kind: 'runnable', aliases: [...new Set(aliases)].filter((a) => a !== own), props: {}, open: true };
}

export const CONDITIONS: readonly TypeDefinition[] = CONDITION_NAMES.map(condition);

/** Trigger types the engine runs (src/triggers): Schedule, Flow, Webhook and http.Trigger. */
export const RUNNABLE_TRIGGERS: ReadonlySet<string> = new Set([`${CORE}trigger.Schedule`, `${CORE}trigger.Flow`, `${CORE}trigger.Webhook`, `${CORE}http.Trigger`]);

/** Condition types the trigger service evaluates (src/triggers/conditions.ts). */
export const RUNNABLE_CONDITIONS: ReadonlySet<string> = new Set(
  ['ExecutionStatus', 'ExecutionFlow', 'ExecutionNamespace', 'Expression', 'ExecutionLabels', 'ExecutionOutputs', 'MultipleCondition', 'Not', 'Or', 'DayWeek', 'DayWeekInMonth', 'DateTimeBetween', 'TimeBetween', 'Weekend', 'PublicHoliday', 'HasRetryAttempt'].map((n) => `${CORE}condition.${n}`),
);

/** Properties of a runnable trigger type that this build does not act on yet (refused like an unsupported type). */
export const UNSUPPORTED_TRIGGER_PROPS: Readonly<Record<string, readonly string[]>> = {};
