/**
 * Reads YAML defensively, for flows and for every YAML value that comes from outside (YAML inputs,
 * the `yaml()` template function): a size cap, a depth check on the concrete syntax tree, a linear
 * duplicate-key check and an alias-expansion cap run before anything recurses over the document.
 * The yaml package's own `parse` is never used on such text: it composes recursively, so deep
 * nesting overflows the stack (sometimes as an uncatchable V8 abort), and its duplicate-key check
 * is quadratic.
 *
 * What the reader guarantees: the tree it returns nests at most `maxDepth` collections, aliases
 * included, and `maxDepth` is never above {@link MAX_DEPTH_CEILING}. Every later walk over the tree
 * (plugin defaults, `toPlain`, nested flowables) may therefore recurse once per level: input
 * cannot drive it deeper than the ceiling.
 */
import { Composer, LineCounter, Parser, type CST, type Document } from 'yaml';
import { TroupeError, type ErrorCode } from '../errors.js';
import { findExcessiveDepth } from './depth-guard.js';
import { findDuplicateKeys } from './duplicate-keys.js';
import { AliasCycleError, AliasDepthError, buildTree, toPlain, type Position, type YNode } from './tree.js';

/** Limits applied while reading a YAML source. */
export interface ReadLimits {
  /** Largest accepted source, in UTF-8 bytes. */
  maxBytes: number;
  /** Deepest accepted nesting of collections. */
  maxDepth: number;
  /** Largest accepted alias expansion, as the yaml package counts it. */
  maxAliasCount: number;
}

/**
 * The highest `maxDepth` a caller may ask for. The yaml package composes documents recursively, and
 * so do the loader and the executor over nested tasks: at this depth all of them stay well inside
 * Node's default stack (the composer itself overflows near 800 levels of `[`).
 */
export const MAX_DEPTH_CEILING = 500;

/** The limits used when none are given. */
export const DEFAULT_READ_LIMITS: Readonly<ReadLimits> = Object.freeze({
  maxBytes: 10 * 1024 * 1024,
  maxDepth: 100,
  maxAliasCount: 100,
});

/** Why a YAML source cannot be read, and where: one of the `TROUPE_FLOW_*` codes of YAML reading. */
export interface YamlProblem extends Position {
  code: ErrorCode;
  message: string;
}

/** The tree of a YAML source, or the problems that stop it being read. */
export type ReadResult = { ok: true; root: YNode } | { ok: false; problems: YamlProblem[] };

const fail = (code: ErrorCode, message: string, line = 1, column = 1): ReadResult => ({
  ok: false,
  problems: [{ code, message, line, column }],
});

/** Reads `source` into a positioned tree, refusing hostile documents with their own codes. */
export function readYaml(source: string, limits: ReadLimits): ReadResult {
  const bytes = utf8Length(source, limits.maxBytes);
  if (bytes > limits.maxBytes) {
    return fail('TROUPE_FLOW_TOO_LARGE', `flow source is larger than ${limits.maxBytes} bytes; split the flow or raise maxBytes`);
  }
  const lines = new LineCounter();
  const tokens: CST.Token[] = [...new Parser(lines.addNewLine).parse(source)];
  const deep = findExcessiveDepth(tokens, limits.maxDepth);
  if (deep) {
    const { line, col } = lines.linePos(deep.offset);
    return fail('TROUPE_FLOW_TOO_DEEP', `collections are nested deeper than ${limits.maxDepth} levels`, line, col);
  }
  const docs: Document.Parsed[] = [...new Composer({ uniqueKeys: false, prettyErrors: false, strict: true }).compose(tokens, true, source.length)];
  const [doc, second] = docs;
  if (!doc) return fail('TROUPE_FLOW_SYNTAX', 'invalid YAML: no document');
  if (second) {
    const { line, col } = lines.linePos(second.range[0]);
    return fail('TROUPE_FLOW_SYNTAX', 'invalid YAML: the source holds several documents; a flow is one document', line, col);
  }
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => {
        const { line, col } = lines.linePos(e.pos[0]);
        return { code: 'TROUPE_FLOW_SYNTAX', message: `invalid YAML: ${e.message}`, line, column: col };
      }),
    };
  }
  const duplicates = findDuplicateKeys(doc, lines);
  if (duplicates.length > 0) {
    return {
      ok: false,
      problems: duplicates.map((d) => ({
        code: 'TROUPE_FLOW_DUPLICATE_KEY',
        message: `duplicate key '${d.key}'; each key may appear once in a mapping`,
        line: d.line,
        column: d.column,
      })),
    };
  }
  try {
    doc.toJS({ maxAliasCount: limits.maxAliasCount });
  } catch (err) {
    if (err instanceof ReferenceError && /alias/i.test(err.message)) {
      return fail('TROUPE_FLOW_TOO_MANY_ALIASES', `aliases expand to more than ${limits.maxAliasCount} nodes; write the values out or use fewer aliases`);
    }
    throw err;
  }
  try {
    return { ok: true, root: buildTree(doc, lines, limits.maxDepth) };
  } catch (err) {
    if (err instanceof AliasCycleError) return fail('TROUPE_FLOW_SYNTAX', err.message, err.at.line, err.at.column);
    if (err instanceof AliasDepthError) return fail('TROUPE_FLOW_TOO_DEEP', err.message, err.at.line, err.at.column);
    throw err;
  }
}

/**
 * The plain value of a YAML text from outside (an input, a template argument), read with the
 * same guards as a flow.
 * @throws TroupeError with the first problem's code (`TROUPE_FLOW_TOO_DEEP`, `_SYNTAX`, …) and
 *   `line:column: message`; `details` holds the line, the column and how many problems there were
 */
export function readYamlValue(source: string, limits: ReadLimits = DEFAULT_READ_LIMITS): unknown {
  const read = readYaml(source, limits);
  if (read.ok) return toPlain(read.root);
  const [first, ...rest] = read.problems;
  const { code, message, line, column } = first ?? { code: 'TROUPE_FLOW_SYNTAX', message: 'invalid YAML', line: 1, column: 1 };
  const more = rest.length > 0 ? ` (and ${rest.length} more problems)` : '';
  throw new TroupeError(code, `${line}:${column}: ${message}${more}`, { line, column, problems: read.problems.length });
}

/** The UTF-8 length of `s`, counting no further than just past `stopAfter`. */
function utf8Length(s: string, stopAfter: number): number {
  if (s.length > stopAfter) return s.length;
  let n = 0;
  for (let i = 0; i < s.length && n <= stopAfter; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i += 1;
    } else n += 3;
  }
  return n;
}
