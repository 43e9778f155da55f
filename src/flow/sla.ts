/**
 * A flow's `sla:` list (Kestra's SLA, beta): each item `{id, type, behavior, labels}` with
 * `duration` for MAX_DURATION, `assert` for EXECUTION_ASSERTION. Ids may repeat (Kestra's own
 * test flow repeats one); labels are a map or a list of `{key, value}`, no `system.` label.
 */
import type { Label } from '../model/index.js';
import { parseDuration } from '../model/duration.js';
import type { Sla, SlaBehavior } from '../model/sla.js';
import { isDuration } from './check-value.js';
import { listOfMaps, rejectUnknownKeys } from './flow-sections.js';
import type { Problems } from './problems.js';
import { describeNode, type YMap, type YNode } from '../yaml/tree.js';

const TYPES = ['MAX_DURATION', 'EXECUTION_ASSERTION'] as const;
const BEHAVIORS: readonly SlaBehavior[] = ['FAIL', 'CANCEL', 'NONE'];
const KEYS = { MAX_DURATION: ['id', 'type', 'behavior', 'labels', 'duration'], EXECUTION_ASSERTION: ['id', 'type', 'behavior', 'labels', 'assert'] } as const;

function scalar(map: YMap, key: string): unknown {
  const node = map.entries.get(key)?.value;
  return node?.kind === 'scalar' ? node.value : undefined;
}

function slaLabels(node: YNode, path: string, problems: Problems): Label[] {
  const labels: Array<{ label: Label; at: YNode; path: string }> = [];
  if (node.kind === 'map') {
    for (const [key, e] of node.entries) {
      if (e.value.kind !== 'scalar' || e.value.value === null) problems.add(e.value, `${path}.${key}`, `expected a string, number or boolean but got ${describeNode(e.value)}`);
      else labels.push({ label: { key, value: String(e.value.value) }, at: e.value, path: `${path}.${key}` });
    }
  } else if (node.kind === 'seq') {
    for (const [item, at] of listOfMaps(node, path, '{key, value} labels', problems)) {
      rejectUnknownKeys(item, at, ['key', 'value'], problems);
      const key = scalar(item, 'key');
      const value = scalar(item, 'value');
      if (key === undefined || key === null || value === undefined || value === null) problems.add(item, at, 'expected a label with a string key and value');
      else labels.push({ label: { key: String(key), value: String(value) }, at: item, path: at });
    }
  } else problems.add(node, path, `expected a map or a list of {key, value} but got ${describeNode(node)}`);
  for (const l of labels) if (l.label.key.startsWith('system.')) problems.add(l.at, l.path, `System labels can only be set by Kestra itself, offending label: ${l.label.key}=${l.label.value}`);
  return labels.map((l) => l.label);
}

/** Parses `sla:`, recording problems; the SLAs with a problem are left out. */
export function parseSla(node: YNode, problems: Problems): Sla[] {
  const out: Sla[] = [];
  for (const [item, path] of listOfMaps(node, 'sla', 'SLA maps', problems)) {
    const before = problems.size;
    const id = scalar(item, 'id');
    if (typeof id !== 'string' || id === '') problems.add(item.entries.get('id')?.value ?? item, `${path}.id`, id === undefined ? "missing required property 'id'" : 'expected a non-empty string');
    const type = TYPES.find((t) => t === scalar(item, 'type'));
    if (!type) {
      const node = item.entries.get('type')?.value;
      problems.add(node ?? item, `${path}.type`, node ? `expected ${TYPES.join(' or ')} but got ${describeNode(node)}` : `missing required property 'type' (${TYPES.join(' or ')})`);
      continue;
    }
    rejectUnknownKeys(item, path, KEYS[type], problems);
    const behaviorNode = item.entries.get('behavior')?.value;
    const behavior = BEHAVIORS.find((b) => b === scalar(item, 'behavior'));
    if (!behavior) problems.add(behaviorNode ?? item, `${path}.behavior`, behaviorNode ? `expected ${BEHAVIORS.join(', ')} but got ${describeNode(behaviorNode)}` : "missing required property 'behavior'");
    const labelsNode = item.entries.get('labels')?.value;
    const labels = labelsNode && !(labelsNode.kind === 'scalar' && labelsNode.value === null) ? slaLabels(labelsNode, `${path}.labels`, problems) : [];
    if (type === 'MAX_DURATION') {
      const durationNode = item.entries.get('duration')?.value;
      const duration = scalar(item, 'duration');
      if (!durationNode) problems.add(item, `${path}.duration`, "missing required property 'duration'");
      else if (!isDuration(duration)) problems.add(durationNode, `${path}.duration`, `expected an ISO 8601 duration such as PT30S but got ${describeNode(durationNode)}`);
      if (problems.size !== before) continue;
      const written = typeof duration === 'number' ? `PT${duration}S` : String(duration);
      out.push({ id: id as string, type, behavior: behavior!, labels, duration: written, durationMs: parseDuration(duration as string | number) });
    } else {
      const assertNode = item.entries.get('assert')?.value;
      const assert = scalar(item, 'assert');
      if (!assertNode) problems.add(item, `${path}.assert`, "missing required property 'assert'");
      else if (typeof assert !== 'string' || assert === '') problems.add(assertNode, `${path}.assert`, `expected a non-empty string but got ${describeNode(assertNode)}`);
      if (problems.size !== before) continue;
      out.push({ id: id as string, type, behavior: behavior!, labels, assert: assert as string });
    }
  }
  return out;
}
