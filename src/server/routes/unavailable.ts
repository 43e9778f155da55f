/**
 * Routes of kestra-api.md whose feature another part of Troupe builds (plugins): each answers
 * 501 with a Kestra error body naming what is missing, until that part lands and wires its
 * routes here.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { notImplemented } from '../errors.js';

const ALL = ['GET', 'POST', 'PUT', 'DELETE'] as const;

/** Registers the 501 routes on `app` (under a prefix). */
export function unavailableRoutes(app: FastifyInstance): void {
  const missing = (url: string, what: string, methods: ReadonlyArray<(typeof ALL)[number]> = ALL): void => {
    app.route({ method: [...methods], url, handler: async () => { throw notImplemented(what); } });
  };
  missing('/plugins', 'The plugin catalogue', ['GET']);
  missing('/plugins/*', 'The plugin catalogue', ['GET']);
}
