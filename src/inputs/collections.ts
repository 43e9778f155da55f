/**
 * Structured inputs: JSON, YAML, ARRAY (§6.1), and the list reading MULTISELECT shares with ARRAY.
 */
import type { FlowInput } from '../model/index.js';
import { readYamlValue } from '../yaml/read.js';
import { inputType, kindOf, stringProp, type InputType, type ParseEnv } from './input-type.js';
import { InputReason, javaString } from './messages.js';

/**
 * A list, or a string holding a JSON array; each element parsed as `itemType` when given
 * (Kestra's `parseType` for ARRAY and MULTISELECT).
 */
export function parseList(current: unknown, itemType: string | undefined, input: FlowInput, env: ParseEnv): unknown[] {
  let list: unknown;
  if (Array.isArray(current)) list = current;
  else if (typeof current === 'string') list = JSON.parse(current) as unknown;
  else throw new Error(`cannot use ${kindOf(current)} as a list`);
  if (!Array.isArray(list)) throw new Error(`a JSON array is expected, not ${kindOf(list)}`);
  if (itemType === undefined) return list;
  return list.map((element) => {
    try {
      return env.parseElement(itemType, element, input);
    } catch {
      throw new InputReason(`Unable to parse array element as \`${itemType}\` on \`${javaString(element)}\``);
    }
  });
}

/** JSON: a string parsed as JSON (`"{}"` → `{}`), or an already structured value kept as is. */
export const JSON_INPUT: InputType = inputType<unknown>({
  parse: (current) => (typeof current === 'string' ? (JSON.parse(current) as unknown) : current),
  store: (value) => value,
});

/**
 * YAML: a string parsed as YAML, or an already structured value kept as is (Kestra casts to a
 * string, so a structured `defaults:` fails there; §6.1 recommends accepting it). Read with the
 * flow reader's guards (nesting, duplicate keys, aliases): an input is text from outside.
 */
export const YAML_INPUT: InputType = inputType<unknown>({
  parse: (current) => (typeof current === 'string' ? readYamlValue(current) : current),
  store: (value) => value,
});

/** ARRAY: a list or a JSON-array string, each element parsed as `itemType`. */
export const ARRAY: InputType = inputType<unknown[]>({
  parse: (current, input, env) => parseList(current, stringProp(input, 'itemType'), input, env),
  store: (value) => value,
});
