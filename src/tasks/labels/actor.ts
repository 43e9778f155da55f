/** Labels' actor hook: one attempt that renders `labels` and merges them into the execution's. */
import type { Label } from '../../model/execution.js';
import type { ActorRun, ActorTask } from '../actor-spec.js';

function readLabels(raw: unknown, run: ActorRun): Label[] {
  if (typeof raw === 'string') {
    const parsed = JSON.parse(run.render(raw)) as unknown;
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('labels must render to a JSON object');
    return Object.entries(parsed).map(([key, value]) => ({ key, value: String(value) }));
  }
  if (Array.isArray(raw)) return (run.renderObject(raw) as Array<{ key: unknown; value: unknown }>).map((l) => ({ key: String(l.key), value: String(l.value) }));
  if (raw && typeof raw === 'object') return Object.entries(run.renderObject(raw) as Record<string, unknown>).map(([key, value]) => ({ key, value: String(value) }));
  throw new Error('labels must be a map, a list of {key, value} or a JSON string');
}

export const labelsHooks: ActorTask = {
  start(run) {
    run.startAttempt();
    try {
      const labels = readLabels(run.task.props.labels, run);
      const bad = labels.find((l) => l.key.startsWith('system.'));
      if (bad) throw new Error(`System labels can only be set by Kestra itself, offending label: ${bad.key}=${bad.value}`);
      run.setLabels(labels);
      run.endAttempt('SUCCESS');
    } catch (e) {
      run.log('ERROR', e instanceof Error ? e.message : String(e));
      run.endAttempt('FAILED');
    }
  },
};
