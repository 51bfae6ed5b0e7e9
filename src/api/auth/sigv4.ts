import { createHmac, hash } from 'node:crypto';
import { evictSecondChance } from '../../lib/eviction.ts';
import type { RawRequest } from '../http/raw-request.ts';
import {
  awsEncode,
  canonicalQueryComponent,
  constantTimeEqualHex,
  percentDecode,
  splitRawQuery,
} from './aws-encoding.ts';
import { SIGV4_ALGORITHM, type SigV4Auth } from './sigv4-parse.ts';

export {
  parseSigV4Header,
  parseSigV4Query,
  SigV4ParseMemo,
  SIGV4_ALGORITHM,
  MAX_PRESIGN_EXPIRES_SECONDS,
  type SigV4Auth,
} from './sigv4-parse.ts';

/** The canonical forms computed for a request; exposed so tests can compare them byte for byte. */
export interface SigV4Canonical {
  canonicalRequest: string;
  stringToSign: string;
  /** Hex SHA-256 of the raw body bytes. */
  payloadHash: string;
}

/**
 * Canonical URI the way botocore and @smithy/signature-v4 build it for every non-S3 service:
 * the path as sent is normalised (empty and `.` segments dropped, `..` resolved, a trailing `/`
 * kept) and each segment is RFC 3986-encoded once more *without decoding first*, so a wire path
 * `/a%20b` signs as `/a%2520b` (the "double encoding" of non-S3 SigV4). The AWS test suite
 * writes unencoded paths (`/example space/`), which this encodes to `/example%20space/` as the
 * suite expects. Query API paths (`/`, `/api/autoscale/`) are unchanged.
 * @param path Required. Path as sent, without the query string.
 */
export function canonicalUri(path: string): string {
  if (path === '/') return path; // every Query API client; skips the split below
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const trailing = segments.length > 0 && path.endsWith('/') ? '/' : '';
  return `/${segments.map(awsEncode).join('/')}${trailing}`;
}

/**
 * Canonical query string from the raw query: each name and value raw-percent-decoded (a `+`
 * stays `+`) and RFC 3986-encoded again, pairs sorted by encoded name then encoded value,
 * `name=` for an empty value, joined by `&`.
 * @param rawQuery Required. Query string as sent, without `?`.
 * @param omitSignature When true (presigned form) the X-Amz-Signature parameter is left out.
 */
export function canonicalQueryString(rawQuery: string, omitSignature = false): string {
  if (rawQuery.length === 0) return '';
  const pairs: Array<[string, string]> = [];
  for (const [name, value] of splitRawQuery(rawQuery)) {
    if (omitSignature && percentDecode(name) === 'X-Amz-Signature') continue;
    pairs.push([canonicalQueryComponent(name), canonicalQueryComponent(value)]);
  }
  pairs.sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([n, v]) => `${n}=${v}`).join('&');
}

/** Leading or trailing whitespace, a whitespace run, or whitespace other than a plain space. */
const NEEDS_NORMALISING = /^\s|\s$|\s\s|[^\S ]/;

/**
 * Canonical header block: one `name:value\n` line per signed header, in SignedHeaders order.
 * The value is every raw value of that header (repeats kept in order), each trimmed with inner
 * whitespace runs collapsed to one space, joined with `,`.
 * @param req Required.
 * @param signedHeaders Required. Lower-case names (as parsed by parseSigV4Header/Query).
 */
export function canonicalHeaderBlock(req: RawRequest, signedHeaders: readonly string[]): string {
  let block = '';
  for (const name of signedHeaders) {
    const values = req.headers.get(name);
    let joined = '';
    if (values !== undefined) {
      for (let i = 0; i < values.length; i++) {
        const v = values[i]!;
        // Most values need no trimming or collapsing; testing first avoids two regex rewrites.
        joined += (i > 0 ? ',' : '') + (NEEDS_NORMALISING.test(v) ? v.trim().replace(/\s+/g, ' ') : v);
      }
    }
    block += `${name}:${joined}\n`;
  }
  return block;
}

/**
 * Computes the canonical request and string to sign for a parsed SigV4 request.
 * Never throws.
 * @param req Required. The raw request (path, query, headers and body bytes as received).
 * @param auth Required. From parseSigV4Header or parseSigV4Query.
 */
export function canonicalizeSigV4(req: RawRequest, auth: SigV4Auth): SigV4Canonical {
  // One-shot crypto.hash: no Hash object per digest (a measurable share of each request).
  const payloadHash = hash('sha256', req.body, 'hex');
  const canonicalRequest =
    `${req.method.toUpperCase()}\n${canonicalUri(req.path)}\n${canonicalQueryString(req.rawQuery, auth.form === 'query')}\n` +
    `${canonicalHeaderBlock(req, auth.signedHeaders)}\n${auth.signedHeaders.join(';')}\n${payloadHash}`;
  const scope = `${auth.scopeDate}/${auth.region}/${auth.service}/aws4_request`;
  const hashed = hash('sha256', canonicalRequest, 'hex');
  const stringToSign = `${SIGV4_ALGORITHM}\n${auth.amzDate}\n${scope}\n${hashed}`;
  return { canonicalRequest, stringToSign, payloadHash };
}

/**
 * Derives the SigV4 signing key HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region), service),
 * "aws4_request").
 */
export function deriveSigningKey(secret: string, scopeDate: string, region: string, service: string): Buffer {
  const kDate = createHmac('sha256', `AWS4${secret}`).update(scopeDate, 'utf8').digest();
  const kRegion = createHmac('sha256', kDate).update(region, 'utf8').digest();
  const kService = createHmac('sha256', kRegion).update(service, 'utf8').digest();
  return createHmac('sha256', kService).update('aws4_request', 'utf8').digest();
}

/**
 * A small bounded cache of derived signing keys per (secret, date, region, service). The owner
 * creates and keeps the instance (no module state). Entries are keyed by a SHA-256 of the
 * secret, never the secret itself; the least recently used entry is evicted when full (in
 * the second-chance form, so that a hit does not reorder the Map).
 */
export class SigningKeyCache {
  private readonly entries = new Map<string, { key: Buffer; used: boolean }>();
  /**
   * Expected signatures by string to sign, each with the secret it was computed under: an HMAC
   * is a pure function of the two, so a request signed again in the same second (pollers) is
   * checked without recomputing it. The comparison with the signature sent stays constant-time.
   */
  private readonly signatures = new Map<string, { secret: string; signature: Buffer; used: boolean }>();

  /**
   * @param maxEntries Optional, default 1000; at least 1.
   * @throws RangeError when maxEntries is below 1.
   */
  constructor(readonly maxEntries = 1000) {
    if (!(maxEntries >= 1)) throw new RangeError('SigningKeyCache needs maxEntries >= 1');
  }

  /** Number of cached keys. */
  get size(): number {
    return this.entries.size;
  }

  /** The SHA-256 (base64) that stands for `secret` in this cache's entry ids. */
  static secretId(secret: string): string {
    return hash('sha256', secret, 'base64');
  }

  /** The signing key, derived and cached on first use. Never throws. */
  get(secret: string, scopeDate: string, region: string, service: string): Buffer {
    // Length prefixes keep the id unambiguous whatever the region and service contain.
    const id = `${SigningKeyCache.secretId(secret)}|${scopeDate.length}:${scopeDate}|${region.length}:${region}|${service}`;
    const hit = this.entries.get(id);
    if (hit) {
      hit.used = true;
      return hit.key;
    }
    const key = deriveSigningKey(secret, scopeDate, region, service);
    if (this.entries.size >= this.maxEntries) evictSecondChance(this.entries); // second-chance LRU
    this.entries.set(id, { key, used: false });
    return key;
  }

  /** HMAC(signing key, stringToSign): the signature a request must carry, memoised per (secret, stringToSign). Never throws. */
  expectedSignature(secret: string, parsed: SigV4Auth, stringToSign: string): Buffer {
    const hit = this.signatures.get(stringToSign);
    if (hit !== undefined && hit.secret === secret) {
      hit.used = true;
      return hit.signature;
    }
    const key = this.get(secret, parsed.scopeDate, parsed.region, parsed.service);
    const signature = createHmac('sha256', key).update(stringToSign, 'utf8').digest();
    if (!hit && this.signatures.size >= this.maxEntries) evictSecondChance(this.signatures);
    this.signatures.set(stringToSign, { secret, signature, used: false });
    return signature;
  }
}

/**
 * Verifies a parsed SigV4 request against a secret. The signature is recomputed over the raw
 * request and compared in constant time. If an `x-amz-content-sha256` header is present it must
 * equal the hash of the raw body (so `UNSIGNED-PAYLOAD` and tampered bodies fail); the HMAC work
 * is done either way.
 * @param req Required. The raw request.
 * @param secret Required. The secret access key (or a dummy, for unknown keys).
 * @param parsed Required. From parseSigV4Header or parseSigV4Query.
 * @param cache Optional. Signing-key cache owned by the caller.
 * @returns true only when signature and content hash both match. Never throws.
 */
export function verifySigV4(req: RawRequest, secret: string, parsed: SigV4Auth, cache?: SigningKeyCache): boolean {
  const { stringToSign, payloadHash } = canonicalizeSigV4(req, parsed);
  const expected = cache
    ? cache.expectedSignature(secret, parsed, stringToSign)
    : createHmac('sha256', deriveSigningKey(secret, parsed.scopeDate, parsed.region, parsed.service))
        .update(stringToSign, 'utf8')
        .digest();
  const signatureOk = constantTimeEqualHex(expected, parsed.signature);
  const claimed = req.headers.get('x-amz-content-sha256');
  const contentOk = claimed === undefined || (claimed.length === 1 && claimed[0]!.trim() === payloadHash);
  return signatureOk && contentOk;
}
