import { describe, expect, it } from 'vitest';
import { renderString } from '../../src/expr/index.js';
import { captureError } from './capture.js';

/** `replace` with a regular expression, as Kestra's `replace(…, regexp=true)` (java.util.regex). */
const re = (input: string, pattern: string, by: string): string =>
  renderString('{{ s | replace({p: b}, regexp=true) }}', { s: input, p: pattern, b: by });

const jqTest = (input: string, pattern: string, flags?: string): string =>
  renderString(`{{ {'s': s} | jq(program) | first }}`, { s: input, program: flags === undefined ? `.s | test(${JSON.stringify(pattern)})` : `.s | test(${JSON.stringify(pattern)}; ${JSON.stringify(flags)})` });

describe('regular expressions: Java syntax on the linear-time engine', () => {
  it.each([
    ['groups and Java replacement references', 'john smith', '(\\w+) (\\w+)', '$2, $1', 'smith, john'],
    ['$0 is the whole match', 'abc', 'b', '[$0]', 'a[b]c'],
    ['named groups and ${name}', '2024-05', '(?<y>\\d{4})-(?<m>\\d{2})', '${m}/${y}', '05/2024'],
    ['\\$ is a dollar sign', 'price', 'price', '\\$5', '$5'],
    ['a multi-digit reference stops where the group number is too big', 'ab', '(a)(b)', '$21', 'b1'],
    ['empty matches as Java finds them', 'abc', 'b*', '-', '-a--c-'],
    ['empty matches step over a surrogate pair', 'a😀', 'x*', '-', '-a-😀-'],
    ['possessive quantifiers run as greedy', 'aaab', 'a++b', 'X', 'X'],
    ['atomic groups run as plain groups', 'aaab', '(?>a+)b', 'X', 'X'],
    ['POSIX classes', 'a1-B2', '\\p{Alpha}', '.', '.1-.2'],
    ['negated POSIX classes', 'a1-B2', '\\P{Alnum}', '_', 'a1_B2'],
    ['POSIX classes inside a class', 'a1-B2', '[\\p{Digit}-]', '', 'aB'],
    ['Unicode categories', 'Été x', '\\p{Lu}', '_', '_té x'],
    ['Is-prefixed scripts', 'aβc', '\\p{IsGreek}', '?', 'a?c'],
    ['java.lang.Character classes', 'aB', '\\p{javaUpperCase}', '_', 'a_'],
    ['embedded flags', 'ABC', '(?i)b', '_', 'A_C'],
    ['scoped embedded flags', 'ABb', '(?i:a)B(?-i)b', '_', '_'],
    ['comments mode', 'a1', '(?x) \\d  # a digit\n', '_', 'a_'],
    ['dot does not match \\r (Java line terminators)', 'a\rb', 'a.b', '_', 'a\rb'],
    ['dotall mode', 'a\rb', '(?s)a.b', '_', '_'],
    ['\\s matches a vertical tab, as Java', 'a\u000Bb', '\\s', '_', 'a_b'],
    ['\\h is horizontal whitespace', 'a\t\u00A0b\n', '\\h+', '_', 'a_b\n'],
    ['\\R is any line break', 'a\r\nb\nc', '\\R', '|', 'a|b|c'],
    ['\\Q…\\E quotes', 'a.b*c', '\\Q.b*\\E', '_', 'a_c'],
    ['\\Z is the end of the input', 'ab', 'b\\Z', '_', 'a_'],
    ['a class nested in a class is a union', 'abcd', '[a[cd]]', '_', '_b__'],
    ['\\uXXXX escapes', 'aé', '\\u00e9', 'e', 'ae'],
    ['lookbehind runs (linear, without captures)', 'ab cb', '(?<=a)b', 'X', 'aX cb'],
    ['negative lookbehind runs', 'ab cb', '(?<!a)b', 'X', 'ab cX'],
  ])('%s', (_name, input, pattern, by, expected) => {
    expect(re(input, pattern, by)).toBe(expected);
  });

  it.each([
    ['a lookahead', 'a(?=b)', 'lookahead'],
    ['a negative lookahead', 'a(?!b)', 'lookahead'],
    ['a backreference', '(a)\\1', 'backreference (\\1)'],
    ['a named backreference', '(?<x>a)\\k<x>', 'named backreference'],
    ['\\G', '\\Ga', '\\G'],
    ['a class intersection', '[a-z&&[^b]]', 'intersection'],
    ['a Unicode block', '\\p{InGreek}', 'Unicode block'],
    ['a capture inside a lookbehind', '(?<=(a))b', 'capturing group inside a lookbehind'],
  ])('refuses %s, naming it', (_name, pattern, construct) => {
    const err = captureError(() => re('ab', pattern, 'x')) as { code: string; message: string };
    expect(err.code).toBe('TROUPE_EXPR_REGEX_UNSUPPORTED');
    expect(err.message).toContain(construct);
    expect(err.message).toContain(pattern);
  });

  it('reports an invalid pattern or replacement as an evaluation error', () => {
    expect(captureError(() => re('ab', 'a(', 'x'))).toMatchObject({ code: 'TROUPE_EXPR_EVALUATION', message: expect.stringContaining('Invalid regular expression') });
    expect(captureError(() => re('ab', 'a{2000}', 'x'))).toMatchObject({ code: 'TROUPE_EXPR_EVALUATION' });
    expect(captureError(() => re('ab', '(a)', '$2'))).toMatchObject({ code: 'TROUPE_EXPR_EVALUATION', message: expect.stringContaining('no group 2') });
    expect(captureError(() => re('ab', 'a', '${nope}'))).toMatchObject({ code: 'TROUPE_EXPR_EVALUATION', message: expect.stringContaining('no group with name') });
    expect(captureError(() => re('ab', 'a', '$x'))).toMatchObject({ code: 'TROUPE_EXPR_EVALUATION', message: expect.stringContaining('illegal group reference') });
    expect(re('xyz', '(?:ab)+', '[$1]')).toBe('xyz'); // as Java: the replacement is read at the first match
  });

  it('keeps literal replace literal (Java String.replace), an empty target between every character', () => {
    expect(renderString("{{ 'a.b' | replace({'.': '$1'}) }}", {})).toBe('a$1b');
    expect(renderString("{{ 'ab' | replace({'': '-'}) }}", {})).toBe('-a-b-');
  });

  it('runs jq test with the same engine, with flags', () => {
    expect(jqTest('Hello', '^h')).toBe('false');
    expect(jqTest('Hello', '^h', 'i')).toBe('true');
    expect(jqTest('Hello', '^ h # x', 'xi')).toBe('true');
    expect(captureError(() => jqTest('a', 'a', 'q'))).toMatchObject({ code: 'TROUPE_EXPR_EVALUATION', message: expect.stringContaining('not a valid modifier string') });
    expect(captureError(() => jqTest('ab', 'a(?=b)'))).toMatchObject({ code: 'TROUPE_EXPR_REGEX_UNSUPPORTED' });
    expect(captureError(() => renderString("{{ [1] | jq('.[0] | test(\"1\")') }}", {}))).toMatchObject({ code: 'TROUPE_EXPR_EVALUATION', message: expect.stringContaining('not a string') });
  });

  it('matches in time linear in the input where backtracking engines take exponential time', () => {
    const s = `${'a'.repeat(100_000)}!`;
    expect(re(s, '(a+)+$', 'x')).toBe(s);
    expect(re(s, '(a|aa)+!', 'x')).toBe('x');
    expect(jqTest(s, '(a*)*b')).toBe('false');
  });
});
