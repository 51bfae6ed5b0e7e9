/**
 * Test helpers for the auth tests (not used by production code): building RawRequests, parsing
 * the test-suite `.req` text format, loading the fixture files, and mutating requests.
 */
import { readFileSync } from 'node:fs';
import type { RawRequest } from '../http/raw-request.ts';
import type { Param } from '../query/form.ts';
import { decodeForm } from '../query/form.ts';

/** One conformance case: request text, Authorization value (header form), expected creq/sts. */
export interface VectorCase {
  name: string;
  req: string;
  authz?: string;
  creq: string;
  sts: string;
  form?: 'header' | 'query';
  origin?: string;
}

/** Reads a fixture JSON file from ./testdata. */
export function loadFixture<T>(file: string): T {
  return JSON.parse(readFileSync(new URL(`./testdata/${file}`, import.meta.url), 'utf8')) as T;
}

/** Options of {@link makeRequest}; headers are `[name, value]` pairs in wire order. */
export interface RequestSpec {
  method?: string;
  path?: string;
  rawQuery?: string;
  headers?: ReadonlyArray<readonly [string, string]>;
  body?: string | Buffer;
}

/** Builds a RawRequest the way the HTTP layer would (header names lower-cased, repeats kept). */
export function makeRequest(spec: RequestSpec): RawRequest {
  const headers = new Map<string, string[]>();
  for (const [name, value] of spec.headers ?? []) {
    const key = name.toLowerCase();
    const list = headers.get(key);
    if (list) list.push(value);
    else headers.set(key, [value]);
  }
  const body =
    spec.body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(spec.body) ? spec.body : Buffer.from(spec.body, 'utf8');
  return { method: spec.method ?? 'GET', path: spec.path ?? '/', rawQuery: spec.rawQuery ?? '', headers, body };
}

/**
 * Parses the AWS test-suite `.req` format: `METHOD URI HTTP/1.1`, then `Name:value` lines, a
 * blank line and the body. The URI may contain spaces (get-space), so the method is the first
 * word and the protocol the last.
 */
export function parseReqText(text: string): RawRequest {
  const blank = text.indexOf('\n\n');
  const head = blank < 0 ? text : text.slice(0, blank);
  const body = blank < 0 ? '' : text.slice(blank + 2);
  const [requestLine = '', ...headerLines] = head.split('\n');
  const method = requestLine.slice(0, requestLine.indexOf(' '));
  const uri = requestLine.slice(method.length + 1, requestLine.lastIndexOf(' '));
  const q = uri.indexOf('?');
  const headers: Array<[string, string]> = headerLines.map((line) => {
    const colon = line.indexOf(':');
    return [line.slice(0, colon), line.slice(colon + 1)];
  });
  return makeRequest({
    method,
    path: q < 0 ? uri : uri.slice(0, q),
    rawQuery: q < 0 ? '' : uri.slice(q + 1),
    headers,
    body,
  });
}

/** A copy of the request with one header's values replaced (or added). */
export function withHeader(req: RawRequest, name: string, ...values: string[]): RawRequest {
  const headers = new Map(req.headers);
  headers.set(name.toLowerCase(), values);
  return { ...req, headers };
}

/** A copy of the request without a header. */
export function withoutHeader(req: RawRequest, name: string): RawRequest {
  const headers = new Map(req.headers);
  headers.delete(name.toLowerCase());
  return { ...req, headers };
}

/** Flips one character of a string to a different character of the same kind. */
export function flipChar(text: string, index: number): string {
  const c = text[index] ?? '';
  const replacement = c === 'a' ? 'b' : /[0-9]/.test(c) ? String((Number(c) + 1) % 10) : 'a';
  return text.slice(0, index) + replacement + text.slice(index + 1);
}

/** A copy of the body with one byte changed, or one byte appended when the body is empty. */
export function tamperBody(req: RawRequest): RawRequest {
  const body = Buffer.from(req.body);
  if (body.length === 0) return { ...req, body: Buffer.from('x') };
  body[body.length - 1] = body[body.length - 1]! ^ 0x01;
  return { ...req, body };
}

/** Decoded query params followed by decoded form-body params, as the HTTP layer builds them. */
export function paramsOf(req: RawRequest): Param[] {
  const contentType = req.headers.get('content-type')?.[0] ?? '';
  const fromBody = contentType.startsWith('application/x-www-form-urlencoded')
    ? decodeForm(req.body.toString('utf8'))
    : [];
  return [...decodeForm(req.rawQuery), ...fromBody];
}
