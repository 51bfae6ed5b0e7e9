/**
 * An HTTP request exactly as received, before any interpretation. Signature verification
 * needs the raw path, raw query, raw header values and raw body bytes.
 */
export interface RawRequest {
  /** Upper-case HTTP method. */
  method: string;
  /** Path as sent, without the query string, e.g. `/` or `/api/autoscale/`. */
  path: string;
  /** Query string as sent, without the leading `?` (may be empty). */
  rawQuery: string;
  /** Header names lower-cased; repeated headers keep every value in order. */
  headers: Map<string, string[]>;
  /** Body bytes as received. */
  body: Buffer;
}

/** The first value of a header, or undefined. Names are matched lower-case. */
export function header(req: RawRequest, name: string): string | undefined {
  return req.headers.get(name)?.[0];
}

/** Builds the header map from node's `rawHeaders` name/value list. */
export function headerMap(rawHeaders: readonly string[]): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    const list = map.get(name);
    if (list) list.push(rawHeaders[i + 1]!);
    else map.set(name, [rawHeaders[i + 1]!]);
  }
  return map;
}
