/**
 * @module flow
 * YAML text → validated {@link Flow}: parsing with line:col positions, validation, the plugin type
 * registry with Kestra's legacy aliases, and plugin defaults. Hostile YAML (size, depth, duplicate
 * keys, alias expansion) is refused by the guarded reader of yaml/.
 * Pure: imports nothing from `node:*` (the CLI reads files).
 */
export { parseFlow, validateFlow, childTasks } from './parse.js';
export type { ParseFlowOptions, FlowValidation, FlowValidationError } from './parse.js';
export type { FlowAdvice } from './problems.js';
export { resolveTaskType, listTaskTypes, suggestTaskTypes } from './task-types.js';
export { flowGraph } from './graph.js';
export type { FlowGraphJson } from './graph.js';
