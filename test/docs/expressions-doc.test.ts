import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FILTER_NAMES, FUNCTION_NAMES, renderString } from '../../src/expr/index.js';

const doc = readFileSync(fileURLToPath(new URL('../../docs/reference/expressions.md', import.meta.url)), 'utf8');

/** The text of the `## title` section (up to the next `## `). */
function section(title: string): string {
  const start = doc.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`no section ## ${title}`);
  const end = doc.indexOf('\n## ', start + 1);
  return doc.slice(start, end < 0 ? undefined : end);
}

/** Names in the first column of a section's table: `name` or `name(args)`. */
function tableNames(text: string): string[] {
  return [...text.matchAll(/^\| `([A-Za-z0-9_]+)[(`]/gm)].map((m) => m[1]!);
}

interface Example {
  template: string;
  expected: { output: string } | { error: string };
}

/** Every `` `template` → `output` `` / `→ (empty)` / `→ error `CODE`` of the page; `\|` is a `|` in tables. */
function examples(): Example[] {
  const out: Example[] = [];
  for (const rawLine of doc.split('\n')) {
    const line = rawLine.startsWith('|') ? rawLine.replace(/\\\|/g, '|') : rawLine;
    for (const m of line.matchAll(/`([^`]+)` → (?:`([^`]*)`|(\(empty\))|error `([A-Z_]+)`)/g)) {
      const template = m[1]!;
      if (!/\{[{%#]/.test(template)) continue;
      out.push({ template, expected: m[4] !== undefined ? { error: m[4] } : { output: m[3] !== undefined ? '' : m[2]! } });
    }
  }
  return out;
}

const context = JSON.parse(/```json\n([\s\S]*?)\n```/.exec(section('Examples on this page'))![1]!) as Record<string, unknown>;
const now = (): number => Date.UTC(2024, 0, 2, 3, 4, 5, 678);

describe('docs/reference/expressions.md', () => {
  it('documents every filter in its Filters table, and no filter that does not exist', () => {
    expect(tableNames(section('Filters')).sort()).toEqual([...FILTER_NAMES].sort());
  });

  it('documents every function in its Functions table, and no function that does not exist', () => {
    expect(tableNames(section('Functions')).sort()).toEqual([...FUNCTION_NAMES].sort());
  });

  it('has an example for every filter and function', () => {
    const templates = examples().map((e) => e.template);
    for (const name of FILTER_NAMES) expect(templates.some((t) => new RegExp(`\\|\\s*${name}\\b`).test(t)), `filter ${name}`).toBe(true);
    for (const name of FUNCTION_NAMES) expect(templates.some((t) => new RegExp(`\\b${name}\\(`).test(t)), `function ${name}`).toBe(true);
  });

  const all = examples();
  it('has examples', () => {
    expect(all.length).toBeGreaterThan(100);
  });

  it.each(all.map((e) => [e.template, e.expected] as const))('%s renders as the page says', (template, expected) => {
    let result: { output: string } | { error: string };
    try {
      result = { output: renderString(template, context, { now }) };
    } catch (err) {
      result = { error: (err as { code?: string }).code ?? String(err) };
    }
    expect(result).toEqual(expected);
  });
});
