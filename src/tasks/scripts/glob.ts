/**
 * Java's `glob:` path patterns (java.nio FileSystem.getPathMatcher), as Kestra matches
 * `outputFiles` and `namespaceFiles` with them (pure): `*` and `?` stay within one path segment,
 * `**` crosses segments, `[…]` is a class (`[!…]` negated), `{a,b}` alternatives, `\` escapes.
 * So `*.csv` matches top-level files only, `**.csv` any depth, and `**` + `/*.csv` not the top level.
 * A `regex:` prefix is a (Java) regular expression used as is, run by the linear-time engine;
 * `glob:` is the default.
 */
import { javaRegex, re2 } from '../../expr/regex.js';

const SPECIAL = new Set(['.', '^', '$', '+', '(', ')', '|', '{', '}', '[', ']', '\\', '*', '?']);

function globSource(glob: string): string {
  let out = '';
  let inGroup = false;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '\\' && i + 1 < glob.length) {
      const next = glob[++i]!;
      out += SPECIAL.has(next) || next === '/' ? `\\${next}` : next;
    } else if (c === '*') {
      if (glob[i + 1] === '*') {
        out += '(?s:.*)';
        i++;
      } else out += '[^/]*';
    } else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) throw new Error(`Invalid glob '${glob}': unclosed '['`);
      let body = glob.slice(i + 1, end);
      const negate = body.startsWith('!');
      if (negate) body = body.slice(1);
      out += `[${negate ? '^' : ''}${body.replace(/[\\\]^]/g, (m) => `\\${m}`)}]`;
      i = end;
    } else if (c === '{') {
      if (inGroup) throw new Error(`Invalid glob '${glob}': nested '{'`);
      inGroup = true;
      out += '(?:';
    } else if (c === '}' && inGroup) {
      inGroup = false;
      out += ')';
    } else if (c === ',' && inGroup) out += '|';
    else out += SPECIAL.has(c) ? `\\${c}` : c;
  }
  if (inGroup) throw new Error(`Invalid glob '${glob}': unclosed '{'`);
  return out;
}

/**
 * A matcher of relative paths (`/`-separated) for a pattern as Kestra reads it.
 * @throws on a malformed pattern
 */
export function pathMatcher(pattern: string): (path: string) => boolean {
  const re = pattern.startsWith('regex:') ? javaRegex(pattern.slice(6)) : re2(globSource(pattern.startsWith('glob:') ? pattern.slice(5) : pattern));
  return (path) => re.matches(path);
}

/**
 * A namespace-files filter pattern (core `PathMatcherPredicate`): without a `glob:`/`regex:`
 * prefix, a pattern that starts with a word character gets `**` + `/` prepended, and it is tested
 * against `/<path>` — so `a.txt` matches at any depth.
 */
export function namespaceFileMatcher(pattern: string): (path: string) => boolean {
  const prefixed = pattern.startsWith('glob:') || pattern.startsWith('regex:');
  const m = pathMatcher(!prefixed && /^\w/.test(pattern) ? `**/${pattern}` : pattern);
  return (path) => m(`/${path}`);
}
