/**
 * `/executions`: create (multipart inputs), read, search, delete, kill, resume, labels, and the
 * documented Troupe route that pages task runs (kestra-api.md §3).
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { TroupeError } from '../../errors.js';
import { CORRELATION_ID_LABEL, type Label } from '../../model/execution.js';
import { isTerminated, type StateType } from '../../model/state.js';
import type { ExecutionJson } from '../../runtime/execution-json.js';
import type { FlowInput } from '../../model/flow.js';
import { idFromBytes } from '../../model/ids.js';
import { validateInputs } from '../../inputs/index.js';
import { inputFilePath, storageUri } from '../../storage/uri.js';
import type { ServerContext } from '../context.js';
import { fileInputExtension, uploadsDiscarded, uploadsFor, type Uploads } from '../uploads.js';
import { hasLabels, inNamespace, pageOf, pagingSchema, parseDate, parseDuration, parseLabels, parseSort, sortBy, stringList } from '../query.js';

const idParams = { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 100 } }, required: ['id'] } as const;
const flowParams = { type: 'object', properties: { namespace: { type: 'string', maxLength: 150 }, flowId: { type: 'string', maxLength: 100 } }, required: ['namespace', 'flowId'] } as const;

const SORT_FIELDS = ['id', 'state.startDate', 'state.endDate', 'state.duration', 'namespace', 'flowId', 'state.current'];

/** How {@link multipartInputs} takes the file parts of declared FILE inputs. */
export interface FileParts {
  /** The declared inputs (FILE ones take file parts). */
  inputs: readonly FlowInput[];
  staging: Uploads;
  /** Pass a FILE input's text value on as it is (validation: typing refuses what is not a `kestra://` URI). */
  anyText?: boolean;
}

/**
 * The text fields and uploaded files of a multipart body. With `files`, a file part for a
 * declared FILE input is staged and its value is the staging path: the part's **filename** names
 * the input (Kestra 0.21; its clients send every file as `files`), or else its field name (as
 * `curl -F input=@file` sends it). A FILE input sent as text must be a `kestra://` URI (a text
 * value is never read as a path on this machine). Other file parts are ignored.
 */
export async function multipartInputs(req: FastifyRequest, declared: (id: string) => boolean, files?: FileParts): Promise<Record<string, string>> {
  const inputs: Record<string, string> = {};
  if (!req.isMultipart()) {
    const type = req.headers['content-type'];
    if (type !== undefined && req.body !== undefined && req.body !== null && req.body !== '') throw new TroupeError('TROUPE_HTTP_UNSUPPORTED_MEDIA_TYPE', `send inputs as multipart/form-data, not ${type}`);
    return inputs;
  }
  for await (const part of req.parts()) {
    if (part.type === 'file') {
      const named = files?.inputs.find((i) => i.id === part.filename);
      const input = named ?? files?.inputs.find((i) => i.id === part.fieldname && i.type === 'FILE');
      if (!input || !files) {
        part.file.resume();
        continue;
      }
      if (input.type !== 'FILE') {
        part.file.resume();
        throw new TroupeError('TROUPE_INPUT_INVALID', `Invalid input for \`${input.id}\`, a file was uploaded for an input of type ${input.type}`, { inputId: input.id });
      }
      inputs[input.id] = await files.staging.stage(input, part.file);
      continue;
    }
    // Undeclared fields are ignored, as Kestra ignores undeclared inputs.
    if (!declared(part.fieldname)) continue;
    const value = String(part.value);
    if (!files?.anyText && files?.inputs.find((i) => i.id === part.fieldname)?.type === 'FILE' && !value.startsWith('kestra://')) {
      throw new TroupeError('TROUPE_INPUT_INVALID', `Invalid input for \`${part.fieldname}\`, a FILE input must be uploaded as a file part (its filename the input id) or given as a kestra:// URI`, { inputId: part.fieldname });
    }
    inputs[part.fieldname] = value;
  }
  return inputs;
}

/** Kestra's `ApiValidateExecutionInputsResponse`: each declared input with its typed value or errors. */
function validation(flowId: string, namespace: string, declared: readonly FlowInput[], provided: Record<string, string>, context: Record<string, unknown>): Record<string, unknown> {
  const results = validateInputs(declared, provided, { context, renderOptions: { now: () => Date.now() } });
  return {
    id: flowId,
    namespace,
    inputs: results.map((r) => ({
      input: inputJson(r.input),
      ...(r.value !== null && r.value !== undefined ? { value: r.value } : {}),
      enabled: r.enabled,
      errors: r.error !== undefined ? [{ message: r.error }] : [],
    })),
  };
}

/** A declared input as Kestra's API shows it (`required` always, the type's own properties after). */
function inputJson(input: FlowInput): Record<string, unknown> {
  return { id: input.id, type: input.type, ...(input.description !== undefined ? { description: input.description } : {}), required: input.required, ...(input.defaults !== undefined ? { defaults: input.defaults } : {}), ...input.props };
}

function execNotFound(): TroupeError {
  return new TroupeError('TROUPE_HTTP_NOT_FOUND', '');
}

/** Labels of a request: `system.*` ones (except the correlation id) are Kestra's alone. */
function checkRequestLabels(labels: Label[]): Label[] {
  for (const l of labels) {
    if (l.key.startsWith('system.') && l.key !== CORRELATION_ID_LABEL) {
      throw new TroupeError('TROUPE_ILLEGAL_ARGUMENT', `System labels can only be set by Kestra itself, offending label: ${l.key}=${l.value}`);
    }
  }
  return labels;
}

/** Reads one field of an execution for sorting. */
function field(e: ExecutionJson, name: string): string | number | undefined {
  switch (name) {
    case 'state.startDate':
      return e.state.startDate;
    case 'state.endDate':
      return e.state.endDate;
    case 'state.duration':
      return e.state.duration;
    case 'state.current':
      return e.state.current;
    default:
      return (e as unknown as Record<string, string>)[name];
  }
}

/** The query of `GET /executions/search`, also the filter of the bulk `by-query` routes. */
export interface SearchQuery {
  page: number;
  size: number;
  sort?: string[];
  q?: string;
  namespace?: string;
  flowId?: string;
  startDate?: string;
  endDate?: string;
  timeRange?: string;
  state?: string[];
  labels?: string[];
  triggerExecutionId?: string;
  childFilter?: 'CHILD' | 'MAIN';
  scope?: string[];
}

/** The schema of {@link SearchQuery}'s filters (paging aside). */
export const searchFilterSchema = {
  q: { type: 'string', maxLength: 1000 },
  namespace: { type: 'string', maxLength: 150 },
  flowId: { type: 'string', maxLength: 100 },
  startDate: { type: 'string', maxLength: 64 },
  endDate: { type: 'string', maxLength: 64 },
  timeRange: { type: 'string', maxLength: 64 },
  state: stringList,
  labels: stringList,
  triggerExecutionId: { type: 'string', maxLength: 100 },
  childFilter: { type: 'string', enum: ['CHILD', 'MAIN'] },
  scope: stringList,
} as const;

const searchSchema = { type: 'object', properties: { ...pagingSchema, ...searchFilterSchema } } as const;

export const STATES = new Set<string>(['CREATED', 'RUNNING', 'PAUSED', 'RESTARTED', 'KILLING', 'SUCCESS', 'WARNING', 'FAILED', 'KILLED', 'CANCELLED', 'QUEUED', 'RETRYING', 'RETRIED', 'SKIPPED']);

/** Filters of `GET /executions/search`, checked (422 on bad dates, states, ranges). */
export function searchFilter(q: SearchQuery, nowMs: number): (e: ExecutionJson) => boolean {
  if (q.startDate !== undefined && q.timeRange !== undefined) throw new TroupeError('TROUPE_ILLEGAL_ARGUMENT', "Parameters 'startDate' and 'timeRange' are mutually exclusive");
  const range = parseDuration('timeRange', q.timeRange);
  const start = range !== undefined ? nowMs - range : parseDate('startDate', q.startDate);
  const end = parseDate('endDate', q.endDate);
  if (start !== undefined && end !== undefined && start > end) throw new TroupeError('TROUPE_ILLEGAL_ARGUMENT', 'Start date must be before End Date');
  const states = (q.state ?? []).flatMap((s) => s.split(',')).filter((s) => s !== '');
  for (const s of states) if (!STATES.has(s)) throw new TroupeError('TROUPE_ILLEGAL_ARGUMENT', `Failed to convert argument [state] for value [${s}]: not a state`);
  const stateSet = new Set(states);
  const labels = parseLabels(q.labels);
  const needle = q.q?.toLowerCase();
  return (e) => {
    if (q.flowId !== undefined ? e.namespace !== (q.namespace ?? e.namespace) || e.flowId !== q.flowId : !inNamespace(e.namespace, q.namespace)) return false;
    if (stateSet.size && !stateSet.has(e.state.current)) return false;
    if (start !== undefined && Date.parse(e.state.startDate) < start) return false;
    if (end !== undefined && (!e.state.endDate || Date.parse(e.state.endDate) > end)) return false;
    if (!hasLabels(e.labels, labels)) return false;
    const parent = e.trigger?.variables?.['executionId'];
    if (q.triggerExecutionId !== undefined && parent !== q.triggerExecutionId) return false;
    if (q.childFilter === 'CHILD' && parent === undefined) return false;
    if (q.childFilter === 'MAIN' && parent !== undefined) return false;
    if (needle && !`${e.id} ${e.namespace} ${e.flowId}`.toLowerCase().includes(needle)) return false;
    return true;
  };
}

/** Newest first unless the request sorts. */
function sorted(items: ExecutionJson[], sort: string[] | undefined): ExecutionJson[] {
  const sorts = parseSort(sort, SORT_FIELDS);
  return sorts.length ? sortBy(items, sorts, field) : items.reverse();
}

/** Registers the execution routes on `app` (under a prefix). */
export function executionRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { engine } = ctx;

  /**
   * The flow an execution would start from (the revision asked, else the latest): otherwise the
   * request's body is drained and Kestra's 404 (none, or deleted) or 409 (disabled) thrown.
   */
  async function startableFlow(req: FastifyRequest, namespace: string, flowId: string, revision: number | undefined) {
    const record = engine.flow(namespace, flowId, revision);
    if (!record || record.deleted) {
      await drain(req);
      throw new TroupeError('TROUPE_FLOW_NOT_FOUND', 'Requested Flow is not found.');
    }
    const flow = ctx.parsed(record);
    if (flow.disabled) {
      await drain(req);
      throw new TroupeError('TROUPE_ILLEGAL_STATE', 'Requested Flow is disabled.');
    }
    return { record, flow };
  }

  /**
   * The paused execution `id` a resume (or its validation) acts on; otherwise the request's body is
   * drained and Kestra's 404 or 409 thrown.
   */
  async function pausedExecution(req: FastifyRequest, id: string): Promise<ExecutionJson> {
    const e = engine.get(id);
    if (!e) {
      await drain(req);
      throw new TroupeError('TROUPE_EXECUTION_NOT_FOUND', `Execution '${id}' not found.`);
    }
    if (e.state.current !== 'PAUSED') {
      await drain(req);
      throw new TroupeError('TROUPE_EXECUTION_NOT_PAUSED', `Execution '${id}' is not paused, can't resume it`);
    }
    return e;
  }

  app.get<{ Querystring: SearchQuery }>('/executions/search', { schema: { querystring: searchSchema } }, async (req) => {
    const keep = searchFilter(req.query, Date.now());
    return pageOf(sorted(engine.list().filter(keep), req.query.sort), req.query.page, req.query.size);
  });

  app.get<{ Querystring: { namespace: string; flowId: string; page: number; size: number; sort?: string[] } }>(
    '/executions',
    { schema: { querystring: { type: 'object', properties: { ...pagingSchema, namespace: { type: 'string', maxLength: 150 }, flowId: { type: 'string', maxLength: 100 } }, required: ['namespace', 'flowId'] } } },
    async (req) => {
      const { namespace, flowId, page, size } = req.query;
      return pageOf(sorted(engine.list({ namespace, flowId }), req.query.sort), page, size);
    },
  );

  const create = async (req: FastifyRequest<{ Params: { namespace: string; flowId: string }; Querystring: { labels?: string[]; wait: boolean; revision?: number; scheduleDate?: string } }>) => {
    const { namespace, flowId } = req.params;
    const { wait, revision } = req.query;
    const labels = checkRequestLabels(parseLabels(req.query.labels));
    const scheduleMs = parseDate('scheduleDate', req.query.scheduleDate);
    const { record, flow } = await startableFlow(req, namespace, flowId, revision);
    const ids = new Set(flow.inputs.map((i) => i.id));
    const staging = uploadsFor(engine.storage);
    let id: string;
    try {
      const inputs = await multipartInputs(req, (x) => ids.has(x), { inputs: flow.inputs, staging });
      id = await engine.execute(namespace, flowId, inputs, {
        revision: record.revision,
        ...(labels.length ? { labels } : {}),
        ...(scheduleMs !== undefined ? { scheduleDate: new Date(scheduleMs).toISOString() } : {}),
      });
    } finally {
      await staging.cleanup();
    }
    const execution = wait ? await engine.waitFor(id) : engine.get(id)!;
    return { ...execution, url: `${ctx.http.publicUrl ?? ''}/ui/executions/${namespace}/${flowId}/${id}` };
  };
  const createSchema = {
    params: flowParams,
    querystring: { type: 'object', properties: { labels: stringList, wait: { type: 'boolean', default: false }, revision: { type: 'integer', minimum: 1 }, scheduleDate: { type: 'string', maxLength: 64 } } },
  } as const;
  app.post('/executions/:namespace/:flowId', { schema: createSchema }, create as never);
  app.post('/executions/trigger/:namespace/:flowId', { schema: createSchema }, create as never);

  app.get<{ Params: { id: string } }>('/executions/:id', { schema: { params: idParams } }, async (req) => {
    const e = engine.get(req.params.id);
    if (!e) throw execNotFound();
    return e;
  });

  app.get<{ Params: { id: string }; Querystring: { page: number; size: number } }>(
    '/executions/:id/taskruns',
    { schema: { params: idParams, querystring: { type: 'object', properties: { page: pagingSchema.page, size: { type: 'integer', minimum: 1, maximum: 10_000, default: 100 } } } } },
    async (req) => {
      const { page, size } = req.query;
      const result = engine.taskRunPage(req.params.id, (page - 1) * size, size);
      if (!result) throw execNotFound();
      return result;
    },
  );

  app.delete<{ Params: { id: string } }>('/executions/:id', { schema: { params: idParams, querystring: { type: 'object', properties: { deleteLogs: { type: 'boolean' }, deleteMetrics: { type: 'boolean' }, deleteStorage: { type: 'boolean' } } } } }, async (req, reply) => {
    try {
      await engine.deleteExecution(req.params.id);
    } catch (e) {
      if (e instanceof TroupeError && e.code === 'TROUPE_EXECUTION_NOT_FOUND') throw execNotFound();
      throw e;
    }
    return reply.code(204).send();
  });

  app.delete<{ Params: { id: string }; Querystring: { isOnKillCascade: boolean } }>(
    '/executions/:id/kill',
    { schema: { params: idParams, querystring: { type: 'object', properties: { isOnKillCascade: { type: 'boolean', default: true } } } } },
    async (req, reply) => {
      const e = engine.get(req.params.id);
      if (!e) throw execNotFound();
      if (isTerminated(e.state.current)) {
        if (!req.query.isOnKillCascade) throw new TroupeError('TROUPE_ILLEGAL_STATE', "Execution is already finished, can't kill it");
      } else engine.kill(req.params.id);
      return reply.code(202).send();
    },
  );

  app.post<{ Params: { id: string } }>('/executions/:id/resume', { schema: { params: idParams } }, async (req, reply) => {
    const { id } = req.params;
    await pausedExecution(req, id);
    const staging = uploadsFor(engine.storage);
    try {
      const inputs = await multipartInputs(req, () => true, { inputs: engine.resumeInputs(id), staging });
      await engine.resume(id, Object.keys(inputs).length ? inputs : undefined);
    } finally {
      await staging.cleanup();
    }
    return reply.code(204).send();
  });

  app.post<{ Params: { id: string }; Body: unknown }>('/executions/:id/labels', { schema: { params: idParams } }, async (req, reply) => {
    const { id } = req.params;
    const e = engine.get(id);
    if (!e) throw execNotFound();
    const given = labelsBody(req.body);
    if (!isTerminated(e.state.current)) return reply.code(400).type('text/plain').send('The execution is not terminated');
    return engine.setLabels(id, mergeLabels(e.labels, given));
  });

  const revision = { type: 'integer', minimum: 1 } as const;
  app.post<{ Params: { id: string }; Querystring: { revision?: number } }>('/executions/:id/restart', { schema: { params: idParams, querystring: { type: 'object', properties: { revision } } } }, async (req) => {
    if (!engine.get(req.params.id)) throw execNotFound();
    const id = await engine.restart(req.params.id, req.query.revision !== undefined ? { revision: req.query.revision } : {});
    return engine.get(id);
  });

  app.post<{ Params: { id: string }; Querystring: { taskRunId?: string; revision?: number } }>(
    '/executions/:id/replay',
    { schema: { params: idParams, querystring: { type: 'object', properties: { taskRunId: { type: 'string', maxLength: 100 }, revision } } } },
    async (req) => {
      if (!engine.get(req.params.id)) throw execNotFound();
      const { taskRunId, revision: rev } = req.query;
      const id = await engine.replay(req.params.id, { ...(taskRunId !== undefined ? { taskRunId } : {}), ...(rev !== undefined ? { revision: rev } : {}) });
      return engine.get(id);
    },
  );

  app.post<{ Params: { id: string }; Body: { taskRunId: string; state: StateType } }>(
    '/executions/:id/state',
    { schema: { params: idParams, body: { type: 'object', properties: { taskRunId: { type: 'string', minLength: 1, maxLength: 100 }, state: { type: 'string', enum: [...STATES] } }, required: ['taskRunId', 'state'] } } },
    async (req) => {
      if (!engine.get(req.params.id)) throw execNotFound();
      return engine.setTaskRunState(req.params.id, req.body.taskRunId, req.body.state);
    },
  );

  app.post<{ Params: { id: string }; Querystring: { status: StateType } }>(
    '/executions/:id/change-status',
    { schema: { params: idParams, querystring: { type: 'object', properties: { status: { type: 'string', enum: [...STATES] } }, required: ['status'] } } },
    async (req) => {
      const { status } = req.query;
      if (!isTerminated(status)) throw new TroupeError('TROUPE_ILLEGAL_ARGUMENT', 'You can only change the status of an execution to a terminal state.');
      const e = engine.get(req.params.id);
      if (!e) throw execNotFound();
      if (!isTerminated(e.state.current)) throw new TroupeError('TROUPE_ILLEGAL_ARGUMENT', 'You can only change the status of a terminated execution.');
      return engine.changeStatus(req.params.id, status);
    },
  );

  // Kestra's manual pause: a RUNNING execution goes PAUSED (its running attempts finish); 200, empty.
  app.post<{ Params: { id: string } }>('/executions/:id/pause', { schema: { params: idParams } }, async (req, reply) => {
    if (!engine.get(req.params.id)) throw execNotFound();
    await engine.pause(req.params.id);
    return reply.code(200).send();
  });
  // Kestra's validateInputsOnCreate: the inputs typed as a creation would, each with its own
  // outcome; nothing is stored (an uploaded file is read and dropped, its input shows the URI it would get).
  app.post<{ Params: { namespace: string; flowId: string }; Querystring: { labels?: string[]; revision?: number } }>(
    '/executions/:namespace/:flowId/validate',
    { schema: { params: flowParams, querystring: { type: 'object', properties: { labels: stringList, revision: { type: 'integer', minimum: 1 } } } } },
    async (req) => {
      const { namespace, flowId } = req.params;
      checkRequestLabels(parseLabels(req.query.labels));
      const { flow } = await startableFlow(req, namespace, flowId, req.query.revision);
      const executionId = idFromBytes(randomBytes(16));
      const uriOf = (input: FlowInput): string => storageUri(inputFilePath(namespace, flowId, executionId, input.id, `${input.id}${fileInputExtension(input)}`));
      const ids = new Set(flow.inputs.map((i) => i.id));
      const provided = await multipartInputs(req, (x) => ids.has(x), { inputs: flow.inputs, staging: uploadsDiscarded(uriOf), anyText: true });
      return validation(flowId, namespace, flow.inputs, provided, { flow: { id: flow.id, namespace: flow.namespace, revision: flow.revision } });
    },
  );

  // Kestra's validateInputsOnResume: the onResume inputs of a paused execution, checked as a resume would.
  app.post<{ Params: { id: string } }>('/executions/:id/resume/validate', { schema: { params: idParams } }, async (req) => {
    const { id } = req.params;
    const e = await pausedExecution(req, id);
    const declared = engine.resumeInputs(id);
    const uriOf = (input: FlowInput): string => storageUri(inputFilePath(e.namespace, e.flowId, id, input.id, `${input.id}${fileInputExtension(input)}`));
    const provided = await multipartInputs(req, () => true, { inputs: declared, staging: uploadsDiscarded(uriOf), anyText: true });
    return validation(e.flowId, e.namespace, declared, provided, {});
  });
}

/** Reads (and drops) a multipart body not used, so the client sees the answer, not a reset. */
async function drain(req: FastifyRequest): Promise<void> {
  if (!req.isMultipart()) return;
  for await (const part of req.parts()) if (part.type === 'file') part.file.resume();
}

/**
 * Kestra's label update: the given labels win, the execution's others stay; a `system.*` label may
 * only be resent unchanged.
 */
export function mergeLabels(existing: readonly Label[], given: readonly Label[]): Label[] {
  const merged = new Map(existing.map((l) => [l.key, l.value]));
  for (const l of given) {
    if (l.key.startsWith('system.') && merged.get(l.key) !== l.value) {
      throw new TroupeError('TROUPE_ILLEGAL_ARGUMENT', `System labels can only be set by Kestra itself, offending label: ${l.key}=${l.value}`);
    }
    merged.set(l.key, l.value);
  }
  return [...merged].map(([key, value]) => ({ key, value }));
}

/** The JSON body of `POST /executions/{id}/labels`: `[{key, value}]`. */
export function labelsBody(body: unknown): Label[] {
  if (!Array.isArray(body)) throw new TroupeError('TROUPE_ILLEGAL_ARGUMENT', 'Invalid json: expected an array of {"key", "value"} labels');
  return body.map((l: unknown, i) => {
    const { key, value } = (l ?? {}) as { key?: unknown; value?: unknown };
    if (typeof key !== 'string' || key === '' || typeof value !== 'string' || value === '') {
      throw new TroupeError('TROUPE_INPUT_INVALID', `labels[${i}]: key and value must be non-empty strings`, { errors: [{ message: `labels[${i}]: must not be null`, path: `labels[${i}]` }] });
    }
    return { key, value };
  });
}
