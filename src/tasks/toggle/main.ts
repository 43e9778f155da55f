/**
 * Toggle on the main thread: the trigger's state row gets `disabled = !enabled` (Kestra's Toggle:
 * the row must exist, so only Schedule triggers can be toggled; `enabled` defaults to false).
 */
import type { MainTask } from '../run-spec.js';

export const toggleTask: MainTask = {
  async run(task, ctx) {
    const namespace = task.props.namespace !== undefined ? ctx.render(String(task.props.namespace)) : ctx.flow.namespace;
    const flowId = task.props.flowId !== undefined ? ctx.render(String(task.props.flowId)) : ctx.flow.id;
    const trigger = ctx.render(String(task.props.trigger));
    const enabled = task.props.enabled === true;
    await ctx.engine.setTriggerDisabled(namespace, flowId, trigger, !enabled);
    ctx.log('INFO', `Trigger ${trigger} of ${namespace}.${flowId} ${enabled ? 'enabled' : 'disabled'}`);
    return { outputs: {} };
  },
};
