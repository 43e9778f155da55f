/** Command-line values the CLI parses itself. */
import { resolve } from 'node:path';
import { TroupeError } from '../errors.js';
import { StateType } from '../model/state.js';

/**
 * Parses `key=value` pairs (the value may contain `=`). A value `@path` names a local file (a FILE
 * input): it becomes the file's absolute path, resolved here, so a daemon with another working
 * directory finds it; `@@…` is a literal value starting with `@`.
 */
export function parseInputs(pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const i = pair.indexOf('=');
    if (i <= 0) throw new TroupeError('TROUPE_OPTION_INVALID', `--input expects key=value, got '${pair}'`);
    const value = pair.slice(i + 1);
    out[pair.slice(0, i)] = value.startsWith('@@') ? value.slice(1) : value.startsWith('@') ? localFile(value.slice(1)) : value;
  }
  return out;
}

function localFile(path: string): string {
  if (path === '') throw new TroupeError('TROUPE_OPTION_INVALID', "--input key=@path needs a path after '@'");
  return resolve(path);
}

/** Parses a `--state` value. */
export function parseState(value: string): StateType {
  const upper = value.toUpperCase();
  if (!Object.hasOwn(StateType, upper)) throw new TroupeError('TROUPE_OPTION_INVALID', `--state must be one of ${Object.keys(StateType).join(', ')}; got '${value}'`, { option: 'state' });
  return upper as StateType;
}
