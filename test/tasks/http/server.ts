/** A real HTTP server on 127.0.0.1 for the HTTP and notification task tests: routes by path, every request recorded. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the server received, its body read whole. */
export interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export type Route = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

export interface TestServer {
  url: string;
  received: Received[];
  /** Resolves with the next request whose path starts with `prefix` (already received or to come). */
  next(prefix: string): Promise<Received>;
  /** Resolves when a connection to this server closes (a killed request). */
  closedConnection(): Promise<void>;
  close(): Promise<void>;
}

/** Starts a server; a request whose path has no route gets 404. Routes match by path prefix, longest first. */
export async function startServer(routes: Record<string, Route>): Promise<TestServer> {
  const received: Received[] = [];
  const waiters: Array<{ prefix: string; resolve: (r: Received) => void }> = [];
  const closeWaiters: Array<() => void> = [];
  const keys = Object.keys(routes).sort((a, b) => b.length - a.length);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rec: Received = { method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks) };
      received.push(rec);
      for (const w of [...waiters]) {
        if (rec.url.startsWith(w.prefix)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(rec);
        }
      }
      const key = keys.find((k) => rec.url.startsWith(k));
      if (!key) {
        res.writeHead(404).end();
        return;
      }
      routes[key]!(req, res, rec.body);
    });
  });
  server.on('connection', (socket) => socket.on('close', () => closeWaiters.splice(0).forEach((f) => f())));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    next: (prefix) => {
      const got = received.find((r) => r.url.startsWith(prefix));
      if (got) return Promise.resolve(got);
      return new Promise((resolve) => waiters.push({ prefix, resolve }));
    },
    closedConnection: () => new Promise((resolve) => closeWaiters.push(resolve)),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
