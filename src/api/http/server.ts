import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { QueryApi } from '../query/dispatch.ts';
import { ApiError } from '../query/errors.ts';
import { errorXml } from '../query/xml.ts';
import { headerMap, type RawRequest } from './raw-request.ts';

export interface HttpOptions {
  maxBodyBytes: number;
  tls?: { certFile: string; keyFile: string };
}

function send(res: ServerResponse, status: number, body: string | Buffer[], requestId: string): void {
  const chunks = typeof body === 'string' ? [Buffer.from(body)] : body;
  // Node adds the Date header itself (cached per second); SDKs read it for clock-skew hints.
  res.writeHead(status, {
    'Content-Type': 'text/xml',
    'Content-Length': chunks.reduce((n, c) => n + c.length, 0),
    'x-amzn-RequestId': requestId,
  });
  res.cork(); // one writev for headers and every chunk
  for (const chunk of chunks) res.write(chunk);
  res.end();
  res.uncork();
}

function tooLarge(res: ServerResponse, limit: number): void {
  const requestId = randomUUID();
  res.setHeader('Connection', 'close');
  send(
    res,
    413,
    errorXml('RequestEntityTooLarge', `The request body exceeds the limit of ${limit} bytes.`, 413, requestId),
    requestId,
  );
}

/**
 * Reads the body up to `limit` bytes. Resolves undefined (and has answered 413) when the
 * body is larger: a declared Content-Length over the limit is refused before reading.
 */
function readBody(
  req: IncomingMessage,
  res: ServerResponse,
  headers: RawRequest['headers'],
  limit: number,
): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    // From our own header map: touching req.headers would make Node build a second one.
    const declared = Number(headers.get('content-length')?.[0] ?? 0);
    if (declared > limit) {
      tooLarge(res, limit);
      req.resume();
      resolve(undefined);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        tooLarge(res, limit);
        req.destroy();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size))); // one chunk: no copy
    req.on('error', reject);
  });
}

/**
 * Serves the Query API on any path, GET and POST. Every response carries x-amzn-RequestId
 * and an XML body; a failure while reading is answered 400, never left hanging.
 */
export function createPhantomServer(api: QueryApi, options: HttpOptions, log: Logger): Server {
  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    try {
      const headers = headerMap(req.rawHeaders);
      const body = await readBody(req, res, headers, options.maxBodyBytes);
      if (body === undefined) return;
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const raw: RawRequest = {
        method: (req.method ?? 'GET').toUpperCase(),
        path: q < 0 ? url : url.slice(0, q),
        rawQuery: q < 0 ? '' : url.slice(q + 1),
        headers,
        body,
      };
      const answer = await api.handle(raw);
      send(res, answer.status, answer.body, answer.requestId);
    } catch (error) {
      log.warn({ err: error }, 'request aborted');
      if (!res.headersSent) {
        const requestId = randomUUID();
        send(res, 400, errorXml('InvalidParameterValue', 'The request could not be read.', 400, requestId), requestId);
      }
    }
  };
  // The handler answers its own failures; a throw while answering one is a bug, logged.
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    handler(req, res).catch((err: unknown) => log.error({ err }, 'request handler failed'));
  };
  const server = options.tls
    ? createHttpsServer({ cert: readFileSync(options.tls.certFile), key: readFileSync(options.tls.keyFile) }, onRequest)
    : createHttpServer(onRequest);
  server.headersTimeout = 30_000;
  server.requestTimeout = 60_000;
  server.keepAliveTimeout = 5_000;
  // Requests Node cannot even parse (bad request line, oversized headers) still get AWS XML.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return;
    const requestId = randomUUID();
    const refusal =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? new ApiError('RequestHeaderFieldsTooLarge', 'The request headers are too large.')
        : new ApiError('MalformedQueryString', 'The HTTP request could not be parsed.');
    const { status, code } = refusal;
    const body = errorXml(code, refusal.message, status, requestId);
    socket.end(
      `HTTP/1.1 ${status} ${code}\r\nContent-Type: text/xml\r\nx-amzn-RequestId: ${requestId}\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  });
  return server;
}
