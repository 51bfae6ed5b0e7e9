import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { readFileSync } from 'node:fs';
import type { Duplex } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { QueryApi } from '../query/dispatch.ts';
import { ApiError } from '../query/errors.ts';
import { errorXml } from '../query/xml.ts';
import { answerProbe, probeOf } from './probes.ts';
import { headerMap, type RawRequest } from './raw-request.ts';

export interface HttpOptions {
  maxBodyBytes: number;
  tls?: { certFile: string; keyFile: string };
  /** Optional. Time for a whole request (headers and body) to arrive, else 408; default 60 s. */
  requestTimeoutMs?: number;
  /** Optional. One info line ('request') per answered API request; default off. */
  accessLog?: boolean;
  /** Optional. Told of every answered API request (probes excluded), e.g. for metrics. Must not throw. */
  onRequest?: (report: RequestReport) => void;
  /**
   * Optional. Whether the server is ready (GET /readyz answers 200, else 503); a rejection counts
   * as not ready. Absent: always ready. GET /healthz answers 200 whenever the process serves.
   */
  ready?: () => Promise<boolean>;
  /**
   * Optional. A second API served on the same port (CloudWatch): a request it claims is answered
   * by it instead of the Query API; a request its headers claim may have a body up to its
   * `maxBodyBytes` (when larger than `maxBodyBytes` above).
   */
  alternate?: AlternateApi;
}

/** An API sharing the server's port (see {@link HttpOptions.alternate}). */
export interface AlternateApi {
  /** Required. The body limit for requests `claimsByHeaders` accepts. */
  maxBodyBytes: number;
  /** Required. Whether headers and query string alone claim the request (decides the body limit). */
  claimsByHeaders(headers: RawRequest['headers'], rawQuery: string): boolean;
  /** Required. The answer to a claimed request, or undefined when the request is not this API's. Never rejects. */
  serve(req: RawRequest): Promise<AlternateAnswer> | undefined;
}

/** A finished answer of an {@link AlternateApi}. */
export interface AlternateAnswer {
  status: number;
  contentType: string;
  headers: Record<string, string>;
  body: string;
  requestId: string;
  action?: string;
  caller?: string;
}

/** One answered API request, as the access log and `onRequest` see it. Never carries a secret. */
export interface RequestReport {
  method: string;
  /** The implemented action the request named, when it got that far. */
  action?: string;
  /** The authenticated user's name, when authentication succeeded. */
  user?: string;
  status: number;
  durationMs: number;
  requestId: string;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

function send(
  res: ServerResponse,
  status: number,
  body: string | Buffer[],
  requestId: string,
  contentType = 'text/xml',
  extraHeaders: Record<string, string> = {},
): void {
  const chunks = typeof body === 'string' ? [Buffer.from(body)] : body;
  // Node adds the Date header itself (cached per second); SDKs read it for clock-skew hints.
  res.writeHead(status, {
    ...extraHeaders,
    'Content-Type': contentType,
    'Content-Length': chunks.reduce((n, c) => n + c.length, 0),
    'x-amzn-RequestId': requestId,
  });
  res.cork(); // one writev for headers and every chunk
  for (const chunk of chunks) res.write(chunk);
  res.end();
  res.uncork();
}

/** Answers 413 with a request id of its own, and returns that id. */
function tooLarge(res: ServerResponse, limit: number): string {
  const requestId = randomUUID();
  res.setHeader('Connection', 'close');
  send(
    res,
    413,
    errorXml('RequestEntityTooLarge', `The request body exceeds the limit of ${limit} bytes.`, 413, requestId),
    requestId,
  );
  return requestId;
}

/**
 * Reads the body up to `limit` bytes. Resolves the 413 answer's request id instead (having answered it) when the
 * body is larger: a declared Content-Length over the limit is refused before reading.
 */
function readBody(
  req: IncomingMessage,
  res: ServerResponse,
  headers: RawRequest['headers'],
  limit: number,
): Promise<Buffer | string> {
  return new Promise((resolve, reject) => {
    // From our own header map: touching req.headers would make Node build a second one.
    const declared = Number(headers.get('content-length')?.[0] ?? 0);
    if (declared > limit) {
      const requestId = tooLarge(res, limit);
      req.resume();
      resolve(requestId);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        const requestId = tooLarge(res, limit);
        req.destroy();
        resolve(requestId);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size))); // one chunk: no copy
    req.on('error', reject);
  });
}

/** Reports an answered request to the access log (when on) and to `onRequest`. */
function reporter(options: HttpOptions, log: Logger): (report: RequestReport) => void {
  const accessLog = options.accessLog === true;
  const onRequest = options.onRequest;
  return (report) => {
    if (accessLog) log.info({ ...report, durationMs: Math.round(report.durationMs * 1000) / 1000 }, 'request');
    onRequest?.(report);
  };
}

/**
 * Serves the Query API on any path, GET and POST (and the `alternate` API, when given, for the
 * requests it claims). Every response carries x-amzn-RequestId
 * and an XML body; a failure while reading is answered 400, never left hanging. A GET to
 * exactly /healthz or /readyz without an Action is a probe (see probes.ts), answered unsigned.
 */
export function createPhantomServer(api: QueryApi, options: HttpOptions, log: Logger): Server {
  const report = reporter(options, log);
  const ready = options.ready ?? (async () => true);
  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const started = performance.now();
    const method = (req.method ?? 'GET').toUpperCase();
    const done = (status: number, requestId: string, seen: { action?: string; caller?: string } = {}) =>
      report({
        method,
        ...(seen.action !== undefined ? { action: seen.action } : {}),
        ...(seen.caller !== undefined ? { user: seen.caller } : {}),
        status,
        durationMs: performance.now() - started,
        requestId,
      });
    try {
      const headers = headerMap(req.rawHeaders);
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const path = q < 0 ? url : url.slice(0, q);
      const rawQuery = q < 0 ? '' : url.slice(q + 1);
      const alternate = options.alternate;
      const limit = alternate?.claimsByHeaders(headers, rawQuery)
        ? Math.max(alternate.maxBodyBytes, options.maxBodyBytes)
        : options.maxBodyBytes;
      const body = await readBody(req, res, headers, limit);
      if (typeof body === 'string') return done(413, body); // refused: the 413's request id
      const probe = probeOf(method, path, rawQuery);
      if (probe) return void (await answerProbe(res, probe, ready));
      const claimed = alternate?.serve({ method, path, rawQuery, headers, body });
      if (claimed) {
        const other = await claimed;
        send(res, other.status, other.body, other.requestId, other.contentType, other.headers);
        return done(other.status, other.requestId, other);
      }
      const answer = await api.handle({ method, path, rawQuery, headers, body });
      send(res, answer.status, answer.body, answer.requestId);
      done(answer.status, answer.requestId, answer);
    } catch (error) {
      // A client that goes away mid-request is routine: no stack, not a warning.
      log.debug({ reason: error instanceof Error ? error.message : String(error) }, 'request aborted');
      if (!res.headersSent) {
        const requestId = randomUUID();
        send(res, 400, errorXml('InvalidParameterValue', 'The request could not be read.', 400, requestId), requestId);
        done(400, requestId);
      }
    }
  };
  const requestTimeout = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const timing = {
    requestTimeout,
    headersTimeout: Math.min(30_000, requestTimeout),
    keepAliveTimeout: 5_000,
    // How often Node looks for requests past their timeout (its default, 30 s, would let a 60 s
    // timeout fire anywhere between 60 and 90 s).
    connectionsCheckingInterval: Math.max(10, Math.min(30_000, Math.ceil(requestTimeout / 4))),
  };
  // The handler answers its own failures; a throw while answering one is a bug, logged.
  const serve = (req: IncomingMessage, res: ServerResponse): void => {
    handler(req, res).catch((err: unknown) => log.error({ err }, 'request handler failed'));
  };
  const server = options.tls
    ? createHttpsServer(
        { cert: readFileSync(options.tls.certFile), key: readFileSync(options.tls.keyFile), ...timing },
        serve,
      )
    : createHttpServer(timing, serve);
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => refuseUnparsed(error, socket));
  return server;
}

/** Sockets already being refused: Node may report more errors for the same connection. */
const refusing = new WeakSet<Duplex>();

/**
 * Answers a request Node could not parse (bad request line, oversized headers) or that did not
 * arrive in time, with AWS XML, and closes the connection. Responses to pipelined requests
 * parsed before it are delivered first; a request whose body is late is answered through its
 * own response object.
 */
function refuseUnparsed(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (refusing.has(socket)) return;
  refusing.add(socket);
  const parseError = error.code?.startsWith('HPE_') && error.code !== 'HPE_INVALID_EOF_STATE';
  if (!parseError && error.code !== 'ERR_HTTP_REQUEST_TIMEOUT') {
    // The client went away mid-request (EOF, ECONNRESET): nobody is left to answer.
    socket.destroy();
    return;
  }
  const refusal = refusalFor(error.code);
  const inFlight = attachedResponse(socket);
  if (refusal.code === 'RequestTimeout' && inFlight && !inFlight.headersSent) {
    // The late request is the one this response belongs to: its handler still waits for the body.
    const requestId = randomUUID();
    inFlight.setHeader('Connection', 'close');
    send(inFlight, refusal.status, errorXml(refusal.code, refusal.message, refusal.status, requestId), requestId);
    return;
  }
  afterResponsesInFlight(socket, () => {
    if (!socket.writable) return;
    const requestId = randomUUID();
    const { status, code } = refusal;
    const body = errorXml(code, refusal.message, status, requestId);
    socket.end(
      `HTTP/1.1 ${status} ${code}\r\nContent-Type: text/xml\r\nx-amzn-RequestId: ${requestId}\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  });
}

function refusalFor(code: string | undefined): ApiError {
  if (code === 'HPE_HEADER_OVERFLOW')
    return new ApiError('RequestHeaderFieldsTooLarge', 'The request headers are too large.');
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT')
    return new ApiError('RequestTimeout', 'The request was not received within the time allowed.');
  return new ApiError('MalformedQueryString', 'The HTTP request could not be parsed.');
}

/**
 * The response Node is currently writing on this socket, if any. Node keeps it in the socket's
 * `_httpMessage` (there is no public accessor); pipelined responses queue behind it and each is
 * attached as the previous one finishes.
 */
function attachedResponse(socket: Duplex): ServerResponse | undefined {
  const message = (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage;
  return message ?? undefined;
}

/** Calls `then` once no response is attached to the socket (every pipelined answer is out). */
function afterResponsesInFlight(socket: Duplex, then: () => void): void {
  const pending = attachedResponse(socket);
  if (!pending || pending.writableFinished) return then();
  const next = () => {
    pending.off('finish', next);
    socket.off('close', next);
    // Node attaches the next queued response in its own 'finish' listener, which runs first.
    afterResponsesInFlight(socket, then);
  };
  pending.once('finish', next);
  socket.once('close', next);
}
