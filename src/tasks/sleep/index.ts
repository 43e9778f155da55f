/** io.kestra.plugin.core.flow.Sleep: waits `duration` on an actor timer, so a sleeping task holds no thread. */
import { coreTask } from '../definition.js';
import { sleepHooks } from './actor.js';

export const SLEEP = coreTask('flow.Sleep', 'runnable', { duration: 'duration!' }, {
  legacy: ['flows.Sleep'],
  summary: 'wait `duration` (an actor timer: it holds no thread)',
  behaviour: { runs: 'actor', actor: sleepHooks },
});
