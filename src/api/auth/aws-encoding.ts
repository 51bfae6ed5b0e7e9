import { timingSafeEqual } from 'node:crypto';

/**
 * Encoding and comparison primitives shared by the SigV2 and SigV4 verifiers.
 *
 * Two decoders exist on purpose: the SigV4 canonical query needs *raw* percent-decoding (a `+`
 * stays a `+`), while form bodies use `application/x-www-form-urlencoded` rules (`+` is a space;
 * see `decodeForm` in ../query/form.ts). Mixing them up is the classic verifier bug.
 */

const UNRESERVED = /^[A-Za-z0-9\-_.~]$/;
const HEX = '0123456789ABCDEF';

/**
 * RFC 3986 encoding as AWS signers use it: everything except `A-Z a-z 0-9 - _ . ~` becomes
 * `%XX` (upper-case hex) of its UTF-8 bytes. Differs from `encodeURIComponent` only in also
 * escaping `!'()*`.
 * @param value Required. Any string; a lone surrogate is encoded as U+FFFD (never throws).
 */
export function awsEncode(value: string): string {
  let out: string;
  try {
    out = encodeURIComponent(value);
  } catch {
    return encodeBytes(Buffer.from(value, 'utf8'));
  }
  return out.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * RFC 3986-encodes raw bytes (unreserved ASCII bytes kept, every other byte `%XX`). For valid
 * UTF-8 this equals {@link awsEncode} of the decoded string; invalid UTF-8 stays well defined.
 * @param bytes Required.
 */
export function encodeBytes(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) {
    const c = String.fromCharCode(b);
    out += b < 0x80 && UNRESERVED.test(c) ? c : `%${HEX[b >> 4]}${HEX[b & 15]}`;
  }
  return out;
}

/**
 * Raw percent-decoding to bytes (RFC 3986, not form rules): `%XX` becomes that byte, `+` stays
 * `+`, any other character contributes its UTF-8 bytes. A `%` not followed by two hex digits is
 * kept as a literal `%` byte, so the result is always defined (the request is still checked by
 * its signature; the form decoder rejects such input separately).
 * @param raw Required. A query-string name or value exactly as sent.
 */
export function percentDecodeBytes(raw: string): Buffer {
  if (!raw.includes('%')) return Buffer.from(raw, 'utf8');
  const parts: Buffer[] = [];
  let literalStart = 0;
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] !== '%' || !/^[0-9A-Fa-f]{2}$/.test(raw.slice(i + 1, i + 3))) continue;
    if (i > literalStart) parts.push(Buffer.from(raw.slice(literalStart, i), 'utf8'));
    parts.push(Buffer.from([parseInt(raw.slice(i + 1, i + 3), 16)]));
    i += 2;
    literalStart = i + 1;
  }
  if (literalStart < raw.length) parts.push(Buffer.from(raw.slice(literalStart), 'utf8'));
  return Buffer.concat(parts);
}

/**
 * Re-encodes one raw query component for a SigV4 canonical query: raw percent-decode, then
 * RFC 3986-encode the bytes. `a+b` → `a%2Bb`, `a%20b` → `a%20b`, `%7e` → `~`.
 * @param raw Required. A name or value exactly as it appeared in the URL.
 */
export function canonicalQueryComponent(raw: string): string {
  return encodeBytes(percentDecodeBytes(raw));
}

/**
 * Splits a raw query string into raw `[name, value]` pairs without decoding anything. Empty
 * segments (`a=1&&b=2`) are skipped; a segment without `=` has an empty value.
 * @param rawQuery Required. The query string without its leading `?` (may be empty).
 */
export function splitRawQuery(rawQuery: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  if (rawQuery.length === 0) return out;
  for (const part of rawQuery.split('&')) {
    if (part.length === 0) continue;
    const eq = part.indexOf('=');
    out.push(eq < 0 ? [part, ''] : [part.slice(0, eq), part.slice(eq + 1)]);
  }
  return out;
}

/**
 * Decodes a raw query component to a string (raw percent rules, bytes read as UTF-8 with
 * invalid sequences replaced). For reading X-Amz-* presign parameters.
 * @param raw Required.
 */
export function percentDecode(raw: string): string {
  return percentDecodeBytes(raw).toString('utf8');
}

/**
 * Constant-time check that `providedHex` is the hex encoding of `expected`. The provided
 * string is first decoded into a buffer of exactly `expected.length` bytes; when it is not
 * exactly `2 * expected.length` hex digits a zero buffer is compared instead, so
 * `timingSafeEqual` always runs once on equal-length inputs and the result is false.
 * @param expected Required. The computed digest.
 * @param providedHex Required. The signature as sent (upper- or lower-case hex accepted).
 * @returns true only when the digests are equal.
 */
export function constantTimeEqualHex(expected: Buffer, providedHex: string): boolean {
  const wellFormed = providedHex.length === expected.length * 2 && /^[0-9a-fA-F]*$/.test(providedHex);
  const provided = Buffer.alloc(expected.length);
  if (wellFormed) provided.write(providedHex, 'hex');
  const equal = timingSafeEqual(expected, provided);
  return wellFormed && equal;
}

/**
 * Constant-time check that `providedBase64` is the standard base64 (padded, `+/` alphabet)
 * encoding of `expected`. Malformed or wrong-length input is replaced by a zero buffer of the
 * right length before the comparison, so the work is the same and the result is false.
 * @param expected Required. The computed digest.
 * @param providedBase64 Required. The signature as sent, already form-decoded.
 * @returns true only when the digests are equal.
 */
export function constantTimeEqualBase64(expected: Buffer, providedBase64: string): boolean {
  const expectedLength = Math.ceil(expected.length / 3) * 4;
  const wellFormed = providedBase64.length === expectedLength && /^[A-Za-z0-9+/]+={0,2}$/.test(providedBase64);
  const decoded = wellFormed ? Buffer.from(providedBase64, 'base64') : Buffer.alloc(0);
  const lengthOk = decoded.length === expected.length;
  const provided = lengthOk ? decoded : Buffer.alloc(expected.length);
  const equal = timingSafeEqual(expected, provided);
  return wellFormed && lengthOk && equal;
}
