/** ForEachItem's pure parts: Kestra's iteration counting, batch execution ids, Ion rows. */
import { describe, expect, it } from 'vitest';
import { countMove, terminalState, terminatedCount, type Iterations } from '../../src/tasks/for-each-item/actor.js';
import { batchExecutionId } from '../../src/tasks/for-each-item/child-ids.js';
import { ionRow } from '../../src/kv/index.js';
import { extensionOfPath } from '../../src/tasks/for-each-item/split.pool.js';

describe('ForEachItem iterations (ExecutableUtils.manageIterations)', () => {
  it('counts creations from an implicit CREATED = numberOfBatches, then ends', () => {
    const it3: Iterations = {};
    for (let i = 0; i < 3; i++) countMove(it3, 'CREATED', 'RUNNING', 3);
    expect(it3).toEqual({ CREATED: 0, RUNNING: 3 });
    countMove(it3, 'RUNNING', 'SUCCESS', 3);
    countMove(it3, 'RUNNING', 'FAILED', 3);
    expect(terminatedCount(it3)).toBe(2);
    countMove(it3, 'RUNNING', 'WARNING', 3);
    expect(it3).toEqual({ CREATED: 0, RUNNING: 0, SUCCESS: 1, FAILED: 1, WARNING: 1 });
    expect(terminatedCount(it3)).toBe(3);
  });

  it('without wait, RUNNING starts at numberOfBatches too', () => {
    const i: Iterations = {};
    countMove(i, 'RUNNING', 'SUCCESS', 2);
    countMove(i, 'RUNNING', 'SUCCESS', 2);
    expect(i).toEqual({ RUNNING: 0, SUCCESS: 2 });
  });

  it('derives the final state: FAILED, then KILLED, then WARNING; SUCCESS without transmitFailed', () => {
    expect(terminalState({ SUCCESS: 1, FAILED: 1, KILLED: 1 }, true)).toBe('FAILED');
    expect(terminalState({ SUCCESS: 1, KILLED: 1, WARNING: 1 }, true)).toBe('KILLED');
    expect(terminalState({ SUCCESS: 1, WARNING: 1 }, true)).toBe('WARNING');
    expect(terminalState({ SUCCESS: 2 }, true)).toBe('SUCCESS');
    expect(terminalState({ FAILED: 2 }, false)).toBe('SUCCESS');
  });
});

describe('batch execution ids', () => {
  it('are stable, Kestra-shaped and distinct across batches and runs', () => {
    expect(batchExecutionId('5sVS9PkhSAEVZ9WA8yhXRL', 7)).toBe(batchExecutionId('5sVS9PkhSAEVZ9WA8yhXRL', 7));
    const seen = new Set<string>();
    for (const run of ['5sVS9PkhSAEVZ9WA8yhXRL', '5sVS9PkhSAEVZ9WA8yhXRM', 'a']) {
      for (let i = 1; i <= 20_000; i++) {
        const id = batchExecutionId(run, i);
        if (!/^[0-9A-Za-z]{1,22}$/.test(id)) throw new Error(`not a Kestra id: ${id}`);
        seen.add(id);
      }
    }
    expect(seen.size).toBe(60_000);
  });
});

describe('Ion rows (FileSerde.write)', () => {
  it('writes maps, lists, scalars and awkward names as Ion text, one value a line', () => {
    expect(ionRow({ a: 'x"y\n', b: 1, c: [true, null], d: 1.5, 'e-f': 'z', null: 2 })).toBe(`{a:"x\\"y\\n",b:1,c:[true,null],d:1.5e0,'e-f':"z",'null':2}\n`);
    expect(ionRow({})).toBe('{}\n');
  });
});

describe('batch file extension (StorageService.split)', () => {
  it('keeps the extension of the items path, .tmp without one', () => {
    expect(extensionOfPath('kestra:///ns/f/executions/e/inputs/file/items-102.txt')).toBe('.txt');
    expect(extensionOfPath('kestra:///ns/f/executions/e/inputs/file/items')).toBe('.tmp');
  });
});
