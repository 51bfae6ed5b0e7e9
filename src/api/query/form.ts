import { ApiError } from './errors.ts';

/** One decoded `name=value` pair, in the order it appeared. */
export type Param = [name: string, value: string];

/**
 * At most this many parameters per request, query string and body together. The largest real
 * request (1000 group names, or a few hundred tags of 5 fields) stays below it; without it a
 * 256 KB body of 40,000 parameters cost tens of milliseconds before authentication.
 */
export const MAX_PARAMS = 2000;

const tooManyParams = () =>
  new ApiError('InvalidParameterValue', `The request has more than ${MAX_PARAMS} parameters.`);

/**
 * Refuses a form body that would bring the request past MAX_PARAMS parameters, by counting its
 * `&` separators in the raw bytes: a body of 40,000 tiny parameters is refused without being
 * turned into text or decoded.
 * @param already Required. Parameters the request has before the body (its query string's).
 * @throws ApiError InvalidParameterValue when there are too many.
 */
export function checkParamCount(body: Buffer, already: number): void {
  if (body.length === 0) return;
  // n separators make at most n + 1 pairs (empty ones, `a=1&&b=2`, are skipped when decoding).
  let pairs = already + 1;
  for (let at = body.indexOf(0x26); at >= 0; at = body.indexOf(0x26, at + 1)) {
    if (++pairs > MAX_PARAMS) throw tooManyParams();
  }
  if (pairs > MAX_PARAMS) throw tooManyParams();
}

/**
 * Decodes an `application/x-www-form-urlencoded` string (also used for query strings):
 * `+` is a space, `%XX` is a byte, the bytes are UTF-8. A bare `name` (no `=`) decodes to an
 * empty value, which is how SDKs send an empty list.
 * @param out Optional. Pairs already decoded (the query string's, when decoding a body); the new
 *   ones are appended to it and it is returned.
 * @throws ApiError MalformedQueryString on a bad percent escape or invalid UTF-8;
 *   InvalidParameterValue when `out` would hold more than MAX_PARAMS pairs (counted while
 *   splitting, before the excess is decoded).
 */
export function decodeForm(raw: string, out: Param[] = []): Param[] {
  let start = 0;
  while (start <= raw.length) {
    let end = raw.indexOf('&', start);
    if (end < 0) end = raw.length;
    if (end > start) {
      if (out.length >= MAX_PARAMS) throw tooManyParams();
      out.push(decodePair(raw.slice(start, end)));
    }
    start = end + 1;
  }
  return out;
}

function decodePair(part: string): Param {
  const eq = part.indexOf('=');
  const name = eq < 0 ? part : part.slice(0, eq);
  const value = eq < 0 ? '' : part.slice(eq + 1);
  return [decodeComponent(name), decodeComponent(value)];
}

function decodeComponent(s: string): string {
  const spaced = s.includes('+') ? s.replace(/\+/g, ' ') : s;
  if (!spaced.includes('%')) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    throw new ApiError(
      'MalformedQueryString',
      'The query string or form body contains a malformed percent-encoding or invalid UTF-8.',
    );
  }
}
