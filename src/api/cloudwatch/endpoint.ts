import { randomUUID } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import type { Logger } from 'pino';
import type { Clock } from '../../contracts/clock.ts';
import type { User } from '../../contracts/records.ts';
import type { MetricStore } from '../../metrics/store/metric-store.ts';
import type { ServiceDeps } from '../../services/deps.ts';
import type { PageTokens } from '../../services/page-tokens.ts';
import type { Authenticator } from '../auth/authenticate.ts';
import { header, type RawRequest } from '../http/raw-request.ts';
import { ApiError } from '../query/errors.ts';
import type { Param } from '../query/form.ts';
import type { XmlValue } from '../query/xml.ts';
import type { CloudWatchAction, CloudWatchContext } from './action.ts';
import { errorJson, errorXml, JSON_CONTENT_TYPE, queryErrorHeader, successXml, toJson } from './encode.ts';
import { CwError, invalidValue, toCwError } from './errors.ts';
import { InputReader } from './input.ts';
import {
  CLOUDWATCH_MAX_BODY_BYTES,
  claimsByHeaders,
  decodePairs,
  protocolOf,
  queryInput,
  TARGET_PREFIX,
  type CloudWatchProtocol,
} from './wire.ts';

/** A finished CloudWatch answer, for the HTTP server to send. */
export interface CloudWatchAnswer {
  status: number;
  contentType: string;
  /** Extra response headers (the query-compatible error header). */
  headers: Record<string, string>;
  body: string;
  requestId: string;
  /** The action's name, once the request named an implemented action. */
  action?: string;
  /** The caller's user name, once authenticated. */
  caller?: string;
}

/** What {@link CloudWatchApi} needs. */
export interface CloudWatchDeps {
  store: MetricStore;
  clock: Clock;
  authenticator: Authenticator;
  /** Finds the verified caller's user record. */
  userById: (id: string) => Promise<User | undefined>;
  pageTokens: PageTokens;
  /** Optional. The services, for the alarm actions. */
  services?: ServiceDeps;
  log: Logger;
  /** The implemented actions by name (alarm actions may be added beside the metric ones). */
  actions: ReadonlyMap<string, CloudWatchAction>;
  /** Every CloudWatch operation name, to tell "not implemented" from "no such action". */
  knownActions: readonly string[];
}

interface Seen {
  action?: string;
  caller?: string;
}

/**
 * The CloudWatch API on Phantom's server, in both protocols: AWS JSON 1.0 (X-Amz-Target
 * `GraniteServiceVersion20100801.<Action>`; errors as `__type` plus, under
 * `x-amzn-query-mode: true`, `x-amzn-query-error`) and Query (form parameters, XML in
 * CloudWatch's namespace). Same authentication as the Auto Scaling API; every action sees only
 * the caller's own metrics. Nothing thrown escapes `handle`.
 */
export class CloudWatchApi {
  constructor(private readonly deps: CloudWatchDeps) {}

  /** PutMetricData may send 1 MB (the HTTP server's limit for requests this API claims). */
  readonly maxBodyBytes = CLOUDWATCH_MAX_BODY_BYTES;

  /** Whether headers and query string alone mark a CloudWatch request (see wire.ts). */
  claimsByHeaders(headers: Map<string, string[]>, rawQuery: string): boolean {
    return claimsByHeaders(headers, rawQuery);
  }

  /** The answer to a CloudWatch request, or undefined when `req` is not one. Never rejects. */
  serve(req: RawRequest): Promise<CloudWatchAnswer> | undefined {
    const protocol = protocolOf(req);
    return protocol ? this.handle(req, protocol) : undefined;
  }

  async handle(req: RawRequest, protocol: CloudWatchProtocol): Promise<CloudWatchAnswer> {
    const requestId = randomUUID();
    const seen: Seen = {};
    try {
      const { action, result } =
        protocol === 'json' ? await this.runJson(req, seen, requestId) : await this.runQuery(req, seen, requestId);
      return protocol === 'json'
        ? this.answer(200, JSON_CONTENT_TYPE, JSON.stringify(toJson(result) ?? {}), requestId, seen)
        : this.answer(200, 'text/xml', successXml(action, result, requestId), requestId, seen);
    } catch (thrown) {
      const error = toCwError(thrown);
      if (error.code === 'InternalServiceError') this.deps.log.error({ err: thrown, requestId }, 'request failed');
      if (protocol === 'query')
        return this.answer(error.status, 'text/xml', errorXml(error, requestId), requestId, seen);
      const answer = this.answer(error.status, JSON_CONTENT_TYPE, errorJson(error), requestId, seen);
      if (header(req, 'x-amzn-query-mode')?.toLowerCase() === 'true') {
        const [name, value] = queryErrorHeader(error);
        answer.headers[name] = value;
      }
      return answer;
    }
  }

  private answer(status: number, contentType: string, body: string, requestId: string, seen: Seen): CloudWatchAnswer {
    return { status, contentType, headers: {}, body, requestId, ...seen };
  }

  private async runJson(req: RawRequest, seen: Seen, requestId: string): Promise<{ action: string; result: XmlValue }> {
    if (req.method !== 'POST')
      throw new CwError(
        'MethodNotAllowed',
        `The HTTP method ${req.method} is not allowed; AWS JSON requests use POST.`,
      );
    const params = decodePairs(req.rawQuery);
    const user = await this.authenticate(req, params, seen);
    const target = header(req, 'x-amz-target') ?? '';
    if (!target.startsWith(TARGET_PREFIX))
      throw new CwError(
        'UnknownOperationException',
        `The X-Amz-Target ${target.slice(0, 100)} names no CloudWatch operation.`,
      );
    const action = this.action(target.slice(TARGET_PREFIX.length), 'UnknownOperationException');
    seen.action = action.name;
    return {
      action: action.name,
      result: await action.handle(this.context(user, requestId), parseJson(inflated(req)), new InputReader('json')),
    };
  }

  private async runQuery(
    req: RawRequest,
    seen: Seen,
    requestId: string,
  ): Promise<{ action: string; result: XmlValue }> {
    if (req.method !== 'GET' && req.method !== 'POST')
      throw new CwError('MethodNotAllowed', `The HTTP method ${req.method} is not allowed; use GET or POST.`);
    const params = decodePairs(req.rawQuery);
    const form = req.method === 'POST' && req.body.length > 0;
    if (form) {
      const type = (header(req, 'content-type') ?? 'application/x-www-form-urlencoded').toLowerCase();
      if (!type.startsWith('application/x-www-form-urlencoded'))
        throw invalidValue('A Query POST body must be application/x-www-form-urlencoded.');
    }
    // With an Authorization header (SigV4, whose signature covers the body bytes) the body is
    // decoded only once the caller is known: a 1 MB body of parameters costs tens of ms.
    const signedHeader = req.headers.has('authorization');
    if (form && !signedHeader) decodePairs(inflated(req).toString('utf8'), params);
    const user = await this.authenticate(req, params, seen);
    if (form && signedHeader) decodePairs(inflated(req).toString('utf8'), params);
    const actions = params.filter(([name]) => name === 'Action');
    if (actions.length !== 1 || actions[0]![1] === '')
      throw new CwError('MissingParameter', 'The request must contain the parameter Action exactly once.');
    const action = this.action(actions[0]![1], 'InvalidAction');
    seen.action = action.name;
    const input = queryInput(params);
    return {
      action: action.name,
      result: await action.handle(this.context(user, requestId), input, new InputReader('query')),
    };
  }

  private async authenticate(req: RawRequest, params: readonly Param[], seen: Seen): Promise<User> {
    const identity = await this.deps.authenticator.authenticate(req, params);
    const user = await this.deps.userById(identity.userId);
    if (!user) throw new ApiError('InvalidClientTokenId', 'The security token included in the request is invalid.');
    seen.caller = user.name;
    return user;
  }

  private context(user: User, requestId: string): CloudWatchContext {
    const { store, clock, pageTokens, services } = this.deps;
    return { user, requestId, store, clock, pageTokens, ...(services ? { services } : {}) };
  }

  private action(name: string, unknownCode: 'InvalidAction' | 'UnknownOperationException'): CloudWatchAction {
    const action = this.deps.actions.get(name);
    if (action) return action;
    const shown = name.slice(0, 64);
    if (this.deps.knownActions.includes(name))
      throw new CwError(unknownCode, `Phantom does not implement the action ${shown}.`);
    throw new CwError(unknownCode, `Could not find operation ${shown} for version 2010-08-01.`);
  }
}

/** A gzip body inflates to at most this much (clients compress PutMetricData bodies over 10 KB). */
export const MAX_INFLATED_BYTES = 8 * 1024 * 1024;

/**
 * The request body, inflated when `Content-Encoding: gzip` (botocore and the JS SDK compress
 * PutMetricData). The signature covers the bytes as sent, so it is checked on `req.body`.
 * @throws CwError InvalidParameterValue on another encoding or a broken gzip stream; 413 past the bound.
 */
function inflated(req: RawRequest): Buffer {
  const encoding = header(req, 'content-encoding')?.trim().toLowerCase();
  if (!encoding || encoding === 'identity') return req.body;
  if (encoding !== 'gzip')
    throw invalidValue(`The Content-Encoding ${encoding.slice(0, 40)} is not supported; use gzip.`);
  try {
    return gunzipSync(req.body, { maxOutputLength: MAX_INFLATED_BYTES });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
      throw new CwError('RequestEntityTooLarge', `The inflated request body exceeds ${MAX_INFLATED_BYTES} bytes.`, 413);
    throw invalidValue('The request body is not a valid gzip stream.');
  }
}

/** The JSON body: an object ({} when empty). @throws CwError on anything else. */
function parseJson(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw invalidValue('The request body is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw invalidValue('The request body must be a JSON object.');
  return parsed as Record<string, unknown>;
}
