/** Command-line values the CLI parses itself. */
import { TroupeError } from '../errors.js';
import { StateType } from '../model/state.js';

/** Parses `key=value` pairs (the value may contain `=`). */
export function parseInputs(pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const i = pair.indexOf('=');
    if (i <= 0) throw new TroupeError('TROUPE_OPTION_INVALID', `--input expects key=value, got '${pair}'`);
    out[pair.slice(0, i)] = pair.slice(i + 1);
  }
  return out;
}

/** Parses a `--state` value. */
export function parseState(value: string): StateType {
  const upper = value.toUpperCase();
  if (!Object.hasOwn(StateType, upper)) throw new TroupeError('TROUPE_OPTION_INVALID', `--state must be one of ${Object.keys(StateType).join(', ')}; got '${value}'`, { option: 'state' });
  return upper as StateType;
}
