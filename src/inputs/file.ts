/**
 * FILE inputs (§6.1, §7.2): a `kestra://` URI is kept; any other string is a local path handed to
 * the host's `storeFile`, which uploads it and returns its `kestra://` URI.
 */
import { inputType, kindOf, type InputType } from './input-type.js';

/** FILE: stored as the `kestra://` URI string. */
export const FILE: InputType = inputType<string>({
  parse: (current, input, env) => {
    if (typeof current !== 'string') throw new Error(`cannot use ${kindOf(current)} as a FILE, a kestra:// URI or a local path is expected`);
    if (current.startsWith('kestra://')) return current;
    if (!env.storeFile) throw new Error(`no file storage is configured to upload '${current}'`);
    return env.storeFile(input.id, current);
  },
  store: (value) => value,
});
