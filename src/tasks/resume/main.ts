/** Resume on the main thread: the target execution (this one by default) resumes with `inputs`. */
import type { MainTask } from '../run-spec.js';

export const resumeTask: MainTask = {
  async run(task, ctx) {
    const id = task.props.executionId !== undefined ? ctx.render(String(task.props.executionId)) : ctx.executionId;
    const inputs = task.props.inputs !== undefined ? (ctx.renderObject(task.props.inputs) as Record<string, unknown>) : undefined;
    await ctx.engine.resume(id, inputs);
    ctx.log('INFO', `Resumed execution ${id}`);
    return { outputs: {} };
  },
};
