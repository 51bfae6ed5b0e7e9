import { escapeXml, RawXml, resultXml, type XmlValue } from '../query/xml.ts';
import type { CwError } from './errors.ts';

/** CloudWatch's XML namespace. */
export const CW_NAMESPACE = 'http://monitoring.amazonaws.com/doc/2010-08-01/';
export const JSON_CONTENT_TYPE = 'application/x-amz-json-1.0';

/** A Query success response: `<{Action}Response>` with the result (if any) and the request id. */
export function successXml(action: string, result: XmlValue, requestId: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${CW_NAMESPACE}">` +
    resultXml(action, withXmlTimestamps(result)) +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`
  );
}

/**
 * `value` with its Dates as CloudWatch writes them, `2026-11-25T12:00:00Z`: boto 2 parses
 * datapoint timestamps with exactly '%Y-%m-%dT%H:%M:%SZ' (milliseconds are kept when not zero).
 */
function withXmlTimestamps(value: XmlValue): XmlValue {
  if (value instanceof Date) return value.toISOString().replace(/\.000Z$/, 'Z');
  if (Array.isArray(value)) return value.map(withXmlTimestamps);
  if (value !== null && typeof value === 'object' && !(value instanceof RawXml)) {
    const out: Record<string, XmlValue> = {};
    for (const [k, v] of Object.entries(value)) out[k] = withXmlTimestamps(v);
    return out;
  }
  return value;
}

/** A Query error response in CloudWatch's namespace. */
export function errorXml(error: CwError, requestId: string): string {
  const type = error.status >= 500 ? 'Receiver' : 'Sender';
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="${CW_NAMESPACE}">` +
    `<Error><Type>${type}</Type><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message></Error>` +
    `<RequestId>${requestId}</RequestId></ErrorResponse>`
  );
}

/** A result in AWS JSON 1.0 form: timestamps as epoch seconds, absent members left out. */
export function toJson(value: XmlValue): unknown {
  if (value === null || value === undefined) return undefined;
  if (value instanceof Date) return value.getTime() / 1000;
  if (value instanceof RawXml) throw new TypeError('RawXml has no JSON form');
  if (Array.isArray(value)) return value.filter((v) => v !== null && v !== undefined).map(toJson);
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== null && v !== undefined) out[k] = toJson(v);
    return out;
  }
  return value;
}

/** The JSON error body: `__type` is the model's error shape, which clients map to their exception classes. */
export function errorJson(error: CwError): string {
  return JSON.stringify({ __type: `com.amazonaws.cloudwatch#${error.shape}`, message: error.message });
}

/**
 * The header botocore and the JS SDK read for the query-compatible error code, when the
 * request says `x-amzn-query-mode: true`: `x-amzn-query-error: Code;Sender|Receiver`.
 */
export function queryErrorHeader(error: CwError): [string, string] {
  return ['x-amzn-query-error', `${error.code};${error.status >= 500 ? 'Receiver' : 'Sender'}`];
}
