/**
 * Every input type by its Kestra name, and the element parser ARRAY and MULTISELECT use.
 */
import type { FlowInput } from '../model/index.js';
import { ARRAY, JSON_INPUT, YAML_INPUT } from './collections.js';
import { DATE, DATETIME, DURATION, TIME } from './dates.js';
import { FILE } from './file.js';
import type { InputType, ParseEnv } from './input-type.js';
import { BOOLEAN, EMAIL, FLOAT, INT, SECRET, STRING, URI } from './scalars.js';
import { ENUM, MULTISELECT, SELECT } from './select.js';

/** The input types, keyed by the `type` written in the flow (`BOOL` is an alias of BOOLEAN). */
const INPUT_TYPES: Readonly<Record<string, InputType>> = Object.freeze({
  STRING,
  ENUM,
  SELECT,
  MULTISELECT,
  INT,
  FLOAT,
  BOOLEAN,
  BOOL: BOOLEAN,
  DATETIME,
  DATE,
  TIME,
  DURATION,
  FILE,
  JSON: JSON_INPUT,
  YAML: YAML_INPUT,
  URI,
  SECRET,
  ARRAY,
  EMAIL,
});

/** The input type named `name`, or undefined. */
export function inputTypeNamed(name: string): InputType | undefined {
  return Object.hasOwn(INPUT_TYPES, name) ? INPUT_TYPES[name] : undefined;
}

/** Types an ARRAY or MULTISELECT element may not have. */
const NOT_ELEMENT_TYPES = new Set(['ARRAY', 'MULTISELECT']);

/** Builds the {@link ParseEnv} of one resolution: host callbacks and the element parser. */
export function createParseEnv(options: Pick<ParseEnv, 'storeFile' | 'encryptSecret'>): ParseEnv {
  const env: ParseEnv = {
    storeFile: options.storeFile,
    encryptSecret: options.encryptSecret,
    // Elements are parsed, never validated, as in Kestra's recursive parseType.
    parseElement: (type: string, element: unknown, input: FlowInput) => {
      const handler = NOT_ELEMENT_TYPES.has(type) ? undefined : inputTypeNamed(type);
      if (!handler) throw new Error(`\`${type}\` cannot be an item type`);
      return handler.store(handler.parse(element, input, env), input, env);
    },
  };
  return env;
}
