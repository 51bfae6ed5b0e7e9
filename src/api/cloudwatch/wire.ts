import { TRANSPORT_PARAMS } from '../query/decode.ts';
import type { RawRequest } from '../http/raw-request.ts';
import { ApiError } from '../query/errors.ts';
import type { Param } from '../query/form.ts';
import { invalidValue } from './errors.ts';

/** The JSON target prefix of CloudWatch (awsJson1_0). */
export const TARGET_PREFIX = 'GraniteServiceVersion20100801.';
/** The Query API version of CloudWatch. */
export const QUERY_VERSION = '2010-08-01';
/** PutMetricData may send up to 1 MB. */
export const CLOUDWATCH_MAX_BODY_BYTES = 1024 * 1024;
/** Bound on decoded Query parameters (a 1 MB body of `a=1&` pairs holds about 200 000). */
const MAX_QUERY_PARAMS = 250_000;
/** Bound on a Query list index (`Name.member.N`). */
const MAX_LIST_INDEX = 1000;

export type CloudWatchProtocol = 'json' | 'query';

const VERSION_PARAM = /(?:^|&)Version=2010-08-01(?:&|$)/;
const MONITORING_SCOPE = /\/monitoring\/aws4_request/;
const MONITORING_SCOPE_ENCODED = /%2Fmonitoring%2Faws4_request/i;

/**
 * Whether the headers and query string alone mark a CloudWatch request: an X-Amz-Target or
 * AWS JSON content type (the Auto Scaling API is Query only), a SigV4 credential scope for the
 * service `monitoring`, or Version=2010-08-01 in the query string.
 */
export function claimsByHeaders(headers: Map<string, string[]>, rawQuery: string): boolean {
  return protocolByHeaders(headers, rawQuery) !== undefined;
}

function protocolByHeaders(headers: Map<string, string[]>, rawQuery: string): CloudWatchProtocol | undefined {
  if (headers.has('x-amz-target')) return 'json';
  if (headers.get('content-type')?.[0]?.toLowerCase().startsWith('application/x-amz-json')) return 'json';
  if (MONITORING_SCOPE.test(headers.get('authorization')?.[0] ?? '')) return 'query';
  if (rawQuery && (VERSION_PARAM.test(rawQuery) || MONITORING_SCOPE_ENCODED.test(rawQuery))) return 'query';
  return undefined;
}

/** The CloudWatch protocol of a request, or undefined when it is not a CloudWatch request. */
export function protocolOf(req: RawRequest): CloudWatchProtocol | undefined {
  const byHeaders = protocolByHeaders(req.headers, req.rawQuery);
  if (byHeaders) return byHeaders;
  if (
    req.method === 'POST' &&
    req.body.includes('Version=2010-08-01') &&
    VERSION_PARAM.test(req.body.toString('latin1'))
  )
    return 'query';
  return undefined;
}

/**
 * Decodes a form-encoded string into pairs (like api/query/form.ts, with a bound fit for
 * PutMetricData's thousands of parameters).
 * @throws ApiError MalformedQueryString on bad escapes; CwError InvalidParameterValue past the bound.
 */
export function decodePairs(raw: string, out: Param[] = []): Param[] {
  for (const part of raw.split('&')) {
    if (part === '') continue;
    if (out.length >= MAX_QUERY_PARAMS) throw invalidValue(`The request has more than ${MAX_QUERY_PARAMS} parameters.`);
    const eq = part.indexOf('=');
    out.push([decode(eq < 0 ? part : part.slice(0, eq)), decode(eq < 0 ? '' : part.slice(eq + 1))]);
  }
  return out;
}

function decode(s: string): string {
  const spaced = s.includes('+') ? s.replace(/\+/g, ' ') : s;
  if (!spaced.includes('%')) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    throw new ApiError('MalformedQueryString', 'The query string or form body contains a malformed percent-encoding.');
  }
}

interface Node {
  value?: string;
  children?: Map<string, Node>;
}

/**
 * Turns Query parameters (`MetricData.member.1.Dimensions.member.2.Name=v`) into the plain
 * object the JSON protocol would carry: `member` lists become arrays (in index order), leaves
 * stay strings. A top-level `Timestamp` is a transport parameter only when it is not input.
 * @throws CwError InvalidParameterValue on a repeated parameter or a bad list index.
 */
export function queryInput(params: readonly Param[]): Record<string, unknown> {
  const root: Node = { children: new Map() };
  const seen = new Set<string>();
  for (const [name, value] of params) {
    if (TRANSPORT_PARAMS.has(name)) continue;
    if (seen.has(name)) throw invalidValue(`The parameter ${name.slice(0, 100)} was given more than once.`);
    seen.add(name);
    let node = root;
    for (const segment of name.split('.')) {
      node.children ??= new Map();
      let child = node.children.get(segment);
      if (!child) {
        child = {};
        node.children.set(segment, child);
      }
      node = child;
    }
    node.value = value;
  }
  return toPlain(root, '') as Record<string, unknown>;
}

function toPlain(node: Node, path: string): unknown {
  if (!node.children) return node.value ?? '';
  const members = node.children.get('member');
  if (members && node.children.size === 1) {
    const items: [number, unknown][] = [];
    for (const [index, child] of members.children ?? []) {
      const n = Number(index);
      if (!/^[1-9][0-9]*$/.test(index) || n > MAX_LIST_INDEX)
        throw invalidValue(
          `The list index ${index.slice(0, 20)} in ${path}.member is not an integer from 1 to ${MAX_LIST_INDEX}.`,
        );
      items.push([n, toPlain(child, `${path}.member.${index}`)]);
    }
    return items.sort((a, b) => a[0] - b[0]).map(([, v]) => v);
  }
  // No prototype: a parameter named __proto__ is a plain (ignored) member, never a prototype.
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [name, child] of node.children) out[name] = toPlain(child, path ? `${path}.${name}` : name);
  return out;
}
