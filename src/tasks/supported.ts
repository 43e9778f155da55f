/**
 * Which task types this version of Troupe can run: the flowables the executor resolves, the
 * runnable tasks of the pool, the tasks the actor or the engine runs itself. The flow loader
 * knows more types (every core Kestra type parses); the others fail their task run when reached.
 */
import { FLOWABLES } from './flowable/index.js';
import { RUNNABLES } from './runnable/index.js';

const P = 'io.kestra.plugin.core.';

/** Task types run outside the pool and the flowable registry. */
const SPECIAL: ReadonlySet<string> = new Set([`${P}flow.Subflow`, `${P}execution.Labels`, `${P}flow.Sleep`, `${P}execution.Resume`]);

/** Whether Troupe can run a task of this canonical type. */
export function isSupportedTaskType(canonicalType: string): boolean {
  return FLOWABLES.has(canonicalType) || RUNNABLES.has(canonicalType) || SPECIAL.has(canonicalType);
}

/** Every task type Troupe can run, sorted. */
export function supportedTaskTypes(): string[] {
  return [...new Set([...FLOWABLES.keys(), ...RUNNABLES.keys(), ...SPECIAL])].sort();
}
