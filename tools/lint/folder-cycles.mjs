/**
 * Folder-level import cycles among the top-level folders of src/ (protocol → executor → protocol):
 * import-x/no-cycle sees file cycles only, and two folders can depend on each other through
 * different files. Every import counts, type-only ones too: layering is about dependencies, not
 * about what survives compilation. Root files (src/errors.ts, src/index.ts) are nodes of their own.
 *
 * Usage: `node tools/lint/folder-cycles.mjs [srcDir]`; exits 1 on a cycle not covered by the
 * allowlist (FOLDER_ALLOWLIST in eslint.config.js) or on an allowlist entry no cycle needs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

/** Every .ts file under `dir`, recursively. */
function sourceFiles(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(full));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

/** The node a file belongs to: its top-level folder under `srcDir`, or its own name for a root file. */
function nodeOf(srcDir, file) {
  const [first, ...rest] = relative(srcDir, file).split(sep);
  return rest.length === 0 ? first.replace(/\.ts$/, '') : first;
}

/**
 * The folder graph of `srcDir`: for each node, the nodes it imports, with one file and specifier
 * that shows each edge.
 * @returns {Map<string, Map<string, { file: string; specifier: string }>>}
 */
export function folderGraph(srcDir) {
  const root = resolve(srcDir);
  const graph = new Map();
  for (const file of sourceFiles(root)) {
    const from = nodeOf(root, file);
    if (!graph.has(from)) graph.set(from, new Map());
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const { fileName: specifier } of importedFiles) {
      if (!specifier.startsWith('.')) continue;
      const target = resolve(dirname(file), specifier);
      if (!target.startsWith(root + sep)) continue;
      const to = nodeOf(root, target.replace(/\.js$/, '.ts'));
      if (to !== from && !graph.get(from).has(to)) graph.get(from).set(to, { file: relative(root, file), specifier });
    }
  }
  return graph;
}

/** Strongly connected components of more than one node (Tarjan, iterative), each sorted. */
export function cyclicComponents(graph) {
  const index = new Map();
  const low = new Map();
  const onStack = new Set();
  const stack = [];
  const components = [];
  let next = 0;
  for (const start of graph.keys()) {
    if (index.has(start)) continue;
    const work = [[start, [...(graph.get(start)?.keys() ?? [])], 0]];
    index.set(start, next);
    low.set(start, next++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const [node, targets] = frame;
      if (frame[2] < targets.length) {
        const to = targets[frame[2]++];
        if (!index.has(to)) {
          index.set(to, next);
          low.set(to, next++);
          stack.push(to);
          onStack.add(to);
          work.push([to, [...(graph.get(to)?.keys() ?? [])], 0]);
        } else if (onStack.has(to)) {
          low.set(node, Math.min(low.get(node), index.get(to)));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1][0];
        low.set(parent, Math.min(low.get(parent), low.get(node)));
      }
      if (low.get(node) === index.get(node)) {
        const component = [];
        let member;
        do {
          member = stack.pop();
          onStack.delete(member);
          component.push(member);
        } while (member !== node);
        if (component.length > 1) components.push(component.sort());
      }
    }
  }
  return components;
}

/** `graph` without the edges `allowed` lists (`{ from, to }`). */
function without(graph, allowed) {
  const out = new Map();
  for (const [from, edges] of graph) out.set(from, new Map([...edges].filter(([to]) => !allowed.some((a) => a.from === from && a.to === to))));
  return out;
}

/**
 * Checks `srcDir` against the allowlist.
 * @param {string} srcDir
 * @param {Array<{ from: string; to: string }>} allowlist - edges known to close a cycle, to burn down
 * @returns {{ cycles: Array<{ members: string[]; edges: string[] }>; stale: Array<{ from: string; to: string; why: string }> }}
 */
export function checkFolderCycles(srcDir, allowlist = []) {
  const graph = folderGraph(srcDir);
  const cycles = cyclicComponents(without(graph, allowlist)).map((members) => ({
    members,
    edges: members.flatMap((from) =>
      [...(graph.get(from) ?? [])].filter(([to]) => members.includes(to)).map(([to, via]) => `${from} → ${to} (${via.file} imports '${via.specifier}')`),
    ),
  }));
  const full = cyclicComponents(graph);
  const stale = allowlist.flatMap(({ from, to }) => {
    if (!graph.get(from)?.has(to)) return [{ from, to, why: `${from} no longer imports ${to}` }];
    if (!full.some((c) => c.includes(from) && c.includes(to))) return [{ from, to, why: `${from} → ${to} is no longer part of a cycle` }];
    return [];
  });
  return { cycles, stale };
}

async function main() {
  const here = dirname(fileURLToPath(import.meta.url));
  const srcDir = process.argv[2] ?? join(here, '../../src');
  const { FOLDER_ALLOWLIST } = await import(pathToFileURL(join(here, '../../eslint.config.js')).href);
  const { cycles, stale } = checkFolderCycles(srcDir, FOLDER_ALLOWLIST);
  for (const cycle of cycles) {
    console.error(`folder cycle: ${cycle.members.join(', ')}`);
    for (const edge of cycle.edges) console.error(`  ${edge}`);
  }
  for (const entry of stale) console.error(`stale FOLDER_ALLOWLIST entry ${entry.from} → ${entry.to}: ${entry.why}; remove it from eslint.config.js`);
  if (cycles.length > 0 || stale.length > 0) process.exit(1);
  console.log(`folder cycles: none outside the allowlist (${FOLDER_ALLOWLIST.length} allowed edge(s) to burn down)`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
