/**
 * Fails when an allowlist entry no longer matches a violation, so the allowlists shrink as their
 * owners land instead of silently turning rules off:
 * - ALLOWLIST of eslint.config.js: each allowlisted file is linted with the layering rules alone,
 *   and each entry's rule must still report there;
 * - ALLOWLIST of knip.config.js: knip runs without it, and each file must still have an issue of
 *   each listed type.
 * (FOLDER_ALLOWLIST is checked by tools/lint/folder-cycles.mjs itself.)
 *
 * Usage: `node tools/lint/stale-allowlist.mjs`; exits 1 on a stale entry.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { ALLOWLIST, LAYERING } from '../../eslint.config.js';
import { ALLOWLIST as KNIP_ALLOWLIST } from '../../knip.config.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const stale = ALLOWLIST.filter((e) => !existsSync(join(root, e.file))).map((e) => ({ ...e, why: 'the file no longer exists' }));
const present = ALLOWLIST.filter((e) => existsSync(join(root, e.file)));
if (present.length > 0) {
  const eslint = new ESLint({ cwd: root, overrideConfigFile: true, baseConfig: LAYERING });
  const results = await eslint.lintFiles([...new Set(present.map((e) => e.file))]);
  const reported = new Set(results.flatMap((r) => r.messages.map((m) => `${relative(root, r.filePath)}\u0000${m.ruleId}`)));
  for (const e of present) if (!reported.has(`${e.file}\u0000${e.rule}`)) stale.push({ ...e, why: `${e.rule} reports nothing there any more` });
}
for (const e of stale) console.error(`stale ALLOWLIST entry ${e.file} (${e.rule}, owner ${e.owner}): ${e.why}; remove it from eslint.config.js`);

const knipStale = [];
if (Object.keys(KNIP_ALLOWLIST).length > 0) {
  const knip = join(root, 'node_modules/knip/bin/knip.js');
  const out = execFileSync(process.execPath, [knip, '--reporter', 'json', '--no-exit-code'], { cwd: root, env: { ...process.env, KNIP_NO_ALLOWLIST: '1' }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  /** @type {{ issues: Array<Record<string, unknown> & { file: string }> }} */
  const report = JSON.parse(out);
  for (const [file, types] of Object.entries(KNIP_ALLOWLIST)) {
    const issue = report.issues.find((i) => i.file === file);
    for (const type of types) {
      const found = issue?.[type];
      if (!Array.isArray(found) || found.length === 0) knipStale.push(`${file} (${type})`);
    }
  }
}
for (const e of knipStale) console.error(`stale knip ALLOWLIST entry ${e}: knip reports nothing of that type there any more; remove it from knip.config.js`);

if (stale.length > 0 || knipStale.length > 0) process.exit(1);
const knipCount = Object.values(KNIP_ALLOWLIST).flat().length;
console.log(`allowlists: ${ALLOWLIST.length} eslint and ${knipCount} knip entries to burn down, none stale`);
