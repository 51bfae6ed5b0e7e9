import type { RawRequest } from '../http/raw-request.ts';
import { ApiError } from '../query/errors.ts';
import { percentDecode, splitRawQuery } from './aws-encoding.ts';
import { formatAmzDate, parseAmzDate, parseHttpDate } from './auth-time.ts';

/** The only SigV4 algorithm accepted (`AWS4-ECDSA-P256-SHA256`, i.e. SigV4a, is refused). */
export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256';

/** Longest X-Amz-Expires AWS accepts for a presigned request (7 days). */
export const MAX_PRESIGN_EXPIRES_SECONDS = 604_800;

/**
 * A structurally valid SigV4 credential, before any secret is involved. Region and service are
 * whatever the client put in its scope (boto 2 puts hostname fragments such as `0/127` there);
 * they are used to derive the key and never enforced.
 */
export interface SigV4Auth {
  /** `header` (Authorization header) or `query` (presigned X-Amz-* query parameters). */
  form: 'header' | 'query';
  accessKeyId: string;
  /** Scope date `yyyymmdd`; always equal to `amzDate.slice(0, 8)`. */
  scopeDate: string;
  region: string;
  service: string;
  /** Lower-case, strictly ascending, always containing `host`. */
  signedHeaders: readonly string[];
  /** 64 lower-case hex digits as sent. */
  signature: string;
  /** `yyyymmddThhmmssZ` as it goes into the string to sign. */
  amzDate: string;
  /** The instant `amzDate` denotes. */
  signedAt: Date;
  /** Presigned form only: X-Amz-Expires in seconds (1..604800). */
  expiresSeconds?: number;
}

const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;
const ACCESS_KEY = /^[\x21-\x7e]{1,128}$/;

function incomplete(message: string): ApiError {
  return new ApiError('IncompleteSignature', message);
}

interface Credential {
  accessKeyId: string;
  scopeDate: string;
  region: string;
  service: string;
}

const MEMO_LIMIT = 1000;

/**
 * Parsed forms of the Credential, SignedHeaders and X-Amz-Date texts seen recently: a key sends
 * the same few texts on every request, and parsing them was a visible share of each one. Only
 * texts that parsed cleanly are kept; the maps are emptied when they reach 1000 entries. The
 * owner creates and keeps the instance (no module state), as with SigningKeyCache.
 */
export class SigV4ParseMemo {
  readonly credentials = new Map<string, Readonly<Credential>>();
  readonly signedHeaderLists = new Map<string, readonly string[]>();
  /** The last X-Amz-Date text that parsed, and its instant (requests signed in the same second share it). */
  amzDate = { text: '', ms: 0 };
}

function remember<V>(map: Map<string, V>, text: string, value: V): V {
  if (map.size >= MEMO_LIMIT) map.clear();
  map.set(text, value);
  return value;
}

function parseCredential(text: string, memo: SigV4ParseMemo | undefined): Readonly<Credential> {
  const known = memo?.credentials.get(text);
  if (known !== undefined) return known;
  const parts = text.split('/');
  if (parts.length !== 5 || parts.some((p) => p.length === 0)) {
    throw incomplete(
      'Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/aws4_request.',
    );
  }
  const [accessKeyId, scopeDate, region, service, terminator] = parts as [string, string, string, string, string];
  if (terminator !== 'aws4_request')
    throw incomplete("Credential should be scoped with a valid terminator: 'aws4_request'.");
  if (!/^\d{8}$/.test(scopeDate)) throw incomplete('Credential scope date must be in the form yyyymmdd.');
  if (!ACCESS_KEY.test(accessKeyId) || /[\s,;]/.test(region + service))
    throw incomplete('Credential contains invalid characters.');
  const credential = Object.freeze({ accessKeyId, scopeDate, region, service });
  return memo ? remember(memo.credentials, text, credential) : credential;
}

function parseSignedHeaders(text: string, req: RawRequest, memo: SigV4ParseMemo | undefined): readonly string[] {
  const known = memo?.signedHeaderLists.get(text);
  if (known !== undefined) {
    // The text was valid before; header presence is per request and is checked every time.
    for (const name of known) {
      if (!req.headers.has(name))
        throw incomplete(`Header '${name}' is listed in SignedHeaders but is missing from the request.`);
    }
    return known;
  }
  const names = text.split(';');
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    if (!HEADER_NAME.test(name))
      throw incomplete('SignedHeaders must be lower-case header names separated by semicolons.');
    if (i > 0 && names[i - 1]! >= name) throw incomplete('SignedHeaders must be sorted and must not repeat a name.');
    if (!req.headers.has(name))
      throw incomplete(`Header '${name}' is listed in SignedHeaders but is missing from the request.`);
  }
  if (!names.includes('host')) throw incomplete("The 'host' header must be signed (listed in SignedHeaders).");
  return memo ? remember(memo.signedHeaderLists, text, Object.freeze(names)) : names;
}

function parseSignature(text: string): string {
  if (!/^[0-9a-f]{64}$/.test(text)) throw incomplete('Signature must be 64 lower-case hexadecimal characters.');
  return text;
}

function checkScopeDate(scopeDate: string, amzDate: string): void {
  if (scopeDate !== amzDate.slice(0, 8)) {
    throw new ApiError(
      'SignatureDoesNotMatch',
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`,
    );
  }
}

function onlyValue(req: RawRequest, name: string, label: string): string | undefined {
  const values = req.headers.get(name);
  if (values === undefined) return undefined;
  if (values.length !== 1) throw incomplete(`The request must not contain more than one ${label} header.`);
  return values[0]!.trim();
}

/** parseAmzDate, reusing the memo's last result for the same text (a fresh Date each time). */
function amzDateOf(text: string, memo: SigV4ParseMemo | undefined): Date | undefined {
  if (memo === undefined) return parseAmzDate(text);
  if (text === memo.amzDate.text) return new Date(memo.amzDate.ms);
  const date = parseAmzDate(text);
  if (date) memo.amzDate = { text, ms: date.getTime() };
  return date;
}

/** X-Amz-Date header, else the Date header (converted), for the header form. */
function headerDate(req: RawRequest, memo: SigV4ParseMemo | undefined): { amzDate: string; signedAt: Date } {
  const amz = onlyValue(req, 'x-amz-date', 'X-Amz-Date');
  if (amz !== undefined) {
    const signedAt = amzDateOf(amz, memo);
    if (!signedAt) throw incomplete("X-Amz-Date must be in the ISO 8601 basic format yyyyMMdd'T'HHmmss'Z'.");
    return { amzDate: amz, signedAt };
  }
  const http = onlyValue(req, 'date', 'Date');
  if (http !== undefined) {
    const signedAt = parseHttpDate(http);
    if (!signedAt) throw incomplete("The Date header must be an HTTP date such as 'Mon, 09 Sep 2011 23:36:00 GMT'.");
    return { amzDate: formatAmzDate(signedAt), signedAt };
  }
  throw incomplete("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
}

type AuthField = 'Credential' | 'SignedHeaders' | 'Signature';
const isAuthField = (name: string): name is AuthField =>
  name === 'Credential' || name === 'SignedHeaders' || name === 'Signature';

/**
 * Parses `Authorization: AWS4-HMAC-SHA256 Credential=AK/yyyymmdd/region/service/aws4_request,
 * SignedHeaders=a;b, Signature=hex` (components separated by `,` with or without spaces, any
 * order) plus the request date. Pure structure: no secret is needed.
 * @param req Required. Must carry exactly one Authorization header.
 * @param memo Optional. The caller's memo of recently parsed texts (same answers, less work).
 * @throws ApiError IncompleteSignature for a missing/duplicated/malformed header or component,
 *   an algorithm other than AWS4-HMAC-SHA256, unsigned `host`, a signed header absent from the
 *   request, or a missing/malformed X-Amz-Date/Date; SignatureDoesNotMatch when the scope date
 *   differs from the request date.
 */
export function parseSigV4Header(req: RawRequest, memo?: SigV4ParseMemo): SigV4Auth {
  const values = req.headers.get('authorization') ?? [];
  if (values.length !== 1) throw incomplete('The request must contain exactly one Authorization header.');
  const value = values[0]!.trim();
  const space = value.search(/\s/);
  if (space < 0 || value.slice(0, space) !== SIGV4_ALGORITHM) {
    throw incomplete(`Unsupported Authorization type; only ${SIGV4_ALGORITHM} is accepted.`);
  }
  const fields: Partial<Record<AuthField, string>> = {};
  for (const part of value.slice(space).split(',')) {
    const item = part.trim();
    const eq = item.indexOf('=');
    const name = eq > 0 ? item.slice(0, eq) : '';
    if (!isAuthField(name) || fields[name] !== undefined) {
      throw incomplete(
        'Authorization header must consist of exactly Credential=..., SignedHeaders=... and Signature=... separated by commas.',
      );
    }
    fields[name] = item.slice(eq + 1);
  }
  const { Credential, SignedHeaders, Signature } = fields;
  if (Credential === undefined) throw incomplete("Authorization header requires 'Credential' parameter.");
  if (SignedHeaders === undefined) throw incomplete("Authorization header requires 'SignedHeaders' parameter.");
  if (Signature === undefined) throw incomplete("Authorization header requires 'Signature' parameter.");
  const credential = parseCredential(Credential, memo);
  const signedHeaders = parseSignedHeaders(SignedHeaders, req, memo);
  const signature = parseSignature(Signature);
  const { amzDate, signedAt } = headerDate(req, memo);
  checkScopeDate(credential.scopeDate, amzDate);
  const { accessKeyId, scopeDate, region, service } = credential; // no spread: it was a slow path here
  return { form: 'header', accessKeyId, scopeDate, region, service, signedHeaders, signature, amzDate, signedAt };
}

/**
 * Parses presigned SigV4 parameters from the raw query string (never the body): X-Amz-Algorithm,
 * X-Amz-Credential, X-Amz-Date, X-Amz-SignedHeaders, X-Amz-Signature and X-Amz-Expires, each
 * exactly once. Values are raw-percent-decoded.
 * @param req Required.
 * @param memo Optional. As for parseSigV4Header.
 * @throws ApiError IncompleteSignature when a parameter is missing, repeated or malformed, the
 *   algorithm is not AWS4-HMAC-SHA256, X-Amz-Expires is outside 1..604800, or `host` is not
 *   signed; SignatureDoesNotMatch when the scope date differs from X-Amz-Date.
 */
export function parseSigV4Query(req: RawRequest, memo?: SigV4ParseMemo): SigV4Auth {
  const wanted = [
    'X-Amz-Algorithm',
    'X-Amz-Credential',
    'X-Amz-Date',
    'X-Amz-SignedHeaders',
    'X-Amz-Signature',
    'X-Amz-Expires',
  ];
  const found = new Map<string, string>();
  for (const [rawName, rawValue] of splitRawQuery(req.rawQuery)) {
    const name = percentDecode(rawName);
    if (!wanted.includes(name)) continue;
    if (found.has(name)) throw incomplete(`Query parameter ${name} must not appear more than once.`);
    found.set(name, percentDecode(rawValue));
  }
  for (const name of wanted) {
    if (!found.has(name))
      throw incomplete(
        `A presigned request requires the query parameter ${name} (presigned parameters are read from the query string only).`,
      );
  }
  if (found.get('X-Amz-Algorithm') !== SIGV4_ALGORITHM)
    throw incomplete(`Unsupported X-Amz-Algorithm; only ${SIGV4_ALGORITHM} is accepted.`);
  const credential = parseCredential(found.get('X-Amz-Credential')!, memo);
  const signedHeaders = parseSignedHeaders(found.get('X-Amz-SignedHeaders')!, req, memo);
  const signature = parseSignature(found.get('X-Amz-Signature')!);
  const amzDate = found.get('X-Amz-Date')!;
  const signedAt = amzDateOf(amzDate, memo);
  if (!signedAt) throw incomplete("X-Amz-Date must be in the ISO 8601 basic format yyyyMMdd'T'HHmmss'Z'.");
  const expiresText = found.get('X-Amz-Expires')!;
  const expiresSeconds = /^\d{1,6}$/.test(expiresText) ? Number(expiresText) : 0;
  if (expiresSeconds < 1 || expiresSeconds > MAX_PRESIGN_EXPIRES_SECONDS) {
    throw incomplete(`X-Amz-Expires must be a whole number of seconds between 1 and ${MAX_PRESIGN_EXPIRES_SECONDS}.`);
  }
  checkScopeDate(credential.scopeDate, amzDate);
  return { form: 'query', ...credential, signedHeaders, signature, amzDate, signedAt, expiresSeconds };
}
