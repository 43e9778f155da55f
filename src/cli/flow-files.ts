/** Finding and reading flow files for the CLI. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';

/** Every .yaml/.yml file at `path` (a file, or a directory searched recursively), sorted. */
export function flowFiles(path: string): string[] {
  const st = statSync(path);
  if (st.isFile()) return [path];
  const out: string[] = [];
  for (const name of readdirSync(path).sort()) {
    const full = join(path, name);
    if (statSync(full).isDirectory()) out.push(...flowFiles(full));
    else if (['.yaml', '.yml'].includes(extname(name))) out.push(full);
  }
  return out;
}

/** A file's text. */
export function readText(path: string): string {
  return readFileSync(path, 'utf8');
}
