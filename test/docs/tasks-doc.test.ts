/**
 * docs/reference/tasks.md is derived from the task registry: its tables must list exactly what
 * src/tasks/registry.ts defines (on a mismatch the expected lines are printed, to paste in).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { listTaskTypes, type TaskTypeInfo } from '../../src/tasks/registry.js';

const doc = readFileSync(new URL('../../docs/reference/tasks.md', import.meta.url), 'utf8');

const WHERE: Record<string, string> = { actor: 'actor', pool: 'pool', main: 'main thread' };

function byName(a: TaskTypeInfo, b: TaskTypeInfo): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** The rows of the "runs" table, one per task type this build runs. */
function runnableRows(): string[] {
  return listTaskTypes('task')
    .filter((t) => t.runs !== undefined)
    .sort(byName)
    .map((t) => `| \`${t.name}\` | ${WHERE[t.runs!]} | ${t.summary}${t.deprecated ? ` (deprecated: use ${t.deprecated})` : ''} | ${t.aliases.map((a) => `\`${a}\``).join(', ')} |`);
}

/** The list items of types known but not runnable, by category. */
function knownItems(category: 'task' | 'trigger' | 'condition'): string[] {
  return listTaskTypes(category)
    .filter((t) => t.runs === undefined)
    .sort(byName)
    .map((t) => `- \`${t.name}\`${t.aliases.length > 0 ? ` (also ${t.aliases.map((a) => `\`${a}\``).join(', ')})` : ''}`);
}

/** The lines of the doc between a `## heading` and the next heading that are table rows or list items. */
function section(heading: string, prefix: string): string[] {
  const start = doc.indexOf(`\n## ${heading}\n`);
  if (start < 0) return [`(no section '## ${heading}')`];
  const rest = doc.slice(start + heading.length + 5);
  const end = rest.search(/\n## /);
  const body = end < 0 ? rest : rest.slice(0, end);
  return body.split('\n').filter((l) => l.startsWith(prefix) && !l.startsWith('| type ') && !l.startsWith('|---'));
}

describe('docs/reference/tasks.md', () => {
  it('lists exactly the task types this build runs, where they run and what they do', () => {
    expect(section('Task types this build runs', '| `')).toEqual(runnableRows());
  });

  it('lists the task types Troupe knows but cannot run yet', () => {
    expect(section('Known task types this build cannot run yet', '- `')).toEqual(knownItems('task'));
  });

  it('lists the trigger and condition types the parser knows', () => {
    expect(section('Triggers', '- `')).toEqual(knownItems('trigger'));
    expect(section('Conditions', '- `')).toEqual(knownItems('condition'));
  });

  it('has every runnable type documented with a summary', () => {
    for (const t of listTaskTypes('task').filter((x) => x.runs !== undefined)) expect(t.summary, t.name).toBeTruthy();
  });
});
