/**
 * The one HTTP helper of the OpenStack client: built-in fetch, a per-request timeout merged
 * with the caller's signal, JSON bodies, and transport failures classified as CloudErrors.
 */
import { CloudError } from '../../contracts/cloud.ts';
import { isRecord } from '../../lib/is-record.ts';

/** `fetch` as the client uses it (injectable for tests). */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** One HTTP exchange's outcome (any status: callers map non-2xx themselves). */
export interface JsonResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON, or undefined when the body was empty or not JSON. */
  body: unknown;
}

/** What one request needs. */
export interface JsonRequest {
  method: 'GET' | 'POST' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  /** Serialised as JSON when present. */
  body?: unknown;
  /** Required. Caller's signal: aborting rejects with its reason. */
  signal: AbortSignal;
  /** Required. Milliseconds before the request counts as timed out (CloudError transient). */
  timeoutMs: number;
}

/**
 * Sends one request and reads the whole response. Never retries.
 * @throws the caller signal's reason when it aborts; CloudError transient on a timeout or a
 *   network failure (connection refused or reset, DNS, a response cut short).
 */
export async function requestJson(fetchImpl: FetchLike, req: JsonRequest): Promise<JsonResponse> {
  req.signal.throwIfAborted();
  const timeout = AbortSignal.timeout(req.timeoutMs);
  const signal = AbortSignal.any([req.signal, timeout]);
  const where = `${req.method} ${new URL(req.url).host}${new URL(req.url).pathname}`;
  try {
    const response = await fetchImpl(req.url, {
      method: req.method,
      headers: {
        accept: 'application/json',
        ...(req.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...req.headers,
      },
      ...(req.body !== undefined ? { body: JSON.stringify(req.body) } : {}),
      signal,
    });
    const text = await response.text();
    let body: unknown;
    if (text !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
    }
    return { status: response.status, headers: response.headers, body };
  } catch (e) {
    if (req.signal.aborted) throw req.signal.reason;
    if (timeout.aborted)
      throw new CloudError('transient', `${where} timed out after ${req.timeoutMs} ms`, { cause: e });
    const cause =
      isRecord(e) && e.cause instanceof Error ? `: ${e.cause.message}` : e instanceof Error ? `: ${e.message}` : '';
    throw new CloudError('transient', `${where} failed${cause}`, { cause: e });
  }
}

/**
 * The human message of an OpenStack error body: Nova's `{"<fault>": {"message", "code"}}`,
 * Keystone's `{"error": {"message", "title"}}`, or Glance's plain text. Pure.
 */
export function errorMessage(body: unknown, status: number): string {
  if (isRecord(body)) {
    for (const value of Object.values(body)) {
      if (isRecord(value) && typeof value.message === 'string' && value.message !== '') return value.message;
    }
    if (typeof body.message === 'string') return body.message;
  }
  return `HTTP ${status}`;
}
