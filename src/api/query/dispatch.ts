import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { User } from '../../contracts/records.ts';
import type { ServiceDeps } from '../../services/deps.ts';
import type { WriteEffect } from '../../services/write-effect.ts';
import type { Authenticator } from '../auth/authenticate.ts';
import { header, type RawRequest } from '../http/raw-request.ts';
import { NO_MEMO, type ActionDefinition, type ReadAction, type ReadMemo } from './action.ts';
import { decodeInput, paramTree } from './decode.ts';
import { ApiError, toApiError } from './errors.ts';
import { checkParamCount, decodeForm, type Param } from './form.ts';
import { ResponseCache } from './response-cache.ts';
import { SizedStampedCache } from '../../lib/sized-stamped-cache.ts';

/** The read memo's default bound (group views and the like, across all users). */
export const READ_MEMO_BYTES = 16 * 2 ** 20;
import { errorXml, resultXml, successHead, successTail, type XmlValue } from './xml.ts';

/** A finished Query API answer. */
export interface QueryResponse {
  status: number;
  /** The XML body as UTF-8 byte chunks, sent in order. */
  body: Buffer[];
  requestId: string;
  /** The action's name, once the request named an implemented action. */
  action?: string;
  /** Who called: the user's name once authenticated (never a secret or signature). */
  caller?: string;
}

/** What `run` learned about the request before answering (reported even when it failed). */
interface Seen {
  action?: string;
  caller?: string;
}

/** Collects the request's parameters: the query string's, then a form body's. */
function requestParams(req: RawRequest): Param[] {
  const params = decodeForm(req.rawQuery);
  if (req.method === 'POST' && req.body.length > 0) {
    const type = (header(req, 'content-type') ?? 'application/x-www-form-urlencoded').toLowerCase();
    if (!type.startsWith('application/x-www-form-urlencoded')) {
      throw new ApiError('InvalidParameterValue', 'A POST body must be application/x-www-form-urlencoded.');
    }
    checkParamCount(req.body, params.length);
    decodeForm(req.body.toString('utf8'), params);
  }
  return params;
}

/**
 * The AWS Auto Scaling Query API: parse → verify signature → authorize → decode typed input
 * → handler → XML. Handlers only ever see a verified user and decoded input. Every failure,
 * including internal ones, is answered with `<ErrorResponse>`; nothing thrown escapes.
 */
export class QueryApi {
  /**
   * Response heads with the Result element of read-only actions (everything but the
   * per-request metadata), valid while the caller's per-owner change stamp holds.
   */
  private readonly results = new ResponseCache();
  /** What read actions keep between requests ({@link ReadMemo}), per owner and change stamp. */
  private readonly memos = new SizedStampedCache<unknown>(READ_MEMO_BYTES);

  constructor(
    private readonly deps: ServiceDeps,
    private readonly authenticator: Authenticator,
    /** Finds the verified caller's user record (cached by the caller's choice). */
    private readonly userById: (id: string) => Promise<User | undefined>,
    private readonly actions: ReadonlyMap<string, ActionDefinition>,
    private readonly knownActions: readonly string[],
    private readonly log: Logger,
    /**
     * Optional. Called after every successful write with the writer and what the write changed
     * (the controller reconciles the groups it touched at once). Must not throw.
     */
    private readonly onWrite: (user: User, effect: WriteEffect) => void = () => {},
  ) {}

  async handle(req: RawRequest): Promise<QueryResponse> {
    const requestId = randomUUID();
    const seen: Seen = {};
    try {
      const { action, headAndResult } = await this.run(req, requestId, seen);
      return { status: 200, body: [headAndResult, Buffer.from(successTail(action, requestId))], requestId, ...seen };
    } catch (error) {
      const apiError = toApiError(error);
      if (apiError.code === 'InternalFailure') this.log.error({ err: error, requestId }, 'request failed');
      return {
        status: apiError.status,
        body: [Buffer.from(errorXml(apiError.code, apiError.message, apiError.status, requestId))],
        requestId,
        ...seen,
      };
    }
  }

  private async run(req: RawRequest, requestId: string, seen: Seen) {
    if (req.method !== 'GET' && req.method !== 'POST')
      throw new ApiError('MethodNotAllowed', `The HTTP method ${req.method} is not allowed; use GET or POST.`);
    const params = requestParams(req);
    const identity = await this.authenticator.authenticate(req, params);
    const user = await this.userById(identity.userId);
    if (!user) throw new ApiError('InvalidClientTokenId', 'The security token included in the request is invalid.');
    seen.caller = user.name;
    const tree = paramTree(params); // refuses duplicates, Action included, before routing on it
    const actionName = params.find(([name]) => name === 'Action')?.[1];
    if (actionName === undefined || actionName === '')
      throw new ApiError('MissingAction', 'The request must contain the parameter Action.');
    const action = this.actions.get(actionName);
    if (!action) {
      if (this.knownActions.includes(actionName))
        throw new ApiError('InvalidAction', `Phantom does not implement the action ${actionName}.`);
      throw new ApiError(
        'InvalidAction',
        `Could not find operation ${actionName.slice(0, 64)} for version 2011-01-01.`,
      );
    }
    seen.action = action.name;
    const input = decodeInput(action.input, tree);
    if (!action.readOnly) {
      const outcome = await action.handle({ user, requestId, deps: this.deps, memo: NO_MEMO }, input as never);
      this.onWrite(user, outcome.effect);
      return { action: action.name, headAndResult: this.answer(action.name, outcome.result) };
    }
    const key = `${user.id}\u0000${action.name}\u0000${JSON.stringify(input)}`;
    // The stamp is read before the store is, so an entry is never older than its stamp says.
    // Another user's writes (or the controller's churn of their domains) leave it unchanged.
    const stamp = this.deps.store.ownerChangeStamp(user.id);
    let headAndResult = this.results.get(key, stamp);
    if (headAndResult === undefined) {
      headAndResult = await this.respond(action, user, requestId, input, this.memoFor(user, stamp));
      if (this.results.admits(key)) this.results.set(key, stamp, headAndResult);
    }
    return { action: action.name, headAndResult };
  }

  /** Runs a read action's handler: the response head and its Result element, as UTF-8 bytes. */
  private async respond(
    action: ReadAction,
    user: User,
    requestId: string,
    input: unknown,
    memo: ReadMemo,
  ): Promise<Buffer> {
    return this.answer(action.name, await action.handle({ user, requestId, deps: this.deps, memo }, input as never));
  }

  /** The caller's read memo under `stamp` (read before any of the handler's store reads). */
  private memoFor(user: User, stamp: string): ReadMemo {
    const prefix = `${user.id}\u0000`;
    return {
      get: (key) => this.memos.get(prefix + key, stamp),
      set: (key, value, bytes) => this.memos.set(prefix + key, stamp, value, bytes),
    };
  }

  /** The response head and the Result element, as UTF-8 bytes. */
  private answer(action: string, result: XmlValue): Buffer {
    return Buffer.from(successHead(action) + resultXml(action, result));
  }
}
