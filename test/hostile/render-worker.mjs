// Renders hostile templates for test/hostile/templates.test.ts in a thread of its own, so that a
// render that hangs or exhausts the heap takes down this thread only. Uses the build (dist/).
import { parentPort } from 'node:worker_threads';
import { renderString, renderTyped } from '../../dist/expr/index.js';

/** Builds the variables a case names (big values are made here, not sent). */
function makeVars(spec) {
  const vars = {};
  for (const [name, v] of Object.entries(spec ?? {})) {
    vars[name] = v && typeof v === 'object' && 'repeat' in v ? v.repeat.repeat(v.times) + (v.tail ?? '') : v;
  }
  return vars;
}

parentPort.on('message', ({ id, template, vars, mode, limits }) => {
  const started = performance.now();
  try {
    const options = limits ? { limits } : undefined;
    const value = mode === 'typed' ? renderTyped(template, makeVars(vars), options) : renderString(template, makeVars(vars), options);
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    parentPort.postMessage({ id, ok: true, value: text.length > 2000 ? `${text.slice(0, 2000)}…` : text, length: text.length, ms: performance.now() - started });
  } catch (err) {
    parentPort.postMessage({ id, ok: false, code: err?.code, message: String(err?.message ?? err), stack: String(err?.stack ?? ''), ms: performance.now() - started });
  }
});
