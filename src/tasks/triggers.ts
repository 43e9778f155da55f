/**
 * Trigger and condition types: the parser knows them and checks their properties (common trigger
 * properties are in ./schema.ts); this build does not act on them yet.
 */
import { CORE, type TypeDefinition } from './definition.js';

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
      interval: 'duration',
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
  { type: `${CORE}http.Trigger`, category: 'trigger', kind: 'runnable', aliases: ['io.kestra.plugin.fs.http.Trigger'], props: {}, open: true },
];

/** Condition names with their legacy `…Condition` spellings. */
const CONDITION_NAMES: Array<[string, ...string[]]> = [
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

function condition([name, ...legacy]: [string, ...string[]]): TypeDefinition {
  const aliases = legacy.map((l) => `${CORE}condition.${l}`);
  for (const l of [name, ...legacy]) aliases.push(`io.kestra.core.models.conditions.types.${l.endsWith('Condition') ? l : `${l}Condition`}`);
  const own = `${CORE}condition.${name}`;
  return { type: own, category: 'condition', kind: 'runnable', aliases: [...new Set(aliases)].filter((a) => a !== own), props: {}, open: true };
}

export const CONDITIONS: readonly TypeDefinition[] = CONDITION_NAMES.map(condition);
