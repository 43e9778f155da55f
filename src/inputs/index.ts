/**
 * Execution inputs (Kestra §6): typing the values given to an execution, or to a resumed Pause,
 * against the flow's input declarations, with Kestra's parsing, validation and messages.
 *
 * Pure: imports nothing from `node:*`, reads no clock, environment or randomness; file upload
 * and secret encryption come in as {@link ResolveInputsOptions} callbacks. May import model/,
 * expr/ and errors.ts only; never executor/, runtime/, store/ or anything above them.
 * @module
 */
export { resolveInputs, resolveResumeInputs, assertInputs, validateInputs, type ResolveInputsOptions } from './resolve.js';
