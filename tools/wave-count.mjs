#!/usr/bin/env node
/**
 * The wave figure of issue 14: how many flows of kestra-io/examples (at commit c3fd683, the YAML
 * files with a top-level `id` and `namespace`) pass `troupe validate` — every task and trigger type
 * supported — and, for the others, what stops them: the unsupported types by the number of flows
 * that need them (and the flows each would free on its own), then the other errors.
 *
 * Reads the flows with git from a clone of kestra-io/examples (no network): the `fetch` tool's
 * mirror by default. Validates with the compiled `dist/` of this checkout (run `npm run build` first).
 *
 * `--assume T1,T2…` counts the flows that would pass were those types supported too (work under
 * way elsewhere), and ranks the other types by the flows each would then free.
 *
 *   node tools/wave-count.mjs [--repo DIR] [--commit SHA] [--assume TYPES] [--json] [--flows]
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const repo = opt('--repo', '/work/.mirror/kestra-io+examples/repo');
const commit = opt('--commit', 'c3fd683');
const { validateFlow } = await import(fileURLToPath(new URL('../dist/flow/index.js', import.meta.url)));

const git = (...a) => execFileSync('git', ['--git-dir', repo.endsWith('.git') || repo.endsWith('/repo') ? repo : `${repo}/.git`, ...a], { encoding: 'utf8', maxBuffer: 1 << 28 });
const files = git('ls-tree', '-r', '--name-only', commit).split('\n').filter((f) => /\.ya?ml$/.test(f));

/** Whether a file is a map with a top-level id and namespace (a flow). */
function isFlow(text) {
  try {
    const doc = parseDocument(text, { uniqueKeys: false });
    const v = doc.toJS();
    return v !== null && typeof v === 'object' && !Array.isArray(v) && v.id !== undefined && v.namespace !== undefined;
  } catch {
    // Not parseable as YAML here (the flow fails validation below): its top-level keys as written.
    return /^id:/m.test(text) && /^namespace:/m.test(text);
  }
}

/** The type an error says this build lacks (unknown, or known and not runnable), or undefined. */
function missingType(message) {
  const m = /Unknown (?:task|trigger|condition) type '([^']+)'/.exec(message) ?? /has type (\S+), which/.exec(message) ?? /(?:trigger|condition|task) (\S+), which this version/.exec(message);
  return m?.[1];
}

let flows = 0;
const passing = [];
/** type → flows needing it */
const needs = new Map();
/** type → flows for which it is the only blocker */
const only = new Map();
const otherErrors = new Map();
const failing = [];
for (const file of files) {
  const text = git('show', `${commit}:${file}`);
  if (!isFlow(text)) continue;
  flows++;
  const result = validateFlow(text, { file, requireRunnable: true });
  if (result.ok) {
    passing.push(file);
    continue;
  }
  const types = new Set();
  const others = [];
  for (const e of result.errors) {
    const type = missingType(e.message);
    if (type) types.add(type);
    else others.push(e.message);
  }
  for (const t of types) needs.set(t, (needs.get(t) ?? 0) + 1);
  if (types.size === 1 && others.length === 0) {
    const [t] = types;
    only.set(t, (only.get(t) ?? 0) + 1);
  }
  for (const o of others) {
    const key = o.replace(/'[^']*'/g, "'…'").replace(/^[^ ]* /, '').slice(0, 140);
    otherErrors.set(key, (otherErrors.get(key) ?? 0) + 1);
  }
  failing.push({ file, types: [...types], others });
}

const assumed = new Set((opt('--assume', '') ?? '').split(',').filter(Boolean));
/** Flows that would pass with `extra` supported besides the assumed types (no other error). */
const passWith = (extra) => failing.filter((f) => f.others.length === 0 && f.types.every((t) => assumed.has(t) || extra.has(t))).length;
const withAssumed = passing.length + passWith(new Set());
/** type → flows it would free on top of the assumed types. */
const frees = new Map();
for (const t of needs.keys()) if (!assumed.has(t)) frees.set(t, passWith(new Set([t])) - passWith(new Set()));

const byCount = (m) => [...m].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
if (args.includes('--json')) {
  console.log(JSON.stringify({ commit, flows, passing: passing.length, assumed: [...assumed], passingWithAssumed: withAssumed, frees: Object.fromEntries(byCount(frees)), needs: Object.fromEntries(byCount(needs)), only: Object.fromEntries(byCount(only)), otherErrors: Object.fromEntries(byCount(otherErrors)), failing }, null, 2));
} else {
  console.log(`kestra-io/examples @ ${commit}: ${flows} flows (YAML files with a top-level id and namespace); ${passing.length} pass \`troupe validate\``);
  if (assumed.size) console.log(`With ${[...assumed].join(', ')} supported too: ${withAssumed} pass`);
  console.log(`\nUnsupported types, by flows that need them (flows it alone blocks${assumed.size ? '; flows it frees with the assumed types' : ''}):`);
  for (const [t, n] of byCount(needs)) if (!assumed.has(t)) console.log(`${String(n).padStart(5)}  (${String(only.get(t) ?? 0).padStart(3)}${assumed.size ? `; ${String(frees.get(t) ?? 0).padStart(3)}` : ''})  ${t}`);
  if (otherErrors.size) {
    console.log('\nOther errors, by flows:');
    for (const [t, n] of byCount(otherErrors)) console.log(`${String(n).padStart(5)}  ${t}`);
    for (const f of failing) for (const o of f.others) console.log(`       ${f.file}: ${o}`);
  }
  if (args.includes('--flows')) {
    console.log('\nPassing flows:');
    for (const f of passing) console.log(`  ${f}`);
  }
}
