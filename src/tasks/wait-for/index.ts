/**
 * io.kestra.plugin.core.flow.WaitFor (Kestra §3.14): runs `tasks` in order, again and again, until
 * `condition` renders truthy (checked after each iteration), at most `checkFrequency.maxIterations`
 * times or for `checkFrequency.maxDuration`, `checkFrequency.interval` apart; outputs
 * `{iterationCount}`.
 */
import { coreTask } from '../definition.js';
import { sequential } from '../flowable/sequential.js';
import type { FlowableSpec } from '../flowable/spec.js';
import { waitForHooks } from './actor.js';

const waitFor: FlowableSpec = { ...sequential, outputs: () => ({ iterationCount: 1 }) };

export const WAIT_FOR = coreTask(
  'flow.WaitFor',
  'flowable',
  { tasks: 'tasks+', condition: 'string!', failOnMaxReached: 'bool', checkFrequency: 'map' },
  { summary: 'repeat tasks until `condition` holds', behaviour: { runs: 'actor', flowable: waitFor, actor: waitForHooks } },
);
