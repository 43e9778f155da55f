import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, expect } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { compileTemplate, renderString } from '../../src/expr/index.js';
import { needsShared, SHARED_DIR } from '../helpers/shared.js';

const FLOWS = join(SHARED_DIR, 'conformance/flows');
const present = needsShared('templates of the Kestra conformance flows (../shared/conformance/flows)');

/** Every string value (and key) of a YAML tree that holds a template. */
function templatesOf(value: unknown, out: Set<string>): Set<string> {
  if (typeof value === 'string') {
    if (value.includes('{{') || value.includes('{%')) out.add(value);
  } else if (Array.isArray(value)) {
    for (const v of value) templatesOf(v, out);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      templatesOf(k, out);
      templatesOf(v, out);
    }
  }
  return out;
}

const files = !present ? [] : readdirSync(FLOWS).filter((f) => /\.ya?ml$/.test(f)).sort();
const cases = files.flatMap((file) => {
  const docs = parseAllDocuments(readFileSync(join(FLOWS, file), 'utf8'));
  const found = new Set<string>();
  for (const doc of docs) templatesOf(doc.toJS(), found);
  return [...found].map((template) => [file, template] as const);
});

describe.skipIf(!present)('templates of the Kestra conformance flows', () => {
  it('finds templates to check', () => {
    expect(cases.length).toBeGreaterThan(40);
  });

  it.each(cases)('%s: %j compiles', (_file, template) => {
    const compiled = compileTemplate(template);
    expect(compiled.source).toBe(template);
    expect(compiled.nodes.length).toBeGreaterThan(0);
  });

  it('renders the loop templates of each-sequential-nested as Kestra expects', () => {
    const context = {
      task: { id: '1-2-2_return' },
      taskrun: { value: 'a a', startDate: '2024-01-01T00:00:00Z' },
      outputs: { '1-2-1_return': { s1: { 'a a': { value: '1-2-1_return > a a' } } } },
      parents: [{ taskrun: { value: 's1' } }],
    };
    const template = "{{task.id}} > {{ outputs['1-2-1_return'].s1[taskrun.value].value }} >> get {{ outputs['1-2-1_return']['s1'][taskrun.value].value }} > {{taskrun.startDate}}";
    expect(renderString(template, context)).toBe('1-2-2_return > 1-2-1_return > a a >> get 1-2-1_return > a a > 2024-01-01T00:00:00Z');
  });

  it('renders the JSON loop values of each-object with jq', () => {
    const context = { task: { id: 't' }, parent: { taskrun: { value: '{"key":"my-key","value":"my-value"}' } } };
    const template = "{{task.id}} > JSON > {{ parent.taskrun.value | jq('.key') }} > {{ parent.taskrun.value | jq('.value') }}";
    expect(renderString(template, context)).toBe('t > JSON > ["my-key"] > ["my-value"]');
  });
});
