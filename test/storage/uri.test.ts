import { describe, expect, it } from 'vitest';
import { TroupeError } from '../../src/errors.js';
import {
  executionIdOf,
  executionPrefix,
  fileNameOf,
  isStorageUri,
  kvPrefix,
  triggerPrefix,
  inputFilePath,
  namespaceFilesPrefix,
  parseStorageUri,
  slugify,
  storageUri,
  taskRunPrefix,
} from '../../src/storage/uri.js';
import { tempFileName } from '../../src/storage/task-files.js';

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return e instanceof TroupeError ? e.code : 'not a TroupeError';
  }
  return undefined;
}

describe('kestra:// URIs', () => {
  it('parses a URI into decoded segments and writes it back canonically', () => {
    const p = parseStorageUri('kestra:///io/kestra/tests/my-flow/executions/abc/tasks/t/r1/a%20b.txt');
    expect(p.segments).toEqual(['io', 'kestra', 'tests', 'my-flow', 'executions', 'abc', 'tasks', 't', 'r1', 'a b.txt']);
    expect(storageUri(p)).toBe('kestra:///io/kestra/tests/my-flow/executions/abc/tasks/t/r1/a%20b.txt');
  });

  it.each([
    ['dot-dot segment', 'kestra:///ns/../../etc/passwd'],
    ['encoded dot-dot', 'kestra:///ns/%2e%2e/%2E%2E/etc/passwd'],
    ['mixed encoded dot-dot', 'kestra:///ns/.%2e/x'],
    ['dot segment', 'kestra:///ns/./x'],
    ['backslash', 'kestra:///ns/..\\..\\x'],
    ['encoded backslash', 'kestra:///ns/%5c..%5cx'],
    ['encoded slash', 'kestra:///ns/a%2f..%2f..%2fx'],
    ['empty segment (double slash)', 'kestra:///ns//x'],
    ['absolute path after the scheme with a host', 'kestra://etc/passwd'],
    ['four slashes (absolute escape)', 'kestra:////etc/passwd'],
    ['NUL byte', 'kestra:///ns/a%00b'],
    ['bad percent-encoding', 'kestra:///ns/%zz'],
    ['query', 'kestra:///ns/a?x=1'],
    ['relative path', 'ns/a.txt'],
    ['empty path', 'kestra:///'],
  ])('refuses %s with TROUPE_STORAGE_PATH', (_what, uri) => {
    expect(codeOf(() => parseStorageUri(uri))).toBe('TROUPE_STORAGE_PATH');
  });

  it("refuses another scheme with Kestra's message", () => {
    expect(() => parseStorageUri('file:///etc/passwd')).toThrow("Invalid internal storage scheme, got uri 'file:///etc/passwd'");
  });

  it('slugifies ids as Kestra does', () => {
    expect(slugify('each_split')).toBe('each-split');
    expect(slugify('My Task__1')).toBe('my-task-1');
    expect(slugify('-été-')).toBe('ete');
    expect(slugify('for-each-item')).toBe('for-each-item');
  });

  it('lays files out as Kestra does', () => {
    expect(storageUri(executionPrefix('io.kestra.tests', 'for-each-item', 'E1'))).toBe('kestra:///io/kestra/tests/for-each-item/executions/E1');
    expect(storageUri(taskRunPrefix('io.kestra.tests', 'f', 'E1', 'each_split', 'R1'))).toBe('kestra:///io/kestra/tests/f/executions/E1/tasks/each-split/R1');
    expect(storageUri(inputFilePath('company.team', 'f', 'E1', 'file', 'items.txt'))).toBe('kestra:///company/team/f/executions/E1/inputs/file/items.txt');
    expect(storageUri(namespaceFilesPrefix('company.team'))).toBe('kestra:///company/team/_files');
  });

  it('lays out KV, trigger and namespace-file prefixes, and tells URIs apart', () => {
    expect(storageUri(kvPrefix('a.b'))).toBe('kestra:///a/b/_kv');
    expect(storageUri(triggerPrefix('a.b', 'f', 'E1', 'my_trigger'))).toBe('kestra:///a/b/f/executions/E1/trigger/my-trigger');
    expect(fileNameOf(parseStorageUri('kestra:///a/b/c.txt'))).toBe('c.txt');
    expect(isStorageUri('kestra:///a')).toBe(true);
    expect(isStorageUri('/tmp/a')).toBe(false);
    expect(tempFileName('.csv')).toMatch(/^[1-9][0-9]{18}\.csv$/);
  });

  it('finds the execution id of a path', () => {
    expect(executionIdOf(parseStorageUri('kestra:///a/executions/f/executions/E1/tasks/t/r/x'))).toBe('E1');
    expect(executionIdOf(parseStorageUri('kestra:///a/b/_files/x'))).toBeUndefined();
  });
});
