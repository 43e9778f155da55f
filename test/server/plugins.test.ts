/** The plugin catalogue (kestra-api.md §9): what the registry serves, in Kestra's shapes. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listTaskTypes } from '../../src/tasks/registry.js';
import { served } from '../../src/server/plugin-catalogue.js';
import { openTestApp, type TestApp } from './helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await openTestApp();
});
afterAll(async () => {
  await t?.dispose();
});

const LOG = 'io.kestra.plugin.core.log.Log';

describe('GET /plugins', () => {
  it('lists one plugin per group with exactly the types this build runs', async () => {
    const res = await t.app.inject({ url: '/api/v1/plugins' });
    expect(res.statusCode).toBe(200);
    const plugins = res.json() as Array<{ name: string; group: string; version: string; tasks: string[]; triggers: string[]; conditions: string[]; aliases: string[] }>;
    const core = plugins.find((p) => p.group === 'io.kestra.plugin.core')!;
    expect(core).toMatchObject({ name: 'io.kestra.plugin.core', title: 'Core', version: '0.0.0-test' });
    expect(core.tasks).toContain(LOG);
    expect(core.triggers).toContain('io.kestra.plugin.core.trigger.Schedule');
    expect(core.conditions).toContain('io.kestra.plugin.core.condition.ExecutionStatus');
    expect(core.aliases).toContain('io.kestra.core.tasks.log.Log');
    const listed = plugins.flatMap((p) => [...p.tasks, ...p.triggers, ...p.conditions]).sort();
    expect(listed).toEqual(listTaskTypes().filter(served).map((x) => x.name).sort());
    // A type the build knows but cannot run is not listed.
    const unserved = listTaskTypes().filter((x) => !served(x));
    for (const x of unserved) expect(listed).not.toContain(x.name);
  });

  it('lists subgroups after the groups', async () => {
    const all = (await t.app.inject({ url: '/api/v1/main/plugins/groups/subgroups' })).json() as Array<{ group: string; subGroup?: string; tasks: string[] }>;
    const log = all.find((p) => p.subGroup === 'io.kestra.plugin.core.log')!;
    expect(log).toMatchObject({ group: 'io.kestra.plugin.core', title: 'Log' });
    expect(log.tasks).toContain(LOG);
    expect(log.tasks.every((x) => x.startsWith('io.kestra.plugin.core.log.'))).toBe(true);
  });
});

describe('GET /plugins/{cls}', () => {
  it("answers a type's markdown and the JSON Schema of its properties (common ones included), by name or alias", async () => {
    for (const cls of [LOG, 'io.kestra.core.tasks.log.Log']) {
      const res = await t.app.inject({ url: `/api/v1/plugins/${cls}` });
      expect(res.statusCode, cls).toBe(200);
      expect(res.headers['cache-control']).toBe('public, max-age=3600');
      const doc = res.json();
      expect(doc.markdown).toContain('# Log');
      expect(doc.schema.properties).toMatchObject({
        $id: LOG,
        type: 'object',
        additionalProperties: false,
        required: expect.arrayContaining(['id', 'type', 'message']),
        properties: { type: { const: LOG }, level: { type: 'string', enum: ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'] }, timeout: { type: 'string', format: 'duration' }, retry: {} },
      });
    }
    const flowable = (await t.app.inject({ url: '/api/v1/plugins/io.kestra.plugin.core.flow.Sequential' })).json();
    expect(flowable.schema.properties.properties.tasks).toMatchObject({ type: 'array', minItems: 1 });
    expect(flowable.schema.properties.properties.errors).toMatchObject({ type: 'array' });
  });

  it('versions: the build version; 404 for an unknown type or version', async () => {
    expect((await t.app.inject({ url: `/api/v1/plugins/${LOG}/versions` })).json()).toEqual({ type: LOG, versions: ['0.0.0-test'] });
    expect((await t.app.inject({ url: `/api/v1/plugins/${LOG}/versions/0.0.0-test` })).json().markdown).toContain('# Log');
    for (const url of ['/api/v1/plugins/io.kestra.nope.Nope', `/api/v1/plugins/${LOG}/versions/9.9.9`, '/api/v1/plugins/io.kestra.nope.Nope/versions']) {
      const res = await t.app.inject({ url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json().message).toMatch(/^Not Found: /);
    }
  });
});

describe('schemas and inputs', () => {
  it('answers a draft-7 schema of a flow, a task, a trigger (arrayOf too); 404 for other kinds', async () => {
    const flow = (await t.app.inject({ url: '/api/v1/plugins/schemas/flow' })).json();
    expect(flow).toMatchObject({ $schema: 'http://json-schema.org/draft-07/schema#', $ref: '#/definitions/flow' });
    expect(flow.definitions.flow.required).toEqual(['id', 'namespace', 'tasks']);
    expect(flow.definitions.task.anyOf).toContainEqual({ $ref: `#/definitions/${LOG}` });
    expect(flow.definitions[LOG].properties.message).toBeDefined();
    const tasks = (await t.app.inject({ url: '/api/v1/plugins/schemas/TASK?arrayOf=true' })).json();
    expect(tasks).toMatchObject({ type: 'array', items: { $ref: '#/definitions/task' } });
    expect((await t.app.inject({ url: '/api/v1/plugins/schemas/trigger' })).json().$ref).toBe('#/definitions/trigger');
    const other = await t.app.inject({ url: '/api/v1/plugins/schemas/dashboard' });
    expect(other.statusCode).toBe(404);
  });

  it('lists the input types with their Kestra class, and documents one', async () => {
    const inputs = (await t.app.inject({ url: '/api/v1/plugins/inputs' })).json() as Array<{ type: string; cls: string }>;
    expect(inputs).toContainEqual({ type: 'STRING', cls: 'io.kestra.core.models.flows.input.StringInput' });
    expect(inputs.map((i) => i.type)).toContain('FILE');
    const one = await t.app.inject({ url: '/api/v1/plugins/inputs/INT' });
    expect(one.json().schema.properties.properties.type).toEqual({ const: 'INT' });
    expect((await t.app.inject({ url: '/api/v1/plugins/inputs/NOPE' })).statusCode).toBe(404);
  });
});
