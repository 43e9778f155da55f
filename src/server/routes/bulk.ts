/**
 * Bulk actions on executions (kestra-api.md §3.2): delete, kill, restart, replay, resume, pause, labels
 * and change-status, each `/by-ids` (a JSON array of ids) and `/by-query` (the search filters of
 * `GET /executions/search`). Every id is checked first; one that does not qualify refuses the whole
 * request with 400 `{"message": "invalid bulk …", "invalids": [{message, invalidValue}]}`, and
 * nothing is done. Otherwise each is done in turn and the answer is `{"count": n}`.
 * @module
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { TroupeError } from '../../errors.js';
import type { Label } from '../../model/execution.js';
import { isTerminated, type StateType } from '../../model/state.js';
import type { ExecutionJson } from '../../runtime/execution-json.js';
import type { Engine } from '../../runtime/engine.js';
import type { ServerContext } from '../context.js';
import { labelsBody, mergeLabels, searchFilter, searchFilterSchema, STATES, type SearchQuery } from './executions.js';

/** One bulk action: which executions qualify (a refusal message otherwise) and what is done to each. */
interface BulkAction<B> {
  /** Kestra's word in `invalid bulk <word>`. */
  word: string;
  /** Why an execution does not qualify, or undefined when it does. */
  check?: (e: ExecutionJson, body: B) => string | undefined;
  apply: (engine: Engine, e: ExecutionJson, body: B) => Promise<unknown>;
}

const idList = { type: 'array', items: { type: 'string', minLength: 1, maxLength: 100 }, maxItems: 10_000 } as const;

async function runBulk<B>(engine: Engine, reply: FastifyReply, action: BulkAction<B>, ids: readonly string[], body: B): Promise<FastifyReply> {
  const invalids: Array<{ message: string; invalidValue: string }> = [];
  const found: ExecutionJson[] = [];
  for (const id of ids) {
    const e = engine.get(id);
    const why = e ? action.check?.(e, body) : 'execution not found';
    if (why) invalids.push({ message: why, invalidValue: id });
    else found.push(e!);
  }
  if (invalids.length) return reply.code(400).send({ message: `invalid bulk ${action.word}`, invalids });
  for (const e of found) await action.apply(engine, e, body);
  return reply.send({ count: found.length });
}

function terminalStatus(status: StateType): StateType {
  if (!isTerminated(status)) throw new TroupeError('TROUPE_ILLEGAL_ARGUMENT', 'You can only change the status of an execution to a terminal state.');
  return status;
}

const ACTIONS = {
  delete: {
    word: 'delete',
    // Troupe never deletes a running execution's records (its actor writes them): kill it first.
    check: (e: ExecutionJson) => (isTerminated(e.state.current) ? undefined : 'execution not found'),
    apply: (engine: Engine, e: ExecutionJson) => engine.deleteExecution(e.id),
  } satisfies BulkAction<unknown>,
  kill: {
    word: 'kill',
    check: (e: ExecutionJson) => (isTerminated(e.state.current) ? 'execution already finished' : undefined),
    apply: (engine: Engine, e: ExecutionJson) => engine.kill(e.id),
  } satisfies BulkAction<unknown>,
  restart: {
    word: 'restart',
    check: (e: ExecutionJson) => (e.state.current === 'FAILED' ? undefined : 'execution not in state FAILED'),
    apply: (engine: Engine, e: ExecutionJson) => engine.restart(e.id),
  } satisfies BulkAction<unknown>,
  replay: {
    word: 'replay',
    apply: (engine: Engine, e: ExecutionJson) => engine.replay(e.id),
  } satisfies BulkAction<unknown>,
  resume: {
    word: 'resume',
    check: (e: ExecutionJson) => (e.state.current === 'PAUSED' ? undefined : 'execution not in state PAUSED'),
    apply: (engine: Engine, e: ExecutionJson) => engine.resume(e.id),
  } satisfies BulkAction<unknown>,
  pause: {
    word: 'pause',
    check: (e: ExecutionJson) => (e.state.current === 'RUNNING' ? undefined : 'execution not in state RUNNING'),
    // One that ended since it was checked is left as it is (Kestra pauses through a queue, late).
    apply: (engine: Engine, e: ExecutionJson) => engine.pause(e.id).catch((err: unknown) => {
      if (!(err instanceof TroupeError && err.code === 'TROUPE_ILLEGAL_ARGUMENT')) throw err;
    }),
  } satisfies BulkAction<unknown>,
  labels: {
    word: 'set labels',
    check: (e: ExecutionJson) => (isTerminated(e.state.current) ? undefined : 'execution is not terminated'),
    apply: (engine: Engine, e: ExecutionJson, labels: Label[]) => engine.setLabels(e.id, mergeLabels(e.labels, labels)),
  } satisfies BulkAction<Label[]>,
  status: {
    word: 'change execution status',
    check: (e: ExecutionJson) => (isTerminated(e.state.current) ? undefined : 'execution not in a terminated state'),
    apply: (engine: Engine, e: ExecutionJson, status: StateType) => engine.changeStatus(e.id, status),
  } satisfies BulkAction<StateType>,
};

/** Registers the bulk routes on `app` (under a prefix). */
export function bulkRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { engine } = ctx;
  const matching = (q: SearchQuery): string[] => {
    const keep = searchFilter(q, Date.now());
    return engine.list().filter(keep).map((e) => e.id);
  };
  const byQuery = { type: 'object', properties: searchFilterSchema } as const;

  const simple = (method: 'POST' | 'DELETE', path: string, action: BulkAction<unknown>): void => {
    app.route<{ Body: string[] }>({ method, url: `/executions/${path}by-ids`, schema: { body: idList }, handler: (req, reply) => runBulk(engine, reply, action, req.body, undefined) });
    app.route<{ Querystring: SearchQuery }>({ method, url: `/executions/${path}by-query`, schema: { querystring: byQuery }, handler: (req, reply) => runBulk(engine, reply, action, matching(req.query), undefined) });
  };
  simple('DELETE', '', ACTIONS.delete);
  simple('DELETE', 'kill/', ACTIONS.kill);
  simple('POST', 'restart/', ACTIONS.restart);
  simple('POST', 'replay/', ACTIONS.replay);
  simple('POST', 'resume/', ACTIONS.resume);
  simple('POST', 'pause/', ACTIONS.pause);

  app.post<{ Body: { executionsId: string[]; executionLabels: unknown } }>(
    '/executions/labels/by-ids',
    { schema: { body: { type: 'object', properties: { executionsId: idList, executionLabels: { type: 'array', maxItems: 1000 } }, required: ['executionsId', 'executionLabels'] } } },
    (req, reply) => runBulk(engine, reply, ACTIONS.labels, req.body.executionsId, labelsBody(req.body.executionLabels)),
  );
  app.post<{ Querystring: SearchQuery; Body: unknown }>('/executions/labels/by-query', { schema: { querystring: byQuery } }, (req, reply) => {
    const labels = labelsBody(req.body);
    return runBulk(engine, reply, ACTIONS.labels, matching(req.query), labels);
  });

  const newStatus = { newStatus: { type: 'string', enum: [...STATES] } } as const;
  app.post<{ Querystring: { newStatus: StateType }; Body: string[] }>(
    '/executions/change-status/by-ids',
    { schema: { body: idList, querystring: { type: 'object', properties: newStatus, required: ['newStatus'] } } },
    (req, reply) => runBulk(engine, reply, ACTIONS.status, req.body, terminalStatus(req.query.newStatus)),
  );
  app.post<{ Querystring: SearchQuery & { newStatus: StateType } }>(
    '/executions/change-status/by-query',
    { schema: { querystring: { type: 'object', properties: { ...searchFilterSchema, ...newStatus }, required: ['newStatus'] } } },
    (req, reply) => {
      const status = terminalStatus(req.query.newStatus);
      return runBulk(engine, reply, ACTIONS.status, matching(req.query), status);
    },
  );
}
