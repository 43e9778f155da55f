/** Realistic records for store tests, shaped like ../shared/taskrun-example.json. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionHeader } from '../../src/model/execution.js';
import type { LogEntry } from '../../src/model/log-entry.js';
import type { TaskRun } from '../../src/model/task-run.js';

/** A fresh temp dir and its removal. */
export function createTempDir(prefix = 'troupe-store-'): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** An execution header in Kestra's shape. */
export function makeHeader(id: string, current: ExecutionHeader['state']['current'] = 'RUNNING'): ExecutionHeader {
  return {
    id,
    namespace: 'io.kestra.tests',
    flowId: 'each-sequential-nested',
    flowRevision: 3,
    inputs: { name: 'world', count: 3 },
    labels: [{ key: 'system.correlationId', value: id }],
    state: {
      current,
      histories: [
        { state: 'CREATED', date: '2021-05-04T12:02:53.900Z' },
        { state: 'RUNNING', date: '2021-05-04T12:02:53.930Z' },
        ...(current === 'RUNNING' ? [] : [{ state: current, date: '2021-05-04T12:02:55.000Z' }]),
      ],
    },
    originalId: id,
    deleted: false,
    metadata: { attemptNumber: 1, originalCreatedDate: '2021-05-04T12:02:53.900Z' },
  };
}

/** The i-th task run of an execution: a Return task inside an EachSequential, SUCCESS, one attempt. */
export function makeTaskRun(executionId: string, i: number): TaskRun {
  const value = `s${i}`;
  return {
    id: `tr${String(i).padStart(6, '0')}${executionId.slice(0, 12)}`,
    executionId,
    namespace: 'io.kestra.tests',
    flowId: 'each-sequential-nested',
    taskId: '1-1_return',
    parentTaskRunId: '5ABxhOwhpd2X8DtwUPKERJ',
    value,
    attempts: [
      {
        metrics: [
          { name: 'length', tags: { format: '{{task.id}} > {{taskrun.value}} ⬅ {{taskrun.startDate}}' }, value: 45, type: 'counter' },
          { name: 'duration', tags: { format: '{{task.id}} > {{taskrun.value}} ⬅ {{taskrun.startDate}}' }, type: 'timer', value: 'PT0.007213673S' },
        ],
        state: {
          current: 'SUCCESS',
          histories: [
            { state: 'CREATED', date: '2021-05-04T12:02:54.121Z' },
            { state: 'RUNNING', date: '2021-05-04T12:02:54.122Z' },
            { state: 'SUCCESS', date: '2021-05-04T12:02:54.131Z' },
          ],
        },
      },
    ],
    outputs: { value: `1-1_return > ${value} ⬅ 2021-05-04T12:02:53.938Z` },
    state: {
      current: 'SUCCESS',
      histories: [
        { state: 'CREATED', date: '2021-05-04T12:02:53.938Z' },
        { state: 'RUNNING', date: '2021-05-04T12:02:54.116Z' },
        { state: 'SUCCESS', date: '2021-05-04T12:02:54.144Z' },
      ],
    },
  };
}

/** The i-th log line of an execution. */
export function makeLog(executionId: string, i: number): LogEntry {
  return {
    namespace: 'io.kestra.tests',
    flowId: 'each-sequential-nested',
    taskId: '1-1_return',
    executionId,
    taskRunId: `tr${String(i).padStart(6, '0')}`,
    attemptNumber: 0,
    timestamp: '2021-05-04T12:02:54.130Z',
    level: 'INFO',
    thread: 'shard-0',
    message: `line ${i}: hello ⬅ world`,
  };
}
