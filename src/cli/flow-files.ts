/** Finding and reading flow files for the CLI; a file that cannot be read is a TROUPE_IO error. */
import { readdirSync, readFileSync, statSync, type Stats } from 'node:fs';
import { extname, join } from 'node:path';
import { TroupeError } from '../errors.js';

const REASONS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a directory, not a file',
  ENOTDIR: 'a part of the path is not a directory',
  ELOOP: 'too many symbolic links',
};

/** A file-system error as a TROUPE_IO error naming the path. */
export function ioError(path: string, e: unknown): TroupeError {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const reason = (code && REASONS[code]) ?? (e instanceof Error ? e.message : String(e));
  return new TroupeError('TROUPE_IO', `${path}: ${reason}`, { path, ...(code ? { errno: code } : {}) });
}

function stat(path: string): Stats {
  try {
    return statSync(path);
  } catch (e) {
    throw ioError(path, e);
  }
}

/** Every .yaml/.yml file at `path` (a file, or a directory searched recursively), sorted. */
export function flowFiles(path: string): string[] {
  const st = stat(path);
  if (st.isFile()) return [path];
  const out: string[] = [];
  let names: string[];
  try {
    names = readdirSync(path).sort();
  } catch (e) {
    throw ioError(path, e);
  }
  for (const name of names) {
    const full = join(path, name);
    if (stat(full).isDirectory()) out.push(...flowFiles(full));
    else if (['.yaml', '.yml'].includes(extname(name))) out.push(full);
  }
  return out;
}

/** A file's text. @throws TroupeError TROUPE_IO when it is missing, unreadable or a directory */
export function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw ioError(path, e);
  }
}
