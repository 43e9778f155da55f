/**
 * Hostile flow sources found by probing the loader, shared by the parser suite and the CLI suite:
 * each one must end in its own `TROUPE_*` error at a line and column, never in a stack overflow.
 */
import type { ErrorCode } from '../../src/errors.js';

const LOG = 'io.kestra.plugin.core.log.Log';
const SEQUENTIAL = 'io.kestra.plugin.core.flow.Sequential';
/** A valid flow head: id, namespace and one task, 6 lines. */
const HEAD = `id: hostile\nnamespace: io.kestra.tests\ntasks:\n  - id: hello\n    type: ${LOG}\n    message: hi\n`;

/** One hostile source and the error it must end in. */
export interface HostileCase {
  name: string;
  source: () => string;
  /** Parser options the case needs (a raised size cap), or none. */
  options?: { maxBytes?: number; maxAliasCount?: number };
  code: ErrorCode;
  line: number;
  column: number;
}

/** `depth` block maps, one per line, each indented one more space. */
function blockMaps(depth: number): string {
  return `${HEAD}variables:\n${Array.from({ length: depth }, (_, i) => `${' '.repeat(i + 1)}k${i}:`).join('\n')} leaf\n`;
}

/** `depth` block sequences, one per line, each indented one more space. */
function blockSeqs(depth: number): string {
  return `${HEAD}variables:\n  x:\n${Array.from({ length: depth }, (_, i) => `${' '.repeat(i + 2)}-`).join('\n')} leaf\n`;
}

/** Sequential tasks nested `depth` deep, written in flow style so the source stays small. */
function nestedSequentials(depth: number): string {
  let inner = `{id: leaf, type: ${LOG}, message: hi}`;
  for (let i = 0; i < depth; i++) inner = `{id: s${i}, type: ${SEQUENTIAL}, tasks: [${inner}]}`;
  return `id: hostile\nnamespace: io.kestra.tests\ntasks: [${inner}]\n`;
}

/** Anchors each wrapping the previous one in 90 levels: the text nests 92 deep, the tree thousands. */
function aliasChain(links: number): string {
  const lines = Array.from({ length: links }, (_, k) => `  a${k}: &a${k} ${'['.repeat(90)}${k === 0 ? 'x' : `*a${k - 1}`}${']'.repeat(90)}`);
  return `${HEAD}variables:\n${lines.join('\n')}\n`;
}

/** The hostile cases, each with the error it ends in. Sizes are those the probe used. */
export const HOSTILE_CASES: readonly HostileCase[] = [
  { name: 'block maps nested 5,000 deep', source: () => blockMaps(5000), options: { maxBytes: 20_000_000 }, code: 'TROUPE_FLOW_TOO_DEEP', line: 107, column: 101 },
  { name: 'block sequences nested 5,000 deep', source: () => blockSeqs(5000), options: { maxBytes: 20_000_000 }, code: 'TROUPE_FLOW_TOO_DEEP', line: 107, column: 101 },
  { name: '`- - - …` 5,000 deep on one line', source: () => `${HEAD}variables:\n  x:\n    ${'- '.repeat(5000)}leaf\n`, code: 'TROUPE_FLOW_TOO_DEEP', line: 9, column: 201 },
  { name: '`? ? ? …` (complex keys) 5,000 deep', source: () => `${HEAD}variables:\n  ${'? '.repeat(5000)}leaf\n`, code: 'TROUPE_FLOW_TOO_DEEP', line: 8, column: 201 },
  { name: '`? ? ? …` as the whole document', source: () => `${'? '.repeat(5000)}leaf\n`, code: 'TROUPE_FLOW_TOO_DEEP', line: 1, column: 201 },
  { name: '`[[[…` 5,000 deep under a task', source: () => `id: hostile\nnamespace: io.kestra.tests\ntasks:\n  - id: t\n    type: ${LOG}\n    message: ${'['.repeat(5000)}\n`, code: 'TROUPE_FLOW_TOO_DEEP', line: 6, column: 111 },
  { name: 'Sequential flowables nested 5,000 deep', source: () => nestedSequentials(5000), code: 'TROUPE_FLOW_TOO_DEEP', line: 3, column: 3194 },
  { name: 'plugin defaults nested 5,000 deep', source: () => `${HEAD}pluginDefaults:\n  - type: ${LOG}\n    values:\n      x: ${'{a: '.repeat(5000)}1${'}'.repeat(5000)}\n`, code: 'TROUPE_FLOW_TOO_DEEP', line: 10, column: 394 },
  { name: 'aliases that nest 5,400 deep through 60 anchors, alias cap off', source: () => aliasChain(60), options: { maxAliasCount: -1 }, code: 'TROUPE_FLOW_TOO_DEEP', line: 9, column: 101 },
  { name: '200,000 duplicate keys', source: () => `${HEAD}variables:\n${'  k: 1\n'.repeat(200_000)}`, code: 'TROUPE_FLOW_DUPLICATE_KEY', line: 9, column: 3 },
];
