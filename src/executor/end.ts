/**
 * The end of an execution (Kestra §2.9): flow outputs rendered and typed, then the final state;
 * runs still open at a terminal end are closed (deliberate difference from Kestra, which lets them
 * finish after the execution ended: here an ended execution lists no run without an end date).
 */
import { renderObject } from '../expr/index.js';
import { resolveInputs } from '../inputs/index.js';
import { isTerminated, type StateType } from '../model/state.js';
import { killOpenRuns, log, setExecutionState, type StepContext } from './context.js';
import { flowVars } from './run-vars.js';

/** Ends the execution in `final`, after rendering the flow's outputs (a render failure makes it FAILED). */
export function finishExecution(ctx: StepContext, final: StateType): void {
  const { state } = ctx;
  let outcome = final;
  if (isTerminated(final) && state.flow.outputs.length > 0) {
    try {
      const raw: Record<string, unknown> = {};
      for (const o of state.flow.outputs) raw[o.id] = o.value;
      const rendered = renderObject(raw, flowVars(state, ctx.env), ctx.env.render) as Record<string, unknown>;
      // Outputs are typed as inputs are (an INT output is a number, a JSON one parsed).
      const typed = resolveInputs(
        state.flow.outputs.map((o) => ({ id: o.id, type: o.type, required: false, props: {} })),
        rendered,
      );
      if (!typed.ok) throw new Error(typed.errors.map((x) => x.message).join(', '));
      state.header.outputs = typed.inputs;
      ctx.headerChanged = true;
    } catch (e) {
      log(ctx, 'ERROR', `Failed to render output values: ${e instanceof Error ? e.message : String(e)}`);
      outcome = 'FAILED';
    }
  }
  setExecutionState(ctx, outcome);
  if (isTerminated(outcome)) closeUnfinished(ctx);
}

/**
 * A parallel flowable failed fast (or an errors branch ended the flow) while sibling runs were
 * still open: their attempts are cancelled and they end KILLED, so the ended execution holds no
 * RUNNING or CREATED run. Once per execution; nothing is resolved after it.
 */
function closeUnfinished(ctx: StepContext): void {
  const { state } = ctx;
  killOpenRuns(ctx);
  state.inFlight.clear();
  state.paused.clear();
  state.waitingSubflows.clear();
  ctx.dirty.clear();
}
