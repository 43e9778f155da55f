/**
 * io.kestra.plugin.core.log.Fetch (legacy `io.kestra.core.tasks.log.Fetch`): an execution's log
 * lines (the current one by default) written to an ION file of internal storage, one LogEntry per
 * row, as Kestra's. Run on the main thread (./main.ts), which reads the store.
 */
import { coreTask } from '../definition.js';

export const LOG_FETCH = coreTask('log.Fetch', 'runnable', { namespace: 'string', flowId: 'string', executionId: 'string', tasksId: 'list', level: 'enum:TRACE|DEBUG|INFO|WARN|ERROR' }, {
  legacy: ['log.Fetch'],
  summary: "an execution's log lines (at least `level`, INFO by default; of `tasksId` only) as an ION file; outputs `uri`, `size`",
  behaviour: { runs: 'main', load: async () => (await import('./main.js')).fetchLogsTask },
});
