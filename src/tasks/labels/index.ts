/** io.kestra.plugin.core.execution.Labels: adds or replaces execution labels; the actor runs it, since it changes the execution. */
import { coreTask } from '../definition.js';
import { labelsHooks } from './actor.js';

export const LABELS = coreTask('execution.Labels', 'runnable', { labels: 'any!' }, {
  legacy: ['executions.Labels'],
  summary: 'add or replace execution labels (run by the actor)',
  behaviour: { runs: 'actor', actor: labelsHooks },
});
