/**
 * FILE inputs (§6.1, §7.2): a `kestra://` URI or a local path, handed to the host's `storeFile`,
 * which checks it, stages the file into the execution's storage and returns its `kestra://` URI.
 * Without the hook (a subflow's inputs, typed from its parent's values), a `kestra://` URI is kept
 * as given and a local path fails.
 */
import { inputType, kindOf, type InputType } from './input-type.js';

/** FILE: stored as the `kestra://` URI string. */
export const FILE: InputType = inputType<string>({
  parse: (current, input, env) => {
    if (typeof current !== 'string') throw new Error(`cannot use ${kindOf(current)} as a FILE, a kestra:// URI or a local path is expected`);
    if (env.storeFile) return env.storeFile(input.id, current);
    if (current.startsWith('kestra://')) return current;
    throw new Error(`a local file '${current}' cannot be uploaded here: give a kestra:// URI`);
  },
  store: (value) => value,
});
