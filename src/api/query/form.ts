import { ApiError } from './errors.ts';

/** One decoded `name=value` pair, in the order it appeared. */
export type Param = [name: string, value: string];

/**
 * Decodes an `application/x-www-form-urlencoded` string (also used for query strings):
 * `+` is a space, `%XX` is a byte, the bytes are UTF-8. A bare `name` (no `=`) decodes to an
 * empty value, which is how SDKs send an empty list.
 * @throws ApiError MalformedQueryString on a bad percent escape or invalid UTF-8.
 */
export function decodeForm(raw: string): Param[] {
  const out: Param[] = [];
  if (raw.length === 0) return out;
  for (const part of raw.split('&')) {
    if (part.length === 0) continue;
    const eq = part.indexOf('=');
    const name = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? '' : part.slice(eq + 1);
    out.push([decodeComponent(name), decodeComponent(value)]);
  }
  return out;
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
