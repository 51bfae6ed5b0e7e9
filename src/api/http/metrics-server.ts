import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';

/** What the metrics listener serves: the exposition text, read afresh at each scrape. */
export type MetricsSource = () => Promise<{ contentType: string; text: string }>;

/** A listening metrics endpoint. */
export interface MetricsListener {
  /** e.g. http://127.0.0.1:9464/metrics (the real port when 0 was configured). */
  url: string;
  /** Stops listening and closes open connections. Idempotent. */
  close(): Promise<void>;
}

/**
 * Serves `GET /metrics` (Prometheus text format) on its own listener, apart from the API so
 * it can stay on loopback or a private interface; every other path is 404, every other method
 * 405. Unauthenticated, read-only; a failed scrape answers 500 without detail (logged at warn).
 */
export function createMetricsServer(source: MetricsSource, log: Logger): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics') return void res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return void res.writeHead(405, { 'Content-Type': 'text/plain', Allow: 'GET, HEAD' }).end('method not allowed');
    source().then(
      ({ contentType, text }) => {
        res.writeHead(200, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) });
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      (err: unknown) => {
        log.warn({ err }, 'metrics scrape failed');
        res.writeHead(500, { 'Content-Type': 'text/plain' }).end('scrape failed');
      },
    );
  });
}

/**
 * Starts the metrics listener on `host:port` (port 0: any free port).
 * @throws the listen error (e.g. EADDRINUSE), its message naming PHANTOM_METRICS_LISTEN.
 */
export async function listenMetrics(
  source: MetricsSource,
  at: { host: string; port: number },
  log: Logger,
): Promise<MetricsListener> {
  const server = createMetricsServer(source, log);
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: Error) =>
      reject(new Error(`PHANTOM_METRICS_LISTEN ${at.host}:${at.port}: ${error.message}`, { cause: error })),
    );
    server.listen(at.port, at.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = at.host.includes(':') ? `[${at.host}]` : at.host;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}/metrics`,
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}
