/**
 * Regular expressions of templates and jq, run by re2js (a pure-JS RE2: linear time in the input,
 * never backtracking), so that no pattern can hang a render. Kestra compiles these patterns with
 * java.util.regex; {@link javaRegex} translates Java's syntax to RE2's where they differ, and refuses
 * with TROUPE_EXPR_REGEX_UNSUPPORTED, naming the construct, what RE2 cannot run (lookahead,
 * backreferences, `\G`…). Deviations are listed in docs/reference/expressions.md.
 */
import { RE2JS } from 're2js';
import { ExpressionError } from '../errors.js';
import type { Budget } from './budget.js';
import { TextWriter } from './format.js';

/** A compiled pattern. */
export type Regex = RE2JS;

/** One match: group texts by number (undefined when a group did not take part), and named groups. */
export interface RegexMatch {
  readonly groups: ReadonlyArray<string | undefined>;
  readonly named: Readonly<Record<string, string | undefined>>;
}

const CACHE_SIZE = 500;
const cache = new Map<string, Regex>();

function cached(key: string, build: () => Regex): Regex {
  let hit = cache.get(key);
  if (hit) return hit;
  hit = build();
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  cache.set(key, hit);
  return hit;
}

function unsupported(pattern: string, construct: string): ExpressionError {
  return new ExpressionError(
    'TROUPE_EXPR_REGEX_UNSUPPORTED',
    `Regular expression '${short(pattern)}' uses ${construct}, which the linear-time regex engine cannot run; rewrite the pattern without it`,
  );
}

function invalid(pattern: string, reason: string): ExpressionError {
  return new ExpressionError('TROUPE_EXPR_EVALUATION', `Invalid regular expression '${short(pattern)}': ${reason}`);
}

function short(s: string): string {
  return s.length > 100 ? `${s.slice(0, 100)}…` : s;
}

/** Compiles a pattern already in RE2 syntax (the engine's own patterns), cached. */
export function re2(pattern: string, flags = 0): Regex {
  return cached(`re2:${flags}:${pattern}`, () => RE2JS.compile(pattern, flags));
}

/** Options of {@link javaRegex}. */
export interface JavaRegexOptions {
  /** start with CASE_INSENSITIVE, as `(?i)` */
  caseInsensitive?: boolean;
  /** start with COMMENTS, as `(?x)` */
  comments?: boolean;
  /** start with DOTALL, as `(?s)` */
  dotAll?: boolean;
}

/**
 * Compiles a pattern written for java.util.regex (Kestra's `replace(…, regexp=true)`) or jq, with
 * the linear-time engine; cached.
 * @throws ExpressionError TROUPE_EXPR_REGEX_UNSUPPORTED for a construct RE2 cannot run,
 *   TROUPE_EXPR_EVALUATION for an invalid pattern
 */
export function javaRegex(pattern: string, options: JavaRegexOptions = {}): Regex {
  const key = `java:${options.caseInsensitive ? 'i' : ''}${options.comments ? 'x' : ''}${options.dotAll ? 's' : ''}:${pattern}`;
  return cached(key, () => {
    const { source, lookbehind } = translate(pattern, { x: options.comments === true, s: options.dotAll === true, d: false });
    const flags = (options.caseInsensitive ? RE2JS.CASE_INSENSITIVE : 0) | (lookbehind ? RE2JS.LOOKBEHINDS : 0);
    try {
      return RE2JS.compile(source, flags);
    } catch (err) {
      const reason = err instanceof Error ? err.message.replace(/^error parsing regexp: /, '') : String(err);
      if (/invalid capture in lookbehind/.test(reason)) throw unsupported(pattern, 'a capturing group inside a lookbehind (use (?:…))');
      throw invalid(pattern, reason);
    }
  });
}

interface Flags {
  /** COMMENTS: whitespace and `#…` comments ignored */
  x: boolean;
  /** DOTALL */
  s: boolean;
  /** UNIX_LINES: only `\n` ends a line */
  d: boolean;
}

const LINE_ENDS = '\\n\\r\\x{85}\\x{2028}\\x{2029}';
const JAVA_SPACE = '\\t\\n\\x0B\\f\\r ';
const H_SPACE = '\\t \\xA0\\x{1680}\\x{180E}\\x{2000}-\\x{200A}\\x{202F}\\x{205F}\\x{3000}';
const V_SPACE = '\\n\\x0B\\f\\r\\x{85}\\x{2028}\\x{2029}';

/** A class item with its negated form when it has one of its own (`\p{L}` / `\P{L}`). */
interface ClassItem {
  pos: string;
  neg?: string;
}

const POSIX: Record<string, string> = {
  Lower: 'lower', Upper: 'upper', Alpha: 'alpha', Digit: 'digit', Alnum: 'alnum', Punct: 'punct', Graph: 'graph',
  Print: 'print', Blank: 'blank', Cntrl: 'cntrl', XDigit: 'xdigit', Space: 'space',
};

const NAMED_PROPERTIES: Record<string, string[]> = {
  ASCII: ['\\x00-\\x7F'],
  javaLowerCase: ['\\p{Ll}'], javaUpperCase: ['\\p{Lu}'], javaTitleCase: ['\\p{Lt}'], javaDigit: ['\\p{Nd}'],
  javaLetter: ['\\p{L}'], javaLetterOrDigit: ['\\p{L}', '\\p{Nd}'], javaAlphabetic: ['\\p{L}', '\\p{Nl}'],
  javaSpaceChar: ['\\p{Z}'], javaISOControl: ['\\x00-\\x1F', '\\x7F-\\x9F'],
  javaWhitespace: ['\\t-\\r', '\\x1C-\\x20', '\\x{1680}', '\\x{2000}-\\x{2006}', '\\x{2008}-\\x{200A}', '\\x{2028}', '\\x{2029}', '\\x{205F}', '\\x{3000}'],
  IsAlphabetic: ['\\p{L}', '\\p{Nl}'], IsLetter: ['\\p{L}'], IsDigit: ['\\p{Nd}'], IsUppercase: ['\\p{Lu}'], IsLowercase: ['\\p{Ll}'],
  IsTitlecase: ['\\p{Lt}'], IsPunctuation: ['\\p{P}'], IsControl: ['\\p{Cc}'], IsWhite_Space: ['\\t-\\r', ' ', '\\x{85}', '\\p{Z}'],
  IsWhiteSpace: ['\\t-\\r', ' ', '\\x{85}', '\\p{Z}'], IsHex_Digit: ['0-9A-Fa-f', '\\x{FF10}-\\x{FF19}', '\\x{FF21}-\\x{FF26}', '\\x{FF41}-\\x{FF46}'],
  IsIdeographic: ['\\p{Han}'], IsAssigned: ['\\P{Cn}'],
};

/** The class items of a Java `\p{name}` (negated: `\P{name}`). */
function property(name: string, pattern: string): ClassItem[] {
  if (Object.hasOwn(POSIX, name)) {
    const p = POSIX[name] as string;
    return [{ pos: `[:${p}:]`, neg: `[:^${p}:]` }];
  }
  if (Object.hasOwn(NAMED_PROPERTIES, name)) {
    const items = NAMED_PROPERTIES[name] as string[];
    return items.map((pos) => ({ pos, neg: /^\\p\{\w+\}$/.test(pos) ? pos.replace('\\p', '\\P') : undefined }));
  }
  if (/^In[A-Z]|^(?:block|blk)=/i.test(name)) throw unsupported(pattern, `the Unicode block \\p{${name}}`);
  const bare = name.replace(/^(?:Is|(?:general_category|gc|script|sc)=)/i, '');
  const candidates = [bare, bare.charAt(0).toUpperCase() + bare.slice(1).toLowerCase(), bare.replace(/(^|_)(\w)/g, (_m, s: string, c: string) => s + c.toUpperCase())];
  for (const c of candidates) {
    if (/^\w+$/.test(c) && isRe2Property(c)) return [{ pos: `\\p{${c}}`, neg: `\\P{${c}}` }];
  }
  throw unsupported(pattern, `the character property \\p{${name}}`);
}

const knownProperties = new Map<string, boolean>();
function isRe2Property(name: string): boolean {
  let ok = knownProperties.get(name);
  if (ok === undefined) {
    try {
      RE2JS.compile(`\\p{${name}}`);
      ok = true;
    } catch {
      ok = false;
    }
    knownProperties.set(name, ok);
  }
  return ok;
}

function hex(code: number): string {
  return `\\x{${code.toString(16).toUpperCase()}}`;
}

/**
 * Java pattern → RE2 pattern. Walks the pattern once, keeping a stack of flag scopes (groups) for
 * the flags that change how it is read (`x`, `s`, `d`); `i` and `m` are passed on to RE2.
 */
function translate(pattern: string, initial: Flags): { source: string; lookbehind: boolean } {
  let out = '';
  let i = 0;
  let lookbehind = false;
  const scopes: Flags[] = [{ ...initial }];
  const flags = (): Flags => scopes[scopes.length - 1] as Flags;
  const n = pattern.length;

  /** Reads an escape at `i` (just after the backslash); returns class items or a literal/atom. */
  const escape = (inClass: boolean): { items?: ClassItem[]; negated?: boolean; text?: string } => {
    const c = pattern[i] as string | undefined;
    if (c === undefined) throw invalid(pattern, 'trailing backslash');
    i++;
    switch (c) {
      case 'Q': {
        const end = pattern.indexOf('\\E', i);
        const literal = pattern.slice(i, end < 0 ? n : end);
        i = end < 0 ? n : end + 2;
        return { text: [...literal].map((ch) => (/[\w]/.test(ch) ? ch : hex(ch.codePointAt(0) as number))).join('') };
      }
      case 'E': return { text: '' };
      case '1': case '2': case '3': case '4': case '5': case '6': case '7': case '8': case '9':
        throw unsupported(pattern, `a backreference (\\${c})`);
      case 'k': throw unsupported(pattern, 'a named backreference (\\k<…>)');
      case 'G': throw unsupported(pattern, '\\G (the end of the previous match)');
      case 'X': throw unsupported(pattern, '\\X (extended grapheme clusters)');
      case 'N': throw unsupported(pattern, '\\N{…} (named characters)');
      case 'Z':
        if (inClass) throw invalid(pattern, '\\Z inside a character class');
        return { text: '\\z' };
      case 'R':
        if (inClass) throw invalid(pattern, '\\R inside a character class');
        return { text: `(?:\\r\\n|[${V_SPACE}])` };
      case 's': return { items: [{ pos: JAVA_SPACE }] };
      case 'S': return { items: [{ pos: JAVA_SPACE }], negated: true };
      case 'h': return { items: [{ pos: H_SPACE }] };
      case 'H': return { items: [{ pos: H_SPACE }], negated: true };
      case 'v': return { items: [{ pos: V_SPACE }] };
      case 'V': return { items: [{ pos: V_SPACE }], negated: true };
      case 'e': return { text: '\\x1B' };
      case 'c': {
        const ctl = pattern.codePointAt(i);
        if (ctl === undefined) throw invalid(pattern, 'missing control character after \\c');
        i++;
        return { text: hex(ctl ^ 64) };
      }
      case '0': {
        const m = /^[0-3]?[0-7]{1,2}/.exec(pattern.slice(i));
        if (!m) throw invalid(pattern, 'illegal octal escape sequence');
        i += m[0].length;
        return { text: hex(parseInt(m[0], 8)) };
      }
      case 'u': {
        const m = /^[0-9a-fA-F]{4}/.exec(pattern.slice(i));
        if (!m) throw invalid(pattern, 'illegal Unicode escape sequence');
        i += 4;
        return { text: hex(parseInt(m[0], 16)) };
      }
      case 'p':
      case 'P': {
        let name: string;
        if (pattern[i] === '{') {
          const end = pattern.indexOf('}', i);
          if (end < 0) throw invalid(pattern, 'unclosed character family');
          name = pattern.slice(i + 1, end);
          i = end + 1;
        } else {
          name = pattern[i] ?? '';
          i++;
        }
        return { items: property(name, pattern), negated: c === 'P' };
      }
      case 'b':
        if (pattern[i] === '{') throw unsupported(pattern, '\\b{…} (boundary kinds)');
        return { text: inClass ? '\\x08' : '\\b' };
      default:
        return { text: `\\${c}` };
    }
  };

  /** Class items as an atom outside a class. */
  const atom = (items: ClassItem[], negated: boolean): string => `[${negated ? '^' : ''}${items.map((it) => it.pos).join('')}]`;

  /** Class items spliced inside a class. */
  const inside = (items: ClassItem[], negated: boolean, what: string): string => {
    if (!negated) return items.map((it) => it.pos).join('');
    if (items.length === 1 && items[0]?.neg) return items[0].neg;
    if (items.length === 1 && items[0]?.pos === JAVA_SPACE) return '\\S';
    throw unsupported(pattern, `the negated class ${what} inside a character class`);
  };

  const skipComments = (): void => {
    while (flags().x && i < n) {
      const c = pattern[i] as string;
      if (/\s/.test(c)) i++;
      else if (c === '#') {
        while (i < n && pattern[i] !== '\n') i++;
      } else break;
    }
  };

  /** Reads a character class at `i` (just after `[`); returns its RE2 text without brackets. */
  const charClass = (depth: number): string => {
    let body = '';
    if (pattern[i] === '^') {
      if (depth > 0) throw unsupported(pattern, 'a negated class nested in a character class');
      body += '^';
      i++;
    }
    let first = true;
    for (;;) {
      skipComments();
      const c = pattern[i];
      if (c === undefined) throw invalid(pattern, 'unclosed character class');
      if (c === ']' && !first) {
        i++;
        return body;
      }
      first = false;
      if (c === '[') {
        i++;
        if (body.startsWith('^')) throw unsupported(pattern, 'a class nested in a negated character class');
        body += charClass(depth + 1);
      } else if (c === '&' && pattern[i + 1] === '&') {
        throw unsupported(pattern, 'character class intersection (&&)');
      } else if (c === '\\') {
        const start = i;
        i++;
        const e = escape(true);
        body += e.items ? inside(e.items, e.negated === true, pattern.slice(start, i)) : e.text ?? '';
      } else if (c === ']' || c === '^') {
        body += `\\${c}`;
        i++;
      } else {
        const cp = pattern.codePointAt(i) as number;
        const ch = String.fromCodePoint(cp);
        body += ch === '-' || /[\w\s]/.test(ch) || cp > 127 ? ch : `\\${ch}`;
        i += ch.length;
      }
    }
  };

  const dot = (): string => (flags().s ? '(?s:.)' : flags().d ? '[^\\n]' : `[^${LINE_ENDS}]`);

  while (i < n) {
    skipComments();
    if (i >= n) break;
    const c = pattern[i] as string;
    switch (c) {
      case '\\': {
        i++;
        const e = escape(false);
        out += e.items ? atom(e.items, e.negated === true) : e.text ?? '';
        break;
      }
      case '[':
        i++;
        out += `[${charClass(0)}]`;
        break;
      case '.':
        i++;
        out += dot();
        break;
      case '(': {
        i++;
        scopes.push({ ...flags() });
        if (pattern[i] !== '?') {
          out += '(';
          break;
        }
        const rest = pattern.slice(i + 1, i + 3);
        if (rest.startsWith('=') || rest.startsWith('!')) throw unsupported(pattern, `a lookahead (?${rest[0]}…)`);
        if (rest === '<=' || rest === '<!') {
          lookbehind = true;
          out += `(?${rest}`;
          i += 3;
          break;
        }
        if (rest.startsWith('<')) {
          const m = /^<([A-Za-z][A-Za-z0-9]*)>/.exec(pattern.slice(i + 1));
          if (!m) throw invalid(pattern, 'bad named group');
          out += `(?P<${m[1]}>`;
          i += 1 + m[0].length;
          break;
        }
        if (rest.startsWith(':')) {
          out += '(?:';
          i += 2;
          break;
        }
        if (rest.startsWith('>')) {
          // An atomic group never gives back what it matched; RE2 does not backtrack at all, so a
          // plain group finds the same matches except where Java fails for lack of backtracking.
          out += '(?:';
          i += 2;
          break;
        }
        const m = /^\?([idmsuxU]*)(?:-([idmsuxU]*))?([:)])/.exec(pattern.slice(i));
        if (!m) throw invalid(pattern, `unknown group construct (?${rest[0] ?? ''}`);
        i += m[0].length;
        const on = m[1] ?? '';
        const off = m[2] ?? '';
        // The flags change the enclosing scope for `(?f)`, and only the group for `(?f:…)`.
        if (m[3] === ')') scopes.pop();
        const scope = flags();
        for (const f of on) if (f === 'x' || f === 's' || f === 'd') scope[f] = true;
        for (const f of off) if (f === 'x' || f === 's' || f === 'd') scope[f] = false;
        const keepOn = [...on].filter((f) => f === 'i' || f === 'm').join('');
        const keepOff = [...off].filter((f) => f === 'i' || f === 'm').join('');
        const passed = keepOn + (keepOff ? `-${keepOff}` : '');
        if (m[3] === ':') out += passed ? `(?${passed}:` : '(?:';
        else if (passed) out += `(?${passed})`;
        break;
      }
      case ')':
        i++;
        if (scopes.length > 1) scopes.pop();
        out += ')';
        break;
      case '*':
      case '+':
      case '?':
      case '{': {
        const m = c === '{' ? /^\{\d+(?:,\d*)?\}/.exec(pattern.slice(i)) : [c];
        if (!m) {
          out += '\\{';
          i++;
          break;
        }
        out += m[0];
        i += m[0].length;
        if (pattern[i] === '?') {
          out += '?';
          i++;
        } else if (pattern[i] === '+') {
          // Possessive: as greedy (see the atomic group above).
          i++;
        }
        break;
      }
      default: {
        const ch = String.fromCodePoint(pattern.codePointAt(i) as number);
        out += ch;
        i += ch.length;
      }
    }
  }
  return { source: out, lookbehind };
}

/** The matches of `re` in `text`, left to right, as java.util.regex finds them (an empty match after a match is allowed). */
function* matches(re: Regex, text: string, budget: Budget | undefined): Generator<{ start: number; end: number; m: ReturnType<Regex['matcher']> }> {
  const matcher = re.matcher(text);
  let pos = 0;
  while (pos <= text.length && matcher.find(pos)) {
    budget?.step(1);
    const start = matcher.start();
    const end = matcher.end();
    yield { start, end, m: matcher };
    if (end > start) pos = end;
    else {
      const cp = text.codePointAt(end);
      pos = end + (cp !== undefined && cp > 0xffff ? 2 : 1);
    }
  }
}

function matchOf(re: Regex, m: ReturnType<Regex['matcher']>): RegexMatch {
  const groups: Array<string | undefined> = [];
  for (let g = 0; g <= m.groupCount(); g++) groups.push(m.group(g) ?? undefined);
  const named: Record<string, string | undefined> = Object.create(null) as Record<string, string | undefined>;
  for (const [name, index] of Object.entries(re.namedGroups())) named[name] = groups[index];
  return { groups, named };
}

/**
 * Replaces every match of `re` in `text` by what `replacer` returns for it; the text built is held
 * to the string limits of `budget` as it grows, and every match is a step.
 */
export function replaceAllRe2(re: Regex, text: string, replacer: (groups: ReadonlyArray<string | undefined>, match: RegexMatch) => string, budget?: Budget): string {
  const parts: string[] = [];
  const writer = budget ? new TextWriter(budget) : undefined;
  const push = (s: string): void => (writer ? writer.push(s) : void parts.push(s));
  let last = 0;
  for (const { start, end, m } of matches(re, text, budget)) {
    const match = matchOf(re, m);
    push(text.slice(last, start));
    push(replacer(match.groups, match));
    last = end;
  }
  if (last === 0 && !writer && parts.length === 0) return text;
  push(text.slice(last));
  return writer ? writer.result() : parts.join('');
}

/**
 * A Java replacement string (`$1`, `${name}`, `\$`) compiled for a pattern: what
 * java.util.regex.Matcher.appendReplacement does with it, errors included.
 */
export function javaReplacement(replacement: string, re: Regex): (match: RegexMatch) => string {
  if (!replacement.includes('$') && !replacement.includes('\\')) return () => replacement;
  const groupCount = re.groupCount();
  const names = re.namedGroups();
  const pieces: Array<string | number> = [];
  let literal = '';
  for (let i = 0; i < replacement.length;) {
    const c = replacement[i] as string;
    if (c === '\\') {
      if (i + 1 >= replacement.length) throw new ExpressionError('TROUPE_EXPR_EVALUATION', 'replace: character to be escaped is missing at the end of the replacement');
      literal += replacement[i + 1];
      i += 2;
    } else if (c === '$') {
      i++;
      let group: number;
      if (replacement[i] === '{') {
        const end = replacement.indexOf('}', i);
        const name = end < 0 ? '' : replacement.slice(i + 1, end);
        if (!/^[A-Za-z][A-Za-z0-9]*$/.test(name)) throw new ExpressionError('TROUPE_EXPR_EVALUATION', "replace: named capturing group is missing a valid name after '${'");
        if (!Object.hasOwn(names, name)) throw new ExpressionError('TROUPE_EXPR_EVALUATION', `replace: no group with name {${name}}`);
        group = names[name] as number;
        i = end + 1;
      } else {
        const d = replacement.charCodeAt(i) - 48;
        if (!(d >= 0 && d <= 9)) throw new ExpressionError('TROUPE_EXPR_EVALUATION', "replace: illegal group reference: '$' must be followed by a group number or {name} (write \\$ for a dollar sign)");
        group = d;
        i++;
        for (;;) {
          const next = replacement.charCodeAt(i) - 48;
          if (!(next >= 0 && next <= 9) || group * 10 + next > groupCount) break;
          group = group * 10 + next;
          i++;
        }
        if (group > groupCount) throw new ExpressionError('TROUPE_EXPR_EVALUATION', `replace: no group ${group} in the pattern`);
      }
      if (literal) pieces.push(literal);
      literal = '';
      pieces.push(group);
    } else {
      literal += c;
      i++;
    }
  }
  if (literal) pieces.push(literal);
  return (match) => pieces.map((p) => (typeof p === 'string' ? p : match.groups[p] ?? '')).join('');
}
