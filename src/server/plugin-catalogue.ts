/**
 * The plugin catalogue the daemon serves at `/api/v1/plugins…` (kestra-api.md §9), read from the
 * task registry (src/tasks/registry.ts) at each request, so it lists exactly what this build
 * runs: task types with a behaviour, the triggers and conditions the trigger service evaluates.
 * Kestra's shapes: a plugin per group (`io.kestra.plugin.core`, `io.kestra.plugin.scripts`, … —
 * the first four segments of the type name; its subgroups are the first five), a type's
 * documentation as `{markdown, schema: {properties, definitions}}` with a JSON Schema (draft 7)
 * of its properties built from the registry's property specs.
 * @module
 */
import { inputTypeNamed } from '../inputs/registry.js';
import { listTaskTypes, resolveTaskType, type TaskTypeInfo } from '../tasks/registry.js';
import { COMMON_TASK_PROPS, COMMON_TRIGGER_PROPS, type PropSpec } from '../tasks/schema.js';
import { RUNNABLE_CONDITIONS, RUNNABLE_TRIGGERS } from '../tasks/triggers.js';

/** Kestra's `Plugin` (io.kestra.core.docs.Plugin), one per group (or subgroup). */
export interface PluginJson {
  name: string;
  title: string;
  description: string;
  group: string;
  version: string;
  manifest: Record<string, string>;
  tasks: string[];
  triggers: string[];
  conditions: string[];
  controllers: string[];
  storages: string[];
  secrets: string[];
  taskRunners: string[];
  guides: string[];
  aliases: string[];
  categories: string[];
  subGroup?: string;
}

/** A type's documentation (Kestra's `DocumentationWithSchema`). */
export interface PluginDoc {
  markdown: string;
  schema: { properties: JsonSchema; definitions: Record<string, JsonSchema> };
}

type JsonSchema = Record<string, unknown>;

/** Whether this build runs the type (what the catalogue lists). */
export function served(t: TaskTypeInfo): boolean {
  if (t.category === 'trigger') return RUNNABLE_TRIGGERS.has(t.name);
  if (t.category === 'condition') return RUNNABLE_CONDITIONS.has(t.name);
  return t.runs !== undefined;
}

/** `io.kestra.plugin.core.log.Log` → `io.kestra.plugin.core` (group), `io.kestra.plugin.core.log` (subgroup). */
function groupOf(name: string, segments: number): string {
  return name.split('.').slice(0, segments).join('.');
}

function simpleName(name: string): string {
  return name.slice(name.lastIndexOf('.') + 1);
}

function title(group: string): string {
  const last = simpleName(group);
  return last.charAt(0).toUpperCase() + last.slice(1);
}

function pluginOf(group: string, types: TaskTypeInfo[], version: string, subGroup?: string): PluginJson {
  const of = (category: TaskTypeInfo['category']): string[] => types.filter((t) => t.category === category).map((t) => t.name);
  return {
    name: group,
    title: title(subGroup ?? group),
    description: `${group} types this Troupe build runs`,
    group,
    version,
    manifest: { 'X-Kestra-Group': group, 'X-Kestra-Title': title(group), 'X-Kestra-Version': version },
    tasks: of('task'),
    triggers: of('trigger'),
    conditions: of('condition'),
    controllers: [],
    storages: [],
    secrets: [],
    taskRunners: [],
    guides: [],
    aliases: types.flatMap((t) => t.aliases),
    categories: [],
    ...(subGroup !== undefined ? { subGroup } : {}),
  };
}

/** Every plugin (group) with the types it serves, in registry order. */
export function listPlugins(version: string): PluginJson[] {
  const groups = new Map<string, TaskTypeInfo[]>();
  for (const t of listTaskTypes().filter(served)) {
    const g = groupOf(t.name, 4);
    groups.set(g, [...(groups.get(g) ?? []), t]);
  }
  return [...groups].map(([g, types]) => pluginOf(g, types, version));
}

/** The plugins, then one entry per subgroup of each (Kestra's `/plugins/groups/subgroups`). */
export function listPluginSubgroups(version: string): PluginJson[] {
  const out = listPlugins(version);
  const subgroups = new Map<string, { group: string; types: TaskTypeInfo[] }>();
  for (const t of listTaskTypes().filter(served)) {
    const s = groupOf(t.name, 5);
    const entry = subgroups.get(s) ?? { group: groupOf(t.name, 4), types: [] };
    entry.types.push(t);
    subgroups.set(s, entry);
  }
  for (const [s, { group, types }] of subgroups) out.push(pluginOf(group, types, version, s));
  return out;
}

/** The JSON Schema of one property spec (templated scalars accept a string too, as Kestra's dynamic properties). */
function propSchema(spec: PropSpec): JsonSchema {
  switch (spec.type) {
    case 'string':
      return { type: 'string' };
    case 'int':
      return { anyOf: [{ type: 'integer' }, { type: 'string' }] };
    case 'number':
      return { anyOf: [{ type: 'number' }, { type: 'string' }] };
    case 'bool':
      return { anyOf: [{ type: 'boolean' }, { type: 'string' }] };
    case 'duration':
      return { type: 'string', format: 'duration' };
    case 'enum':
      return { type: 'string', enum: [...(spec.values ?? [])] };
    case 'list':
    case 'dag':
      return { type: 'array', ...(spec.nonEmpty ? { minItems: 1 } : {}) };
    case 'tasks':
      return { type: 'array', items: { $ref: '#/definitions/task' }, ...(spec.nonEmpty ? { minItems: 1 } : {}) };
    case 'cases':
      return { type: 'object', additionalProperties: { type: 'array', items: { $ref: '#/definitions/task' } } };
    case 'map':
      return { type: 'object' };
    case 'strings':
      return { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] };
    case 'any':
      return {};
  }
}

/** The JSON Schema of a type's properties (its own and the common ones of its category). */
export function typeSchema(t: TaskTypeInfo): JsonSchema {
  const common = t.category === 'task' ? COMMON_TASK_PROPS : t.category === 'trigger' ? COMMON_TRIGGER_PROPS : { type: { type: 'string', required: true, nonEmpty: false } as PropSpec };
  const props: Record<string, PropSpec> = { ...common, ...t.props };
  if (t.category === 'task' && t.kind === 'flowable') props['errors'] = { type: 'tasks', required: false, nonEmpty: false };
  const properties: Record<string, JsonSchema> = {};
  for (const [name, spec] of Object.entries(props)) properties[name] = name === 'type' ? { const: t.name } : propSchema(spec);
  const required = Object.entries(props)
    .filter(([, s]) => s.required)
    .map(([n]) => n);
  return {
    $id: t.name,
    title: simpleName(t.name),
    ...(t.summary ? { description: t.summary } : {}),
    type: 'object',
    properties,
    required,
    additionalProperties: t.openProps,
    ...(t.deprecated ? { $deprecated: true } : {}),
  };
}

/** The documentation of a served type (by its name or an alias); undefined when it is not served. */
export function pluginDoc(name: string): PluginDoc | undefined {
  const t = resolveTaskType(name);
  if (!t || !served(t)) return undefined;
  const lines = [`# ${simpleName(t.name)}`, '', '```yaml', `type: "${t.name}"`, '```'];
  if (t.summary) lines.push('', t.summary.charAt(0).toUpperCase() + t.summary.slice(1) + '.');
  if (t.deprecated) lines.push('', `::alert{type="warning"}\nDeprecated: use ${t.deprecated}.\n::`);
  if (t.aliases.length) lines.push('', `Also named: ${t.aliases.map((a) => `\`${a}\``).join(', ')}.`);
  return { markdown: lines.join('\n'), schema: { properties: typeSchema(t), definitions: {} } };
}

/** The kinds of `/plugins/schemas/{type}`: Kestra's SchemaType values this catalogue can describe. */
export const SCHEMA_KINDS = ['flow', 'task', 'trigger'] as const;

/**
 * A JSON Schema (draft 7) for a flow, a task or a trigger of this build: `definitions` holds each
 * served type's schema, `task`/`trigger`/`condition` the union of them; `$ref` names the root.
 */
export function schemaFor(kind: (typeof SCHEMA_KINDS)[number], arrayOf = false): JsonSchema {
  const types = listTaskTypes().filter(served);
  const definitions: Record<string, JsonSchema> = {};
  for (const t of types) definitions[t.name] = typeSchema(t);
  const union = (category: TaskTypeInfo['category']): JsonSchema => ({ anyOf: types.filter((t) => t.category === category).map((t) => ({ $ref: `#/definitions/${t.name}` })) });
  definitions['task'] = union('task');
  definitions['trigger'] = union('trigger');
  definitions['condition'] = union('condition');
  definitions['flow'] = {
    type: 'object',
    properties: {
      id: { type: 'string', pattern: '^[a-zA-Z0-9][a-zA-Z0-9._-]*$', maxLength: 100 },
      namespace: { type: 'string', pattern: '^[a-z0-9][a-z0-9._-]*$', maxLength: 150 },
      description: { type: 'string' },
      revision: { type: 'integer' },
      labels: { anyOf: [{ type: 'object' }, { type: 'array' }] },
      inputs: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, type: { type: 'string', enum: INPUT_TYPES.filter((i) => inputTypeNamed(i.type)).map((i) => i.type) } }, required: ['id', 'type'] } },
      variables: { type: 'object' },
      tasks: { type: 'array', items: { $ref: '#/definitions/task' }, minItems: 1 },
      errors: { type: 'array', items: { $ref: '#/definitions/task' } },
      finally: { type: 'array', items: { $ref: '#/definitions/task' } },
      afterExecution: { type: 'array', items: { $ref: '#/definitions/task' } },
      triggers: { type: 'array', items: { $ref: '#/definitions/trigger' } },
      pluginDefaults: { type: 'array' },
      concurrency: { type: 'object' },
      outputs: { type: 'array' },
      retry: { type: 'object' },
      disabled: { type: 'boolean' },
    },
    required: ['id', 'namespace', 'tasks'],
  };
  const root = { $ref: `#/definitions/${kind}` };
  return { $schema: 'http://json-schema.org/draft-07/schema#', ...(arrayOf ? { type: 'array', items: root } : root), definitions };
}

/** Kestra's input types (`GET /plugins/inputs`): name and class, those this build parses. */
const INPUT_TYPES: ReadonlyArray<{ type: string; cls: string }> = [
  ['STRING', 'StringInput'], ['ENUM', 'EnumInput'], ['SELECT', 'SelectInput'], ['MULTISELECT', 'MultiselectInput'], ['INT', 'IntInput'],
  ['FLOAT', 'FloatInput'], ['BOOLEAN', 'BooleanInput'], ['BOOL', 'BoolInput'], ['DATETIME', 'DateTimeInput'], ['DATE', 'DateInput'],
  ['TIME', 'TimeInput'], ['DURATION', 'DurationInput'], ['FILE', 'FileInput'], ['JSON', 'JsonInput'], ['YAML', 'YamlInput'],
  ['URI', 'URIInput'], ['SECRET', 'SecretInput'], ['ARRAY', 'ArrayInput'], ['EMAIL', 'EmailInput'],
].map(([type, cls]) => ({ type: type!, cls: `io.kestra.core.models.flows.input.${cls!}` }));

/** The input types this build parses. */
export function inputTypes(): Array<{ type: string; cls: string }> {
  return INPUT_TYPES.filter((i) => inputTypeNamed(i.type) !== undefined);
}
