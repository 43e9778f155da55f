/**
 * Choice inputs: ENUM (deprecated), SELECT, MULTISELECT (§6.1), and the rendering of their
 * `expression` into `values`.
 */
import type { FlowInput } from '../model/index.js';
import { parseList } from './collections.js';
import { inputType, stringProp, type InputType } from './input-type.js';
import { BareInputMessage, causeOf, InputReason, javaString, mustMatchValues } from './messages.js';

function listProp(input: FlowInput, key: string): string[] | undefined {
  const v = input.props[key];
  return Array.isArray(v) ? v.map(javaString) : undefined;
}

/** ENUM: kept as given; must be one of `values`, checked only when the input is required. */
export const ENUM: InputType = inputType<unknown>({
  parse: (current) => current,
  validate: (value, input) => {
    const values = listProp(input, 'values') ?? [];
    if (!values.includes(javaString(value)) && input.required) throw new InputReason(mustMatchValues(values));
  },
  store: (value) => value,
});

/** SELECT: as ENUM, and any value passes with `allowCustomValue: true`. */
export const SELECT: InputType = inputType<unknown>({
  parse: (current) => current,
  validate: (value, input) => {
    const values = listProp(input, 'values') ?? [];
    if (!values.includes(javaString(value)) && input.required && input.props['allowCustomValue'] !== true) {
      throw new InputReason(mustMatchValues(values));
    }
  },
  store: (value) => value,
});

/**
 * MULTISELECT: a list or a JSON-array string, each element parsed as `itemType` (STRING) and,
 * unless `allowCustomValue`, one of `values` (or the deprecated `options`), whether required or not.
 */
export const MULTISELECT: InputType = inputType<unknown[]>({
  parse: (current, input, env) => parseList(current, stringProp(input, 'itemType') ?? 'STRING', input, env),
  validate: (list, input) => {
    const values = listProp(input, 'values');
    const options = listProp(input, 'options');
    if (values && options) throw new InputReason("you can't define both `values` and `options`");
    if (input.props['allowCustomValue'] === true) return;
    const allowed = values ?? options ?? [];
    // Compared as strings: Kestra compares the parsed element, so a non-STRING itemType never matches.
    if (list.some((item) => !allowed.includes(javaString(item)))) throw new InputReason(mustMatchValues(allowed));
  },
  store: (value) => value,
});

/** Java's simple class name of a rendered value, as Kestra's expression error quotes it. */
function javaClassName(value: unknown): string {
  if (value === null || value === undefined) return '<null>';
  if (typeof value === 'string') return 'String';
  if (typeof value === 'boolean') return 'Boolean';
  if (typeof value === 'number') return Number.isInteger(value) ? 'Integer' : 'Double';
  return 'LinkedHashMap';
}

/**
 * The input with `values` replaced by its rendered `expression` (a list; null elements dropped,
 * others as strings), or the input itself when it has no expression.
 * @throws BareInputMessage when the expression fails or does not render to a list
 */
export function withRenderedValues(input: FlowInput, render: (expression: string) => unknown): FlowInput {
  const expression = stringProp(input, 'expression');
  if ((input.type !== 'SELECT' && input.type !== 'MULTISELECT') || expression === undefined) return input;
  let result: unknown;
  try {
    result = render(expression);
  } catch (err) {
    throw new BareInputMessage(`Cannot render 'expression'. Cause: ${causeOf(err)}`);
  }
  if (!Array.isArray(result)) throw new BareInputMessage(`Invalid expression result. Expected a list of strings, but received ${javaClassName(result)}`);
  const values = result.filter((v) => v !== null && v !== undefined).map(javaString);
  // As Kestra's rebuilt input: the rendered values replace both `values` and the deprecated `options`.
  return { ...input, props: { ...input.props, values, options: undefined } };
}
