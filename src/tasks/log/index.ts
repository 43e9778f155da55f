/** io.kestra.plugin.core.log.Log and the deprecated debug.Echo: log lines, run in the pool (./pool.ts). */
import { coreTask } from '../definition.js';

const LEVEL = 'enum:TRACE|DEBUG|INFO|WARN|ERROR';

export const LOG = coreTask('log.Log', 'runnable', { message: 'strings!', level: LEVEL }, {
  legacy: ['log.Log'],
  summary: 'log one or several messages at `level`',
  behaviour: { runs: 'pool', load: async () => (await import('./pool.js')).logTask },
});

export const ECHO = coreTask('debug.Echo', 'runnable', { format: 'string!', level: LEVEL }, {
  legacy: ['debugs.Echo'],
  summary: 'log a message',
  deprecated: 'io.kestra.plugin.core.log.Log',
  behaviour: { runs: 'pool', load: async () => (await import('./pool.js')).echoTask },
});
