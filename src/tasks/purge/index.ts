/**
 * io.kestra.plugin.core.execution.PurgeExecutions (legacy `io.kestra.core.tasks.storages.Purge`,
 * `io.kestra.plugin.core.storage.Purge`) and io.kestra.plugin.core.log.PurgeLogs: purging old
 * executions and log lines, run on the main thread (./main.ts), which owns the engine.
 */
import { coreTask } from '../definition.js';

export const PURGE_EXECUTIONS = coreTask('execution.PurgeExecutions', 'runnable', {
  namespace: 'string',
  flowId: 'string',
  startDate: 'string',
  endDate: 'string!',
  states: 'list',
  purgeExecution: 'bool',
  purgeLog: 'bool',
  purgeMetric: 'bool',
  purgeStorage: 'bool',
}, {
  legacy: ['storages.Purge'],
  aliases: ['io.kestra.plugin.core.storage.Purge'],
  summary: 'purge ended executions (records, logs, metrics, files) between `startDate` and `endDate`; outputs the counts',
  behaviour: { runs: 'main', load: async () => (await import('./main.js')).purgeExecutionsTask },
});

export const PURGE_LOGS = coreTask('log.PurgeLogs', 'runnable', {
  namespace: 'string',
  flowId: 'string',
  logLevels: 'list',
  startDate: 'string',
  endDate: 'string!',
}, {
  summary: 'purge log lines (by namespace, flow, level) between `startDate` and `endDate`; output `count`',
  behaviour: { runs: 'main', load: async () => (await import('./main.js')).purgeLogsTask },
});

export const PURGE_TASKS = [PURGE_EXECUTIONS, PURGE_LOGS];
