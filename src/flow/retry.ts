/**
 * Retry policies (§2.7): `constant` needs `interval`; `exponential` needs `interval` and
 * `maxInterval`; `random` needs `minInterval` and `maxInterval`.
 */
import type { RetryPolicy } from '../model/index.js';
import { isDuration } from './check-value.js';
import type { Problems } from './problems.js';
import { describeNode, type YNode } from '../yaml/tree.js';

const COMMON = ['type', 'maxAttempt', 'maxDuration', 'warningOnRetry', 'behavior'];
const BY_TYPE: Record<RetryPolicy['type'], { required: string[]; optional: string[] }> = {
  constant: { required: ['interval'], optional: [] },
  exponential: { required: ['interval', 'maxInterval'], optional: ['delayFactor'] },
  random: { required: ['minInterval', 'maxInterval'], optional: [] },
};
const DURATIONS = new Set(['maxDuration', 'interval', 'maxInterval', 'minInterval']);
const BEHAVIORS = ['RETRY_FAILED_TASK', 'CREATE_NEW_EXECUTION'] as const;

/** Parses a `retry` map, recording problems; `undefined` when it cannot be used. */
export function parseRetry(node: YNode, path: string, problems: Problems): RetryPolicy | undefined {
  if (node.kind !== 'map') {
    problems.add(node, path, `expected a retry policy map but got ${describeNode(node)}`);
    return undefined;
  }
  const typeNode = node.entries.get('type')?.value;
  const type = typeNode?.kind === 'scalar' ? typeNode.value : undefined;
  if (!typeNode) {
    problems.add(node, path, "missing required property 'type' (constant, exponential or random)");
    return undefined;
  }
  if (type !== 'constant' && type !== 'exponential' && type !== 'random') {
    problems.add(typeNode, `${path}.type`, `expected constant, exponential or random but got '${String(type)}'`);
    return undefined;
  }
  const spec = BY_TYPE[type];
  const before = problems.size;
  const policy: RetryPolicy = { type, warningOnRetry: false, behavior: 'RETRY_FAILED_TASK' };
  for (const [key, e] of node.entries) {
    const at = `${path}.${key}`;
    const v = e.value.kind === 'scalar' ? e.value.value : undefined;
    if (!COMMON.includes(key) && !spec.required.includes(key) && !spec.optional.includes(key)) {
      problems.add(e.keyAt, at, `unknown property '${key}' for ${type === 'exponential' ? 'an' : 'a'} ${type} retry; expected ${[...COMMON, ...spec.required, ...spec.optional].join(', ')}`);
    } else if (DURATIONS.has(key)) {
      if (!isDuration(v)) problems.add(e.value, at, `expected an ISO 8601 duration such as PT30S but got ${describeNode(e.value)}`);
      else (policy as unknown as Record<string, unknown>)[key] = typeof v === 'number' ? `PT${v}S` : String(v);
    } else if (key === 'maxAttempt') {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) problems.add(e.value, at, 'expected an integer ≥ 1');
      else policy.maxAttempt = v;
    } else if (key === 'delayFactor') {
      if (typeof v !== 'number') problems.add(e.value, at, 'expected a number');
      else policy.delayFactor = v;
    } else if (key === 'warningOnRetry') {
      if (typeof v !== 'boolean') problems.add(e.value, at, 'expected a boolean');
      else policy.warningOnRetry = v;
    } else if (key === 'behavior') {
      const b = BEHAVIORS.find((x) => x === v);
      if (!b) problems.add(e.value, at, `expected ${BEHAVIORS.join(' or ')}`);
      else policy.behavior = b;
    }
  }
  for (const key of spec.required) {
    if (!node.entries.has(key)) problems.add(node, path, `missing required property '${key}' for ${type === 'exponential' ? 'an' : 'a'} ${type} retry`);
  }
  return problems.size === before ? policy : undefined;
}
