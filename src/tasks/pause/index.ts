/**
 * io.kestra.plugin.core.flow.Pause (Kestra §3.12): pauses the execution when it opens; `delay`
 * resumes it and `timeout` fails it (actor timers), or a resume (API, execution.Resume) moves it
 * on with `onResume` inputs. After a resume its deprecated `tasks` run in order.
 */
import { coreTask } from '../definition.js';
import { sequential } from '../flowable/sequential.js';
import { pauseHooks } from './actor.js';

export const PAUSE = coreTask(
  'flow.Pause',
  'flowable',
  { delay: 'duration', pauseDuration: 'duration', behavior: 'enum:RESUME|WARN|FAIL|CANCEL', onResume: 'list', tasks: 'tasks' },
  { legacy: ['flows.Pause'], summary: 'pause the execution until resumed, `delay` or `timeout`', behaviour: { runs: 'actor', flowable: sequential, actor: pauseHooks } },
);
