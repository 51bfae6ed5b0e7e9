import { createHmac } from 'node:crypto';
import type { RawRequest } from '../http/raw-request.ts';
import { ApiError } from '../query/errors.ts';
import type { Param } from '../query/form.ts';
import { awsEncode, constantTimeEqualBase64 } from './aws-encoding.ts';
import { parseIso8601 } from './auth-time.ts';

/** SigV2 signature methods accepted, mapped to node:crypto digest names. */
const METHODS = { HmacSHA256: 'sha256', HmacSHA1: 'sha1' } as const;

/** A SigV2 HMAC method name as sent in `SignatureMethod`. */
export type SigV2Method = keyof typeof METHODS;

/** A structurally valid Query SigV2 credential, before any secret is involved. */
export interface SigV2Auth {
  accessKeyId: string;
  /** Base64 signature as sent (already form-decoded). */
  signature: string;
  method: SigV2Method;
  /** Exactly one of `timestamp` and `expires` is set. */
  timestamp?: Date;
  expires?: Date;
}

/** The SigV2 parameter names; any of them marks a request as using SigV2. */
export const SIGV2_PARAMS = ['AWSAccessKeyId', 'Signature', 'SignatureVersion', 'SignatureMethod'] as const;

const ACCESS_KEY = /^[\x21-\x7e]{1,128}$/;

function incomplete(message: string): ApiError {
  return new ApiError('IncompleteSignature', message);
}

function single(params: readonly Param[], name: string): string | undefined {
  let found: string | undefined;
  for (const [key, value] of params) {
    if (key !== name) continue;
    if (found !== undefined) throw incomplete(`Parameter ${name} must not appear more than once.`);
    found = value;
  }
  return found;
}

function instant(name: string, text: string): Date {
  const date = parseIso8601(text);
  if (!date)
    throw new ApiError(
      'InvalidParameterValue',
      `Parameter ${name} must be an ISO 8601 date-time such as 2026-11-24T23:53:47Z.`,
    );
  return date;
}

/**
 * Reads the SigV2 parameters: AWSAccessKeyId, Signature, SignatureVersion=2,
 * SignatureMethod ∈ {HmacSHA256, HmacSHA1}, and Timestamp or Expires.
 * @param params Required. Decoded query params followed by decoded form-body params.
 * @throws ApiError IncompleteSignature for a missing/repeated/invalid signature parameter or
 *   SignatureVersion other than 2 (0 and 1 are refused); MissingParameter when neither
 *   Timestamp nor Expires is present; InvalidParameterCombination when both are;
 *   InvalidParameterValue for an unparseable date.
 */
export function parseSigV2(params: readonly Param[]): SigV2Auth {
  const version = single(params, 'SignatureVersion');
  if (version === undefined)
    throw incomplete('Parameter SignatureVersion is required (only 2 is supported; or use Signature Version 4).');
  if (version !== '2')
    throw incomplete('SignatureVersion must be 2; versions 0 and 1 are not supported (or use Signature Version 4).');
  const method = single(params, 'SignatureMethod');
  if (method !== 'HmacSHA256' && method !== 'HmacSHA1')
    throw incomplete('SignatureMethod must be HmacSHA256 or HmacSHA1.');
  const accessKeyId = single(params, 'AWSAccessKeyId');
  if (accessKeyId === undefined || !ACCESS_KEY.test(accessKeyId))
    throw incomplete('Parameter AWSAccessKeyId is required.');
  const signature = single(params, 'Signature');
  if (signature === undefined || signature.length === 0) throw incomplete('Parameter Signature is required.');
  const timestamp = single(params, 'Timestamp');
  const expires = single(params, 'Expires');
  if (timestamp !== undefined && expires !== undefined) {
    throw new ApiError(
      'InvalidParameterCombination',
      'The parameter Timestamp cannot be used with the parameter Expires.',
    );
  }
  if (timestamp !== undefined) return { accessKeyId, signature, method, timestamp: instant('Timestamp', timestamp) };
  if (expires !== undefined) return { accessKeyId, signature, method, expires: instant('Expires', expires) };
  throw new ApiError('MissingParameter', 'The request must contain the parameter Timestamp or Expires.');
}

/**
 * The host strings to try: the Host header as received (lower-cased) and, if it carries a
 * port, the same host without the port (boto 2 forced to SigV2 signs and sends no port, while
 * botocore signs `host:port`; some proxies strip or add the port).
 * @param host Required. The Host header value.
 */
export function sigV2HostVariants(host: string): string[] {
  const lower = host.trim().toLowerCase();
  const m = /^(.+):(\d+)$/.exec(lower);
  if (!m) return [lower];
  const bare = m[1]!;
  const plausible = bare.startsWith('[') ? bare.endsWith(']') : !bare.includes(':');
  return plausible ? [lower, bare] : [lower];
}

/**
 * `METHOD\nhost\npath\ncanonicalQS`, where canonicalQS is every param except `Signature`,
 * sorted by the UTF-8 bytes of the name (then value), each `awsEncode(name)=awsEncode(value)`,
 * joined by `&`.
 * @param req Required (method and path are used; an empty path counts as `/`).
 * @param params Required. Decoded query params followed by decoded form-body params.
 * @param host Required. The host string to sign (see sigV2HostVariants).
 */
export function sigV2StringToSign(req: RawRequest, params: readonly Param[], host: string): string {
  const sorted = params
    .filter(([name]) => name !== 'Signature')
    .map(([name, value]) => ({ key: Buffer.from(name, 'utf8'), name, value }))
    .sort((a, b) => Buffer.compare(a.key, b.key) || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  const query = sorted.map(({ name, value }) => `${awsEncode(name)}=${awsEncode(value)}`).join('&');
  return `${req.method.toUpperCase()}\n${host}\n${req.path || '/'}\n${query}`;
}

/**
 * Verifies a SigV2 request against a secret, trying every host variant (all are always
 * computed, so failing paths cost the same). Comparison is constant-time.
 * @param req Required. Must carry exactly one Host header.
 * @param params Required. Decoded query params followed by decoded form-body params.
 * @param secret Required. The secret access key (or a dummy, for unknown keys).
 * @param auth Required. From parseSigV2.
 * @returns true when one variant matches.
 * @throws ApiError IncompleteSignature when the Host header is missing or repeated.
 */
export function verifySigV2(req: RawRequest, params: readonly Param[], secret: string, auth: SigV2Auth): boolean {
  const hosts = req.headers.get('host');
  if (hosts?.length !== 1) throw incomplete('Signature Version 2 requires exactly one Host header.');
  let ok = false;
  for (const host of sigV2HostVariants(hosts[0]!)) {
    const digest = createHmac(METHODS[auth.method], secret)
      .update(sigV2StringToSign(req, params, host), 'utf8')
      .digest();
    if (constantTimeEqualBase64(digest, auth.signature)) ok = true;
  }
  return ok;
}
